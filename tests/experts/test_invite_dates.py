"""The ambassador invitation's date inputs carry ISO values in every language: a date
input shows nothing for "07/12/2026", which is what French formatting gave it."""

import datetime
import re

import pytest
from django.urls import reverse


@pytest.mark.parametrize("language", ["fr", "en"])
def test_start_date_is_prefilled_in_iso(client, bob, rgpd_theme, language):
    client.force_login(bob)
    client.post(reverse("set_language"), {"language": language, "next": "/"})
    html = client.get(reverse("experts:ambassador-invite")).content.decode()
    (tag,) = re.findall(r'<input type="date" name="starts_on"[^>]*>', html)
    assert f'value="{datetime.date.today().isoformat()}"' in tag


def test_a_refused_form_keeps_the_date_in_iso(client, bob, rgpd_theme, alice):
    client.force_login(bob)
    data = {
        "theme": rgpd_theme.slug,
        "department": alice.department_id,
        "agent": "personne inconnue",
        "starts_on": "2026-03-09",
    }
    html = client.post(reverse("experts:ambassador-invite"), data).content.decode()
    assert 'value="2026-03-09"' in html
