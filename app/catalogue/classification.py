"""IPC and CPC codes: validation, one normalised form, hierarchy levels and prefix search.

Decisions (documented for the help page):

* Input is case- and space-insensitive: ``"h01m10/0525"``, ``"H01M  10/0525"`` and the
  padded office form ``"H01M0010/0525"`` all normalise to ``"H01M 10/0525"`` (WIPO display:
  subclass, a space, the main group without leading zeros, "/", the subgroup).
* Subgroup digits are kept as written: ``"H01M 10/525"`` stays ``10/525``. The subgroup is a
  decimal fraction, so padding ``525`` to ``0525`` would name a different group.
* A version or value suffix (``"(2006.01)"``, ``"I"``, ``"A"``) is dropped.
* Partial codes are valid: section ``"H"``, class ``"H01"``, subclass ``"H01M"`` and main
  group ``"H01M 10"`` (filters, and label sets that stop at the subclass).
* Section ``Y`` (tagging) exists only in CPC.

``search_key`` pads the main group to four digits (``"H01M0010/0525"``) so every level is
a plain string prefix: ``like_pattern("H01M 10")`` is ``"H01M0010/%"``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from app.catalogue.messages import N_, Message, MessageError, message

SCHEMES = ("ipc", "cpc")
LEVELS = ("section", "class", "subclass", "main_group", "subgroup")

_CODE = re.compile(
    r"(?P<section>[A-HY])"
    r"(?:(?P<klass>\d\d)"
    r"(?:(?P<subclass>[A-Z])"
    r"(?:(?P<group>\d{1,4})"
    r"(?:/(?P<subgroup>\d{2,6}))?)?)?)?"
)
_VERSION = re.compile(r"\s*\(\d{4}\.\d{2}\).*$")  # "(2006.01) I"
_VALUE = re.compile(r"(/\d+)\s*[AIN]$")  # a trailing inventive/additional marker


class InvalidClassification(MessageError):
    """A code that is not IPC/CPC-shaped; carries the offending text and a translatable reason."""

    def __init__(self, code: str, reason: Message | str) -> None:
        self.code = code
        super().__init__(reason)
        self.args = (f"{code!r}: {self.reason}",)

    @property
    def full_message(self) -> Message:
        """The code and the reason together, as ``str(exc)`` reads in English."""
        return message(N_("%(code)s: %(reason)s"), code=repr(self.code), reason=self.message)


@dataclass(frozen=True, slots=True)
class ClassificationCode:
    """A parsed code; missing parts mean the code stops at a higher level."""

    scheme: str
    section: str
    klass: str | None = None
    subclass_letter: str | None = None
    main_group: str | None = None
    subgroup: str | None = None

    @property
    def level(self) -> str:
        """Deepest level the code names."""
        parts = (self.section, self.klass, self.subclass_letter, self.main_group, self.subgroup)
        return LEVELS[sum(p is not None for p in parts) - 1]

    @property
    def class_(self) -> str | None:
        """Class symbol, e.g. "H01"."""
        return self.section + self.klass if self.klass else None

    @property
    def subclass(self) -> str | None:
        """Subclass symbol, e.g. "H01M"; the level most facets and specialties use."""
        return f"{self.class_}{self.subclass_letter}" if self.subclass_letter else None

    @property
    def group(self) -> str | None:
        """Main group symbol, e.g. "H01M 10/00"."""
        return f"{self.subclass} {self.main_group}/00" if self.main_group else None

    def __str__(self) -> str:
        if self.main_group is None:
            return self.subclass or self.class_ or self.section
        return f"{self.subclass} {self.main_group}" + (f"/{self.subgroup}" if self.subgroup else "")

    @property
    def search_key(self) -> str:
        """Fixed-width form in which every hierarchy level is a string prefix."""
        if self.main_group is None:
            return str(self)
        return f"{self.subclass}{self.main_group.zfill(4)}/{self.subgroup or ''}"


def parse(text: str, scheme: str = "ipc") -> ClassificationCode:
    """Parse any accepted spelling into parts, rejecting what IPC/CPC cannot contain."""
    if scheme not in SCHEMES:
        raise InvalidClassification(
            scheme, message(N_("scheme must be one of %(choices)s"), choices=str(SCHEMES))
        )
    raw = unicodedata.normalize("NFKC", text or "").strip().upper()
    compact = re.sub(r"\s+", "", _VALUE.sub(r"\1", _VERSION.sub("", raw)))
    match = _CODE.fullmatch(compact)
    if not match or not compact:
        raise InvalidClassification(text, _explain(compact))
    if match["section"] == "Y" and scheme == "ipc":
        raise InvalidClassification(text, message(N_("section Y exists only in CPC")))
    group = match["group"]
    return ClassificationCode(
        scheme=scheme,
        section=match["section"],
        klass=match["klass"],
        subclass_letter=match["subclass"],
        main_group=str(int(group)) if group else None,
        subgroup=match["subgroup"],
    )


def _explain(compact: str) -> Message:
    """Say which part of a rejected code is wrong, so a user can fix the cell."""
    if not compact:
        return message(N_("is empty"))
    if compact[0] not in "ABCDEFGHY":
        return message(N_("section %(section)s is not A-H (or Y in CPC)"), section=repr(compact[0]))
    if not re.fullmatch(r".\d\d.*", compact):
        return message(N_("class must be two digits, e.g. H01"))
    if not re.fullmatch(r"...[A-Z].*", compact):
        return message(N_("subclass must be a letter, e.g. H01M"))
    return message(N_("expected a form like 'H01M 10/0525' (group 1-4 digits, subgroup 2-6 digits)"))


def normalise(text: str, scheme: str = "ipc") -> str:
    """The one stored spelling of a code."""
    return str(parse(text, scheme))


def search_key(text: str, scheme: str = "ipc") -> str:
    """Key to store beside the code for prefix filters with SQL LIKE."""
    return parse(text, scheme).search_key


def like_pattern(prefix: str, scheme: str = "cpc") -> str:
    """SQL LIKE pattern matching every code under a prefix at any level."""
    code = parse(prefix, scheme)
    if code.subgroup == "00":  # "H01M 10/00" names the whole main group
        return f"{code.subclass}{code.main_group.zfill(4)}/%"
    return f"{code.search_key}%"


def matches_prefix(code: str, prefix: str, scheme: str = "cpc") -> bool:
    """Python twin of ``like_pattern`` for filtering in memory and for tests."""
    return search_key(code, scheme).startswith(like_pattern(prefix, scheme)[:-1])


def from_parts(section: str, klass: str, subclass: str, main_group: str, subgroup: str, scheme: str) -> str:
    """Build a code from the split fields of ``classification-ipcr``/``classification-cpc``."""
    return normalise(f"{section}{klass}{subclass}{main_group.strip()}/{subgroup.strip()}", scheme)


def from_ipc7_fixed(text: str) -> str:
    """Decode the fixed-width IPC 1-7 form of old USPTO files ("A45F  504" -> "A45F 5/04")."""
    raw = text.strip().upper()
    if "/" in raw:
        return normalise(raw, "ipc")
    body = raw[4:].ljust(5)
    if len(raw) < 4 or not body[:3].strip().isdigit() or not body[3:].strip().isdigit():
        raise InvalidClassification(text, message(N_("not a fixed-width IPC code like 'A45F  504'")))
    return normalise(f"{raw[:4]} {int(body[:3])}/{body[3:].strip()}", "ipc")
