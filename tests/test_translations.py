"""Every user-facing string has a Simplified Chinese translation, with the same placeholders."""

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
PO_FILE = ROOT / "app" / "translations" / "zh" / "LC_MESSAGES" / "messages.po"
METHOD_MAP = [
    ("app/**.py", "app.api.docstrings:extract"),  # as babel.cfg: _() strings and API view docstrings
    ("app/**/templates/**.html", "jinja2"),
    ("app/templates/**.html", "jinja2"),
]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None, "N_": None}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def extracted_messages() -> set[str]:
    found = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map=METHOD_MAP, keywords=KEYWORDS
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return {m for m in found if m}


def load_catalog():
    with PO_FILE.open("rb") as po:
        return read_po(po)


def test_every_string_in_the_code_has_a_chinese_translation():
    catalog = load_catalog()
    translated = {
        (m.id[0] if isinstance(m.id, tuple) else m.id): m.string
        for m in catalog
        if m.id and "fuzzy" not in m.flags and all(m.string if isinstance(m.string, tuple) else (m.string,))
    }
    missing = sorted(extracted_messages() - set(translated))
    assert not missing, "run `make extract-messages` and translate in messages.po:\n" + "\n".join(missing)


def test_translations_keep_their_placeholders():
    catalog = load_catalog()
    broken = []
    for message in catalog:
        if not (message.id and message.string):
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = set().union(*(PLACEHOLDER.findall(text) for text in ids))
        # Chinese has one plural form: it must carry every placeholder of the singular and plural
        if any(set(PLACEHOLDER.findall(text)) != expected for text in strings):
            broken.append(ids[0])
    assert not broken
