"""Checks on phoihop's own catalog for Flask-Admin's "admin" gettext domain.

phoihop ships ``core/translations/<lang>/LC_MESSAGES/admin.po`` (+ compiled
``.mo``) because Flask-Admin's bundled Vietnamese is poor. These tests need no
app: they read the catalogs with Babel.
"""
import io
import re
import unicodedata
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

import flask_admin.translations

TRANSLATIONS = Path(__file__).resolve().parents[2] / "core" / "translations"
LOCALES = ["vi", "en"]

# printf-style placeholders: %(name)s, %(num)d, %s, %d, ... ("%%" is a literal).
PLACEHOLDER = re.compile(
    r"%(?:\([^)]*\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[diouxXeEfFgGcrsa%]"
)
HTML_TAG = re.compile(r"<[^>]*>")
# Old-style tone placement on a word-final "oa"/"oe"/"uy" (hoá, xoá, huỷ).
# New style puts the tone on the first vowel (hóa, xóa, hủy); "quý" is fine.
OLD_STYLE_TONE = re.compile(r"(?:o[áàảãạéèẻẽẹ]|(?<!q)u[ýỳỷỹỵ])(?!\w)", re.IGNORECASE)


def _read_po(path):
    with open(path, "rb") as f:
        return read_po(f)


def _as_tuple(value):
    return value if isinstance(value, tuple) else (value,)


def _messages(catalog):
    return [m for m in catalog if m.id]


def _flask_admin_template():
    """Flask-Admin's own catalog: its admin.pot if installed, else its vi .po."""
    base = Path(flask_admin.translations.__path__[0])
    for candidate in (base / "admin.pot", base / "vi" / "LC_MESSAGES" / "admin.po"):
        if candidate.is_file():
            return _read_po(candidate)
    pytest.fail(f"no Flask-Admin admin catalog found under {base}")


def _placeholders(text):
    return sorted(p for p in PLACEHOLDER.findall(text) if p != "%%")


@pytest.fixture(scope="module")
def vi_catalog():
    return _read_po(TRANSLATIONS / "vi" / "LC_MESSAGES" / "admin.po")


def test_vi_header(vi_catalog):
    assert str(vi_catalog.locale) == "vi"
    assert vi_catalog.charset.lower() == "utf-8"
    assert vi_catalog.num_plurals == 1
    assert vi_catalog.plural_expr.strip() == "0"
    assert not vi_catalog.fuzzy  # pybabel compile skips fuzzy catalogs


def test_every_flask_admin_msgid_translated(vi_catalog):
    template = _messages(_flask_admin_template())
    assert template, "Flask-Admin catalog has no messages"
    missing, empty, fuzzy = [], [], []
    for tmpl in template:
        ours = vi_catalog.get(tmpl.id)
        if ours is None:
            missing.append(tmpl.id)
        elif not all(s.strip() for s in _as_tuple(ours.string)):
            empty.append(tmpl.id)
        elif ours.fuzzy:
            fuzzy.append(tmpl.id)
    assert not missing, f"msgids missing from our vi catalog: {missing}"
    assert not empty, f"empty msgstr in our vi catalog: {empty}"
    assert not fuzzy, f"fuzzy (ignored at compile time) in our vi catalog: {fuzzy}"


def test_placeholders_and_markup_preserved(vi_catalog):
    bad = []
    for m in _messages(vi_catalog):
        ids = _as_tuple(m.id)
        # With nplurals=1 the only form serves every count, so it must carry
        # the plural msgid's placeholders (which cover the singular's).
        source = ids[-1]
        for text in _as_tuple(m.string):
            if _placeholders(text) != _placeholders(source):
                bad.append((m.id, text, "placeholders"))
            if HTML_TAG.findall(text) != HTML_TAG.findall(source):
                bad.append((m.id, text, "markup"))
        if len(ids) == 2:
            assert set(_placeholders(ids[0])) <= set(_placeholders(ids[1])), m.id
    assert not bad, bad


@pytest.mark.parametrize("lang", LOCALES)
def test_mo_is_up_to_date(lang):
    folder = TRANSLATIONS / lang / "LC_MESSAGES"
    fresh = io.BytesIO()
    write_mo(fresh, _read_po(folder / "admin.po"))
    fresh.seek(0)
    with open(folder / "admin.mo", "rb") as f:
        committed = read_mo(f)
    expected = read_mo(fresh)

    def as_dict(catalog):  # read_mo gives plural ids/strings as lists
        return {
            tuple(m.id) if isinstance(m.id, list) else m.id:
            tuple(m.string) if isinstance(m.string, list) else m.string
            for m in catalog
            if m.id
        }

    assert as_dict(committed) == as_dict(expected), (
        f"{folder / 'admin.mo'} is stale: run "
        "pybabel compile -d core/translations -D admin"
    )
    assert committed.plural_forms == expected.plural_forms


def test_en_msgstrs_empty():
    catalog = _read_po(TRANSLATIONS / "en" / "LC_MESSAGES" / "admin.po")
    assert str(catalog.locale) == "en"
    assert all(not any(_as_tuple(m.string)) for m in _messages(catalog))


def test_vi_msgstrs_nfc(vi_catalog):
    bad = [
        (m.id, s)
        for m in _messages(vi_catalog)
        for s in _as_tuple(m.string)
        if unicodedata.normalize("NFC", s) != s
    ]
    assert not bad, f"msgstr not NFC-normalised: {bad}"


def test_vi_new_style_tone_placement(vi_catalog):
    bad = [
        (m.id, s)
        for m in _messages(vi_catalog)
        for s in _as_tuple(m.string)
        if OLD_STYLE_TONE.search(unicodedata.normalize("NFC", s))
    ]
    assert not bad, f"old-style tone placement (use hóa/xóa/hủy): {bad}"
