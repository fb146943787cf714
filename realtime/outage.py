"""Logging a dependency's outage once, then a summary when it ends.

A daphne process talks to Redis (the channel layer) and to the database from many sockets
and tasks; while one of them is away every call fails, and logging each failure printed a
traceback a second or more. Here the first failure is logged (with its traceback), the
next ones are counted, a reminder comes every REMIND_SECONDS while it lasts, and the first
success after it logs how long it lasted and how many calls failed.
"""

import logging
import time

REMIND_SECONDS = 300.0


class Outage:
    """The state of one dependency in this process (one instance per dependency)."""

    def __init__(self, logger: logging.Logger, what: str):
        self.logger, self.what = logger, what
        self.since: float | None = None
        self.failures = 0
        self.reminded_at = 0.0

    def failed(self, error: BaseException, *, doing: str = "") -> None:
        """A call failed: logged if it is the first since the dependency last worked."""
        now = time.monotonic()
        self.failures += 1
        if self.since is None:
            self.since = self.reminded_at = now
            self.logger.error(
                "%s unreachable%s: %r (logged once; a summary follows when it is back)",
                self.what,
                f" ({doing})" if doing else "",
                error,
                exc_info=error,
            )
        elif now - self.reminded_at >= REMIND_SECONDS:
            self.reminded_at = now
            self.logger.error(
                "%s still unreachable after %.0f s (%d failed calls)",
                self.what,
                now - self.since,
                self.failures,
            )

    def ok(self) -> None:
        """A call worked: the end of an outage is logged with its length and count."""
        if self.since is None:
            return
        self.logger.warning(
            "%s is back after %.0f s (%d failed calls)",
            self.what,
            time.monotonic() - self.since,
            self.failures,
        )
        self.since, self.failures = None, 0

    @property
    def ongoing(self) -> bool:
        return self.since is not None
