"""Highlighted snippets cut from the original text (never from the index tokens)."""

from __future__ import annotations

import re

from markupsafe import Markup, escape

from app.catalogue.search.tokens import Term, is_cjk

SNIPPET_LENGTH = 180


def term_pattern(terms: list[Term]) -> re.Pattern | None:
    """One regex finding any term in original text: words on word boundaries, CJK as substrings."""
    parts = []
    for term in sorted(terms, key=lambda t: -len(t.text)):
        words = [w for w in re.split(r"[\W_]+", term.text) if w]
        if not words:
            continue
        if is_cjk(words[0]) or term.prefix:
            parts.append(r"[\W_]*".join(re.escape(w) for w in words))
        else:
            parts.append(r"(?<![^\W_])" + r"[\W_]+".join(re.escape(w) for w in words) + r"(?![^\W_])")
    return re.compile("|".join(parts), re.IGNORECASE) if parts else None


def highlight(text: str, pattern: re.Pattern | None) -> Markup:
    """The whole text, escaped, with matches marked."""
    if not pattern:
        return escape(text)
    out, last = [], 0
    for match in pattern.finditer(text):
        out.append(escape(text[last : match.start()]))
        out.append(Markup("<mark>%s</mark>") % match.group())
        last = match.end()
    out.append(escape(text[last:]))
    return Markup("").join(out)


def snippet(texts: list[str], pattern: re.Pattern | None, length: int = SNIPPET_LENGTH) -> Markup:
    """A window of the first text that matches (else the first text), cut at word-ish bounds."""
    texts = [t for t in texts if t]
    if not texts:
        return Markup("")
    chosen, start = texts[0], 0
    if pattern:
        for candidate in texts:
            match = pattern.search(candidate)
            if match:
                chosen, start = candidate, max(0, match.start() - length // 3)
                break
    end = min(len(chosen), start + length)
    if start > 0:
        space = chosen.rfind(" ", 0, start)
        start = space + 1 if space > start - 20 else start
    piece = chosen[start:end]
    prefix = "… " if start > 0 else ""
    suffix = " …" if end < len(chosen) else ""
    return escape(prefix) + highlight(piece, pattern) + escape(suffix)
