"""Receivers of signals of libraries we do not control: contrib.auth's sign-in, sign-out
and failed sign-in (record and forget agents' sessions, log failures), and saves of an
agent switched off.

The admin's change form (contrib.admin) sets `is_active` and calls `save()` itself, and
so does any shell or script that edits an agent; none of them can call a service. A
save that turns an active agent inactive therefore signs them out here (sessions
deleted, sockets closed, after commit), as accounts.services.agents_deactivate does for
the code paths we own. Bulk updates send no signal: they go through that service, and
the presence heartbeat closes, within a period, the sockets of any agent found
inactive however it happened (realtime.heartbeat).
"""

from intranet.accounts.audit import Reason, sign_in_failure_log
from intranet.accounts.leavers import agents_left
from intranet.accounts.services import (
    agent_session_forget,
    agent_session_record,
    agents_sign_out,
)
from intranet.accounts.signin import directory_was_unavailable


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


def deactivation_noted(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    """pre_save: whether this save switches an active agent off (one query, only for
    saves of an inactive agent that touch `is_active`)."""
    instance._switched_off = False
    if raw or instance.pk is None or instance.is_active:
        return
    if update_fields is not None and "is_active" not in update_fields:
        return
    instance._switched_off = sender.objects.filter(pk=instance.pk, is_active=True).exists()


def deactivation_signs_out(sender, instance, raw=False, **kwargs) -> None:
    """post_save: the agent just switched off loses sessions and sockets after commit."""
    if getattr(instance, "_switched_off", False):
        instance._switched_off = False
        agents_left([instance.pk])
        agents_sign_out([instance.pk])
