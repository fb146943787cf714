"""A new socket's bookkeeping: what it subscribes to and its presence, in one round.

The socket side of realtime (above every app): it combines chat's readable
conversations, the agent's groups and the presence row, which no one app owns.
"""

import datetime
import functools

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils import timezone

from intranet.accounts.access import is_active_agent
from intranet.accounts.models import User
from intranet.chat import access, selectors, services
from intranet.core.prepared import prepared_cursor
from intranet.groups.access import member_group_ids
from intranet.groups.models import Membership
from intranet.presence import services as presence
from intranet.presence.selectors import PRESENCE_TIMEOUT, other_active_sockets

# Stand-ins for the values of the statement socket_open compiles once per process.
_AGENT = -(2**62) + 11
_CHANNEL = "socket-open:stand-in:channel"
_NOW = datetime.datetime(1901, 1, 1, 0, 0, 1, tzinfo=datetime.UTC)
_SINCE = datetime.datetime(1901, 1, 1, 0, 0, 2, tzinfo=datetime.UTC)


def socket_open(actor, channel_name: str) -> tuple[set[int], set[int]]:
    """A new socket of actor: (conversation ids, group ids) it listens to (what
    chat.selectors.subscription_targets gives) and its presence (presence_connect).

    On PostgreSQL, one prepared statement does it all: the presence row's upsert, the
    agent's groups, the conversations the access model lets them read
    (chat.access.visible_conversations, compiled once per process with a stand-in
    agent) and whether another active socket of theirs was there. A reconnect storm runs
    this once per socket: the ORM's five statements cost ~2 ms of Python each time, this
    ~0.2. Rooms of new groups are created as before (group_rooms_ensure), and then the
    conversations are read again.
    """
    if connection.vendor != "postgresql":
        group_ids = member_group_ids(actor)
        services.group_rooms_ensure(actor, group_ids=group_ids, cached=True)
        conversations, groups = selectors.subscription_targets(actor, group_ids=group_ids)
        presence.presence_connect(actor, channel_name)
        return conversations, groups
    if not is_active_agent(actor):
        raise PermissionDenied
    presence.presence_sweep()
    now = timezone.now()
    sql, params = _socket_open_sql(connection.vendor)
    given = {_AGENT: actor.pk, _CHANNEL: channel_name, _NOW: now, _SINCE: now - PRESENCE_TIMEOUT}
    with prepared_cursor() as cursor:
        cursor.execute(sql, [given.get(value, value) for value in params])
        group_ids, conversation_ids, others_online = cursor.fetchone()
    if services.group_rooms_ensure(actor, group_ids=group_ids, cached=True):
        conversation_ids, _groups = selectors.subscription_targets(actor, group_ids=group_ids)
    if not others_online:
        presence.presence_announce(actor.pk, "online")
    return set(conversation_ids), set(group_ids)


@functools.cache
def _socket_open_sql(vendor: str) -> tuple[str, tuple]:
    """socket_open's statement and its parameters, with stand-ins for the agent, the
    channel name and the times (every value is a parameter)."""
    stand_in = User(pk=_AGENT, is_active=True)
    groups = Membership.objects.filter(agent_id=_AGENT).values("group_id")
    visible = access.visible_conversations(stand_in, group_ids=groups).values("pk")
    groups_sql, groups_params = groups.query.sql_with_params()
    visible_sql, visible_params = visible.query.sql_with_params()
    others = other_active_sockets(_AGENT, _CHANNEL, _SINCE).values("pk")[:1]
    others_sql, others_params = others.query.sql_with_params()
    sql = (
        f"WITH up AS ({presence.upsert_sql(vendor)}) SELECT ARRAY({groups_sql}), "
        f"ARRAY({visible_sql}), EXISTS({others_sql})"
    )
    params = (_CHANNEL, _AGENT, False, _NOW, *groups_params, *visible_params, *others_params)
    for needed in (_AGENT, _CHANNEL, _NOW, _SINCE):
        if needed not in params:
            raise RuntimeError("socket_open's statement lost one of its parameters")
    return sql, params
