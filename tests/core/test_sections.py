"""Page sections: a higher app fills a lower app's page through intranet.core.sections."""

import pytest
from django.http import HttpResponse
from django.template import Context, Template
from django.test import RequestFactory

from intranet.core import sections
from intranet.core.sections import Section, section_fragment, section_register, sections_for


@pytest.fixture
def slot():
    """A slot of this test's own, emptied afterwards."""
    yield "test.slot"
    sections._sections.pop("test.slot", None)


def test_sections_render_in_order_and_skip_those_with_nothing_to_show(slot):
    section_register(Section(slot, "second", lambda r, o: {"n": 2}, order=20))
    section_register(Section(slot, "first", lambda r, o: {"n": 1}, order=10))
    section_register(Section(slot, "hidden", lambda r, o: None, order=15))
    request = RequestFactory().get("/")
    assert sections_for(slot, request, object()) == [("first", {"n": 1}), ("second", {"n": 2})]


def test_registering_a_template_again_replaces_it(slot):
    section_register(Section(slot, "one", lambda r, o: {"v": "old"}))
    section_register(Section(slot, "one", lambda r, o: {"v": "new"}))
    assert sections_for(slot, RequestFactory().get("/"), None) == [("one", {"v": "new"})]


def test_page_sections_tag_renders_each_section_with_its_context_escaped(slot, tmp_path, settings):
    (tmp_path / "_part.html").write_text("<p>{{ who }} sees {{ thing }}</p>")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]
    section_register(Section(slot, "_part.html", lambda r, o: {"who": "<b>alice</b>"}))
    html = Template('{% load transverse %}{% page_sections "test.slot" thing %}').render(
        Context({"request": RequestFactory().get("/"), "thing": "the page"})
    )
    assert html == "<p>&lt;b&gt;alice&lt;/b&gt; sees the page</p>"


def test_a_slot_without_fragment_has_none(slot):
    section_register(Section(slot, "one", lambda r, o: {}))
    assert section_fragment(slot, RequestFactory().get("/"), None) is None
    section_register(Section(slot, "two", lambda r, o: {}, fragment=lambda r, o: HttpResponse(o)))
    assert section_fragment(slot, RequestFactory().get("/"), "next").content == b"next"


def test_the_group_page_shows_the_posts_stream_registered():
    """The group page names no app: stream's posts arrive through the "group.main" slot."""
    assert "stream/_group_posts.html" in [s.template for s in sections.sections("group.main")]
