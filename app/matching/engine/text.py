"""Tokens and a BM25 index over scipy sparse matrices, for Chinese, English and across them.

Chinese has no spaces: a run is indexed as character bigrams (robust to unknown words) plus the
dictionary words of its segmentation (precise for known terms). English: lower-cased words minus
stop words, with a plural "s" dropped. A query in the other language than the documents is
expanded through the lexicon's translations, which then go through the same tokenizer.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

import numpy as np
from scipy import sparse

from .types import Lexicon

_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_EN_WORD = re.compile(r"[a-z][a-z0-9]+")
EN_STOP = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "has",
        "have",
        "in",
        "into",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "said",
        "such",
        "that",
        "the",
        "their",
        "then",
        "there",
        "these",
        "this",
        "to",
        "was",
        "wherein",
        "which",
        "with",
        "at",
        "least",
        "one",
        "each",
        "first",
        "second",
        "plurality",
        "being",
        "further",
        "comprising",
        "comprises",
        "configured",
        "based",
        "method",
        "system",
        "device",
        "apparatus",
    ]
)
ZH_STOP = frozenset(
    ["一种", "所述", "本发明", "方法", "装置", "系统", "包括", "进行", "通过", "根据", "基于"]
)
TRANSLATION_WEIGHT = 0.6  # a translated term counts less than one the buyer typed: senses are guesses
# The text factor is an absolute measure of how well a candidate covers the need: its BM25 over
# the score of an "ideal" document (``ideal_score``), where covering IDEAL_SHARE of it already
# earns full marks (a need's own words are never all in one patent). Tuned on the training split
# (bench/matching_quality.py --tune-alpha).
IDEAL_SHARE = 0.5
IDEAL_TERMS = 32  # the ideal document holds this many of the query's most telling terms
SENSE_SHARE = 0.5  # what a translated term counts for in the ideal document


def _script(term: str) -> str:
    return "en" if term.isascii() else "zh"


def ideal_score(weighted_terms: dict[str, float], idf: dict[str, float], size: int) -> float:
    """BM25 of an average-length document holding once each of the query's IDEAL_TERMS most
    telling terms: the sum of their weight x idf (a long need is not asked to be matched on its
    incidental words too).

    ``idf`` holds the terms some of the ``size`` documents contain. A word the buyer typed that no
    document holds (an English word or a Chinese dictionary word; not a character pair, which may
    straddle two words; not a translation, which only guesses a sense) counts at the idf of an
    unseen term: the need asks for it and the pool lacks it, so a small pool does not make a
    candidate that shares one common word look complete. Only in a script the pool's documents
    match at all: an English pool does not lack Chinese words."""
    unseen = math.log1p((size + 0.5) / 0.5)
    scripts = {_script(t) for t in idf}
    values = []
    for term, weight in weighted_terms.items():
        if term in idf:
            # A word's translations offer up to two senses and a document uses one of them.
            values.append(weight * idf[term] * (1.0 if weight >= 1 else SENSE_SHARE))
        elif weight >= 1 and (term.startswith("w:") or term.isascii()) and _script(term) in scripts:
            values.append(weight * unseen)
    return float(sum(sorted(values, reverse=True)[:IDEAL_TERMS]))


def text_scale(top: float, ideal: float) -> float:
    """What a BM25 score is divided by: the ideal share, or the pool's best when that is higher
    (BM25 rewards repeated terms, so a document can beat the ideal). 0 when nothing matches."""
    return max(top, IDEAL_SHARE * ideal)


def _stem(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def english_tokens(text: str) -> list[str]:
    """English words as index terms."""
    return [_stem(w) for w in _EN_WORD.findall(text.lower()) if w not in EN_STOP]


def chinese_tokens(text: str, lexicon: Lexicon | None) -> list[str]:
    """Character bigrams of every Han run, plus its dictionary words when a lexicon is given."""
    tokens: list[str] = []
    for run in _HAN_RUN.findall(text):
        tokens += [run[i : i + 2] for i in range(len(run) - 1)] or [run]
        if lexicon is not None:
            tokens += [f"w:{w}" for w in lexicon.segment(run) if len(w) > 1 and w not in ZH_STOP]
    return tokens


def tokens(text: str, lexicon: Lexicon | None = None) -> list[str]:
    """Index terms of a mixed-language text."""
    return chinese_tokens(text or "", lexicon) + english_tokens(text or "")


def translated_tokens(text: str, lexicon: Lexicon) -> list[str]:
    """Index terms of the text's translations (Chinese words -> English and English words -> Chinese)."""
    out: list[str] = []
    for run in _HAN_RUN.findall(text or ""):
        for word in lexicon.segment(run):
            if len(word) > 1 and word not in ZH_STOP:
                out += english_tokens(" ".join(lexicon.translations(word, "zh")[:2]))
    for word in set(_EN_WORD.findall((text or "").lower())) - EN_STOP:
        for zh in lexicon.translations(word, "en")[:2]:
            out += chinese_tokens(zh, lexicon)
    return out


class BM25Index:
    """Documents x terms as a CSR matrix of BM25 term weights: a query is one sparse product."""

    def __init__(self, docs: Sequence[Sequence[str]], k1: float = 1.2, b: float = 0.75) -> None:
        self.vocab: dict[str, int] = {}
        rows, cols, vals = [], [], []
        for r, doc in enumerate(docs):
            for term, tf in Counter(doc).items():
                rows.append(r)
                cols.append(self.vocab.setdefault(term, len(self.vocab)))
                vals.append(tf)
        n = len(docs)
        tf = sparse.csr_matrix((vals, (rows, cols)), shape=(n, len(self.vocab)), dtype=np.float64)
        lengths = np.asarray(tf.sum(axis=1)).ravel()
        avg = lengths.mean() if n and lengths.mean() > 0 else 1.0
        df = np.bincount(tf.indices, minlength=len(self.vocab))
        self.idf = np.log1p((n - df + 0.5) / (df + 0.5))
        norm = k1 * (1 - b + b * lengths / avg)
        tf = tf.tocoo()
        weighted = tf.data * (k1 + 1) / (tf.data + norm[tf.row])
        self.matrix = sparse.csr_matrix((weighted, (tf.row, tf.col)), shape=tf.shape)
        self.size = n

    def query_vector(self, weighted_terms: dict[str, float]) -> sparse.csr_matrix:
        cols = [self.vocab[t] for t in weighted_terms if t in self.vocab]
        vals = [weighted_terms[t] * self.idf[self.vocab[t]] for t in weighted_terms if t in self.vocab]
        return sparse.csr_matrix((vals, ([0] * len(cols), cols)), shape=(1, len(self.vocab)))

    def ideal(self, weighted_terms: dict[str, float]) -> float:
        """``ideal_score`` of the query over these documents."""
        known = {t: float(self.idf[self.vocab[t]]) for t in weighted_terms if t in self.vocab}
        return ideal_score(weighted_terms, known, self.size)

    def scores(self, weighted_terms: dict[str, float]) -> np.ndarray:
        """BM25 score of every document for the query terms (weights multiply a term's idf)."""
        if not self.size:
            return np.zeros(0)
        return np.asarray((self.matrix @ self.query_vector(weighted_terms).T).todense()).ravel()


# Words every listing and need on a patent marketplace carries, and deal words the rights and
# budget factors already weigh: as query terms they tell nothing about the technology ("专利" and
# "许可" made a road-paving listing look like a battery need's match). Dropped from queries only
# (as words and as character pairs), so the index needs no rebuild.
QUERY_STOP = frozenset(
    ["专利", "技术", "需求", "需要", "寻求", "用于", "可以", "相关", "我们", "公司", "发明", "领域"]
    + ["许可", "独占", "排他", "转让", "授权", "预算", "万元"]
    + ["patent", "technology", "invention", "need", "seeking", "looking", "our", "we", "company"]
    + ["licence", "license", "licensing", "exclusive", "exclusively", "non", "assignment", "budget"]
)


def query_terms(text: str, lexicon: Lexicon | None, cross_language: bool) -> dict[str, float]:
    """Query terms with weights: each distinct own term 1, each translated term TRANSLATION_WEIGHT;
    never a ``QUERY_STOP`` word."""
    terms = dict.fromkeys(tokens(text, lexicon), 1.0)
    if cross_language and lexicon is not None:
        for term in translated_tokens(text, lexicon):
            terms.setdefault(term, TRANSLATION_WEIGHT)
    return {t: w for t, w in terms.items() if t.removeprefix("w:") not in QUERY_STOP}
