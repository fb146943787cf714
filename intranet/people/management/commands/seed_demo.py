"""manage.py seed_demo: load the demo organisation, or generate a large one for benchmarks."""

from importlib import import_module

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from intranet.people import demo

# Modules whose seed(stdout) adds their app's demo content, in this order, after the
# organisation is loaded. Each must be safe to run again (it does nothing the second time).
DEMO_EXTENSIONS = (
    "intranet.stream.demo",
    "intranet.documents.demo",
    "intranet.experts.demo",
    "intranet.questions.demo",
    "intranet.chat.demo",
    "intranet.events.demo",  # the training space, at a stable address (DEMO_SLUG)
    "intranet.polls.demo",  # a poll in it
    "intranet.paths.demo",
)


class Command(BaseCommand):
    help = (
        "Load the demo organisation (about 60 agents and a site administrator), or with "
        "--agents N generate a large organisation for benchmarks; then the demo content "
        "(groups, posts, comments, follows...). Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--agents", type=int, help="generate this many agents")
        parser.add_argument("--departments", type=int, help="with --agents: departments")
        parser.add_argument("--seed", type=int, default=2026, help="random seed")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")
        parser.add_argument(
            "--no-content", action="store_true", help="agents only: no groups, posts or follows"
        )

    def handle(
        self,
        *args,
        agents=None,
        departments=None,
        seed=2026,
        no_progress=False,
        no_content=False,
        **kw,
    ):
        if not settings.TRANSVERSE_DEMO:
            raise CommandError(
                "Demo data is only loaded when TRANSVERSE_DEMO=true (its accounts have "
                "published passwords). Never set it on a production site."
            )
        if agents is not None and agents < 1:
            raise CommandError("--agents must be at least 1.")
        total = agents if agents is not None else 60
        with tqdm(total=total, unit="agent", disable=no_progress, desc="seed_demo") as bar:
            if agents is None:
                report = demo.seed_demo(seed=seed, progress=bar.update)
            else:
                departments = departments or max(6, agents // 50)
                report = demo.seed_generated(
                    agents=agents, departments=departments, seed=seed, progress=bar.update
                )
        if report.skipped:
            self.stdout.write("Demo data already present: nothing to do.")
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Created {report.agents} agents in {report.departments} departments."
                )
            )
        if not no_content:
            for name in DEMO_EXTENSIONS:
                import_module(name).seed(self.stdout)
