"""Agents as search documents: their skills are indexed under every spelling."""

from intranet.people.search import AgentDocuments
from intranet.skills.services import agent_skills_set


def test_agent_search_document_lists_every_spelling_of_their_skills(carol, rgpd):
    agent_skills_set(carol, carol, labels=["RGPD"])
    agent = AgentDocuments().indexable().get(pk=carol.pk)
    body = AgentDocuments().document(agent).body
    assert "RGPD" in body and "GDPR" in body and "Protection des données personnelles" in body
