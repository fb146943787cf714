"""Experts' sections on other apps' pages (intranet.core.sections): the themes an agent
serves as ambassador, on their profile."""

from intranet.core.sections import Section, section_register
from intranet.experts.selectors import agent_ambassador_roles, department_ambassadors


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


def department_ambassadors_section(request, department) -> dict | None:
    """A department's page: who carries which theme there (themes are public to agents)."""
    ambassadors = department_ambassadors(department)
    return {"department_ambassadors": ambassadors} if ambassadors else None


section_register(
    Section(
        slot="department.main",
        template="experts/_department_ambassadors.html",
        context=department_ambassadors_section,
        order=40,
    )
)
