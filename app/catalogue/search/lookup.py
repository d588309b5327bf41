"""What a search box text names besides words: patent numbers and classification codes.

Pure (no Flask, no database): the index and the query side both call these, so a number typed in
any common form meets the one token its patent was indexed with.

* ``number_tokens(publication, application)``: the index tokens of a patent's numbers,
  ``_n_`` + the canonical number in lower case without punctuation (``_n_us8420021``; ``_n_cn201910123456`` for a CN application).
* ``query_number_tokens(text)``: the same tokens for every reading of a typed number:
  ``CN 116306153 A``, ``US 8,420,021``, ``8420021`` (no office: every office whose format fits),
  ``201910123456.7``, ``201910123456`` (a CN application is named by its body: the check digit
  may be left out), ``ZL201910123456.7``.
* ``split_codes(text)``: IPC/CPC codes typed among the words (``H01M``, ``H01M 10/05``), and the
  rest of the text.
"""

from __future__ import annotations

import re
import unicodedata

from app.catalogue import classification
from app.catalogue.numbers import (
    InvalidNumber,
    parse_application_number,
    parse_publication_number,
)
from app.catalogue.records import JURISDICTIONS

MIN_NUMBER_DIGITS = 6  # fewer digits is a year, a model number or a quantity, not a patent number
_NUMBERISH = re.compile(r"(?:ZL|PCT|[A-Z]{2})?[\d,./\-]+[A-Z]?\d?")
_CODE = re.compile(
    r"(?<![\w/])([A-HY]\d\d[A-Z])(?:\s*(\d{1,4})(?:\s*/\s*(\d{2,6}))?)?(?![\w/])", re.IGNORECASE
)


_CN_APPLICATION = re.compile(r"(?:CN|ZL)?(?P<body>\d{8}|\d{12})(?:\.?[0-9X])?")


def _token(canonical: str) -> str:
    """A CN application number's token leaves out its check digit: the body alone names it, and
    a mistyped check digit should still find the patent."""
    cn = _CN_APPLICATION.fullmatch(canonical.upper())
    if cn and "." in canonical:
        canonical = "CN" + cn["body"]
    return "_n_" + re.sub(r"[^0-9a-z]", "", canonical.lower())


def number_tokens(*numbers: str | None) -> list[str]:
    """Index tokens of a patent's canonical publication and application numbers."""
    return list(dict.fromkeys(_token(n) for n in numbers if n))


def _compact(text: str) -> str:
    return re.sub(r"[\s,]", "", unicodedata.normalize("NFKC", text).upper())


def _readings(text: str) -> set[str]:
    """Canonical numbers the text can be, as publication or application, in any office."""
    found: set[str] = set()
    offices = (None, *sorted(JURISDICTIONS))
    for parse in (parse_publication_number, parse_application_number):
        for office in offices:
            try:
                found.add(parse(text, office).canonical)
            except InvalidNumber:
                continue
    return found


def query_number_tokens(text: str) -> list[str]:
    """Index tokens of every patent the whole text may be the number of; empty if it is no number."""
    compact = _compact(text or "")
    if not _NUMBERISH.fullmatch(compact) or sum(c.isdigit() for c in compact) < MIN_NUMBER_DIGITS:
        return []
    tokens = {_token(r) for r in _readings(compact)}
    cn = _CN_APPLICATION.fullmatch(compact)
    if cn:  # a CN application number, with or without its check digit (right or wrong)
        tokens.add(_token(f"CN{cn['body']}."))
    return sorted(tokens)


def split_codes(text: str) -> tuple[list[str], str]:
    """IPC/CPC codes (subclass level or deeper) typed in the text, normalised, and the other text."""
    codes: list[str] = []

    def take(match: re.Match) -> str:
        try:
            codes.append(classification.normalise(match.group(0), "cpc"))
        except classification.InvalidClassification:
            return match.group(0)
        return " "

    rest = _CODE.sub(take, unicodedata.normalize("NFKC", text or ""))
    return list(dict.fromkeys(codes)), rest.strip()
