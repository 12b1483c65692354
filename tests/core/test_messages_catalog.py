"""Every string our own code and templates show is translated into Vietnamese."""
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo

REPO = Path(__file__).resolve().parents[2]
METHODS = [("core/**.py", "python"), ("sheets/**.py", "python"), ("plugins/**.py", "python"), ("core/templates/**.html", "jinja2"),
           ("sheets/templates/**.html", "jinja2")]
KEYWORDS = {"_": None, "_l": None, "gettext": None, "lazy_gettext": None}


def ui_strings():
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(str(REPO), METHODS, keywords=KEYWORDS):
        if isinstance(message, str):
            found.add(message)
    return found


def test_code_has_ui_strings_to_check():
    assert {"Log in", "Units", "Wrong email or password."} <= ui_strings()


def test_every_ui_string_has_a_vietnamese_translation():
    with open(REPO / "core/translations/vi/LC_MESSAGES/messages.mo", "rb") as handle:
        catalog = read_mo(handle)
    translated = {m.id for m in catalog if m.id and m.string}
    missing = sorted(ui_strings() - translated)
    assert missing == [], f"run `make translations` and translate: {missing}"
