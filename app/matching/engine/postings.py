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

from .strategies import DEPTH_VALUES, levels

K1, B = 1.2, 0.75  # as text.BM25Index
LEVEL_MARKS = {"class": "@c:", "subclass": "@s:", "main_group": "@m:", "subgroup": "@g:"}
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
        for name in ARRAYS:
            setattr(self, name, arrays[name])
        self.size = len(self.record_ids)

    @classmethod
    def build(cls, docs: Iterable[Doc]) -> Segment:
        docs = sorted(docs, key=lambda d: d.record_id)
        cols: list[int] = []
        rows: list[int] = []
        tfs: list[float] = []
        lengths = np.zeros(len(docs), dtype=np.float32)
        for r, doc in enumerate(docs):
            lengths[r] = sum(doc.terms.values())
            for term, count in doc.terms.items():
                cols.append(term_hash(term))
                rows.append(r)
                tfs.append(count)
            for term in code_terms(doc.codes):
                cols.append(term_hash(term))
                rows.append(r)
                tfs.append(1)
        col_arr = np.asarray(cols, dtype=np.int64)
        order = np.lexsort((np.asarray(rows, dtype=np.int64), col_arr))
        col_sorted = col_arr[order]
        hashes, starts = np.unique(col_sorted, return_index=True)
        indptr = np.append(starts, len(col_sorted)).astype(np.int64)
        return cls(
            {
                "record_ids": np.asarray([d.record_id for d in docs], dtype=np.int64),
                "lengths": lengths,
                "active": np.asarray([d.active for d in docs], dtype=bool),
                "hashes": hashes.astype(np.int64),
                "indptr": indptr,
                "rows": np.asarray(rows, dtype=np.int32)[order],
                "tf": np.asarray(tfs, dtype=np.float32)[order],
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

    def postings(self, term: str) -> tuple[np.ndarray, np.ndarray]:
        h = term_hash(term)
        i = int(np.searchsorted(self.hashes, h))
        if i >= len(self.hashes) or self.hashes[i] != h:
            return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32)
        start, end = int(self.indptr[i]), int(self.indptr[i + 1])
        return np.asarray(self.rows[start:end]), np.asarray(self.tf[start:end])


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
        for term, weight in weighted_terms.items():
            hits = [s.postings(term) for s in self.segments]
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
        if not arr.size:
            continue
        n = min(k, arr.size)
        idx = np.argpartition(-arr, n - 1)[:n]
        found += [(i, int(r), float(arr[r])) for r in idx if arr[r] > 0]
    found.sort(key=lambda t: (-t[2], t[0], t[1]))
    return found[:k]
