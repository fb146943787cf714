"""What happens when agents are switched off, whoever switches them off.

An agent is deactivated by the directory sync (a leaver), by staff in the admin (the list
action or the change form), or by the `deactivate_agents` command. Higher apps have their
own consequences (groups hand over ownership and end memberships, search re-indexes the
agent so their card leaves results): they register a hook here in their `AppConfig.ready`,
and every path above runs the same hooks, inside its transaction.
"""

from collections.abc import Callable, Iterable

LeaverHook = Callable[[list[int]], None]

_hooks: list[LeaverHook] = []


def leaver_hook_register(hook: LeaverHook) -> None:
    """hook(agent_ids) runs in the deactivating transaction; registering twice is a no-op."""
    if hook not in _hooks:
        _hooks.append(hook)


def agents_left(agent_ids: Iterable[int]) -> None:
    """Run every registered consequence of switching these agents off."""
    ids = sorted({int(pk) for pk in agent_ids})
    if not ids:
        return
    for hook in _hooks:
        hook(ids)
