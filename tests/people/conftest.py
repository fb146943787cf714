"""Fixtures for the skills taxonomy: a curated RGPD skill with synonyms."""

import pytest

from intranet.people.services import curation


@pytest.fixture
def rgpd(staff):
    """The RGPD skill, with GDPR and "protection des données personnelles" as synonyms."""
    return curation.skill_create(
        staff, label="RGPD", synonyms=["GDPR", "Protection des données personnelles"]
    )
