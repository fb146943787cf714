"""Receivers of contrib.auth's signals (a library's): record and forget agents' sessions,
and log failed sign-ins."""

from intranet.accounts.audit import Reason, sign_in_failure_log
from intranet.accounts.services import agent_session_forget, agent_session_record
from intranet.directory.backend import directory_was_unavailable


def session_record_on_login(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session") and user is not None:
        agent_session_record(user, request.session)


def session_forget_on_logout(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        agent_session_forget(request.session.session_key)


def sign_in_failure_on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    """Every refused authenticate(): the sign-in page, the admin's, any other caller.

    credentials is contrib.auth's cleansed copy; only the login is read from it.
    """
    reason = Reason.CREDENTIALS
    if request is not None and directory_was_unavailable(request):
        reason = Reason.DIRECTORY_UNAVAILABLE
    sign_in_failure_log(request, (credentials or {}).get("username", ""), reason)
