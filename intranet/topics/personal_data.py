"""Topics' personal data: the #topics an agent follows (intranet.accounts.personal_data)."""

from django.utils.translation import gettext_lazy as _

from intranet.accounts.personal_data import Provider, provider_register
from intranet.topics.models import TopicFollow


def _export(agent, archive) -> None:
    archive.write_json(
        "followed_topics.json",
        TopicFollow.objects.filter(agent=agent).values("topic__label", "created_at"),
    )


provider_register(
    Provider(
        name="topics",
        label=_("followed topics"),
        export=_export,
        count=lambda agent: TopicFollow.objects.filter(agent=agent).count(),
        anonymise=lambda agent: TopicFollow.objects.filter(agent=agent).delete(),
    )
)
