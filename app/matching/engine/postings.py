"""Term postings for the matching index: BM25 over segments that can live in memory-mapped files.

A segment holds documents term-major (CSC: for each term, the rows that contain it and how often),
so a query touches only the postings of its own terms. Terms are kept as 64-bit hashes in a sorted
array (no Python dict of the vocabulary: a million documents' vocabulary would not fit a worker).
Several segments are scored together with shared statistics (document count, document
frequencies and average length over the live rows of all of them), so a base segment built by a
rebuild plus a small segment of documents changed since gives exactly the scores of one segment
over the same documents. Scores equal ``text.BM25Index`` on the same documents.

Classification codes are indexed as extra terms per hierarchy level ("@s:H01M"); they never count
for document length or text scores.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .strategies import DEPTH_VALUES, INFER_TOP, levels

K1, B = 1.2, 0.75  # as text.BM25Index
LEVEL_MARKS = {"class": "@c:", "subclass": "@s:", "main_group": "@m:", "subgroup": "@g:"}
MAX_QUERY_TERMS = 32  # a large index is probed with the query's most telling terms ...
PRUNE_ABOVE = 20_000  # ... above this many documents; the shortlist is then scored on every term
ARRAYS = ("record_ids", "lengths", "active", "hashes", "indptr", "rows", "tf")


def term_hash(term: str) -> int:
    """A stable signed 64-bit hash of a term (the same in every process and build)."""
    return int.from_bytes(
        hashlib.blake2b(term.encode("utf-8"), digest_size=8).digest(), "little", signed=True
    )


def code_terms(codes: Iterable[str]) -> list[str]:
    """Index terms for the hierarchy levels of classification codes."""
    out: dict[str, None] = {}
    for code in codes:
        for level, value in levels(code).items():
            if value:
                out[LEVEL_MARKS[level] + value] = None
    return list(out)


@dataclass(frozen=True)
class Doc:
    """One document as the index stores it."""

    record_id: int
    active: bool
    terms: Mapping[str, int]  # text term -> count
    codes: Sequence[str] = ()


class Segment:
    """Immutable postings of some documents, rows sorted by record id."""

    def __init__(self, arrays: dict[str, np.ndarray]) -> None:
        for name in ARRAYS:  # plain views (a memmap's per-slice Python overhead adds up per term)
            setattr(self, name, np.asarray(arrays[name]))
        self.size = len(self.record_ids)

    @classmethod
    def build(cls, docs: Iterable[Doc]) -> Segment:
        docs = sorted(docs, key=lambda d: d.record_id)
        hashes: dict[str, int] = {}
        cols: list[int] = []
        rows: list[int] = []
        tfs: list[float] = []
        for r, doc in enumerate(docs):
            for term, count in [*doc.terms.items(), *((t, 1) for t in code_terms(doc.codes))]:
                cols.append(hashes.get(term) or hashes.setdefault(term, term_hash(term)))
                rows.append(r)
                tfs.append(count)
        return cls.from_postings(
            np.asarray([d.record_id for d in docs], dtype=np.int64),
            np.asarray([sum(d.terms.values()) for d in docs], dtype=np.float32),
            np.asarray([d.active for d in docs], dtype=bool),
            np.asarray(cols, dtype=np.int64),
            np.asarray(rows, dtype=np.int32),
            np.asarray(tfs, dtype=np.float32),
        )

    @classmethod
    def from_postings(
        cls,
        record_ids: np.ndarray,
        lengths: np.ndarray,
        active: np.ndarray,
        cols: np.ndarray,
        rows: np.ndarray,
        tf: np.ndarray,
    ) -> Segment:
        """From (term hash, row, count) triples whose rows ascend, for rows sorted by record id."""
        order = np.argsort(cols, kind="stable")  # stable: rows stay ascending within a term
        col_sorted = cols[order]
        hashes, starts = np.unique(col_sorted, return_index=True)
        del col_sorted
        return cls(
            {
                "record_ids": record_ids,
                "lengths": lengths,
                "active": active,
                "hashes": hashes.astype(np.int64),
                "indptr": np.append(starts, len(cols)).astype(np.int64),
                "rows": rows[order],
                "tf": tf[order],
            }
        )

    @classmethod
    def empty(cls) -> Segment:
        return cls.build([])

    def save(self, folder: Path, meta: Mapping) -> None:
        """Write the arrays and ``meta`` into a fresh folder, then move it into place atomically."""
        tmp = folder.with_name(folder.name + f".tmp{os.getpid()}")
        tmp.mkdir(parents=True, exist_ok=True)
        for name in ARRAYS:
            np.save(tmp / f"{name}.npy", getattr(self, name))
        (tmp / "meta.json").write_text(json.dumps(dict(meta)), encoding="utf-8")
        old = folder.with_name(folder.name + ".old")
        if folder.exists():
            folder.rename(old)
        tmp.rename(folder)
        if old.exists():
            for child in old.iterdir():
                child.unlink()
            old.rmdir()

    @classmethod
    def load(cls, folder: Path) -> tuple[Segment, dict]:
        """Memory-mapped: pages are read when a query touches them and shared between workers."""
        arrays = {name: np.load(folder / f"{name}.npy", mmap_mode="r") for name in ARRAYS}
        return cls(arrays), json.loads((folder / "meta.json").read_text(encoding="utf-8"))

    def row_of(self, record_ids: np.ndarray) -> np.ndarray:
        """Rows of these record ids, -1 where absent."""
        if not self.size:
            return np.full(len(record_ids), -1)
        pos = np.searchsorted(self.record_ids, record_ids)
        pos = np.minimum(pos, self.size - 1)
        return np.where(self.record_ids[pos] == record_ids, pos, -1)

    def _span(self, term: str) -> tuple[int, int]:
        return self.spans([term])[term]

    def spans(self, terms: Iterable[str]) -> dict[str, tuple[int, int]]:
        """Where each term's postings lie (one binary search for all of them); (0, 0) if absent."""
        terms = list(terms)
        if not terms or not len(self.hashes):
            return dict.fromkeys(terms, (0, 0))
        wanted = np.asarray([term_hash(t) for t in terms], dtype=np.int64)
        pos = np.minimum(np.searchsorted(self.hashes, wanted), len(self.hashes) - 1)
        found = self.hashes[pos] == wanted
        starts, ends = self.indptr[pos], self.indptr[pos + 1]
        return {
            t: (int(a), int(b)) if ok else (0, 0)
            for t, ok, a, b in zip(terms, found, starts, ends, strict=True)
        }

    def posting_count(self, term: str) -> int:
        start, end = self._span(term)
        return end - start

    def postings_view(self, term: str) -> tuple[np.ndarray, np.ndarray]:
        """The term's rows (ascending) and counts, as views of the (memory-mapped) arrays."""
        start, end = self._span(term)
        return self.rows[start:end], self.tf[start:end]

    def postings(self, term: str) -> tuple[np.ndarray, np.ndarray]:
        rows, tf = self.postings_view(term)
        return np.asarray(rows), np.asarray(tf)


class Postings:
    """Segments scored together; ``live[i]`` masks rows of segment i replaced later or inactive."""

    def __init__(self, segments: Sequence[Segment], live: Sequence[np.ndarray]) -> None:
        self.segments, self.live = list(segments), list(live)
        self.count = int(sum(int(m.sum()) for m in self.live))
        total = sum(float(s.lengths[m].sum()) for s, m in zip(self.segments, self.live, strict=True))
        self.avg = total / self.count if self.count and total > 0 else 1.0

    def bm25(self, weighted_terms: Mapping[str, float]) -> list[np.ndarray]:
        """BM25 per segment row (0 on dead rows); a weight multiplies the term's idf."""
        out = [np.zeros(s.size) for s in self.segments]
        spans = [seg.spans(weighted_terms) for seg in self.segments]
        for term, weight in weighted_terms.items():
            hits = [
                (s.rows[a:b], s.tf[a:b])
                for s, span in zip(self.segments, spans, strict=True)
                for a, b in (span[term],)
            ]
            alive = [m[rows] for m, (rows, _) in zip(self.live, hits, strict=True)]
            df = sum(int(a.sum()) for a in alive)
            if not df:
                continue
            idf = np.log1p((self.count - df + 0.5) / (df + 0.5))
            for seg, scores, (rows, tf), keep in zip(self.segments, out, hits, alive, strict=True):
                rows, tf = rows[keep], tf[keep].astype(np.float64)
                norm = K1 * (1 - B + B * seg.lengths[rows] / self.avg)
                scores[rows] += weight * idf * tf * (K1 + 1) / (tf + norm)
        return out

    def select_terms(self, weighted_terms: Mapping[str, float], limit: int) -> dict[str, float]:
        """The ``limit`` terms with the largest weight x idf (df read from the postings' lengths)."""
        if len(weighted_terms) <= limit:
            return dict(weighted_terms)
        value = {}
        spans = [seg.spans(weighted_terms) for seg in self.segments]
        for term, weight in weighted_terms.items():
            df = sum(b - a for span in spans for a, b in (span[term],))
            if df:
                value[term] = weight * np.log1p((self.count - df + 0.5) / (df + 0.5))
        chosen = sorted(value, key=lambda t: -value[t])[:limit]
        return {t: weighted_terms[t] for t in chosen}

    def bm25_at(self, weighted_terms: Mapping[str, float], rows: Sequence[np.ndarray]) -> list[np.ndarray]:
        """Exact BM25 of the given rows (ascending, per segment) over every query term.

        Only these rows' postings are read (a binary search per term), so scoring a shortlist
        costs little however common the terms are; the document frequency of a term in a large
        segment is its postings' length (rows replaced since the segment was built still count
        until the next rebuild: a difference of a few documents in the idf)."""
        out = [np.zeros(len(r)) for r in rows]
        spans = [seg.spans(weighted_terms) for seg in self.segments]
        for term, weight in weighted_terms.items():
            found = []
            df = 0
            for seg, live, wanted, span in zip(self.segments, self.live, rows, spans, strict=True):
                start, end = span[term]
                p_rows, p_tf = seg.rows[start:end], seg.tf[start:end]
                df += int(live[p_rows].sum()) if seg.size <= PRUNE_ABOVE else len(p_rows)
                pos = np.searchsorted(p_rows, wanted)
                pos = np.minimum(pos, max(len(p_rows) - 1, 0))
                hit = (p_rows[pos] == wanted) if len(p_rows) else np.zeros(len(wanted), dtype=bool)
                found.append((hit, np.where(hit, p_tf[pos] if len(p_rows) else 0, 0).astype(np.float64)))
            if not df:
                continue
            idf = np.log1p((self.count - df + 0.5) / (df + 0.5))
            for seg, scores, wanted, live, (hit, tf) in zip(
                self.segments, out, rows, self.live, found, strict=True
            ):
                norm = K1 * (1 - B + B * seg.lengths[wanted] / self.avg)
                scores += np.where(hit & live[wanted], weight * idf * tf * (K1 + 1) / (tf + norm), 0.0)
        return out

    def classification(self, codes: Sequence[str]) -> list[np.ndarray]:
        """The engine's depth value of the best shared level per row (same subgroup 1.0 ... class 0.25)."""
        out = [np.zeros(s.size) for s in self.segments]
        wanted = [levels(c) for c in codes]
        for level, value in reversed(DEPTH_VALUES):  # shallow first: deeper levels overwrite
            for prefix in {w[level] for w in wanted if w[level]}:
                for seg, best, live in zip(self.segments, out, self.live, strict=True):
                    rows, _ = seg.postings(LEVEL_MARKS[level] + prefix)
                    rows = rows[live[rows]]
                    best[rows] = np.maximum(best[rows], value)
        return out

    def record_ids(self) -> list[np.ndarray]:
        return [np.asarray(s.record_ids) for s in self.segments]


def top_rows(values: list[np.ndarray], k: int) -> list[tuple[int, int, float]]:
    """The k best (segment, row, value) with value > 0, best first (ties: lower segment, row)."""
    found: list[tuple[int, int, float]] = []
    for i, arr in enumerate(values):
        nonzero = np.flatnonzero(arr > 0)
        if not nonzero.size:
            continue
        n = min(k, nonzero.size)
        idx = nonzero[np.argpartition(-arr[nonzero], n - 1)[:n]]
        found += [(i, int(r), float(arr[r])) for r in idx]
    found.sort(key=lambda t: (-t[2], t[0], t[1]))
    return found[:k]


@dataclass(frozen=True)
class Shortlisted:
    """The best rows by text and field, with their exact BM25 and the pool's best BM25."""

    rows: list[tuple[int, int]]  # (segment, row), best first
    text: list[float]  # exact BM25 of each row over every query term
    top_text: float


def shortlist(
    postings: Postings,
    weighted_terms: Mapping[str, float],
    codes: Sequence[str],
    size: int,
    *,
    text_weight: float = 0.4,
    class_weight: float = 0.4,
    infer_codes=None,
) -> Shortlisted:
    """The ``size`` rows best by text and field, plus the best text rows (the engine's scale).

    ``infer_codes(rows)`` gives a need stated without codes the fields of its best text matches."""
    pruned = postings.count > PRUNE_ABOVE and len(weighted_terms) > MAX_QUERY_TERMS
    probe = postings.select_terms(weighted_terms, MAX_QUERY_TERMS) if pruned else weighted_terms
    text = postings.bm25(probe)
    top = max((float(a.max()) for a in text if a.size), default=0.0)
    if not codes and top > 0 and infer_codes is not None:
        codes = infer_codes([(s, r) for s, r, _ in top_rows(text, INFER_TOP)])
    field = postings.classification(codes) if codes else [np.zeros_like(a) for a in text]
    combined = []
    for t, f in zip(text, field, strict=True):
        c = t * (text_weight / top if top > 0 else text_weight)
        c += class_weight * f
        combined.append(c)
    best = [(s, r) for s, r, _ in top_rows(combined, size)]
    chosen = set(best)
    best += [(s, r) for s, r, _ in top_rows(text, INFER_TOP) if (s, r) not in chosen]
    if not pruned:
        return Shortlisted(best, [float(text[s][r]) for s, r in best], top)
    per_segment = [np.array(sorted(r for s, r in best if s == i), dtype=np.int64) for i in range(len(text))]
    exact = postings.bm25_at(weighted_terms, per_segment)
    value = {
        (i, int(r)): float(v)
        for i, rows in enumerate(per_segment)
        for r, v in zip(rows, exact[i], strict=True)
    }
    return Shortlisted(best, [value[key] for key in best], max(value.values(), default=0.0))
