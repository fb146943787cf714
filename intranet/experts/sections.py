"""Experts' sections on other apps' pages (intranet.core.sections): the themes an agent
serves as ambassador, on their profile."""

from intranet.core.sections import Section, section_register
from intranet.experts.selectors import agent_ambassador_roles


def ambassador_roles(request, agent) -> dict | None:
    """Nothing when the agent serves no theme today (themes are public to agents)."""
    roles = agent_ambassador_roles(agent)
    return {"ambassador_roles": roles} if roles else None


section_register(
    Section(
        slot="profile.expertise",
        template="experts/_agent_ambassador_roles.html",
        context=ambassador_roles,
        order=50,
    )
)
