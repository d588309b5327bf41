"""Matching quality on real patents with CPC labels, without a database.

A patent's text is the need, the patent itself is hidden, and a candidate is relevant when it
shares the CPC subclass (or, for the single-subclass Chinese sample, the main group). The text
strategy runs through ``engine.rank``: the same code path as the app's matches.
"""

from __future__ import annotations

import csv
import json
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from app.catalogue.search import crosslang
from app.matching.engine import DEFAULT_WEIGHTS, Candidate, NeedProfile, rank
from app.matching.engine.strategies import Context
from app.matching.engine.text import BM25Index

LANGS = ("en", "zh", "zh-en", "en-zh")
K = 10
_CODE = re.compile(r"[A-HY]\d\d[A-Z]\s*\d+/\d+")


def rank_texts(
    query_texts: Sequence[str],
    candidate_texts: Sequence[str],
    candidate_ids: Sequence[int],
    lang: str,
    *,
    query_ids: Sequence[int] | None = None,
) -> list[list[int]]:
    """Candidate indices best first for every query, by the app's text strategy: the matches only
    (a candidate that shares next to nothing with the query is no match, as in the app).

    ``lang`` is "en" or "zh", or "zh-en" / "en-zh" (queries in the first language, candidates in
    the second). Every query is expanded through the cross-language dictionary, as the app expands
    every need (``ranking.listing_matches``): a Chinese pool's texts may carry English words too.
    A candidate whose id equals the query's id (``query_ids``) is the hidden patent and left out.
    """
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}")
    candidates = [Candidate(int(i), t) for i, t in zip(candidate_ids, candidate_texts, strict=True)]
    ctx = app_context()
    position = {c.id: n for n, c in enumerate(candidates)}
    out = []
    for q, text in enumerate(query_texts):
        hidden = frozenset([query_ids[q]] if query_ids is not None else [])
        need = NeedProfile(text, exclude=hidden)
        matches = rank(need, candidates, weights={"text": 1.0}, context=ctx, limit=None)
        out.append([position[m.candidate_id] for m in matches])
    return out


def app_context() -> Context:
    """The engine's context as the app ranks with it: the dictionary, queries expanded."""
    return Context(lexicon=crosslang, cross_language=True)


@dataclass(frozen=True)
class Patent:
    id: int
    text: str
    codes: tuple[str, ...]  # what relevance is judged on (subclasses, or main groups)


def load_english(path: Path) -> list[Patent]:
    """PatentSBERTa claims: one 0/1 column per CPC subclass."""
    csv.field_size_limit(10**8)
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    header = rows[0]
    first = header.index("text") + 1
    return [
        Patent(
            n, row[first - 1], tuple(h for h, v in zip(header[first:], row[first:], strict=True) if v == "1")
        )
        for n, row in enumerate(rows[1:])
    ]


def load_chinese(path: Path, level: str = "subclass", first_id: int = 100_000) -> list[Patent]:
    """CNIPA abstracts with CPC subgroups; ``level`` "main_group" judges by G06F16-style prefixes."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    out = []
    for n, row in enumerate(r for r in rows if r["text"]):  # the files pad with empty rows
        codes = [c.replace(" ", "") for c in _CODE.findall(row["labels"])]
        keep = {c[:4] if level == "subclass" else c.split("/")[0] for c in codes}
        out.append(Patent(first_id + n, row["text"], tuple(sorted(keep))))
    return out


def metrics(ranked: Sequence[int], relevant: set[int], k: int = K) -> tuple[float, float, float]:
    """precision@k, reciprocal rank@k and nDCG@k (binary gains) of one ranking."""
    top = list(ranked[:k])
    hits = [1 if i in relevant else 0 for i in top]
    rr = next((1 / (n + 1) for n, h in enumerate(hits) if h), 0.0)
    dcg = sum(h / math.log2(n + 2) for n, h in enumerate(hits))
    ideal = sum(1 / math.log2(n + 2) for n in range(min(k, len(relevant))))
    return sum(hits) / k, rr, dcg / ideal if ideal else 0.0


Ranker = Callable[[list[Patent], list[Patent], str], list[list[int]]]


def per_need(ranker: Ranker, needs: list[Patent], pool: list[Patent], lang: str) -> np.ndarray:
    """P@10, RR@10, nDCG@10 (columns) of each need that has at least one relevant candidate."""
    judged = [
        (q, {i for i, c in enumerate(pool) if c.id != q.id and set(c.codes) & set(q.codes)}) for q in needs
    ]
    judged = [(q, rel) for q, rel in judged if rel]
    rankings = ranker([q for q, _ in judged], pool, lang)
    return np.array([metrics(r, rel) for r, (_, rel) in zip(rankings, judged, strict=True)]).reshape(-1, 3)


def evaluate(ranker: Ranker, needs: list[Patent], pool: list[Patent], lang: str) -> dict[str, float]:
    """Mean P@10, MRR@10, nDCG@10 over the needs that have at least one relevant candidate."""
    scores = per_need(ranker, needs, pool, lang)
    p, mrr, ndcg = scores.mean(axis=0) if len(scores) else (0.0, 0.0, 0.0)
    return {"queries": len(scores), "P@10": p, "MRR@10": mrr, "nDCG@10": ndcg}


def wins(data: Path, split: str, ranker: str = "combination", base: str = "baseline_bm25") -> list[dict]:
    """Per language, how many needs ``ranker`` ranks better / equal / worse than ``base`` (nDCG@10):
    how robust a difference of means is on a few needs."""
    rows = []
    for lang, (needs, pool) in datasets(data, split).items():
        a, b = (per_need(RANKERS[name], needs, pool, lang)[:, 2] for name in (ranker, base))
        better, worse = int((a > b + 1e-9).sum()), int((a < b - 1e-9).sum())
        rows.append({"lang": lang, "better": better, "equal": len(a) - better - worse, "worse": worse})
    return rows


def text_ranker(needs: list[Patent], pool: list[Patent], lang: str) -> list[list[int]]:
    """The app's text strategy, through ``rank_texts``."""
    return rank_texts(
        [q.text for q in needs],
        [c.text for c in pool],
        [c.id for c in pool],
        lang,
        query_ids=[q.id for q in needs],
    )


def combination_ranker(weights: Mapping[str, float]) -> Ranker:
    """The weighted combination (candidates carry their codes; the need's own codes stay hidden)."""

    def ranker(needs: list[Patent], pool: list[Patent], lang: str) -> list[list[int]]:
        candidates = [Candidate(c.id, c.text, c.codes) for c in pool]
        ctx = app_context()
        position = {c.id: n for n, c in enumerate(candidates)}
        return [
            [
                position[m.candidate_id]
                for m in rank(
                    NeedProfile(q.text, exclude=frozenset([q.id])),
                    candidates,
                    weights=weights,
                    context=ctx,
                    limit=None,
                )
            ]
            for q in needs
        ]

    return ranker


def _plain_tokens(text: str) -> list[str]:
    """Baseline tokens: lower-cased words and single Han characters, nothing else."""
    return re.findall(r"[a-z0-9]+|[\u4e00-\u9fff]", text.lower())


def _baseline(score: Callable[[list[list[str]], list[str]], np.ndarray]) -> Ranker:
    def ranker(needs: list[Patent], pool: list[Patent], lang: str) -> list[list[int]]:
        docs = [_plain_tokens(c.text) for c in pool]
        out = []
        for q in needs:
            s = score(docs, _plain_tokens(q.text))
            order = [int(i) for i in np.argsort(-s, kind="stable") if pool[i].id != q.id]
            out.append(order)
        return out

    return ranker


def _bm25_scores(docs: list[list[str]], query: list[str], cache: dict = {}) -> np.ndarray:  # noqa: B006
    # Keyed on the documents themselves, held by the cache: an id alone is reused once a list is
    # freed, and the next pool would be scored with the last pool's index.
    if cache.get("docs") is not docs:
        cache.update(docs=docs, index=BM25Index(docs))
    return cache["index"].scores(dict.fromkeys(query, 1.0))


def _tfidf_scores(docs: list[list[str]], query: list[str]) -> np.ndarray:
    df: dict[str, int] = {}
    for d in docs:
        for t in set(d):
            df[t] = df.get(t, 0) + 1
    n = len(docs)

    def vec(tokens: list[str]) -> dict[str, float]:
        counts: dict[str, float] = {}
        for t in tokens:
            if t in df:
                counts[t] = counts.get(t, 0) + 1
        v = {t: c * math.log(n / df[t]) for t, c in counts.items()}
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        return {t: x / norm for t, x in v.items()}

    qv = vec(query)
    return np.array([sum(qv.get(t, 0.0) * x for t, x in vec(d).items()) for d in docs])


RANKERS: dict[str, Ranker] = {
    "baseline_bm25": _baseline(_bm25_scores),
    "baseline_tfidf": _baseline(_tfidf_scores),
    "text": text_ranker,
    "classification": combination_ranker({"classification": 1.0}),
    "combination": combination_ranker(DEFAULT_WEIGHTS),
}


def datasets(data: Path, split: str) -> dict[str, tuple[list[Patent], list[Patent]]]:
    """(needs, candidate pool) per language on one split ("train" or "test"). Chinese tunes on its
    train and val files as one pool (19 patents each: one alone is too few to decide on)."""
    en = load_english(data / "patentsberta" / f"df_claim_cpc_{split}.csv")

    def chinese(level: str) -> list[Patent]:
        out: list[Patent] = []
        for name in ("train", "val") if split == "train" else ("test",):
            out += load_chinese(data / "cn-sample" / f"sample_{name}.csv", level, 100_000 + len(out))
        return out

    zh_groups = chinese("main_group")
    return {"en": (en, en), "zh": (zh_groups, zh_groups), "zh-en": (chinese("subclass"), en)}


def run(data: Path, split: str = "test", rankers: Mapping[str, Ranker] = RANKERS) -> list[dict]:
    """Every ranker on every language of the split: rows of figures."""
    rows = []
    for lang, (needs, pool) in datasets(data, split).items():
        for name, ranker in rankers.items():
            rows.append({"lang": lang, "ranker": name, **evaluate(ranker, needs, pool, lang)})
    return rows


def format_rows(rows: list[dict]) -> str:
    lines = [f"{'lang':6} {'ranker':16} {'queries':>7} {'P@10':>6} {'MRR@10':>7} {'nDCG@10':>8}"]
    lines += [
        f"{r['lang']:6} {r['ranker']:16} {r['queries']:7d} {r['P@10']:6.3f} {r['MRR@10']:7.3f} {r['nDCG@10']:8.3f}"
        for r in rows
    ]
    return "\n".join(lines)


def to_json(rows: list[dict]) -> str:
    return json.dumps([{k: (round(v, 4) if isinstance(v, float) else v) for k, v in r.items()} for r in rows])
