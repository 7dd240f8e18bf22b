"""Both catalogues are complete, compiled and up to date with the code.

The check runs Django's own ``makemessages`` over a copy of the package, so a string added to
the code without a translation fails here, not in front of a Belizean user.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "corett"
LANGUAGES = ["es", "en"]


def _catalogues(root: Path, language: str) -> dict[str, polib.POFile]:
    """The package's catalogue and each module's own (``corett/<app>/locale``), by place."""
    return {
        str(po.relative_to(root)): polib.pofile(str(po))
        for po in sorted(root.glob(f"**/locale/{language}/LC_MESSAGES/django.po"))
    }


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory) -> Path:
    if shutil.which("xgettext") is None:
        pytest.fail("xgettext (Debian package gettext) is needed; bin/test installs it")
    copy = tmp_path_factory.mktemp("i18n") / "corett"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "static"))
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(PYTHONPATH=str(copy.parent), DJANGO_SETTINGS_MODULE="corett.settings",
               CORETT_TESTING="1", CORETT_DATA_DIR=str(copy.parent / "var"))
    subprocess.run(
        # -P: the copy of the package is the working directory, and corett/statistics must not
        # shadow the standard library's statistics module.
        [sys.executable, "-P", "-m", "django", "makemessages", *[arg for lang in LANGUAGES for arg in ("-l", lang)],
         "--no-obsolete", "--no-location", "--ignore", "tests/*", "--ignore", "testing/*"],
        cwd=copy, env=env, check=True, capture_output=True,
    )
    return copy


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_string_in_the_code_is_translated(regenerated, language):
    missing = [
        f"{place}: {e.msgid}"
        for place, catalogue in _catalogues(regenerated, language).items()
        for e in catalogue if not e.obsolete and not e.translated()
    ]
    assert missing == [], f"{len(missing)} untranslated strings in {language}: {missing[:20]}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_committed_catalogues_are_the_regenerated_ones(regenerated, language):
    """Nothing stale: every entry committed is one the code still uses, and vice versa."""
    def ids(root: Path) -> dict[str, set]:
        return {place: {(e.msgctxt, e.msgid) for e in c if not e.obsolete}
                for place, c in _catalogues(root, language).items()}

    assert ids(regenerated) == ids(PACKAGE)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_catalogue_has_no_fuzzy_entries(language):
    fuzzy = [
        f"{place}: {e.msgid}"
        for place, catalogue in _catalogues(PACKAGE, language).items()
        for e in catalogue if "fuzzy" in e.flags and not e.obsolete
    ]
    assert fuzzy == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalogue_matches_the_source(language):
    for place, source in _catalogues(PACKAGE, language).items():
        compiled = polib.mofile(str(PACKAGE / place.replace(".po", ".mo")))
        expected = {(e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural for e in source if e.translated()}
        actual = {(e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural for e in compiled}
        assert actual == expected, f"{place}: run bin/i18n"


def test_pages_speak_english_when_asked(client_as, focal_gt, settings):
    client = client_as(focal_gt)
    spanish = client.get("/", headers={"accept-language": "es"}).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get("/").content.decode()
    assert "Cerrar sesión" in spanish
    assert "Log out" in english and "Cerrar sesión" not in english
