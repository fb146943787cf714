"""The code written over a library's internals runs on the versions it was written for
(intranet.core.overrides, docs/overrides.md), and pyproject.toml pins those versions."""

import re
import tomllib
from importlib.metadata import version
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from intranet.core.overrides import OVERRIDES

ROOT = Path(__file__).resolve().parents[2]


def _minor(text: str) -> str:
    return ".".join(text.split(".")[:2])


def _pins() -> dict[str, Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = [Requirement(line) for line in project["dependencies"]]
    return {re.sub(r"[-_.]+", "-", r.name).lower(): r for r in requirements}


@pytest.mark.parametrize("override", OVERRIDES, ids=lambda o: f"{o.library}-{o.name}")
def test_installed_version_is_the_one_the_override_was_written_for(override):
    installed = version(override.library)
    assert _minor(installed) == override.version, (
        f"{override.name} ({override.where}) was written against {override.library} "
        f"{override.version}, but {installed} is installed. Re-read it against the new "
        "version, run its test and re-measure its figure (docs/overrides.md), then update "
        "intranet/core/overrides.py and the pin in pyproject.toml."
    )


@pytest.mark.parametrize("override", OVERRIDES, ids=lambda o: f"{o.library}-{o.name}")
def test_pyproject_pins_the_minor_version_the_override_was_written_for(override):
    pin = _pins().get(override.library.lower())
    assert pin is not None, f"pyproject.toml does not pin {override.library} ({override.name})"
    major, minor = (int(part) for part in override.version.split("."))
    refused = [f"{major}.{minor + 1}.0", f"{major}.{minor - 1}.99" if minor else f"{major - 1}.99"]
    assert pin.specifier.contains(f"{major}.{minor}.99") and not any(
        pin.specifier.contains(v) for v in refused
    ), (
        f"pyproject.toml allows {override.library}{pin.specifier}: pin it to "
        f">={override.version},<{major}.{minor + 1}, the version {override.name} "
        f"({override.where}) was written against (docs/overrides.md)."
    )


def test_every_override_is_described_in_the_docs():
    text = (ROOT / "docs" / "overrides.md").read_text()
    missing = {o.name for o in OVERRIDES if o.name.lower() not in text.lower()}
    assert not missing, f"docs/overrides.md does not describe: {sorted(missing)}"
