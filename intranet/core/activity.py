"""The registry of activity sources the dashboards count (contributions and interactions).

Any app registers, from a `dashboards.py` module discovered at start-up, what its agents
do that counts as a contribution (posts, chat messages, documents, registrations...) and,
when the contribution answers someone, the interaction between the two agents. The
dashboards app reads the registry; it never names the app that registered, and a lower
app never imports the dashboards. Only identifiers and counts cross this boundary: never
content.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

# contributions(start, end): one (group_id or None, agent_id or None) per contribution made
# in [start, end); group_id None for what is made outside any group; agent_id None for a
# contribution that must not be tied to an agent (a vote in an anonymous poll): it is
# counted for its group and the network, and makes no agent active.
Contributions = Callable[[datetime, datetime], Iterable[tuple[int | None, int | None]]]
# interactions(start, end): one (agent_id, other_agent_id) per interaction made in
# [start, end) by agent_id with other_agent_id (never the same agent).
Interactions = Callable[[datetime, datetime], Iterable[tuple[int, int]]]


@dataclass(frozen=True)
class ActivitySource:
    kind: str  # a short identifier, the key of the stored counts ("posts", "comments")
    label: str  # a (lazily) translated plural noun for the pages
    contributions: Contributions
    interactions: Interactions | None = None
    order: int = 100


_sources: dict[str, ActivitySource] = {}


def activity_register(source: ActivitySource) -> None:
    _sources[source.kind] = source


def activity_sources() -> list[ActivitySource]:
    return sorted(_sources.values(), key=lambda s: (s.order, s.kind))


# completion(end): one (group_id, enrolled, completed) per group that has a learning path,
# as it stands at `end`: how many agents are enrolled in the group's paths and how many of
# them have completed one. Counts only, never who.
Completion = Callable[[datetime], Iterable[tuple[int, int, int]]]


@dataclass(frozen=True)
class CompletionSource:
    """The hook of learning paths (or any app with something to complete in a group): an
    app registers one from its `dashboards.py`; the daily run stores the figures in each
    group's daily row and the group dashboard draws them when a group has any.

        completion_register(CompletionSource("paths", _("learning paths"), completion))
    """

    kind: str
    label: str
    completion: Completion


_completions: dict[str, CompletionSource] = {}


def completion_register(source: CompletionSource) -> None:
    _completions[source.kind] = source


def completion_sources() -> list[CompletionSource]:
    return [_completions[kind] for kind in sorted(_completions)]
