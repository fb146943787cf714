"""Agents as search documents: names, job title, department and skills (with synonyms)."""

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from intranet.accounts.access import visible_agents
from intranet.accounts.models import User
from intranet.search.registry import TOKEN_EVERYONE, Document, DocumentType, register
from intranet.skills.models import SkillClaim


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
        claims = SkillClaim.objects.select_related("skill").order_by("-level", "skill__key")
        return (
            visible_agents(actor)
            .select_related("department")
            .prefetch_related(Prefetch("skill_claims", queryset=claims))
        )

    def url_name(self, agent):
        return "people:agent-detail", [agent.username]

    def result_title(self, agent) -> str:
        return agent.display_name

    def result_text(self, agent) -> str:
        """The skills as the profile shows them (the meta line has the title and department),
        never the synonyms the document carries so that they find the agent ("a11y")."""
        skills = ", ".join(claim.skill.label for claim in agent.skill_claims.all())
        return _("Skills: %(skills)s") % {"skills": skills} if skills else ""

    def result_meta(self, agent) -> str:
        return " · ".join(
            filter(None, [agent.title, agent.department.label if agent.department else ""])
        )
