"""The "voted" hook: a registry higher apps fill (the learning paths tick their steps on a
poll with it), without polls naming them:

    from intranet.polls.hooks import voted_register

    voted_register(fn)  # fn(poll, agent), called once per accepted vote

Called inside the vote's transaction, each function in a savepoint: one that raises is
logged and undone alone, the vote stands. The function learns who voted (as the Ballot
does), never what they chose.
"""

import logging
from collections.abc import Callable

from django.db import transaction

logger = logging.getLogger(__name__)

_hooks: list[Callable] = []


def voted_register(fn: Callable) -> None:
    if fn not in _hooks:
        _hooks.append(fn)


def voted_emit(poll, agent) -> None:
    for fn in list(_hooks):
        try:
            with transaction.atomic():
                fn(poll, agent)
        except Exception:
            logger.exception("voted hook %r failed for poll %s", fn, poll.pk)
