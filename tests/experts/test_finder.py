"""The expert finder: synonyms, filters, ranking with its explanation, and evidence that
counts only when the searcher may see it."""

import pytest
from django.utils import timezone, translation

from intranet.experts.selectors import expert_finder, finder_subject, theme_experts
from intranet.groups.models import Group
from intranet.groups.services import group_create
from intranet.questions.models import Answer, Question
from intranet.skills.models import SkillClaim
from intranet.skills.services import endorsement_add, skill_claim_add
from intranet.stream.services.posts import post_create
from tests.factories import UserFactory, make_department

Level = SkillClaim.Level


def find(actor, query="", theme=None, **filters):
    subject = finder_subject(actor, query, theme=theme)
    return expert_finder(actor, subject, **filters) if subject else None


def usernames(results):
    return [r.agent.username for r in results]


@pytest.fixture
def secret(dave):
    """A secret group whose only member is dave."""
    return group_create(dave, name="Cellule confidentielle", policy=Group.Policy.SECRET)


def test_synonym_finds_the_experts_of_the_skill(alice, carol, rgpd):
    skill_claim_add(alice, alice, label="RGPD", level=Level.EXPERT)
    for spelling in ("GDPR", "gdpr", "protection des données personnelles", "RGPD"):
        assert usernames(find(carol, spelling)) == ["alice"]


def test_unknown_subject_finds_nothing(alice, rgpd):
    assert find(alice, "astrophysique") is None


def test_theme_finds_the_experts_of_its_skills(alice, carol, rgpd_theme):
    skill_claim_add(alice, alice, label="gdpr", level=Level.PRACTICE)
    assert usernames(find(carol, "rgpd", theme=rgpd_theme)) == ["alice"]
    assert usernames(find(carol, "", theme=rgpd_theme)) == ["alice"]


def test_level_then_endorsements_rank(alice, carol, dave, staff, rgpd):
    skill_claim_add(alice, alice, label="RGPD", level=Level.PRACTICE)
    claim = skill_claim_add(dave, dave, label="RGPD", level=Level.PRACTICE)
    endorsement_add(carol, claim.pk)
    assert usernames(find(staff, "RGPD")) == ["dave", "alice"]
    skill_claim_add(alice, alice, label="RGPD", level=Level.EXPERT)
    assert usernames(find(staff, "RGPD")) == ["alice", "dave"]


def test_each_result_says_why(alice, carol, dave, rgpd_theme):
    claim = skill_claim_add(alice, alice, label="RGPD", level=Level.EXPERT)
    endorsement_add(carol, claim.pk)
    endorsement_add(dave, claim.pk)
    for n in range(2):
        post_create(alice, body=f"Note {n} sur le #RGPD", visibility="organisation")
    question = Question.objects.create(author=carol, theme=rgpd_theme, title="Durée ?")
    question.topics.set(rgpd_theme.topics.all())
    Answer.objects.create(
        question=question,
        author=alice,
        body="Cinq ans",
        is_accepted=True,
        accepted_at=timezone.now(),
    )
    with translation.override("en"):
        (result,) = find(carol, "GDPR")
        assert result.reasons == [
            "declared expert",
            "2 endorsements",
            "1 accepted answer on #rgpd",
            "2 posts on #rgpd",
        ]
    with translation.override("fr"):
        (result,) = find(carol, "GDPR")
        assert result.reasons[0] == "expert déclaré·e"
        assert result.reasons[1] == "2 recommandations"


def test_a_post_in_a_secret_group_never_ranks_anyone_for_an_outsider(
    alice, carol, dave, secret, rgpd
):
    skill_claim_add(alice, alice, label="RGPD", level=Level.NOTIONS)
    skill_claim_add(dave, dave, label="RGPD", level=Level.NOTIONS)
    for n in range(5):
        post_create(dave, body=f"Secret {n} #rgpd", visibility="group", group=secret)
    outsider = find(carol, "RGPD")
    assert usernames(outsider) == ["alice", "dave"]  # by name: the posts do not count
    assert all(r.evidence["posts"] == 0 for r in outsider)
    assert not any("#rgpd" in reason for r in outsider for reason in r.reasons)
    member = find(dave, "RGPD")
    assert usernames(member) == ["dave", "alice"]
    assert member[0].evidence["posts"] == 5


def test_reasons_never_name_a_topic_used_only_in_a_secret_group(alice, carol, dave, secret, rgpd):
    """#gdpr (a synonym of the skill) is used only in dave's secret group: the reasons shown
    to an outsider name the visible #rgpd only, so #gdpr's existence stays unknown."""
    skill_claim_add(alice, alice, label="RGPD", level=Level.NOTIONS)
    post_create(alice, body="Registre #rgpd", visibility="organisation")
    post_create(dave, body="Audit #gdpr", visibility="group", group=secret)
    with translation.override("en"):
        (result,) = find(carol, "RGPD")
        assert result.reasons == ["declared notions", "1 post on #rgpd"]
        (result,) = find(dave, "RGPD")
        assert result.reasons == ["declared notions", "1 post on #gdpr, #rgpd"]


def test_an_accepted_answer_in_a_secret_group_never_ranks_anyone_for_an_outsider(
    alice, carol, dave, secret, rgpd_theme
):
    skill_claim_add(alice, alice, label="RGPD", level=Level.NOTIONS)
    skill_claim_add(dave, dave, label="RGPD", level=Level.NOTIONS)
    question = Question.objects.create(author=dave, theme=rgpd_theme, group=secret, title="?")
    question.topics.set(rgpd_theme.topics.all())
    Answer.objects.create(
        question=question, author=dave, body="!", is_accepted=True, accepted_at=timezone.now()
    )
    assert [r.evidence["answers"] for r in find(carol, "RGPD")] == [0, 0]
    assert find(dave, "RGPD")[0].evidence["answers"] == 1


def test_endorsements_of_former_agents_do_not_count(alice, carol, former, rgpd):
    claim = skill_claim_add(alice, alice, label="RGPD")
    endorsement_add(carol, claim.pk)
    former.is_active = True
    former.save()
    endorsement_add(former, claim.pk)
    former.is_active = False
    former.save()
    assert find(carol, "RGPD")[0].endorsements == 1


def test_filters_department_subtree_office_level_and_requests(alice, carol, dave, finance, rgpd):
    bureau = make_department("Bureau du budget", parent=finance)
    erin = UserFactory(username="erin", department=bureau, office="Site Nord, B 12")
    skill_claim_add(alice, alice, label="RGPD", level=Level.EXPERT, accepts_requests=True)
    skill_claim_add(carol, carol, label="RGPD", level=Level.EXPERT, accepts_requests=True)
    skill_claim_add(erin, erin, label="RGPD", level=Level.NOTIONS, accepts_requests=True)
    skill_claim_add(dave, dave, label="RGPD", level=Level.EXPERT, accepts_requests=False)
    assert set(usernames(find(carol, "RGPD", department=finance))) == {"alice", "dave", "erin"}
    assert usernames(find(carol, "RGPD", office="site nord")) == ["erin"]
    assert set(usernames(find(carol, "RGPD", level=Level.EXPERT))) == {"alice", "carol", "dave"}
    assert "dave" not in usernames(find(carol, "RGPD", accepts_requests=True))


def test_former_agents_are_never_found(alice, former, rgpd):
    SkillClaim.objects.create(agent=former, skill=rgpd, level=Level.EXPERT)
    assert find(alice, "RGPD") == []


def test_query_count_does_not_grow_with_candidates(
    alice, carol, rgpd_theme, django_assert_max_num_queries
):
    for n in range(30):
        agent = UserFactory(username=f"expert{n}", department=alice.department)
        claim = skill_claim_add(agent, agent, label="RGPD", level=1 + n % 3)
        endorsement_add(carol, claim.pk)
        post_create(agent, body="#rgpd", visibility="organisation")
    with django_assert_max_num_queries(13):  # + the matched skills' synonyms
        results = find(carol, "gdpr", department=alice.department, level=1)
        assert len(results) == 30
        [r.reasons for r in results]
        [r.agent.department.label for r in results]


def test_theme_experts_are_those_who_accept_requests(alice, dave, carol, former, rgpd_theme):
    skill_claim_add(alice, alice, label="GDPR", accepts_requests=True)
    skill_claim_add(dave, dave, label="RGPD", accepts_requests=False)
    SkillClaim.objects.create(agent=former, skill=rgpd_theme.skills.get(), accepts_requests=True)
    assert list(theme_experts(rgpd_theme)) == [alice]


def test_hostile_queries_find_nothing_and_do_not_fail(alice, rgpd):
    for query in ("%", "_", "' OR 1=1 --", "\x00", "<script>", "é" * 500):
        assert find(alice, query) is None


def test_answers_on_the_theme_count_for_a_theme_search(alice, carol, rgpd_theme):
    skill_claim_add(alice, alice, label="RGPD")
    question = Question.objects.create(author=carol, theme=rgpd_theme, title="Sans sujet")
    Answer.objects.create(
        question=question, author=alice, body="!", is_accepted=True, accepted_at=timezone.now()
    )
    assert find(carol, "", theme=rgpd_theme)[0].evidence["answers"] == 1
    assert (
        find(carol, "GDPR")[0].evidence["answers"] == 0
    )  # a skill search counts its own #topics only


def test_a_page_is_the_exact_head_of_the_full_ranking_in_bounded_queries(
    alice, carol, rgpd, django_assert_max_num_queries
):
    for n in range(30):
        agent = UserFactory(username=f"expert{n:02d}", department=alice.department)
        claim = skill_claim_add(agent, agent, label="RGPD", level=1 + n % 3)
        if n % 2:
            endorsement_add(carol, claim.pk)
        for _ in range(n % 5):
            post_create(agent, body="#rgpd", visibility="organisation")
    full = find(carol, "gdpr", limit=100)
    assert len(full) == 30
    keys = [(-r.score, r.agent.sort_name, r.agent.pk) for r in full]
    assert keys == sorted(keys)
    assert {r.evidence["posts"] for r in full} == {0, 1, 2, 3, 4}
    assert {r.endorsements for r in full} == {0, 1}
    with django_assert_max_num_queries(13):  # + the matched skills' synonyms
        page = find(carol, "gdpr", limit=7)
        [r.reasons for r in page]
        [r.agent.department.label for r in page]
    assert [(r.agent.pk, r.score, r.reasons) for r in page] == [
        (r.agent.pk, r.score, r.reasons) for r in full[:7]
    ]


def test_deleted_hidden_or_retagged_posts_stop_counting_and_restored_ones_count_again(
    alice, carol, staff, rgpd
):
    from intranet.moderation.services import report_create, report_decide
    from intranet.stream.services.posts import post_delete, post_edit, post_restore

    skill_claim_add(alice, alice, label="RGPD", level=Level.NOTIONS)
    first, second, third = (
        post_create(alice, body=f"Note {n} #rgpd", visibility="organisation") for n in range(3)
    )

    def posts_seen():
        (result,) = find(carol, "RGPD")
        return result.evidence["posts"]

    assert posts_seen() == 3
    post_delete(alice, first.pk)
    assert posts_seen() == 2
    report = report_create(carol, reason="spam", post_id=second.pk)
    report_decide(staff, report.pk, decision="hide")
    assert posts_seen() == 1
    post_edit(alice, third.pk, body="Plus aucun sujet ici")
    assert posts_seen() == 0
    report_decide(staff, report.pk, decision="restore")
    post_restore(staff, first.pk)
    assert posts_seen() == 2
    post_edit(alice, third.pk, body="De nouveau sur le #GDPR et le #RGPD")
    assert posts_seen() == 3  # a post with two of the skill's #topics counts once


def test_a_department_post_counts_only_inside_its_department(alice, carol, finance, rgpd):
    colleague = UserFactory(department=finance)
    skill_claim_add(alice, alice, label="RGPD", level=Level.NOTIONS)
    post_create(alice, body="Pour le service #rgpd", visibility="department")
    assert find(colleague, "RGPD")[0].evidence["posts"] == 1
    assert find(carol, "RGPD")[0].evidence["posts"] == 0


def test_hostile_filters_are_values_never_sql(alice, carol, rgpd):
    """The ranking statement is composed from compiled querysets: values stay parameters."""
    alice.office = "Bât. {0} 50%_'"
    alice.save()
    skill_claim_add(alice, alice, label="RGPD", level=Level.NOTIONS)
    for office in ("{0}", "{collate}", "50%_'", "'; DROP TABLE people_skill; --", "%s %s"):
        found = usernames(find(carol, "RGPD", office=office))
        assert found == (["alice"] if office in alice.office else [])
    assert usernames(find(carol, "RGPD", limit=0)) == []
