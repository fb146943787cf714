"""The #topic page names no higher app: its posts arrive through the slot "topic.main"
(stream fills it), with the "see more" fragment served through the same slot."""

import re

from intranet.core import sections
from intranet.stream.selectors import PAGE_SIZE
from intranet.stream.services import posts

URL = "/topics/budget/"


def test_topic_page_shows_the_posts_on_it_and_its_see_more_fragment(alice, alice_client):
    for n in range(PAGE_SIZE + 1):
        posts.post_create(alice, body=f"Ligne {n} du #budget", visibility="organisation")
    html = alice_client.get(URL).content.decode()
    assert f"Ligne {PAGE_SIZE} du" in html and "Ligne 0 du" not in html
    cursor = re.search(r'after=([^"&]+)" rel="next"', html).group(1)
    fragment = alice_client.get(f"{URL}?fragment=1&after={cursor}").content.decode()
    assert "<html" not in fragment and "Ligne 0 du" in fragment


def test_topic_page_without_its_section_still_answers_and_shows_no_post(
    alice, alice_client, monkeypatch
):
    posts.post_create(alice, body="Le #budget 2027", visibility="organisation")
    monkeypatch.setitem(sections._sections, "topic.main", [])
    response = alice_client.get(URL)
    assert response.status_code == 200
    assert "Le #budget 2027" not in response.content.decode()
    assert alice_client.get(URL + "?fragment=1").status_code == 404
