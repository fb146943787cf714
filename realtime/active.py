"""Whether the agents of this process's sockets are still active, one query per round.

An ids-only feed event (post.created, reactions.changed) is published to every socket of
a group or of the organisation, with no audience read at commit time. A deactivation
closes the agent's sockets, but an event already on its way may arrive first: each
socket asks here before relaying one. The sockets that receive the same event ask in
the same round of the loop and get their answers from one query (by 500 ids), so an
event to 10,000 sockets is a few statements per process, not one per socket. If the
database does not answer, the event is not relayed (pages show posts on their next
load) and the outage is logged once.
"""

import asyncio
import logging

from realtime import actions
from realtime.outage import Outage
from realtime.threads import in_db_thread

logger = logging.getLogger(__name__)

database_outage = Outage(logger, "database (active agents check)")
_waiting: dict[int, list[asyncio.Future]] = {}
_task: dict[str, asyncio.Task | None] = {"task": None}


async def is_active(agent_id: int) -> bool:
    """Whether the agent is active now, read from the database after this call."""
    loop = asyncio.get_running_loop()
    answer = loop.create_future()
    task = _task["task"]
    if task is None or task.done() or task.get_loop() is not loop:
        _waiting.clear()  # questions of a loop that is gone (tests) are never answered
        _task["task"] = loop.create_task(_answer(), name="active-agents")
    _waiting.setdefault(agent_id, []).append(answer)
    return await answer


async def _answer() -> None:
    await asyncio.sleep(0)  # the other sockets of the same event ask in this round
    while _waiting:
        batch = dict(_waiting)
        _waiting.clear()
        try:
            active = await in_db_thread(actions.active_agents)(list(batch))
        except Exception as exc:
            database_outage.failed(exc)
            active = set()
        else:
            database_outage.ok()
        for agent_id, answers in batch.items():
            for answer in answers:
                if not answer.done():
                    answer.set_result(agent_id in active)
