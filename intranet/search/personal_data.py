"""Search's part of anonymising an agent (intranet.accounts.personal_data): their card is
indexed again after the others' changes, so it leaves the results with the name."""

from django.utils.translation import gettext_lazy as _

from intranet.accounts.personal_data import Provider, provider_register
from intranet.search.services import agents_reindex_later

provider_register(
    Provider(
        name="search",
        label=_("search index"),
        anonymise=lambda agent: agents_reindex_later([agent.pk]),
        order=95,
    )
)
