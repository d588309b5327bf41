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

from .strategies import DEPTH_VALUES, INFER_TOP, WEAK_COVERAGE, levels
from .text import ideal_score, text_scale

K1, B = 1.2, 0.75  # as text.BM25Index
LEVEL_MARKS = {"class": "@c:", "subclass": "@s:", "main_group": "@m:", "subgroup": "@g:"}
MAX_QUERY_TERMS = 32  # a large index is probed with the query's most telling terms ...
PRUNE_ABOVE = 20_000  # ... above this many documents; the shortlist is then scored on every term
RESCORE = 4  # a pruned probe offers this many times the shortlist, re-ranked by their exact text
SAMPLE_STRIDE = 16  # top rows of a large score array: a 1/16 sample bounds the k-th best from below
ARRAYS = ("record_ids", "lengths", "active", "hashes", "indptr", "rows", "tf")
# The same postings document-major (each row's term indices into ``hashes`` and counts), so a
# shortlist is scored exactly by reading its own rows, not by searching every term's postings.
# Segments written before they existed still load (and are scored by searching the postings).
FORWARD = ("doc_indptr", "doc_terms", "doc_tf")
MAX_TF = np.iinfo(np.uint16).max  # counts are stored as uint16 (a term 65,535 times in one text: capped)


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
        self.forward = all(name in arrays for name in FORWARD)
        for name in FORWARD:
            setattr(self, name, np.asarray(arrays[name]) if self.forward else None)
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
        """From (term hash, row, count) triples, for rows sorted by record id."""
        if len(rows) and np.any(rows[1:] < rows[:-1]):  # document-major first
            by_row = np.argsort(rows, kind="stable")
            cols, rows, tf = cols[by_row], rows[by_row], tf[by_row]
            del by_row
        tf = np.minimum(tf, MAX_TF).astype(np.uint16)
        order = np.argsort(cols, kind="stable")  # stable: rows stay ascending within a term
        col_sorted = cols[order]
        hashes, starts = np.unique(col_sorted, return_index=True)
        del col_sorted
        indptr = np.append(starts, len(cols)).astype(np.int64)
        doc_terms = np.empty(len(cols), dtype=np.int32)
        doc_terms[order] = np.repeat(np.arange(len(hashes), dtype=np.int32), np.diff(indptr))
        per_row = np.bincount(rows, minlength=len(record_ids)) if len(rows) else np.zeros(len(record_ids))
        return cls(
            {
                "record_ids": record_ids,
                "lengths": lengths,
                "active": active,
                "hashes": hashes.astype(np.int64),
                "indptr": indptr,
                "rows": rows[order],
                "tf": tf[order],
                "doc_indptr": np.concatenate([[0], np.cumsum(per_row)]).astype(np.int64),
                "doc_terms": doc_terms,
                "doc_tf": tf,
            }
        )

    @classmethod
    def empty(cls) -> Segment:
        return cls.build([])

    def save(self, folder: Path, meta: Mapping) -> None:
        """Write the arrays and ``meta`` into a fresh folder, then move it into place atomically."""
        tmp = folder.with_name(folder.name + f".tmp{os.getpid()}")
        tmp.mkdir(parents=True, exist_ok=True)
        for name in ARRAYS + (FORWARD if self.forward else ()):
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
        names = [*ARRAYS, *(n for n in FORWARD if (folder / f"{n}.npy").exists())]
        arrays = {name: np.load(folder / f"{name}.npy", mmap_mode="r") for name in names}
        return cls(arrays), json.loads((folder / "meta.json").read_text(encoding="utf-8"))

    def row_of(self, record_ids: np.ndarray) -> np.ndarray:
        """Rows of these record ids, -1 where absent."""
        if not self.size:
            return np.full(len(record_ids), -1)
        pos = np.searchsorted(self.record_ids, record_ids)
        pos = np.minimum(pos, self.size - 1)
        return np.where(self.record_ids[pos] == record_ids, pos, -1)

    def locate(self, terms: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Each term's index in ``hashes`` (-1 if absent) and its postings' (start, end)."""
        if not terms or not len(self.hashes):
            return np.full(len(terms), -1), np.zeros((len(terms), 2), dtype=np.int64)
        wanted = np.asarray([term_hash(t) for t in terms], dtype=np.int64)
        pos = np.minimum(np.searchsorted(self.hashes, wanted), len(self.hashes) - 1)
        found = self.hashes[pos] == wanted
        spans = np.stack([self.indptr[pos], self.indptr[pos + 1]], axis=1)
        spans[~found] = 0
        return np.where(found, pos, -1), spans

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


@dataclass(frozen=True)
class TermStats:
    """The query terms present in the index, with their weights, idf and postings spans."""

    terms: list[str]
    weights: np.ndarray  # the query's weight of each term
    idf: np.ndarray
    spans: list[np.ndarray]  # per segment: (len(terms), 2) start and end of each term's postings
    slots: list[np.ndarray]  # per segment: each term's index in the segment's hashes, -1 if absent

    def value(self) -> np.ndarray:
        """How much a term can tell: weight x idf (rare, heavily weighted terms first)."""
        return self.weights * self.idf

    def subset(self, keep: np.ndarray) -> TermStats:
        return TermStats(
            [self.terms[i] for i in keep],
            self.weights[keep],
            self.idf[keep],
            [s[keep] for s in self.spans],
            [s[keep] for s in self.slots],
        )


class Postings:
    """Segments scored together; ``live[i]`` masks rows of segment i replaced later or inactive."""

    def __init__(self, segments: Sequence[Segment], live: Sequence[np.ndarray]) -> None:
        self.segments, self.live = list(segments), list(live)
        self.count = int(sum(int(m.sum()) for m in self.live))
        self.all_live = [bool(m.all()) for m in self.live]  # no dead rows to zero after scoring
        total = sum(float(s.lengths[m].sum()) for s, m in zip(self.segments, self.live, strict=True))
        self.avg = total / self.count if self.count and total > 0 else 1.0

    def term_stats(self, weighted_terms: Mapping[str, float]) -> TermStats:
        """Spans and idf of the query terms found in any segment (one binary search per segment).

        A term's document frequency counts live rows; in a segment larger than ``PRUNE_ABOVE`` it
        is the postings' length (rows replaced since the segment was built still count until the
        next rebuild: a difference of a few documents in the idf, and no pass over long postings)."""
        terms = list(weighted_terms)
        located = [seg.locate(terms) for seg in self.segments]
        slots, spans = [x[0] for x in located], [x[1] for x in located]
        df = np.zeros(len(terms), dtype=np.int64)
        for seg, live, span in zip(self.segments, self.live, spans, strict=True):
            if seg.size > PRUNE_ABOVE:
                df += span[:, 1] - span[:, 0]
            else:
                df += [int(live[seg.rows[a:b]].sum()) for a, b in span]
        keep = np.flatnonzero(df > 0)
        idf = np.log1p((self.count - df[keep] + 0.5) / (df[keep] + 0.5))
        weights = np.asarray([weighted_terms[terms[i]] for i in keep], dtype=np.float64)
        return TermStats(
            [terms[i] for i in keep], weights, idf, [s[keep] for s in spans], [s[keep] for s in slots]
        )

    def scores(self, stats: TermStats) -> list[np.ndarray]:
        """BM25 of every row over these terms (0 on dead rows): their postings gathered at once and
        summed per row by one ``np.bincount``, instead of a scatter per term."""
        out = []
        factor = stats.weights * stats.idf * (K1 + 1)
        for seg, live, all_live, span in zip(
            self.segments, self.live, self.all_live, stats.spans, strict=True
        ):
            counts = span[:, 1] - span[:, 0]
            if not seg.size or not counts.sum():
                out.append(np.zeros(seg.size))
                continue
            rows = np.concatenate([seg.rows[a:b] for a, b in span])
            tf = np.concatenate([seg.tf[a:b] for a, b in span]).astype(np.float64)
            norm = seg.lengths[rows] * (K1 * B / self.avg) + K1 * (1 - B)
            norm += tf
            tf *= np.repeat(factor, counts)
            tf /= norm
            scores = np.bincount(rows, weights=tf, minlength=seg.size)
            if not all_live:
                scores[~live] = 0.0
            out.append(scores)
        return out

    def scores_at(self, stats: TermStats, rows: Sequence[np.ndarray]) -> list[np.ndarray]:
        """BM25 over these terms of the given rows (ascending, per segment) only: the rows' own
        terms are read from the document-major arrays (or, in a segment without them, the rows are
        searched in each term's postings), so common terms' long postings cost nothing."""
        out = []
        factor = stats.weights * stats.idf * (K1 + 1)
        parts = zip(self.segments, self.live, stats.spans, stats.slots, rows, strict=True)
        for seg, live, span, slots, wanted in parts:
            scores = np.zeros(len(wanted))
            if len(wanted) and seg.forward:
                scores = self._forward_scores(seg, slots, factor, wanted)
            elif len(wanted):
                norm = seg.lengths[wanted] * (K1 * B / self.avg) + K1 * (1 - B)
                for (a, b), f in zip(span, factor, strict=True):
                    if b <= a:
                        continue
                    postings = seg.rows[a:b]
                    pos = np.minimum(np.searchsorted(postings, wanted), b - a - 1)
                    hit = np.flatnonzero(postings[pos] == wanted)
                    if hit.size:
                        tf = seg.tf[a + pos[hit]].astype(np.float64)
                        scores[hit] += f * tf / (tf + norm[hit])
            if len(wanted):
                scores[~live[wanted]] = 0.0
            out.append(scores)
        return out

    def _forward_scores(
        self, seg: Segment, slots: np.ndarray, factor: np.ndarray, wanted: np.ndarray
    ) -> np.ndarray:
        """BM25 of ``wanted`` rows from their document-major terms (one vectorised pass)."""
        present = slots >= 0
        query_slots, query_factor = slots[present], factor[present]
        starts, ends = seg.doc_indptr[wanted], seg.doc_indptr[wanted + 1]
        counts = ends - starts
        total = int(counts.sum())
        if not total or not len(query_slots):
            return np.zeros(len(wanted))
        owner = np.repeat(np.arange(len(wanted)), counts)
        at = np.arange(total) + np.repeat(starts - (np.cumsum(counts) - counts), counts)
        # Each vocabulary slot -> 1 + its query term's position (0: not a query term): one gather
        # per row term instead of a binary search (np.zeros is calloc: untouched pages cost nothing).
        lookup = np.zeros(len(seg.hashes), dtype=np.int32)
        lookup[query_slots] = np.arange(1, len(query_slots) + 1, dtype=np.int32)
        position = lookup[seg.doc_terms[at]]
        hit = np.flatnonzero(position)
        owner, tf = owner[hit], seg.doc_tf[at[hit]].astype(np.float64)
        norm = seg.lengths[wanted][owner] * (K1 * B / self.avg) + K1 * (1 - B)
        points = query_factor[position[hit] - 1] * tf / (tf + norm)
        return np.bincount(owner, weights=points, minlength=len(wanted))

    def bm25(self, weighted_terms: Mapping[str, float]) -> list[np.ndarray]:
        """BM25 per segment row (0 on dead rows); a weight multiplies the term's idf."""
        return self.scores(self.term_stats(weighted_terms))

    def select_terms(self, weighted_terms: Mapping[str, float], limit: int) -> dict[str, float]:
        """The ``limit`` terms with the largest weight x idf (df read from the postings' lengths)."""
        stats = self.term_stats(weighted_terms)
        chosen = probe_terms(stats, limit)
        return {stats.terms[i]: weighted_terms[stats.terms[i]] for i in chosen}

    def bm25_at(self, weighted_terms: Mapping[str, float], rows: Sequence[np.ndarray]) -> list[np.ndarray]:
        """Exact BM25 of the given rows (ascending, per segment) over every query term."""
        return self.scores_at(self.term_stats(weighted_terms), rows)

    def classification(self, codes: Sequence[str]) -> list[np.ndarray]:
        """The engine's depth value of the best shared level per row (same subgroup 1.0 ... class 0.25)."""
        out = [np.zeros(s.size) for s in self.segments]
        wanted = [levels(c) for c in codes]
        for level, value in reversed(DEPTH_VALUES):  # shallow first: deeper levels overwrite
            for prefix in {w[level] for w in wanted if w[level]}:
                for seg, best in zip(self.segments, out, strict=True):
                    start, end = seg._span(LEVEL_MARKS[level] + prefix)
                    best[seg.rows[start:end]] = value
        for best, live, all_live in zip(out, self.live, self.all_live, strict=True):
            if not all_live:
                best[~live] = 0.0
        return out

    def record_ids(self) -> list[np.ndarray]:
        return [np.asarray(s.record_ids) for s in self.segments]


def probe_terms(stats: TermStats, limit: int) -> np.ndarray:
    """Indices of the ``limit`` terms that tell most (weight x idf; ties: query order)."""
    if len(stats.terms) <= limit:
        return np.arange(len(stats.terms))
    return np.sort(np.argsort(-stats.value(), kind="stable")[:limit])


def top_rows(values: list[np.ndarray], k: int) -> list[tuple[int, int, float]]:
    """The k best (segment, row, value) with value > 0, best first (ties: lower segment, row)."""
    found: list[tuple[int, int, float]] = []
    for i, arr in enumerate(values):
        rows = _at_least_kth(arr, k)
        if not rows.size:
            continue
        best = rows[np.lexsort((rows, -arr[rows]))[:k]]  # ties: lower row
        found += [(i, int(r), float(arr[r])) for r in best]
    found.sort(key=lambda t: (-t[2], t[0], t[1]))
    return found[:k]


def _at_least_kth(arr: np.ndarray, k: int) -> np.ndarray:
    """The positive entries at least as large as the k-th largest (all of them, ties included).

    In a large array a strided sample's k-th largest is a lower bound of the whole array's (a
    subset's k-th largest can only be smaller), so one comparison pass keeps a few rows per
    sampled one instead of every positive row."""
    threshold = 0.0
    if arr.size > SAMPLE_STRIDE * k * 4:
        sample = arr[::SAMPLE_STRIDE]
        sample = sample[sample > 0]
        if sample.size >= k:
            threshold = float(np.partition(sample, sample.size - k)[sample.size - k])
    rows = np.flatnonzero(arr >= threshold) if threshold > 0 else np.flatnonzero(arr > 0)
    if rows.size > k:
        kth = np.partition(arr[rows], rows.size - k)[rows.size - k]
        rows = rows[arr[rows] >= kth]
    return rows


@dataclass(frozen=True)
class Shortlisted:
    """The best rows by text and field, with their exact BM25 and what the engine divides it by."""

    rows: list[tuple[int, int]]  # (segment, row), best first
    text: list[float]  # exact BM25 of each row over every query term
    scale: float  # text.text_scale of the pool's best BM25 and the query's ideal score
    ideal: float  # text.ideal_score of the query over the pool
    telling: dict[str, float]  # each query term the pool holds: weight x idf (names the reasons)


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
    """The ``size`` rows best by text and field, plus the best text rows, and the text scale.

    In a large index the text is first scored on the query's ``MAX_QUERY_TERMS`` most telling
    terms; the ``RESCORE`` x ``size`` best rows by that probe (and its best text rows) are then
    scored exactly over every term and the shortlist is the best of them (an approximation only
    of which rows are offered: a row the probe ranks below them is missed). ``infer_codes(rows)`` gives a need stated without codes the fields of
    its best text matches."""
    stats = postings.term_stats(weighted_terms)
    ideal = ideal_score(
        dict(weighted_terms), dict(zip(stats.terms, stats.idf.tolist(), strict=True)), postings.count
    )
    pruned = postings.count > PRUNE_ABOVE and len(stats.terms) > MAX_QUERY_TERMS
    probe = probe_terms(stats, MAX_QUERY_TERMS) if pruned else np.arange(len(stats.terms))
    text = postings.scores(stats.subset(probe))
    telling = dict(zip(stats.terms, stats.value().tolist(), strict=True))
    scale = text_scale(max((float(a.max()) for a in text if a.size), default=0.0), ideal)
    text_top = top_rows(text, size if pruned else INFER_TOP)
    # As the engine: only rows with more than a weak text match vote for a need's field.
    best_text = [(s, r) for s, r, v in text_top[:INFER_TOP] if v >= WEAK_COVERAGE * ideal]
    text_top = [(s, r) for s, r, _ in text_top]
    if not codes and scale > 0 and infer_codes is not None:
        codes = infer_codes(best_text)
    field = postings.classification(codes) if codes else None
    combined = [t * (text_weight / scale if scale > 0 else text_weight) for t in text]
    if field is not None:
        for c, f in zip(combined, field, strict=True):
            f *= class_weight  # our own array: scaled in place
            c += f
    if not pruned:
        best = [(s, r) for s, r, _ in top_rows(combined, size)]
        chosen = set(best)
        best += [key for key in text_top if key not in chosen]
        return Shortlisted(best, [float(text[s][r]) for s, r in best], scale, ideal, telling)
    # Pruned: RESCORE x size rows by the probe, then the best of them by their exact text.
    wide = {(s, r) for s, r, _ in top_rows(combined, size * RESCORE)}
    wide.update(text_top)
    per_segment = [np.array(sorted(r for s, r in wide if s == i), dtype=np.int64) for i in range(len(text))]
    exact = postings.scores_at(stats, per_segment)
    scale = text_scale(max((float(a.max()) for a in exact if a.size), default=0.0), ideal)
    exact_combined = []
    for i, (rows, values) in enumerate(zip(per_segment, exact, strict=True)):
        c = values * (text_weight / scale if scale > 0 else text_weight)
        if field is not None:
            c += field[i][rows]  # already weighted
        exact_combined.append(c)
    best = [(s, int(per_segment[s][j])) for s, j, _ in top_rows(exact_combined, size)]
    chosen = set(best)
    best += [
        key for s, j, _ in top_rows(exact, INFER_TOP) if (key := (s, int(per_segment[s][j]))) not in chosen
    ]
    value = {
        (i, int(r)): float(v)
        for i, rows in enumerate(per_segment)
        for r, v in zip(rows, exact[i], strict=True)
    }
    return Shortlisted(best, [value[key] for key in best], scale, ideal, telling)
