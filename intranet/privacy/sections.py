"""Privacy's section on the profile: "My data" on one's own; staff's link on a profile."""

from intranet.core.sections import Section, section_register
from intranet.privacy.access import can_manage_personal_data


def data_link(request, agent) -> dict | None:
    user = request.user
    if agent.pk == user.pk:
        return {"own": True}
    if can_manage_personal_data(user):
        return {"own": False, "agent": agent}
    return None


section_register(
    Section(slot="profile.actions", template="privacy/_data_link.html", context=data_link, order=90)
)
