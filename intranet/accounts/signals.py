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
from intranet.accounts.models import User
from intranet.accounts.second_factor import session_start
from intranet.accounts.services import (
    agent_session_forget,
    agent_session_record,
    agents_sign_out,
)
from intranet.accounts.signin import directory_was_unavailable
from intranet.audit import kinds
from intranet.audit.services import audit_record, audit_request_actor


def session_record_on_login(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session") and user is not None:
        agent_session_record(user, request.session)
    if user is not None:
        audit_record(kinds.SIGN_IN, actor=user, target=user, request=request)
    if request is not None and hasattr(request, "session") and user is not None:
        session_start(request, user)


def session_forget_on_logout(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        agent_session_forget(request.session.session_key)
    if user is not None and user.is_authenticated:
        audit_record(kinds.SIGN_OUT, actor=user, target=user, request=request)


def sign_in_failure_on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    """Every refused authenticate(): the sign-in page, the admin's, any other caller.

    credentials is contrib.auth's cleansed copy; only the login is read from it.
    """
    reason = Reason.CREDENTIALS
    if request is not None and directory_was_unavailable(request):
        reason = Reason.DIRECTORY_UNAVAILABLE
    sign_in_failure_log(request, (credentials or {}).get("username", ""), reason)


def deactivation_noted(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    """pre_save: whether this save switches an agent off or back on (one query, only for
    saves that touch `is_active`); a change of staff or superuser status is audited."""
    instance._switched_off = instance._switched_on = False
    if raw or instance.pk is None:
        return
    if update_fields is not None and not {"is_active", "is_staff", "is_superuser"} & set(
        update_fields
    ):
        return
    before = (
        sender.objects.filter(pk=instance.pk)
        .values_list("is_active", "is_staff", "is_superuser")
        .first()
    )
    if before is None:
        return
    was_active, was_staff, was_superuser = before
    instance._switched_off = was_active and not instance.is_active
    instance._switched_on = instance.is_active and not was_active
    if (was_staff, was_superuser) != (instance.is_staff, instance.is_superuser):
        audit_record(
            kinds.ROLE_CHANGED,
            actor=audit_request_actor(),
            target=instance,
            staff=[was_staff, instance.is_staff],
            superuser=[was_superuser, instance.is_superuser],
        )


def deactivation_signs_out(sender, instance, raw=False, **kwargs) -> None:
    """post_save: the agent just switched off loses sessions and sockets after commit."""
    if getattr(instance, "_switched_off", False):
        instance._switched_off = False
        agents_left([instance.pk])
        agents_sign_out([instance.pk])
    if getattr(instance, "_switched_on", False):
        instance._switched_on = False
        audit_record(kinds.AGENT_REACTIVATED, actor=audit_request_actor(), target=instance)


def roles_changed_audited(sender, instance, action, model, pk_set, reverse=False, **kwargs):
    """m2m_changed on an agent's groups and permissions (the admin's change form)."""
    if action not in {"post_add", "post_remove", "post_clear"} or reverse:
        return
    names = sorted(str(item) for item in model.objects.filter(pk__in=pk_set or ()))
    audit_record(
        kinds.ROLE_CHANGED,
        actor=audit_request_actor(),
        target=instance,
        change=f"{model._meta.model_name}.{action.removeprefix('post_')}",
        names=names[:50],
    )


def deactivations_audited(agent_ids: list[int]) -> None:
    """A leaver hook (accounts.leavers): one entry per agent switched off, whatever the
    path (the directory sync, the admin, the command); the actor is the signed-in agent
    of the request, None for a sync or a command."""
    actor = audit_request_actor()
    for agent in sorted(User.objects.filter(pk__in=agent_ids), key=lambda agent: agent.pk):
        audit_record(kinds.AGENT_DEACTIVATED, actor=actor, target=agent)
