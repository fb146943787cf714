"""The static files' addresses, computed once per process: the same as Django's."""

from django.contrib.staticfiles.storage import StaticFilesStorage, staticfiles_storage
from django.templatetags.static import static
from django.test import override_settings

from intranet.core.storage import StaticStorage


def test_the_site_uses_it_and_answers_as_django_does():
    assert isinstance(staticfiles_storage, StaticStorage)
    ours, django = StaticStorage(), StaticFilesStorage()
    for name in ("transverse/transverse.css", "a b/é?x=1#y", "../x.js", "<script>.js"):
        assert ours.url(name) == django.url(name) == ours.url(name)


def test_a_changed_static_url_gives_new_addresses():
    storage = StaticStorage()
    before = storage.url("transverse/transverse.js")
    with override_settings(STATIC_URL="/elsewhere/"):
        assert static("transverse/transverse.js") == "/elsewhere/transverse/transverse.js"
    assert storage.url("transverse/transverse.js") == before


def test_the_memory_is_bounded():
    storage = StaticStorage()
    for n in range(5000):
        assert storage.url(f"f{n}.css").endswith(f"f{n}.css")
    assert len(storage._urls) <= 4096
