"""Matching speed and memory: top 20 matches for one need over N patents, and listing -> open needs.

Patents come from the catalogue benchmark's generator (real titles, abstract sentences and code
sets recombined, about 30 % Chinese), tokenized with the engine's tokenizer and built into one
base segment of the matching index (app/matching/engine/postings.py), saved as .npy files. A fresh
worker process then memory-maps the segment, as a web worker does, and answers needs:

  * shortlist: BM25 over all N patents (with cross-language expansion) + the classification depth
    through the code postings -> the 200 best (app/matching/index.shortlist's computation);
  * top 20: the shortlist ranked by the engine with every factor (rank() on 200 candidates, the
    pool's BM25 handed in), i.e. what "matches for my need" costs once records are loaded.

Listing -> needs: 10,000 open needs in their own segment; a listing's text and codes query it
for the 200 needs that share a term or a field (ranking.candidate_needs). Printed: build time,
p50/p95 latencies, and the query worker's resident memory (anonymous and file-backed pages).

    .venv/bin/python bench/matching_speed.py -n 100000
    .venv/bin/python bench/matching_speed.py -n 1000000 --workers 2
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import time
from decimal import Decimal
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

OUT = ROOT / "bench" / "data"
CHUNK = 20_000
SHORTLIST = 200
WEIGHTS = {"text": 0.4, "classification": 0.4}

_POOLS: dict | None = None


def _init(pools: dict) -> None:
    global _POOLS  # noqa: PLW0603  (worker-process state)
    _POOLS = pools


def patent_text(p: dict) -> str:
    return "\n".join(x for x in (p["title_zh"], p["title_en"], p["abstract_zh"], p["abstract_en"]) if x)


def patent_codes(p: dict) -> list[str]:
    return [code for _scheme, code, _main in p["codes"]]


def _chunk(bounds: tuple[int, int]):
    """Postings of patents [start, end): term hashes, rows, counts, lengths (a worker process)."""
    from collections import Counter

    from app.catalogue.search import crosslang
    from app.matching.engine.postings import code_terms, term_hash
    from bench.catalogue_generate import make_patent

    start, end = bounds
    cache: dict[str, int] = {}
    cols, rows, tfs, lengths = [], [], [], []
    from app.matching.engine.text import tokens

    for i in range(start, end):
        p = make_patent(i, _POOLS)
        counts = Counter(tokens(patent_text(p), crosslang))
        lengths.append(sum(counts.values()))
        for term, n in [*counts.items(), *((t, 1) for t in code_terms(patent_codes(p)))]:
            h = cache.get(term)
            if h is None:
                h = cache[term] = term_hash(term)
            cols.append(h)
            rows.append(i)
            tfs.append(n)
    return (
        np.asarray(cols, dtype=np.int64),
        np.asarray(rows, dtype=np.int32),
        np.asarray(tfs, dtype=np.float32),
        np.asarray(lengths, dtype=np.float32),
    )


def build(n: int, folder: Path, workers: int, pools: dict) -> float:
    from app.matching.engine.postings import Segment

    started = time.perf_counter()
    bounds = [(s, min(n, s + CHUNK)) for s in range(0, n, CHUNK)]
    parts = []
    with multiprocessing.Pool(workers, initializer=_init, initargs=(pools,)) as pool:
        for done, part in enumerate(pool.imap(_chunk, bounds), 1):
            parts.append(part)
            print(f"\r  tokenized {min(n, done * CHUNK):,} / {n:,}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    cols = np.concatenate([p[0] for p in parts])
    rows = np.concatenate([p[1] for p in parts])
    tfs = np.concatenate([p[2] for p in parts])
    lengths = np.concatenate([p[3] for p in parts])
    del parts
    segment = Segment.from_postings(
        np.arange(n, dtype=np.int64), lengths, np.ones(n, dtype=bool), cols, rows, tfs
    )
    del cols, rows, tfs
    segment.save(folder, {"watermark": None, "built_at": None, "documents": n})
    return time.perf_counter() - started


def replicate(source: Path, times: int, folder: Path) -> tuple[int, float]:
    """A segment of ``times`` copies of a built one (new record ids): N x times documents whose
    postings are ``times`` as long, for a large index without tokenizing that many texts."""
    from app.matching.engine.postings import Segment

    started = time.perf_counter()
    base, _meta = Segment.load(source)
    n = base.size
    counts = np.diff(np.asarray(base.indptr))
    term_of_posting = np.repeat(np.asarray(base.hashes), counts)
    rows = np.asarray(base.rows).astype(np.int32)
    segment = Segment.from_postings(
        np.arange(n * times, dtype=np.int64),
        np.tile(np.asarray(base.lengths), times),
        np.ones(n * times, dtype=bool),
        np.tile(term_of_posting, times),
        np.concatenate([rows + k * n for k in range(times)]).astype(np.int32),
        np.tile(np.asarray(base.tf), times),
    )
    segment.save(folder, {"watermark": None, "built_at": None, "documents": n * times})
    return n * times, time.perf_counter() - started


def rss() -> dict[str, int]:
    """Resident memory of this process in MB: total, anonymous, file-backed (memory-mapped index)."""
    out = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "RssAnon", "RssFile", "VmHWM"):
            out[key] = int(value.split()[0]) // 1024
    return out


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values) * 1000, q))


def query_worker(folder: Path, n: int, needs: int, queries: int, result) -> None:
    """A fresh process, like a web worker: map the index, answer needs, report times and memory."""
    from app.catalogue.search import crosslang
    from app.matching.engine import Candidate, NeedProfile, rank
    from app.matching.engine.postings import Postings, Segment, shortlist
    from app.matching.engine.strategies import Context
    from app.matching.engine.text import query_terms, tokens
    from bench.catalogue_generate import load_pools, make_patent

    pools = load_pools()
    crosslang.segment("锂电池正极材料")  # load the dictionary before measuring
    base = rss()
    segment, _meta = Segment.load(folder / "patents")
    live = np.ones(segment.size, dtype=bool)
    postings = Postings([segment], [live])
    rng = np.random.default_rng(7)
    asks = rng.integers(1, 500, size=SHORTLIST) * 10_000
    shortlist_times, top_times, text_terms = [], [], []
    for q in range(queries):
        need = make_patent(n + 1 + q, pools)  # an unseen patent's abstract is the need
        codes = tuple(patent_codes(need)[:2])
        text = patent_text(need)
        started = time.perf_counter()
        terms = query_terms(text, crosslang, cross_language=True)
        found = shortlist(postings, terms, codes, SHORTLIST)  # the code path of index.shortlist
        shortlisted = time.perf_counter()
        ids = [int(segment.record_ids[r]) for _s, r in found.rows]
        records = [make_patent(i, pools) for i in ids]  # stands in for loading the listings
        candidates = [
            Candidate(i, patent_text(p), tuple(patent_codes(p)), ask=Decimal(int(asks[k % len(asks)])))
            for k, (i, p) in enumerate(zip(ids, records, strict=True))
        ]
        paused = time.perf_counter()  # the app reads the candidates' terms from their index rows
        candidate_terms = [list(dict.fromkeys(tokens(c.text, crosslang))) for c in candidates]
        resumed = time.perf_counter()
        ctx = Context(lexicon=crosslang)
        ctx.cache[("text_scores", id(candidates), text)] = np.asarray(found.text)
        ctx.cache[("text_tokens", id(candidates))] = candidate_terms
        matches = rank(
            NeedProfile(text, codes, budget_max=Decimal(2_000_000)), candidates, context=ctx, limit=20
        )
        done = time.perf_counter()
        if len(matches) != 20:
            raise RuntimeError(f"{len(matches)} matches instead of 20")
        shortlist_times.append(shortlisted - started)
        top_times.append(done - started - (resumed - paused))
        text_terms.append(len(terms))
    after_needs = rss()

    # Listing -> needs: 10,000 open needs in their own (in-memory) segment.
    from collections import Counter

    from app.matching.engine.postings import Doc

    need_docs = []
    for i in range(needs):
        p = make_patent(5_000_000 + i, pools)
        need_docs.append(
            Doc(i, True, dict(Counter(tokens(patent_text(p), crosslang))), tuple(patent_codes(p)[:2]))
        )
    need_index = Postings([Segment.build(need_docs)], [np.ones(needs, dtype=bool)])
    del need_docs
    listing_times = []
    for q in range(queries):
        listing = make_patent(q * 7919 % n, pools)
        started = time.perf_counter()
        terms = query_terms(patent_text(listing), crosslang, cross_language=True)
        shortlist(need_index, terms, tuple(patent_codes(listing)), SHORTLIST)  # ranking.candidate_needs
        listing_times.append(time.perf_counter() - started)
    result.update(
        {
            "shortlist_p50": pct(shortlist_times, 50),
            "shortlist_p95": pct(shortlist_times, 95),
            "top20_p50": pct(top_times, 50),
            "top20_p95": pct(top_times, 95),
            "terms_per_need": float(np.mean(text_terms)),
            "listing_needs_p50": pct(listing_times, 50),
            "listing_needs_p95": pct(listing_times, 95),
            "rss_before_index": base,
            "rss_after_needs": after_needs,
            "rss_end": rss(),
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-n", type=int, default=100_000, help="patents in the index")
    parser.add_argument("--needs", type=int, default=10_000, help="open needs for listing -> needs")
    parser.add_argument("--queries", type=int, default=100, help="needs (and listings) timed")
    parser.add_argument("--workers", type=int, default=2, help="processes that tokenize the corpus")
    parser.add_argument("--folder", type=Path, help=f"where the segment goes (default {OUT}/matching_N)")
    parser.add_argument("--reuse", action="store_true", help="query an index built before")
    parser.add_argument(
        "--replicate",
        type=int,
        help="instead of building: copy the -n index this many times (needs it built)",
    )
    args = parser.parse_args()
    folder = args.folder or OUT / f"matching_{args.n}"
    from bench.catalogue_generate import load_pools

    if args.replicate:
        source = folder / "patents"
        folder = folder.with_name(f"{folder.name}_x{args.replicate}")
        args.n, seconds = replicate(source, args.replicate, folder / "patents")
        print(f"index of {args.n:,} documents replicated from {source} in {seconds:,.1f} s")
    elif not (args.reuse and (folder / "patents" / "meta.json").exists()):
        print(f"building the index of {args.n:,} patents into {folder} ...", file=sys.stderr)
        seconds = build(args.n, folder / "patents", args.workers, load_pools())
        print(f"index build: {seconds:,.1f} s ({args.workers} tokenizing processes)")
    size = sum(f.stat().st_size for f in (folder / "patents").iterdir()) / 2**20
    print(f"index on disk: {size:,.0f} MB")
    manager = multiprocessing.Manager()
    result = manager.dict()
    worker = multiprocessing.get_context("spawn").Process(
        target=query_worker, args=(folder, args.n, args.needs, args.queries, result)
    )
    worker.start()
    worker.join()
    r = dict(result)
    print(
        f"need -> top 20 of {args.n:,} patents, {args.queries} needs ({r['terms_per_need']:.0f} query terms on average):"
    )
    print(
        f"  index shortlist (BM25 + field over all patents): p50 {r['shortlist_p50']:.1f} ms, p95 {r['shortlist_p95']:.1f} ms"
    )
    print(
        f"  top 20 with every factor (shortlist + engine*):   p50 {r['top20_p50']:.1f} ms, p95 {r['top20_p95']:.1f} ms"
    )
    print(
        f"listing -> needs over {args.needs:,} open needs: p50 {r['listing_needs_p50']:.1f} ms, p95 {r['listing_needs_p95']:.1f} ms"
    )
    print(
        "  * excluding re-tokenizing the 200 candidates (the app reads their terms from matching_documents)"
    )
    for label, key in (
        ("before mapping the index", "rss_before_index"),
        ("after the needs", "rss_after_needs"),
        ("at the end (with 10,000 needs)", "rss_end"),
    ):
        m = r[key]
        print(
            f"  worker memory {label}: RSS {m['VmRSS']} MB (anonymous {m['RssAnon']} MB, mapped index/files {m['RssFile']} MB), peak {m['VmHWM']} MB"
        )


if __name__ == "__main__":
    main()
