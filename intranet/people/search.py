"""Agents as search documents: names, job title, department and skills (with synonyms)."""

from django.utils.translation import gettext_lazy as _

from intranet.accounts.access import visible_agents
from intranet.accounts.models import User
from intranet.search.registry import TOKEN_EVERYONE, Document, DocumentType, register


@register
class AgentDocuments(DocumentType):
    kind = "agent"
    label = _("Agents")
    model = User

    def indexable(self):
        # Former agents leave the index; every active agent is listed to every agent.
        return (
            User.objects.filter(is_active=True)
            .select_related("department")
            .prefetch_related("skill_claims__skill__aliases")
        )

    def document(self, agent) -> Document:
        # Every spelling of each skill, so that "GDPR" finds the agents who declared RGPD.
        skills = " ".join(
            alias.label for claim in agent.skill_claims.all() for alias in claim.skill.aliases.all()
        )
        department = agent.department.label if agent.department else ""
        return Document(
            kind=self.kind,
            pk=agent.pk,
            title=f"{agent.display_name} {agent.username}",
            body=" ".join(filter(None, [agent.title, department, skills])),
            acl=(TOKEN_EVERYONE,),
            department_id=agent.department_id,
            created_at=agent.date_joined,
        )

    def visible(self, actor):
        return visible_agents(actor).select_related("department")

    def url_name(self, agent):
        return "people:agent-detail", [agent.username]

    def result_title(self, agent) -> str:
        return agent.display_name

    def result_meta(self, agent) -> str:
        return " · ".join(
            filter(None, [agent.title, agent.department.label if agent.department else ""])
        )
