"""Receivers of contrib.auth's signals (a library's): record and forget agents' sessions."""

from intranet.accounts.services import agent_session_forget, agent_session_record


def session_record_on_login(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session") and user is not None:
        agent_session_record(user, request.session)


def session_forget_on_logout(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        agent_session_forget(request.session.session_key)
