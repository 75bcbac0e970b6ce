from __future__ import annotations

import gettext
from pathlib import Path

import polib

LOCALE = Path(__file__).resolve().parents[2] / "locale" / "es" / "LC_MESSAGES"


def _entries():
    return [e for e in polib.pofile(str(LOCALE / "django.po")) if not e.obsolete]


def test_every_spanish_message_is_translated_and_none_is_fuzzy():
    entries = _entries()
    assert len(entries) > 100
    untranslated = [e.msgid for e in entries if not e.translated()]
    fuzzy = [e.msgid for e in entries if "fuzzy" in e.flags]
    # A "#| msgid" line means gettext guessed the translation from another message.
    guessed = [e.msgid for e in entries if e.previous_msgid]
    assert untranslated == []
    assert fuzzy == []
    assert guessed == []


def test_compiled_catalogue_matches_the_po_file():
    with (LOCALE / "django.mo").open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)
    for entry in _entries():
        if entry.msgid_plural:
            assert (
                catalogue.ngettext(entry.msgid, entry.msgid_plural, 1)
                == (entry.msgstr_plural[0])
            ), entry.msgid
        else:
            assert catalogue.gettext(entry.msgid) == entry.msgstr, entry.msgid


def test_catalogue_compiles_with_matching_placeholders():
    """msgfmt refuses a catalogue whose translation drops or changes a
    placeholder; compilemessages would then leave a stale ``.mo`` behind."""
    import shutil
    import subprocess

    import pytest

    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.skip("GNU gettext's msgfmt is not installed")
    result = subprocess.run(  # noqa: S603 - our own file, a fixed command
        [msgfmt, "--check-format", "-o", "/dev/null", str(LOCALE / "django.po")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
