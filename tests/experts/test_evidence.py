"""Evidence sources of the expert finder are registered by the apps that hold them
(intranet.experts.evidence): experts names no app above it, and each source is a
sub-query of the finder's one ranking query."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from intranet.experts import evidence
from intranet.experts.evidence import EvidenceSource, evidence_sources
from intranet.experts.selectors import expert_finder, finder_subject
from intranet.questions.models import Answer, Question
from intranet.skills.models import SkillClaim
from intranet.skills.services import skill_claim_add
from intranet.stream.services.posts import post_create


def test_answers_are_registered_by_questions_and_posts_by_experts():
    modules = {source.name: source.rows.__module__ for source in evidence_sources()}
    assert modules == {
        "answers": "intranet.questions.experts",
        "posts": "intranet.experts.evidence",
    }


def test_without_the_answers_source_answers_neither_count_nor_show(
    alice, carol, rgpd_theme, monkeypatch
):
    skill_claim_add(alice, alice, label="RGPD", level=SkillClaim.Level.NOTIONS)
    question = Question.objects.create(author=carol, theme=rgpd_theme, title="Durée ?")
    Answer.objects.create(
        question=question, author=alice, body="!", is_accepted=True, accepted_at=timezone.now()
    )
    subject = finder_subject(carol, "", theme=rgpd_theme)
    assert expert_finder(carol, subject)[0].evidence == {"answers": 1, "posts": 0}
    monkeypatch.delitem(evidence._sources, "answers")
    (result,) = expert_finder(carol, subject)
    assert result.evidence == {"posts": 0} and len(result.reasons) == 1


def test_a_new_source_joins_the_one_ranking_query_and_gives_its_reason(
    alice, carol, dave, rgpd_theme, monkeypatch
):
    skill_claim_add(alice, alice, label="RGPD", level=SkillClaim.Level.NOTIONS)
    skill_claim_add(dave, dave, label="RGPD", level=SkillClaim.Level.NOTIONS)
    post_create(dave, body="Le #rgpd", visibility="organisation")
    subject = finder_subject(carol, "", theme=rgpd_theme)
    assert [r.agent.username for r in expert_finder(carol, subject)] == ["dave", "alice"]
    posts = evidence._sources["posts"]
    monkeypatch.setitem(
        evidence._sources,
        "shares",  # posts again, under another name: counted by the same access rule
        EvidenceSource("shares", 0, posts.rows, lambda n, topics: f"{n} shares"),
    )
    with CaptureQueriesContext(connection) as after:
        results = expert_finder(carol, subject)
    ranking = [q for q in after.captured_queries if "WITH candidates" in q["sql"]]
    assert len(ranking) == 1  # the source is one more sub-query of the one ranking query
    assert results[0].evidence == {"answers": 0, "posts": 1, "shares": 1}
    assert results[0].reasons[-1] == "1 shares"
