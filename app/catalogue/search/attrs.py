"""Facet values packed into the low 21 bits of a document's index rowid.

Counting facets then means grouping the matching rowids by their low bits: one pass over the
index, no row lookups, on SQLite and PostgreSQL alike. The same rowid, ordered descending, is the
tie-break of every ranking (the high bits are record id * 4 + type code).
"""

from __future__ import annotations

from dataclasses import dataclass

from app.catalogue.records import JURISDICTIONS, LEGAL_STATUSES, PATENT_TYPES

DOC_TYPES = ("patent", "project", "expert")
JURISDICTION_CODES = ("CN", "US", "EP", "JP", "KR", "WO")  # others are stored as "other" (7)
SECTIONS = "ABCDEFGHY"
ATTR_BITS = 21
ATTR_MASK = (1 << ATTR_BITS) - 1
assert set(JURISDICTION_CODES) >= JURISDICTIONS  # noqa: S101  (a new jurisdiction needs a code here)

# (name, shift, width) of each packed field.
_FIELDS = {
    "doc_type": (0, 2),
    "jurisdiction": (2, 3),
    "legal_status": (5, 3),
    "patent_type": (8, 2),
    "section": (10, 4),
    "class_number": (14, 7),
}


@dataclass(frozen=True, slots=True)
class Attrs:
    """Facet values of one document; None where the record has none."""

    doc_type: str
    jurisdiction: str | None = None
    legal_status: str | None = None
    patent_type: str | None = None
    main_class: str | None = None  # main IPC/CPC class, e.g. "H01" (or just a section, "H")

    @property
    def section(self) -> str | None:
        return self.main_class[0] if self.main_class else None

    def pack(self) -> int:
        """The 21-bit integer stored in the rowid's low bits."""
        values = {
            "doc_type": DOC_TYPES.index(self.doc_type),
            "jurisdiction": _index(JURISDICTION_CODES, self.jurisdiction, other=7),
            "legal_status": _index(LEGAL_STATUSES, self.legal_status),
            "patent_type": _index(PATENT_TYPES, self.patent_type),
            "section": _index(tuple(SECTIONS), self.section),
            "class_number": int(self.main_class[1:3]) if self.main_class and len(self.main_class) >= 3 else 0,
        }
        return sum(value << _FIELDS[name][0] for name, value in values.items())

    @classmethod
    def unpack(cls, bits: int) -> Attrs:
        def field(name: str) -> int:
            shift, width = _FIELDS[name]
            return (bits >> shift) & ((1 << width) - 1)

        jurisdiction = field("jurisdiction")
        section = field("section")
        number = field("class_number")
        main_class = None
        if section:
            main_class = SECTIONS[section - 1] + (f"{number:02d}" if number else "")
        return cls(
            doc_type=DOC_TYPES[field("doc_type")],
            jurisdiction=None
            if not jurisdiction
            else ("other" if jurisdiction == 7 else JURISDICTION_CODES[jurisdiction - 1]),
            legal_status=_value(LEGAL_STATUSES, field("legal_status")),
            patent_type=_value(PATENT_TYPES, field("patent_type")),
            main_class=main_class,
        )


def _index(values: tuple[str, ...], value: str | None, other: int | None = None) -> int:
    if value is None:
        return 0
    if value in values:
        return values.index(value) + 1
    if other is not None:
        return other
    raise ValueError(f"{value!r} is not one of {values}")


def _value(values: tuple[str, ...], code: int) -> str | None:
    return values[code - 1] if code else None


def field_codes(name: str, values: tuple[str, ...]) -> tuple[int, ...] | None:
    """Codes of some values of one packed field; None if a value has no code of its own (an
    unknown value, or a jurisdiction stored as "other")."""
    table = {
        "doc_type": DOC_TYPES,
        "jurisdiction": JURISDICTION_CODES,
        "legal_status": LEGAL_STATUSES,
        "patent_type": PATENT_TYPES,
        "section": tuple(SECTIONS),
    }[name]
    if not values or any(v not in table for v in values):
        return None
    offset = 0 if name == "doc_type" else 1
    return tuple(sorted({table.index(v) + offset for v in values}))


def field_mask(name: str) -> tuple[int, int]:
    """(shift, mask) of a packed field."""
    shift, width = _FIELDS[name]
    return shift, (1 << width) - 1


def document_key(doc_type: str, record_id: int) -> int:
    """Stable id of a record's search document."""
    return record_id * 4 + DOC_TYPES.index(doc_type)


def rowid(key: int, attrs: Attrs) -> int:
    return (key << ATTR_BITS) | attrs.pack()


def key_of(rowid_value: int) -> int:
    return rowid_value >> ATTR_BITS
