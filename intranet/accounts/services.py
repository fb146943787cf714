"""Writes about accounts: the agent's interface language, which sessions each agent signed in
with, ending them, switching agents off, and the second factor (TOTP, recovery codes)."""

from datetime import timedelta
from importlib import import_module

from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from intranet.accounts.leavers import agents_left
from intranet.accounts.models import AgentSession, User, validate_time_zone
from intranet.audit import kinds
from intranet.audit.services import audit_record
from realtime.publish import agent_disconnect

# Session engines whose sessions live on the server, so that a key can be deleted.
_DB_ENGINE = "django.contrib.sessions.backends.db"


def _server_side_sessions() -> bool:
    return not settings.SESSION_ENGINE.endswith("signed_cookies")


def agent_language_set(agent, *, language: str):
    """Remember the interface language agent chose ("" for the site's default).

    Only a code of settings.LANGUAGES is stored: e-mails are later written in it.
    """
    if language and language not in dict(settings.LANGUAGES):
        raise ValidationError(_("This language is not offered."), code="invalid_language")
    if agent.language != language:
        agent.language = language
        agent.save(update_fields=["language"])
    return agent


def agent_time_zone_set(agent, *, time_zone: str):
    """The time zone agent's dates and times are shown in: an IANA name the system knows."""
    validate_time_zone(time_zone)
    if agent.time_zone != time_zone:
        agent.time_zone = time_zone
        agent.save(update_fields=["time_zone"])
    return agent


def agent_welcome_seen(agent) -> bool:
    """Remember that agent saw (or dismissed) the first-visit welcome; True the first time."""
    if agent is None or not agent.pk or agent.welcomed_at is not None:
        return False
    now = timezone.now()
    updated = User.objects.filter(pk=agent.pk, welcomed_at__isnull=True).update(welcomed_at=now)
    agent.welcomed_at = now
    return bool(updated)


def agent_session_record(agent, session) -> None:
    """Remember the session agent just signed in with (called on user_logged_in).

    The agent's records older than the longest a session lives are forgotten meanwhile,
    so the table holds about one row per live session.
    """
    if not _server_side_sessions():
        return  # a cookie holds the session: nothing on the server to delete later
    if session.session_key is None:
        session.save()  # login() flushed it: its new key is given at save
    # login() always gives a new key, except to the same agent signing in again on the
    # same session: then the record is already there.
    AgentSession.objects.bulk_create(
        [AgentSession(agent_id=agent.pk, session_key=session.session_key)], ignore_conflicts=True
    )
    horizon = timezone.now() - timedelta(seconds=settings.SESSION_COOKIE_AGE)
    AgentSession.objects.filter(agent_id=agent.pk, created_at__lt=horizon).delete()


def agent_session_forget(session_key: str | None) -> None:
    """The session ended by signing out (called on user_logged_out)."""
    if session_key:
        AgentSession.objects.filter(session_key=session_key).delete()


def agent_sessions_end(agent_ids) -> int:
    """Delete every recorded session of these agents (leavers); returns how many there were.

    Deactivation also rotates the password hash, which ends, at their next request,
    sessions the server cannot delete (signed cookies) or never recorded.
    """
    agent_ids = list(agent_ids)
    records = AgentSession.objects.filter(agent_id__in=agent_ids)
    keys = list(records.values_list("session_key", flat=True))
    if settings.SESSION_ENGINE == _DB_ENGINE:
        for start in range(0, len(keys), 500):
            Session.objects.filter(session_key__in=keys[start : start + 500]).delete()
    elif _server_side_sessions():
        store = import_module(settings.SESSION_ENGINE).SessionStore
        for key in keys:  # cache, cached_db, file: each engine deletes its own way
            store(session_key=key).delete(key)
    records.delete()
    return len(keys)


def agents_sign_out(agent_ids) -> None:
    """Once the current transaction commits: end every session of these agents and close
    their open sockets (4403). Called by whatever switches agents off; a rolled-back
    change signs no one out."""
    ids = sorted({int(pk) for pk in agent_ids})
    if ids:
        transaction.on_commit(lambda: _sign_out_now(ids))


def _sign_out_now(ids: list[int]) -> None:
    agent_sessions_end(ids)
    for pk in ids:
        agent_disconnect(pk)


@transaction.atomic
def agents_deactivate(actor, agent_ids) -> int:
    """Switch agents off: no sign-in, no session, no open socket; their account and
    content stay. actor: a superuser, or None when the caller checked permission itself
    (a command, the admin's action). Returns how many were active."""
    if actor is not None and not (actor.is_active and actor.is_superuser):
        raise PermissionDenied
    ids = list(
        User.objects.select_for_update()
        .filter(pk__in=list(agent_ids), is_active=True)
        .values_list("pk", flat=True)
    )
    User.objects.filter(pk__in=ids).update(is_active=False)
    agents_left(ids)
    agents_sign_out(ids)
    return len(ids)


# --- The second factor (accounts.second_factor) ---

RECOVERY_CODES = 10


def otp_enrolment_device(agent):
    """The agent's TOTP device being enrolled (unconfirmed), created at first call."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=agent, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=agent, name="authenticator", confirmed=False)
    return device


@transaction.atomic
def otp_enrolment_confirm(agent, *, code: str) -> list[str] | None:
    """Confirm the device being enrolled with a code it shows; returns the recovery codes
    (shown once), or None when the code is wrong. Earlier devices are replaced."""
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = otp_enrolment_device(agent)
    if not device.verify_token(code.strip().replace(" ", "")):
        audit_record(kinds.OTP_FAILED, actor=agent, target=agent, stage="enrolment")
        return None
    TOTPDevice.objects.filter(user=agent).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    StaticDevice.objects.filter(user=agent).delete()
    recovery = StaticDevice.objects.create(user=agent, name="recovery", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=recovery, token=c) for c in codes)
    audit_record(kinds.OTP_ENROLLED, actor=agent, target=agent)
    return codes


def otp_check(agent, *, code: str):
    """The confirmed device that accepts code (an app's code or an unused recovery code,
    which is then spent), or None."""
    from django_otp import devices_for_user

    code = code.strip().replace(" ", "")
    for device in devices_for_user(agent, confirmed=True):
        if device.verify_token(code):
            if device._meta.app_label == "otp_static":
                audit_record(kinds.OTP_RECOVERY_USED, actor=agent, target=agent)
            return device
    audit_record(kinds.OTP_FAILED, actor=agent, target=agent, stage="sign-in")
    return None
