"""Search documents: what is indexed for a patent, project or expert, on each backend.

``Source`` is a pure value built from a record; ``fts_columns`` and ``tsvector_literal`` turn it
into the exact tokens both backends index, so both match the same documents.
"""

from __future__ import annotations

import datetime as dt
import json
import zlib
from dataclasses import asdict, dataclass, field

from app.catalogue import classification
from app.catalogue.search.attrs import Attrs, document_key, rowid
from app.catalogue.search.expr import TITLE_PREFIX, TRIGRAM_PREFIX, WINDOW_LEVELS, WINDOW_PREFIX, WINDOW_SHIFT
from app.catalogue.search.lookup import number_tokens
from app.catalogue.search.tokens import is_cjk, tokenize

TOKENIZER_VERSION = 2  # bump when tokens change: `flask catalogue reindex --rebuild` re-creates the index
MAX_BODY_PART = 2000  # characters indexed per body field (long first claims are cut)
POSITION_GAP = 100  # keeps phrases from running across fields in a tsvector
PG_MAX_POSITION = 16383


@dataclass(frozen=True, slots=True)
class Source:
    """The indexed view of one record."""

    doc_type: str
    record_id: int
    titles: tuple[str, ...]
    bodies: tuple[str, ...] = ()
    parties: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()  # normalised IPC/CPC codes (any level), main first
    numbers: tuple[str, ...] = ()  # canonical publication and application numbers
    label: str | None = None  # shown beside the title: "CN 118866379 A", an organisation
    jurisdiction: str | None = None
    legal_status: str | None = None
    patent_type: str | None = None
    main_class: str | None = None
    filing_date: dt.date | None = None
    grant_date: dt.date | None = None
    expiry_date: dt.date | None = None
    sort_date: dt.date | None = None
    extra: dict = field(default_factory=dict, hash=False, compare=False)  # enrichers' column values

    @property
    def key(self) -> int:
        return document_key(self.doc_type, self.record_id)

    @property
    def attrs(self) -> Attrs:
        return Attrs(self.doc_type, self.jurisdiction, self.legal_status, self.patent_type, self.main_class)

    @property
    def fts_rowid(self) -> int:
        return rowid(self.key, self.attrs)


def main_class_of(codes: tuple[str, ...]) -> str | None:
    """Class ("H01") of the first (main) code, or its section when it stops there."""
    for code in codes:
        try:
            parsed = classification.parse(code, "cpc")
        except classification.InvalidClassification:
            continue
        return parsed.class_ or parsed.section
    return None


def code_tokens(code: str, marker: str = "c") -> list[str]:
    """One token per hierarchy level of a code: a prefix filter at any level is one lookup."""
    try:
        parsed = classification.parse(code, "cpc")
    except classification.InvalidClassification:
        return []
    levels = [parsed.section, parsed.class_, parsed.subclass]
    if parsed.main_group is not None:
        group = f"{parsed.subclass}{parsed.main_group.zfill(4)}"
        levels.append(group)
        if parsed.subgroup:
            levels.append(f"{group}_{parsed.subgroup}")
    return [f"_{marker}_{level.lower()}" for level in levels if level]


def date_tokens(marker: str, value: dt.date | None) -> list[str]:
    """Year and decade tokens (``_fy2015 _fd201``) that narrow date-range filters in the index."""
    if value is None:
        return []
    return [f"_{marker}y{value.year}", f"_{marker}d{value.year // 10}"]


def meta_tokens(source: Source) -> list[str]:
    """Filter tokens: every equality and prefix filter is an index lookup, intersected in the index."""
    tokens = ["_all", f"_t_{source.doc_type}"]
    for name, value in (("j", source.jurisdiction), ("s", source.legal_status), ("k", source.patent_type)):
        if value:
            tokens.append(f"_{name}_{value.lower()}")
    for code in source.codes:
        tokens.extend(t for t in code_tokens(code) if t not in tokens)
    tokens += number_tokens(*source.numbers)
    if source.main_class:
        tokens.extend(f"_m_{level.lower()}" for level in {source.main_class[0], source.main_class})
    tokens += date_tokens("f", source.filing_date) + date_tokens("g", source.grant_date)
    tokens += date_tokens("e", source.expiry_date)
    return tokens


def _text(parts: tuple[str, ...]) -> list[str]:
    return [t for part in parts if part for t in tokenize(part[:MAX_BODY_PART])]


def column_tokens(source: Source) -> dict[str, list[str]]:
    """Tokens per indexed column, in order."""
    return {
        "title": _text(source.titles),
        "body": _text(source.bodies),
        "parties": _text(source.parties),
        "meta": meta_tokens(source),
    }


def fts_columns(source: Source) -> dict[str, str]:
    """Space-separated tokens for the FTS5 columns (the ascii tokenizer splits on spaces)."""
    return {name: " ".join(tokens) for name, tokens in column_tokens(source).items()}


_WEIGHTS = {"title": "A", "parties": "B", "meta": "C", "body": "D"}


def cjk_trigrams(tokens: list[str]) -> list[str]:
    """Trigram lexemes of each two adjacent CJK bigrams of a run ("电池" "池组" -> "3:电池组"): a
    three-character phrase becomes one exact lexeme. Runs end in a single character, so two
    adjacent bigrams always come from the same run and the trigram holds exactly where the phrase
    does. They carry no positions (only unweighted and title queries use them: see
    expr.to_tsquery), which keeps Chinese documents' tsvectors from doubling."""
    return [
        TRIGRAM_PREFIX + a + b[1]
        for a, b in zip(tokens, tokens[1:], strict=False)
        if len(a) == 2 and len(b) == 2 and a[1] == b[0] and is_cjk(a)
    ]


def tsvector_literal(source: Source) -> str:
    """A tsvector in its input syntax: positions per field, weight A/B/C/D marks the field; title
    lexemes at the title's positions; CJK trigrams and the rowid's window lexemes without positions."""
    return _tsvector(column_tokens(source), source.fts_rowid)


def window_lexemes(fts_rowid: int) -> list[str]:
    """The index's lexemes of the block of rowids a document lies in and of its groups of 4, 16
    and 64 blocks (expr.WINDOW_SHIFT): "_w_7", "_w1_1", "_w2_0", "_w3_0"."""
    return [
        f"{WINDOW_PREFIX}{level or ''}_{fts_rowid >> (WINDOW_SHIFT + 2 * level)}"
        for level in range(WINDOW_LEVELS)
    ]


def _tsvector(columns: dict[str, list[str]], fts_rowid: int) -> str:
    positions: dict[str, list[str]] = {}
    trigrams: set[str] = set()
    start = 1
    for name in ("title", "body", "parties", "meta"):
        tokens = columns[name]
        weight = "" if _WEIGHTS[name] == "D" else _WEIGHTS[name]
        for offset, token in enumerate(tokens):
            lexemes = (token, TITLE_PREFIX + token) if name == "title" else (token,)
            for lexeme, mark in zip(lexemes, (weight, ""), strict=False):
                positions.setdefault(lexeme, []).append(f"{min(start + offset, PG_MAX_POSITION)}{mark}")
        if name != "meta":
            found = cjk_trigrams(tokens)
            trigrams.update(found)
            if name == "title":
                trigrams.update(TITLE_PREFIX + t for t in found)
        start += len(tokens) + POSITION_GAP
    with_positions = (f"'{_quote(token)}':{','.join(p[:256])}" for token, p in positions.items())
    plain = [*sorted(trigrams), *window_lexemes(fts_rowid)]
    return " ".join([*with_positions, *(f"'{_quote(t)}'" for t in plain)])


def _quote(lexeme: str) -> str:
    return lexeme.replace("\\", "\\\\").replace("'", "''")


def pack_source(source: Source) -> bytes:
    """What the index was built from, kept so the row can be deleted exactly and snippets cut."""
    data = {
        "v": TOKENIZER_VERSION,
        "titles": source.titles,
        "bodies": source.bodies,
        "parties": source.parties,
        "label": source.label,
        "meta": meta_tokens(source),
    }
    return zlib.compress(json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode(), 6)


def unpack_source(blob: bytes) -> dict:
    return json.loads(zlib.decompress(blob))


def title_tokens(data: dict) -> list[str]:
    """The title column's tokens, from a packed source (what a title:phrase query matches)."""
    return _text(tuple(data["titles"]))


def packed_fts_columns(data: dict) -> dict[str, str]:
    """FTS5 column values from a packed source: the exact text a contentless delete needs."""
    return {
        "title": " ".join(_text(tuple(data["titles"]))),
        "body": " ".join(_text(tuple(data["bodies"]))),
        "parties": " ".join(_text(tuple(data["parties"]))),
        "meta": " ".join(data["meta"]),
    }


def document_row(source: Source) -> dict:
    """Column values of the search_documents row."""
    return {
        "id": source.key,
        "doc_type": source.doc_type,
        "record_id": source.record_id,
        "fts_rowid": source.fts_rowid,
        "filing_date": source.filing_date,
        "grant_date": source.grant_date,
        "expiry_date": source.expiry_date,
        "sort_date": source.sort_date,
        "value_cny": source.extra.get("value_cny"),
        "price_cny": source.extra.get("price_cny"),
        "deal_types": source.extra.get("deal_types"),
        "source": pack_source(source),
    }


EPOCH = dt.date(1970, 1, 1)


def index_row(source: Source) -> dict:
    """Column values of the search_index row (PostgreSQL)."""
    return {
        "fts_rowid": source.fts_rowid,
        "sort_key": (source.sort_date - EPOCH).days if source.sort_date else None,
        "tsv": tsvector_literal(source),
    }


def packed_index_row(fts_rowid: int, sort_date: dt.date | None, blob: bytes) -> dict:
    """The same row from a stored document (its packed source): re-indexing without the records."""
    data = unpack_source(blob)
    columns = {
        "title": _text(tuple(data["titles"])),
        "body": _text(tuple(data["bodies"])),
        "parties": _text(tuple(data["parties"])),
        "meta": list(data["meta"]),
    }
    return {
        "fts_rowid": fts_rowid,
        "sort_key": (sort_date - EPOCH).days if sort_date else None,
        "tsv": _tsvector(columns, fts_rowid),
    }


def as_dict(source: Source) -> dict:
    return asdict(source)
