"""Writes about accounts: the agent's interface language, which sessions each agent signed in
with, and ending them."""

from datetime import timedelta
from importlib import import_module

from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from intranet.accounts.models import AgentSession

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
