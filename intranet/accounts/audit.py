"""Failed sign-ins in the application's log: who tried, from where, and why it failed.

One WARNING line per refused attempt on logger `intranet.accounts.signin`, e.g.
`sign-in failed: login='jdupont' address=203.0.113.7 reason=credentials`. The address is
the one the sign-in throttle counts (accounts.throttle.client_address: the client behind
TRANSVERSE_TRUSTED_PROXIES; an IPv6 client's /64). The password is never logged, nor any
other credential: only the login, quoted and with control characters escaped, so that a
login cannot forge a log line. Each failure and each lock-out is also an entry of the
audit trail (intranet.audit).
"""

import logging

from intranet.accounts.throttle import client_address
from intranet.audit import kinds
from intranet.audit.services import audit_record
from intranet.core import metrics

logger = logging.getLogger("intranet.accounts.signin")
lockout_logger = logging.getLogger("intranet.accounts.lockout")

# Longest login written to the log (the sign-in form takes 150 characters).
MAX_LOGGED_LOGIN = 150


class Reason:
    CREDENTIALS = "credentials"  # unknown login, wrong password or disabled account
    DIRECTORY_UNAVAILABLE = "directory-unavailable"
    THROTTLED = "throttled"
    MALFORMED = "malformed"  # control characters in the login


def loggable_login(login) -> str:
    """The login quoted, cut to MAX_LOGGED_LOGIN, with anything unprintable escaped (repr:
    newlines, NUL and other controls become \\n, \\x00...; accents stay readable)."""
    return repr(str(login or "")[:MAX_LOGGED_LOGIN])


def sign_in_failure_log(request, login, reason: str) -> None:
    logger.warning(
        "sign-in failed: login=%s address=%s reason=%s",
        loggable_login(login),
        client_address(request),
        reason,
    )
    # The audit trail keeps the same facts (the login typed, never the password).
    audit_record(kinds.SIGN_IN_FAILED, actor=None, request=request, login=login, reason=reason)
    metrics.SIGN_IN_FAILURES.labels(reason).inc()


def lock_out_record(request, login, scopes) -> None:
    """One entry per throttle scope that has just reached its limit (a lock-out starts)."""
    for scope in scopes:
        lockout_logger.warning(
            "sign-in locked out: login=%s address=%s scope=%s",
            loggable_login(login),
            client_address(request),
            scope,
        )
        audit_record(kinds.LOCKED_OUT, actor=None, request=request, login=login, scope=scope)
