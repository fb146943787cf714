"""Expert finder and coverage matrix benchmark on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/transverse_bench_experts \\
        .venv/bin/python bench/experts/run.py --size L

The most claimed skill of L is claimed by about half of the agents (Zipf draw): its
figures are the worst case; the median and the 90th-percentile skills are the usual one.

Sizes: S (CI smoke: 1,000 agents, 60 skills, 6,000 claims, 5,000 endorsements, 20,000
posts) and L (the issue's size: 10,000 agents in 50 departments, 300 skills with two
synonyms each, 60,000 claims, 50,000 endorsements, 30 themes, 200,000 posts in 500 groups
of which a quarter are secret, with #topics as evidence, and 20,000 accepted answers).
Generation is seeded and bulk (COPY), kept between runs and reused. Skills are drawn with
a Zipf law, so the most claimed skill has thousands of claimants.

Each figure interleaves a baseline and the candidate (5 pairs x N calls) in this process:
- finder selectors (finder_subject + expert_finder, reasons included) against a bare
  indexed query of the same claims (SkillClaim rows of the skill, with the agent);
- coverage matrix selector against a bare fetch of the same ambassador rows;
- the pages (/experts/?..., /experts/coverage/) through Django's test client against a bare
  "hello" view.
p50/p95/p99, the median ratio candidate/baseline with its spread, and queries per call go
to bench/results/tmp/experts-<size>-<date>.jsonl and .md, and the run to
bench/results/experts-history.jsonl (bench/README.md).
"""

import argparse
import os
import random
import statistics
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from bench.common import (  # noqa: E402
    POST_COLUMNS,
    Run,
    add_result_arguments,
    copy_rows,
    interleaved,
    percentile_ms,
    setup_django,
)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "intranet.settings")
os.environ.setdefault("TRANSVERSE_DEMO", "true")

SIZES = {
    "S": {
        "agents": 1_000,
        "skills": 60,
        "claims": 6_000,
        "endorsements": 5_000,
        "themes": 10,
        "groups": 50,
        "posts": 20_000,
        "answers": 2_000,
    },
    "L": {
        "agents": 10_000,
        "skills": 300,
        "claims": 60_000,
        "endorsements": 50_000,
        "themes": 30,
        "groups": 500,
        "posts": 200_000,
        "answers": 20_000,
    },
}
SEED = 5151
WORDS = [
    *("droit", "budget", "achat", "paie", "données", "urbanisme", "archives", "santé"),
    *("école", "transport", "énergie", "eau", "voirie", "culture", "sport", "social"),
    *("logement", "emploi", "formation", "sécurité", "réseau", "logiciel", "carte"),
    *("contrat", "subvention", "audit"),
]


def zipf_index(rng, n: int, s: float = 1.1) -> int:
    weights = getattr(zipf_index, "_w", {}).get(n)
    if weights is None:
        weights = [1 / (k + 1) ** s for k in range(n)]
        zipf_index._w = {**getattr(zipf_index, "_w", {}), n: weights}
    return rng.choices(range(n), weights=weights)[0]


def generate(size: dict):
    from django.core.management import call_command
    from django.db import connection

    from intranet.accounts.models import User
    from intranet.skills.models import SkillClaim

    if SkillClaim.objects.count() >= size["claims"]:
        print(f"reusing {SkillClaim.objects.count():,} claims already generated")
        return
    rng = random.Random(SEED)
    call_command(
        "seed_demo",
        agents=size["agents"],
        departments=50,
        seed=SEED,
        no_content=True,
        no_progress=True,
    )
    agents = list(User.objects.filter(is_active=True).values_list("pk", "department_id"))
    skills, topics = _skills_and_topics(rng, size)
    themes = _themes(rng, size, skills, topics)
    claim_ids = _claims(rng, size, agents, skills)
    _endorsements(rng, size, agents, claim_ids)
    _ambassadors(rng, agents, themes)
    _posts(rng, size, agents, topics)
    _answers(rng, size, agents, themes, topics)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _skills_and_topics(rng, size):
    from intranet.core.text import fold
    from intranet.skills.models import Skill, SkillAlias
    from intranet.topics.models import Topic
    from intranet.topics.services import topic_key

    labels = []
    while len(labels) < size["skills"]:
        label = f"{rng.choice(WORDS).capitalize()} {rng.choice(WORDS)} {len(labels)}"
        labels.append(label)
    Skill.objects.bulk_create([Skill(label=lb, key=fold(lb)) for lb in labels], batch_size=1000)
    skills = list(Skill.objects.filter(key__in=[fold(lb) for lb in labels]).order_by("pk"))
    aliases = []
    for i, skill in enumerate(skills):
        aliases.append(SkillAlias(skill=skill, label=skill.label, key=skill.key))
        for synonym in (f"Synonyme {i}", f"Alias {i} {rng.choice(WORDS)}"):
            aliases.append(SkillAlias(skill=skill, label=synonym, key=fold(synonym)))
    SkillAlias.objects.bulk_create(aliases, batch_size=2000, ignore_conflicts=True)
    Topic.objects.bulk_create(
        [Topic(label=s.label, key=topic_key(s.label)) for s in skills], ignore_conflicts=True
    )
    by_key = {t.key: t.pk for t in Topic.objects.all()}
    return [s.pk for s in skills], [by_key[topic_key(s.label)] for s in skills]


def _themes(rng, size, skills, topics):
    from intranet.experts.models import Theme

    themes = Theme.objects.bulk_create(
        [Theme(name=f"Thème {i}", slug=f"theme-{i}") for i in range(size["themes"])]
    )
    Through, TopicThrough = Theme.skills.through, Theme.topics.through
    skill_rows, topic_rows = [], []
    for i, theme in enumerate(themes):
        for k in range(10):
            j = (i * 10 + k) % len(skills)
            skill_rows.append(Through(theme_id=theme.pk, skill_id=skills[j]))
            topic_rows.append(TopicThrough(theme_id=theme.pk, topic_id=topics[j]))
    Through.objects.bulk_create(skill_rows, ignore_conflicts=True)
    TopicThrough.objects.bulk_create(topic_rows, ignore_conflicts=True)
    return [t.pk for t in themes]


def _claims(rng, size, agents, skills):
    from intranet.skills.models import SkillClaim

    existing = set(SkillClaim.objects.values_list("agent_id", "skill_id"))
    wanted = size["claims"] - len(existing)
    seen = set(existing)
    now = datetime.now(UTC)

    def rows():
        made = 0
        while made < wanted:
            agent = rng.choice(agents)[0]
            skill = skills[zipf_index(rng, len(skills))]
            if (agent, skill) in seen:
                continue
            seen.add((agent, skill))
            made += 1
            yield (agent, skill, rng.choice([1, 2, 2, 3]), rng.random() < 0.4, now)

    copy_rows(
        SkillClaim._meta.db_table,
        ["agent_id", "skill_id", "level", "accepts_requests", "created_at"],
        rows(),
        wanted,
        "claims",
    )
    return list(SkillClaim.objects.values_list("pk", "agent_id"))


def _endorsements(rng, size, agents, claims):
    seen = set()
    now = datetime.now(UTC)

    def rows():
        while len(seen) < size["endorsements"]:
            claim, owner = rng.choice(claims)
            endorser = rng.choice(agents)[0]
            if endorser == owner or (claim, endorser) in seen:
                continue
            seen.add((claim, endorser))
            yield (claim, endorser, now)

    from intranet.skills.models import Endorsement

    copy_rows(
        Endorsement._meta.db_table,
        ["claim_id", "endorser_id", "created_at"],
        rows(),
        size["endorsements"],
        "endorsements",
    )


def _ambassadors(rng, agents, themes):
    from intranet.departments.models import Department
    from intranet.experts.models import Ambassador

    by_department: dict[int, list[int]] = {}
    for agent, department in agents:
        by_department.setdefault(department, []).append(agent)
    rows = []
    for department in Department.objects.filter(is_active=True).values_list("pk", flat=True):
        pool = by_department.get(department) or []
        for theme in themes:
            if not pool or rng.random() < 0.4:
                continue
            for agent in rng.sample(pool, min(len(pool), rng.randint(1, 2))):
                rows.append(
                    Ambassador(
                        theme_id=theme,
                        department_id=department,
                        agent_id=agent,
                        status="active",
                        starts_on=date(2025, 1, 1),
                    )
                )
    Ambassador.objects.bulk_create(rows, batch_size=2000)


def _posts(rng, size, agents, topics):
    from intranet.groups.models import Group, Membership
    from intranet.stream.models import Post

    groups = Group.objects.bulk_create(
        [
            Group(
                name=f"Groupe {i}",
                slug=f"groupe-x-{i}",
                name_key=f"groupe {i}",
                policy=rng.choice(["open", "closed", "closed", "secret"]),
            )
            for i in range(size["groups"])
        ],
        batch_size=1000,
    )
    group_ids = [g.pk for g in groups]
    agent_ids = [a for a, _ in agents]
    members = {(rng.choice(group_ids), a) for a in agent_ids for _ in range(rng.randint(1, 4))}
    Membership.objects.bulk_create(
        [Membership(group_id=g, agent_id=a) for g, a in members],
        batch_size=5000,
        ignore_conflicts=True,
    )
    dept_of = dict(agents)
    start = datetime(2024, 1, 1, tzinfo=UTC)

    def posts():
        for i in range(size["posts"]):
            author = rng.choice(agent_ids)
            kind = rng.random()
            if kind < 0.6:
                visibility, group, department = "group", rng.choice(group_ids), None
            elif kind < 0.8:
                visibility, group, department = "department", None, dept_of[author]
            else:
                visibility, group, department = "organisation", None, None
            body = " ".join(rng.choice(WORDS) for _ in range(12))
            html, created = f"<p>{body}</p>", start + timedelta(minutes=i)
            row = (author, visibility, group, department, body, html, "", False, False, created)
            yield (*row, "", "", False)

    copy_rows("stream_post", POST_COLUMNS, posts(), size["posts"], "posts")
    post_ids = list(Post.objects.values_list("pk", flat=True))
    links = {(p, topics[zipf_index(rng, len(topics))]) for p in post_ids if rng.random() < 0.5}
    copy_rows("stream_post_topics", ["post_id", "topic_id"], iter(links), len(links), "topics")
    from intranet.stream.services.tagging import tagged_posts_rebuild

    tagged_posts_rebuild()


def _answers(rng, size, agents, themes, topics):
    from intranet.questions.models import Answer, Question

    agent_ids = [a for a, _ in agents]
    now = datetime.now(UTC)
    questions = Question.objects.bulk_create(
        [
            Question(
                author_id=rng.choice(agent_ids),
                theme_id=rng.choice(themes),
                title=f"Question {i}",
                body="",
                body_html="",
            )
            for i in range(size["answers"])
        ],
        batch_size=2000,
    )
    Answer.objects.bulk_create(
        [
            Answer(
                question=q,
                author_id=rng.choice(agent_ids),
                body="Réponse",
                body_html="<p>Réponse</p>",
                is_accepted=True,
                accepted_at=now,
            )
            for q in questions
        ],
        batch_size=2000,
    )


def measure(record, name, baseline, candidate, baseline_label, *, calls, pairs):
    """Baseline and candidate interleaved; the figure goes to the run's raw files."""
    times = interleaved(baseline, candidate, calls=calls, pairs=pairs)
    ratios = [statistics.median(cand) / statistics.median(base) for base, cand in times.rounds]
    return record.add(
        {
            "id": f"experts.{name}",
            "size": record.size,
            "commit": record.commit,
            "date": record.date,
            "baseline": baseline_label,
            "baseline_p50_ms": percentile_ms(times.baseline, 0.5),
            "p50_ms": percentile_ms(times.candidate, 0.5),
            "p95_ms": percentile_ms(times.candidate, 0.95),
            "p99_ms": percentile_ms(times.candidate, 0.99),
            "queries": times.queries,
            "ratio": round(statistics.median(ratios), 2),
            "ratio_spread": [round(min(ratios), 2), round(max(ratios), 2)],
        }
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", choices=SIZES, default="S")
    parser.add_argument("--calls", type=int, default=20, help="calls per half-pair")
    parser.add_argument("--pairs", type=int, default=5)
    add_result_arguments(parser)
    args = parser.parse_args()
    if os.environ.get("DATABASE_URL", "").endswith("/transverse_bench_stream_l"):
        sys.exit("Use a database of your own: transverse_bench_stream_l belongs to the feed bench.")
    setup_django()
    generate(SIZES[args.size])

    from django.db.models import Count
    from django.test import Client
    from django.test.utils import override_settings

    from intranet.accounts.models import User
    from intranet.departments.models import Department
    from intranet.experts.models import Ambassador, Theme
    from intranet.experts.selectors import coverage_matrix, expert_finder, finder_subject
    from intranet.groups.models import Membership
    from intranet.skills.models import Skill, SkillClaim

    searcher = (
        User.objects.filter(is_superuser=False, is_active=True)
        .annotate(n=Count("memberships"))
        .filter(n__gte=2)
        .order_by("pk")
        .first()
    )
    ranked = list(Skill.objects.annotate(n=Count("claims")).order_by("-n", "pk"))
    top, p90, median = ranked[0], ranked[len(ranked) // 10], ranked[len(ranked) // 2]

    def synonym_of(skill):
        """A synonym of skill (its own label where size S gave it none)."""
        alias = skill.aliases.exclude(key=skill.key).order_by("key").first()
        return alias.label if alias else skill.label

    synonym, median_synonym = synonym_of(top), synonym_of(median)
    theme = Theme.objects.filter(skills=top).order_by("pk").first()
    department = (
        Department.objects.filter(is_active=True).annotate(n=Count("agents")).order_by("-n").first()
    )
    record = Run("experts", args.size, label=args.label, history=not args.no_history)
    facts = {
        "agents": User.objects.count(),
        "skills": Skill.objects.count(),
        "claims": SkillClaim.objects.count(),
        "top_skill_claims": ranked[0].n,
        "p90_skill_claims": p90.n,
        "median_skill_claims": median.n,
        "themes": Theme.objects.count(),
        "departments": Department.objects.filter(is_active=True).count(),
        "ambassadors": Ambassador.objects.count(),
        "searcher_groups": Membership.objects.filter(agent=searcher).count(),
    }
    print(facts, flush=True)

    def bare_claims(skill):
        return lambda: list(
            SkillClaim.objects.filter(skill=skill).values_list(
                "agent_id", "level", "agent__sort_name"
            )
        )

    def finder(query, theme=None, **filters):
        def call():
            subject = finder_subject(searcher, query, theme=theme)
            return [r.reasons for r in expert_finder(searcher, subject, **filters)]

        return call

    def active_ambassadors():
        return list(
            Ambassador.objects.filter(status="active").values_list("department_id", "theme_id")
        )

    claims_label = "bare indexed claims query of the skill"
    figures = [
        (
            "finder.one_skill_top_dept_level",
            bare_claims(top),
            finder(top.label, department=department, level=2),
            claims_label,
        ),
        (
            "finder.synonym_top_accepts",
            bare_claims(top),
            finder(synonym, accepts_requests=True),
            claims_label,
        ),
        ("finder.synonym_top_nofilter", bare_claims(top), finder(synonym), claims_label),
        (
            "finder.p90_skill_synonym_dept",
            bare_claims(p90),
            finder(synonym_of(p90), department=department),
            claims_label,
        ),
        (
            "finder.median_skill_synonym_accepts",
            bare_claims(median),
            finder(synonym_of(median), accepts_requests=True),
            claims_label,
        ),
        (
            "finder.median_skill_level",
            bare_claims(median),
            finder(median.label, level=2),
            claims_label,
        ),
        (
            "finder.theme",
            bare_claims(top),
            finder("", theme=theme),
            "bare indexed claims query of the theme's top skill",
        ),
        (
            "coverage.matrix",
            active_ambassadors,
            lambda: coverage_matrix(searcher),
            "bare fetch of the active ambassador rows",
        ),
    ]
    common = {"calls": args.calls, "pairs": args.pairs}
    lines = [measure(record, *figure, **common) for figure in figures]
    with override_settings(ROOT_URLCONF="bench.experts.urls", ALLOWED_HOSTS=["testserver"]):
        client = Client()
        client.force_login(searcher)

        def get(url):
            def call():
                response = client.get(url)
                assert response.status_code == 200, (url, response.status_code)

            return call

        pages = {
            "page.finder_median_synonym": f"/experts/?q={median_synonym}&accepts_requests=on",
            "page.finder_top_synonym": f"/experts/?q={synonym}&accepts_requests=on",
            "page.coverage": "/experts/coverage/",
        }
        hello = get("/bench-hello/")
        for name, url in pages.items():
            lines.append(
                measure(record, name, hello, get(url), "hello view, same process", **common)
            )
    record.finish(summary(record, facts, lines), facts=facts)


def summary(record, facts, lines) -> str:
    text = [
        f"# Experts benchmark, size {record.size}, commit {record.commit}, {record.date}",
        "",
        "Data: " + ", ".join(f"{k} {v:,}" for k, v in facts.items()),
        "",
        "| figure | p50 ms | p95 ms | queries | baseline | baseline p50 ms | "
        "ratio (median, spread) |",
        "|---|---|---|---|---|---|---|",
    ]
    for line in lines:
        low, high = line["ratio_spread"]
        text.append(
            f"| {line['id']} | {line['p50_ms']} | {line['p95_ms']} | {line['queries']} | "
            f"{line['baseline']} | {line['baseline_p50_ms']} | {line['ratio']} ({low}–{high}) |"
        )
    return "\n".join(text) + "\n"


if __name__ == "__main__":
    main()
