"""Every string a person reads has its Spanish, written and reviewed, never left empty.

`bin/makemessages` is run on a copy of the tree (GNU gettext's xgettext, which
bin/test installs) so a string marked since the last translation pass fails
here until it is translated; entries left fuzzy, placeholders lost or
mistyped, and plural forms missing fail too.
"""

import re
import shutil
import subprocess
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils import translation

ROOT = Path(settings.BASE_DIR)
CATALOGS = sorted((ROOT / "locale" / "es" / "LC_MESSAGES").glob("*.po"))
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|%[sd]|\{\w*\}")
SKIP = shutil.ignore_patterns(".git", ".venv", "node_modules", "staticfiles", "var", "media", "__pycache__",
                              "*.mo", ".pytest_cache", ".hypothesis", ".ruff_cache")


def problems(po: polib.POFile) -> list[str]:
    found = []
    for entry in po:
        if entry.obsolete:
            continue
        where = f"{entry.msgid!r} ({', '.join(f for f, _ in entry.occurrences[:2])})"
        if "fuzzy" in entry.flags:
            found.append(f"fuzzy: {where}")
        if entry.msgid_plural:
            forms = [entry.msgstr_plural.get(i, "") for i in range(3)]
            if not all(forms):
                found.append(f"missing plural forms: {where}")
            wanted = set(PLACEHOLDER.findall(entry.msgid_plural)) | set(PLACEHOLDER.findall(entry.msgid))
            if any(set(PLACEHOLDER.findall(f)) - wanted for f in forms):
                found.append(f"unknown placeholder in a plural form: {where}")
            if not set(PLACEHOLDER.findall(forms[2])) >= set(PLACEHOLDER.findall(entry.msgid_plural)):
                found.append(f"placeholder lost: {where}")
        elif not entry.msgstr:
            found.append(f"untranslated: {where}")
        elif set(PLACEHOLDER.findall(entry.msgstr)) != set(PLACEHOLDER.findall(entry.msgid)):
            found.append(f"placeholders differ: {where} -> {entry.msgstr!r}")
    return found


def test_there_is_a_spanish_catalogue_for_pages_and_scripts():
    assert [p.name for p in CATALOGS] == ["django.po", "djangojs.po"]


@pytest.mark.parametrize("catalog", CATALOGS, ids=lambda p: p.name)
def test_every_committed_entry_is_translated_with_its_placeholders(catalog):
    assert problems(polib.pofile(str(catalog))) == []


def test_makemessages_finds_no_string_without_its_spanish(tmp_path):
    """What a developer marked but forgot to translate fails here, not in front of a Spanish reader."""
    if shutil.which("xgettext") is None:
        pytest.fail("GNU gettext's xgettext is missing; bin/test installs it (apt-get install gettext).")
    copy = tmp_path / "tree"
    shutil.copytree(ROOT, copy, ignore=SKIP, symlinks=True)
    (copy / ".venv").symlink_to(ROOT / ".venv")
    subprocess.run(["bin/makemessages"], cwd=copy, check=True, capture_output=True, timeout=300)
    for catalog in CATALOGS:
        fresh = polib.pofile(str(copy / "locale" / "es" / "LC_MESSAGES" / catalog.name))
        assert problems(fresh) == [], f"run bin/makemessages and translate the new entries of {catalog.name}"


def test_the_compiled_catalogue_is_the_one_django_reads():
    # bin/setup compiles the .po with Babel; a stale or missing .mo would show English to Spanish readers.
    for catalog in CATALOGS:
        compiled = catalog.with_suffix(".mo")
        assert compiled.exists() and compiled.stat().st_mtime >= catalog.stat().st_mtime, (
            f"{compiled.name} is missing or older than its .po: run bin/setup")
    with translation.override("es"):
        assert translation.gettext("Pages, emails and calendar invites are in this language.").startswith("Las páginas")
