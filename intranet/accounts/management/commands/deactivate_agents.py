"""manage.py deactivate_agents USERNAME...: switch agents off at once, from the shell."""

from django.core.management.base import BaseCommand, CommandError

from intranet.accounts.models import User
from intranet.accounts.services import agents_deactivate


class Command(BaseCommand):
    help = (
        "Switch agents off: they can no longer sign in, their sessions end and their open "
        "WebSocket connections are closed. Their account and content stay."
    )

    def add_arguments(self, parser):
        parser.add_argument("usernames", nargs="+", metavar="USERNAME")

    def handle(self, *args, usernames, **options):
        found = dict(User.objects.filter(username__in=usernames).values_list("username", "pk"))
        missing = sorted(set(usernames) - set(found))
        if missing:
            raise CommandError(f"No agent with the username: {', '.join(missing)}")
        count = agents_deactivate(None, found.values())
        self.stdout.write(f"{count} agent(s) deactivated, {len(found) - count} already inactive.")
