"""A tiny boolean expression over index tokens, rendered for FTS5 MATCH or a PostgreSQL tsquery.

Users never write engine syntax: their text goes through ``tokens.parse_query`` and only
tokenizer output reaches these renderers, quoted, so nothing a user types can be an operator.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.catalogue.search.tokens import is_cjk

TITLE_PREFIX = "t:"  # the PostgreSQL index's title lexemes (documents.tsvector_literal)
TRIGRAM_PREFIX = "3:"  # its CJK trigram lexemes: apart from the bigrams, so prefix queries skip them
# Its window lexemes: one per block of rowids ("_w_" + rowid >> WINDOW_SHIFT: 4,096 record ids of each
# document type, 35 = the 21 facet bits + 2 type bits + 12), and one per group of 4, 16 and 64 blocks
# ("_w1_" + rowid >> 37, "_w2_" ..., "_w3_" ...), all without positions. The search function
# (models.PG_NEWEST_DDL) walks the newest hits window by window as ``query & ('_w1_61' | '_w_243')``:
# the window is decided inside the GIN, before any heap read or phrase recheck, a short block list
# lets the GIN skip through a frequent word's long one instead of decoding it, and the groups keep
# any window to a few lexemes (the GIN tests every candidate against the whole OR). Tokens never hold "_".
WINDOW_PREFIX = "_w"
WINDOW_SHIFT = 35
WINDOW_LEVELS = 4  # blocks, groups of 4, 16, 64 blocks

# FTS5 column -> tsvector weight of that field (see documents.tsvector_literal).
WEIGHTS = {"title": "A", "parties": "B", "meta": "C"}
BODY_WEIGHT = "D"  # the body's lexemes carry no mark, which PostgreSQL reads as D

# The record's own text: what a translated query word may match. Names (parties) are not
# translated: "battery" must not find every patent of a company called "…电池…".
TEXT_COLUMNS = ("title", "body")


@dataclass(frozen=True, slots=True)
class Tok:
    tokens: tuple[str, ...]  # one token, or a phrase
    prefix: bool = False  # the last token is a prefix
    column: str | tuple[str, ...] | None = None  # restrict to one field or a set of fields


@dataclass(frozen=True, slots=True)
class And:
    children: tuple


@dataclass(frozen=True, slots=True)
class Or:
    children: tuple


@dataclass(frozen=True, slots=True)
class Not:
    positive: object
    negative: object


Node = Tok | And | Or | Not


def and_(*nodes: Node | None) -> Node:
    kept = tuple(n for n in nodes if n is not None)
    return kept[0] if len(kept) == 1 else And(kept)


def or_(*nodes: Node) -> Node:
    return nodes[0] if len(nodes) == 1 else Or(tuple(nodes))


def in_column(node: Node, column: str | tuple[str, ...]) -> Node:
    """The same expression with every token restricted to one field (or a set of fields)."""
    if isinstance(node, Tok):
        return Tok(node.tokens, node.prefix, column)
    if isinstance(node, Not):
        return Not(in_column(node.positive, column), in_column(node.negative, column))
    return type(node)(tuple(in_column(c, column) for c in node.children))


def to_fts5(node: Node) -> str:
    if isinstance(node, Tok):
        phrase = (
            '"' + " ".join(t.replace('"', '""') for t in node.tokens) + '"' + (" *" if node.prefix else "")
        )
        if isinstance(node.column, tuple):
            return "{" + " ".join(node.column) + "} : " + phrase
        return f"{node.column} : {phrase}" if node.column else phrase
    if isinstance(node, Not):
        return f"({to_fts5(node.positive)} NOT {to_fts5(node.negative)})"
    joiner = " AND " if isinstance(node, And) else " OR "
    return "(" + joiner.join(to_fts5(c) for c in node.children) + ")"


def _lexeme(token: str, prefix: bool, weight: str) -> str:
    quoted = "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"
    suffix = ("*" if prefix else "") + weight
    return f"{quoted}:{suffix}" if suffix else quoted


def _trigrams(tokens: tuple[str, ...]) -> list[str] | None:
    """A phrase of chained CJK bigrams ("锂离" "离子" "子电") as the trigram lexemes the PostgreSQL
    index holds ("3:锂离子" "3:离子电", documents.cjk_trigrams); None for any other phrase."""
    if len(tokens) < 2 or not all(len(t) == 2 and is_cjk(t) for t in tokens):
        return None
    if any(a[1] != b[0] for a, b in zip(tokens, tokens[1:], strict=False)):
        return None
    return [TRIGRAM_PREFIX + a + b[1] for a, b in zip(tokens, tokens[1:], strict=False)]


def _weight(column: str | tuple[str, ...] | None) -> str:
    """The tsquery weight letters that restrict a lexeme to the given fields ("" = any field)."""
    if isinstance(column, tuple):
        return "".join(sorted(WEIGHTS.get(c, BODY_WEIGHT) for c in column))
    return WEIGHTS.get(column or "", "")


def _tok_tsquery(node: Tok) -> str:
    """Title terms use title lexemes (decided in the GIN, no weight recheck). An unweighted or title
    CJK phrase of three characters is one trigram lexeme (exact in the GIN); a longer one needs all
    its trigrams (a narrow GIN candidate set) and then the phrase. Other fields keep their weights,
    which trigrams (stored without positions) cannot carry."""
    title = node.column == "title"
    weight = "" if title else _weight(node.column)
    prefix = TITLE_PREFIX if title else ""
    tokens = [prefix + t for t in node.tokens]
    last = len(tokens) - 1
    lexemes = [_lexeme(t, node.prefix and i == last, weight) for i, t in enumerate(tokens)]
    phrase = "(" + " <-> ".join(lexemes) + ")" if len(lexemes) > 1 else lexemes[0]
    trigrams = None if (node.prefix or weight) else _trigrams(node.tokens)
    if not trigrams:
        return phrase
    exact = " & ".join(_lexeme(prefix + t, False, "") for t in trigrams)
    return exact if len(trigrams) == 1 else f"({exact} & {phrase})"


def to_tsquery(node: Node) -> str:
    if isinstance(node, Tok):
        return _tok_tsquery(node)
    if isinstance(node, Not):
        return f"({to_tsquery(node.positive)} & !{to_tsquery(node.negative)})"
    joiner = " & " if isinstance(node, And) else " | "
    return "(" + joiner.join(to_tsquery(c) for c in node.children) + ")"
