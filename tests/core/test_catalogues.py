"""The committed translation catalogues are complete, compiled and up to date.

No gettext tool is needed at install, so the .mo files are committed: these tests make sure
they match the .po files, and that no string of the code is missing from the catalogues.
How to update them: docs/i18n.md.
"""

import re
import shutil
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command

from tests.services import missing_service

LOCALE_DIR = Path(settings.BASE_DIR) / "intranet" / "locale"
LANGUAGES = ["fr", "en"]
# The same folders docs/i18n.md tells makemessages to ignore, plus what is not source.
IGNORED = [".venv", "var", "bench", ".git", "*.egg-info", "__pycache__", "node_modules"]
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|\{\w*\}")


def catalogue(language: str) -> polib.POFile:
    return polib.pofile(str(LOCALE_DIR / language / "LC_MESSAGES" / "django.po"))


def key(entry) -> tuple[str, str]:
    return (entry.msgctxt or "", entry.msgid)


def live_entries(po) -> list[polib.POEntry]:
    return [entry for entry in po if not entry.obsolete]


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_has_no_untranslated_entry(language):
    untranslated = [e.msgid for e in catalogue(language).untranslated_entries()]
    assert untranslated == [], f"untranslated in {language}: {untranslated}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_has_no_fuzzy_entry(language):
    po = catalogue(language)
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert fuzzy == [], f"fuzzy (to review, then drop the flag) in {language}: {fuzzy}"
    assert not po.metadata_is_fuzzy, f"the header of the {language} catalogue is fuzzy"


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogue_matches_the_po_file(language):
    po = catalogue(language)
    mo = polib.mofile(str(LOCALE_DIR / language / "LC_MESSAGES" / "django.mo"))
    compiled = {key(entry): entry for entry in mo}
    stale = []
    for entry in live_entries(po):
        found = compiled.get(key(entry))
        if found is None:
            stale.append(f"missing: {entry.msgid!r}")
        elif entry.msgid_plural:
            if found.msgstr_plural != entry.msgstr_plural:
                stale.append(f"differs: {entry.msgid!r}")
        elif found.msgstr != entry.msgstr:
            stale.append(f"differs: {entry.msgid!r}")
    assert stale == [], "run compilemessages (docs/i18n.md):\n" + "\n".join(stale)


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_the_placeholders_of_the_source(language):
    wrong = []
    for entry in live_entries(catalogue(language)):
        if entry.msgid_plural:
            allowed = placeholders(entry.msgid) | placeholders(entry.msgid_plural)
            forms = entry.msgstr_plural.values()
            if placeholders(entry.msgstr_plural[1]) != placeholders(entry.msgid_plural) or any(
                not placeholders(form) <= allowed for form in forms
            ):
                wrong.append(entry.msgid)
        elif placeholders(entry.msgstr) != placeholders(entry.msgid):
            wrong.append(entry.msgid)
    assert wrong == [], f"placeholders changed in {language}: {wrong}"


def test_french_translations_follow_french_typography():
    """Typographic apostrophes, « » quotes, a no-break space before : ; ? ! (docs/i18n.md)."""
    wrong = []
    for entry in live_entries(catalogue("fr")):
        for text in [entry.msgstr, *entry.msgstr_plural.values()]:
            if re.search(r"['\"“”]| [:;?!»]|« ", text):
                wrong.append(text)
    assert wrong == [], "\n".join(wrong)


def test_french_plural_forms_are_those_of_french():
    po = catalogue("fr")
    assert po.metadata["Plural-Forms"] == "nplurals=2; plural=(n > 1);"
    assert po.metadata["Language"] == "fr"


def test_every_string_of_the_code_is_in_the_catalogues(settings, tmp_path, monkeypatch):
    """makemessages, run on a copy of the sources, finds nothing the catalogues lack."""
    if shutil.which("xgettext") is None or shutil.which("msgmerge") is None:
        missing_service("gettext tools not found (apt-get install gettext)")
    copy = tmp_path / "src"
    shutil.copytree(
        settings.BASE_DIR,
        copy,
        ignore=shutil.ignore_patterns(*IGNORED, "*.mo", "*.sqlite3"),
        symlinks=True,
    )
    settings.LOCALE_PATHS = [copy / "intranet" / "locale"]
    monkeypatch.chdir(copy)
    call_command("makemessages", locale=LANGUAGES, ignore_patterns=IGNORED, verbosity=0)

    for language in LANGUAGES:
        committed = {key(e) for e in live_entries(catalogue(language))}
        fresh = polib.pofile(
            str(copy / "intranet" / "locale" / language / "LC_MESSAGES" / "django.po")
        )
        new = sorted(e.msgid for e in live_entries(fresh) if key(e) not in committed)
        assert new == [], (
            f"strings missing from the {language} catalogue, update it (docs/i18n.md): {new}"
        )
