"""Pure text analysis for search: one tokeniser for documents and queries, on every backend.

English (and other alphabetic) text becomes lower-cased words. Chinese, Japanese and Korean runs
become overlapping character bigrams, as Lucene's CJKAnalyzer does, plus the run's last character
on its own, so that:

* a two-character query ("电池") is one indexed token: an index lookup, not a scan;
* a one-character query ("锂") is a prefix lookup ("锂*"): every character starts some token;
* a longer query ("锂离子电池") is the phrase of its bigrams ("锂离 离子 子电 电池").

Both backends index exactly these tokens (SQLite FTS5 with the ``ascii`` tokenizer, PostgreSQL
as a literal ``tsvector``), so a query matches the same documents on both.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Han ideographs (with extension A and compatibility forms), kana and hangul syllables.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_PIECE = re.compile(rf"[{_CJK}]+|[^\W_{_CJK}]+")
_IS_CJK = re.compile(rf"[{_CJK}]")

MAX_QUERY_LENGTH = 200  # characters a user may type into the search box
MAX_TERMS = 12  # words or phrases in one query


def normalise(text: str) -> str:
    """NFKC (full-width letters and digits become ASCII) and lower case."""
    return unicodedata.normalize("NFKC", text).lower()


def is_cjk(piece: str) -> bool:
    return bool(_IS_CJK.match(piece))


def cjk_tokens(run: str) -> list[str]:
    """Bigrams of a CJK run, then its last character: "电池组" -> 电池 池组 组."""
    if len(run) == 1:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)] + [run[-1]]


def tokenize(text: str | None) -> list[str]:
    """Index tokens of a text, in order (positions matter for phrases)."""
    if not text:
        return []
    tokens: list[str] = []
    for piece in _PIECE.findall(normalise(text)):
        tokens.extend(cjk_tokens(piece) if is_cjk(piece) else [piece])
    return tokens


@dataclass(frozen=True, slots=True)
class Term:
    """One required part of a query: a word, a phrase of tokens, or a one-character prefix."""

    tokens: tuple[str, ...]
    prefix: bool = False  # a single CJK character: matches every token starting with it
    text: str = ""  # what the user typed, for highlighting

    @property
    def key(self) -> tuple[tuple[str, ...], bool]:
        return (self.tokens, self.prefix)


class QueryTooLong(ValueError):
    """The search box text is longer than MAX_QUERY_LENGTH characters."""


def _query_tokens(piece: str) -> Term:
    """A CJK run: one character is a prefix; two or more are the phrase of their bigrams."""
    if len(piece) == 1:
        return Term((piece,), prefix=True, text=piece)
    return Term(tuple(piece[i : i + 2] for i in range(len(piece) - 1)), text=piece)


def _phrase_tokens(pieces: list[str]) -> tuple[str, ...]:
    """Tokens of a quoted phrase as they stand in a document; a CJK run inside the phrase keeps
    its trailing single character (the document has it there), the last run does not (the
    document's run may go on)."""
    tokens: list[str] = []
    for index, piece in enumerate(pieces):
        if not is_cjk(piece):
            tokens.append(piece)
        elif index == len(pieces) - 1:
            tokens.extend(cjk_tokens(piece)[:-1] or [piece])
        else:
            tokens.extend(cjk_tokens(piece))
    return tuple(tokens)


def parse_query(text: str | None) -> list[Term]:
    """Terms every hit must contain. Quotes make a phrase; every other character is plain text.

    There is no operator syntax to get wrong: quotes, '*', '-', NEAR, OR and brackets are read as
    punctuation or words, never passed to a search engine's query language.
    """
    text = (text or "").strip()
    if len(text) > MAX_QUERY_LENGTH:
        raise QueryTooLong(text)
    terms: list[Term] = []
    for index, chunk in enumerate(normalise(text).split('"')):
        quoted = index % 2 == 1
        pieces = _PIECE.findall(chunk)
        if quoted and pieces:
            terms.append(Term(_phrase_tokens(pieces), text=chunk.strip()))
            continue
        for piece in pieces:
            terms.append(_query_tokens(piece) if is_cjk(piece) else Term((piece,), text=piece))
    unique = list({term.key: term for term in terms}.values())
    return unique[:MAX_TERMS]


def owner_phrase(name: str) -> tuple[tuple[str, ...], bool] | None:
    """Tokens of a name as the start of a party's name, and whether the last is a prefix: a
    Chinese name ends on its last bigram (the document's name may go on: 浙江大学 -> 浙江大学技术转移中心),
    an English one on a word prefix ("zhejiang univ")."""
    pieces = _PIECE.findall(normalise(name or ""))
    if not pieces:
        return None
    tokens = _phrase_tokens(pieces)
    last = pieces[-1]
    return tokens, not is_cjk(last) or len(last) == 1
