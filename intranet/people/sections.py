"""People's sections on other apps' pages (intranet.core.sections): a department's agents,
as cards with their skills."""

from django.core.paginator import Paginator

from intranet.accounts.access import visible_agents
from intranet.core.sections import Section, section_register
from intranet.people.selectors import with_card_data

PAGE_SIZE = 48


def department_agents(request, department) -> dict:
    """The agents of the department itself (not its sub-departments) the viewer may see."""
    agents = with_card_data(visible_agents(request.user).filter(department=department))
    agents = agents.order_by("sort_name", "pk")
    return {"page": Paginator(agents, PAGE_SIZE).get_page(request.GET.get("page"))}


section_register(
    Section(
        slot="department.main",
        template="people/_department_agents.html",
        context=department_agents,
        order=50,
    )
)
