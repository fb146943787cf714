"""The charter in force and whether an agent has accepted it."""

from intranet.moderation.models import CharterAcceptance, CharterVersion


def charter_current() -> CharterVersion | None:
    return CharterVersion.objects.order_by("-published_at", "-pk").first()


def charter_accepted(agent) -> bool:
    """True when there is no charter yet, or agent accepted the version in force."""
    current = charter_current()
    if current is None:
        return True
    return CharterAcceptance.objects.filter(agent_id=agent.pk, version=current).exists()


class CharterNotAccepted(Exception):
    """The agent must accept the charter in force before writing."""


def charter_require(agent) -> None:
    if not charter_accepted(agent):
        raise CharterNotAccepted
