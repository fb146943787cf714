"""What counts as evidence in the expert finder, registered by the apps that hold it.

The finder ranks the agents who claim a subject's skills by their declared level, their
endorsements and *evidence*: visible work on the subject's #topics. Evidence lives in
other apps, some of them above experts (questions' accepted answers), so experts never
names them: each app registers an EvidenceSource in its `experts.py` module, which
experts' AppConfig discovers at start-up (the way search.py and topics.py modules are).
Experts registers the evidence it may read itself (posts, from stream below it) here.

    evidence_register(EvidenceSource(
        name="answers",
        weight=3,                                  # score points per piece, capped
        rows=lambda actor, subject: QuerySet,       # (author_id, n) actor may see
        reason=lambda n, topics: "3 accepted answers on #rgpd",
        order=10,                                  # where its reason stands
    ))

`rows` must go through the owner's access model (visible_*): what the searcher may not
see neither ranks nor shows. Each source is one sub-query of the finder's one SQL query,
so adding a source adds no query.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Count, QuerySet
from django.utils.translation import ngettext

from intranet.skills.models import Skill
from intranet.stream.access import visible_tagged_posts
from intranet.topics.models import Topic


@dataclass
class Subject:
    """What a finder query stands for: skills and topics, with a label for the page."""

    label: str
    skills: list[Skill]
    topics: list[Topic]
    theme: object | None = None  # the experts.Theme searched, if any


@dataclass(frozen=True)
class EvidenceSource:
    name: str
    weight: int
    rows: Callable[[object, Subject], QuerySet]
    reason: Callable[[int, str], str]
    order: int = 100


_sources: dict[str, EvidenceSource] = {}


def evidence_register(source: EvidenceSource) -> None:
    """Add a source of evidence (registering the same name twice replaces it)."""
    _sources[source.name] = source


def evidence_sources() -> list[EvidenceSource]:
    """The registered sources, in the order their reasons are given."""
    return sorted(_sources.values(), key=lambda s: (s.order, s.name))


def post_evidence(actor, subject: Subject) -> QuerySet:
    """(author, number of posts) with the subject's topics, among the posts actor may see."""
    topics = [t.pk for t in subject.topics]
    tagged = visible_tagged_posts(actor).filter(topic_id__in=topics or [0])
    return tagged.values_list("author_id").annotate(n=Count("post_id", distinct=True)).order_by()


def post_reason(n: int, topics: str) -> str:
    return ngettext("%(n)d post on %(topics)s", "%(n)d posts on %(topics)s", n) % {
        "n": n,
        "topics": topics,
    }


evidence_register(
    EvidenceSource(name="posts", weight=1, rows=post_evidence, reason=post_reason, order=20)
)
