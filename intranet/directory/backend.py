"""Signing agents in with their directory login and password.

Search with the service account (the login escaped), then a simple bind as the agent, on
connections each thread keeps open between sign-ins (intranet.directory.kept). Passwords
are never stored or logged. When the directory cannot be reached, the backend notes it on
the request (the sign-in form then says so) and lets the next backend try, so local
accounts still sign in during an outage.
"""

import logging

from django.contrib.auth.backends import BaseBackend
from ldap3.utils.conv import escape_filter_chars

from intranet.accounts.models import User
from intranet.accounts.signin import directory_unavailable_mark
from intranet.directory.config import directory_config
from intranet.directory.connection import DirectoryUnavailable
from intranet.directory.entries import USERNAME_MAX, MalformedEntry, agent_from_entry
from intranet.directory.kept import kept_search_one, kept_user_bind
from intranet.directory.services.agents import agent_update_from_directory, users_by_login

logger = logging.getLogger(__name__)


class DirectoryBackend(BaseBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        config = directory_config()
        if not config.enabled or not isinstance(username, str) or not isinstance(password, str):
            return None
        username = username.strip()
        # Refused before any bind: an empty simple bind is an anonymous bind that "succeeds".
        if (
            not username
            or not password.strip()
            or len(username) > USERNAME_MAX
            or not username.isprintable()  # NUL, control characters: no such login
        ):
            return None
        known = users_by_login(username).select_related("department").first()
        if known is not None and not known.is_directory_account:
            return None  # a local account (the site administrator...): ModelBackend's turn
        try:
            return self._authenticate(config, username, password, known)
        except DirectoryUnavailable as exc:
            logger.error("directory unavailable during sign-in of %r: %s", username, exc)
            directory_unavailable_mark(request)
            return None

    def _authenticate(self, config, username: str, password: str, known: User | None):
        search_filter = config.user_filter.replace("{username}", escape_filter_chars(username))
        found = kept_search_one(config, search_filter)
        if len(found) != 1:
            logger.info(
                "directory sign-in failed for %r: %s",
                username,
                "unknown login" if not found else "login matches several entries",
            )
            return None
        dn, raw = found[0]
        try:
            agent = agent_from_entry(config, dn, raw)
        except MalformedEntry as exc:
            logger.warning("directory entry %s cannot be used: %s", dn, exc)
            return None
        if agent.disabled or agent.locked:
            logger.info("directory sign-in refused for %s: account disabled or locked", dn)
            return None
        if not kept_user_bind(config, dn, password):
            return None
        user = agent_update_from_directory(config, dn, raw, known=known, agent=agent)
        return user if user is not None and user.is_active else None

    def get_user(self, user_id):
        # The department rides along: the access model reads it on nearly every page.
        user = User.objects.select_related("department").filter(pk=user_id).first()
        return user if user is not None and user.is_active else None
