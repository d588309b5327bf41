"""Matching speed and memory: top 20 matches for one need over N patents, and listing -> open needs.

Patents come from the catalogue benchmark's generator (real titles, abstract sentences and code
sets recombined, about 30 % Chinese), tokenized with the engine's tokenizer and built into one
base segment of the matching index (app/matching/engine/postings.py), saved as .npy files. A fresh
worker process then memory-maps the segment, as a web worker does, and answers needs:

  * shortlist: BM25 over all N patents (with cross-language expansion) + the classification depth
    through the code postings -> the 200 best (app/matching/index.shortlist's computation);
  * top 20: the shortlist ranked by the engine with every factor (rank() on 200 candidates, the
    pool's BM25 handed in), i.e. what "matches for my need" costs once records are loaded.

Listing -> needs: 10,000 open needs in their own segment (built by this script and mapped by
the worker, as the app maps the "need" segment of MATCHING_INDEX_DIR); a listing's text and codes
query it for the 200 needs that share a term or a field (ranking.candidate_needs). Printed: build
time, p50/p95 latencies in wall-clock time and in the worker's own CPU time (user + system, so a
loaded machine's waiting is left out), the load average, and the query worker's resident memory
(anonymous and file-backed pages).

Quality of the shortcuts (``--check N``): for N of the needs, the exact top 20 over the whole pool
(BM25 on every query term for every patent, the field, the budget: the engine's weights) against
the top 20 the fast path returns: the share of the exact top 20 found, and how often the best match
is the same.

    .venv/bin/python bench/matching_speed.py -n 100000
    .venv/bin/python bench/matching_speed.py -n 1000000 --workers 2
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
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
BUDGET = 2_000_000


def ask_of(record_id: int) -> int:
    """Each patent's asking price (about 40 % within the needs' budget)."""
    return (record_id * 7919 % 499 + 1) * 10_000


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
    meta = {"watermark": None, "built_at": None, "documents": n * times, "copies_of": n}
    segment.save(folder, meta)  # record i is a copy of patent i % n
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


def build_needs(count: int, folder: Path) -> None:
    """The open needs' segment (unseen generated patents as needs), saved for the worker to map."""
    from collections import Counter

    from app.catalogue.search import crosslang
    from app.matching.engine.postings import Doc, Segment
    from app.matching.engine.text import tokens
    from bench.catalogue_generate import load_pools, make_patent

    pools = load_pools()
    docs = []
    for i in range(count):
        p = make_patent(5_000_000 + i, pools)
        docs.append(
            Doc(i, True, dict(Counter(tokens(patent_text(p), crosslang))), tuple(patent_codes(p)[:2]))
        )
    Segment.build(docs).save(folder, {"watermark": None, "built_at": None, "documents": count})


def exact_top(postings, terms: dict[str, float], codes: tuple[str, ...], k: int) -> list[int]:
    """The k best record ids over the whole pool with no shortcut: BM25 on every query term for
    every row, the field's depth value and the budget fit, weighted as the engine does."""
    from app.matching.engine import DEFAULT_WEIGHTS as W
    from app.matching.engine.strategies import WEAK_COVERAGE, field_floor
    from app.matching.engine.text import ideal_score, text_scale

    stats = postings.term_stats(terms)
    [text] = postings.scores(stats)
    [field] = postings.classification(codes)
    [ids] = postings.record_ids()
    asks = (ids * 7919 % 499 + 1) * 10_000.0
    budget = np.where(asks <= BUDGET, 1.0, np.maximum(0.0, 1.0 - (asks - BUDGET) / BUDGET))
    ideal = ideal_score(terms, dict(zip(stats.terms, stats.idf.tolist(), strict=True)), postings.count)
    value = np.minimum(text / text_scale(float(text.max()), ideal), 1.0)
    total = W["text"] * value + W["classification"] * field + W["budget"] * budget
    weak = (text <= 0) | (text < WEAK_COVERAGE * ideal)
    total[weak & (field < field_floor(codes))] = 0.0  # not matches (engine.combine)
    best = np.argpartition(-total, k)[: k * 4]
    return [int(ids[r]) for r in sorted(best, key=lambda r: (-total[r], ids[r]))[:k]]


def query_worker(folder: Path, n: int, queries: int, check: int, result, rescore: int | None = None) -> None:
    """A fresh process, like a web worker: map the index, answer needs, report times and memory."""
    from app.catalogue.search import crosslang
    from app.matching.engine import postings as postings_module

    if rescore:  # measure another RESCORE without editing the code
        postings_module.RESCORE = rescore
    from app.matching.engine import Candidate, NeedProfile, rank
    from app.matching.engine.postings import Postings, Segment, shortlist
    from app.matching.engine.strategies import Context
    from app.matching.engine.text import query_terms, tokens
    from bench.catalogue_generate import load_pools, make_patent

    pools = load_pools()
    crosslang.segment("锂电池正极材料")  # load the dictionary before measuring
    base = rss()
    segment, meta = Segment.load(folder / "patents")
    source = meta.get("copies_of") or n  # a replicated index: record i is a copy of patent i % source
    live = np.ones(segment.size, dtype=bool)
    postings = Postings([segment], [live])
    times: dict[str, list[float]] = {k: [] for k in ("shortlist", "top", "shortlist_cpu", "top_cpu")}
    text_terms, checks = [], []
    for q in range(queries):
        need = make_patent(n + 1 + q, pools)  # an unseen patent's abstract is the need
        codes = tuple(patent_codes(need)[:2])
        text = patent_text(need)
        started, cpu_started = time.perf_counter(), time.process_time()
        terms = query_terms(text, crosslang, cross_language=True)
        found = shortlist(postings, terms, codes, SHORTLIST)  # the code path of index.shortlist
        shortlisted, cpu_shortlisted = time.perf_counter(), time.process_time()
        ids = [int(segment.record_ids[r]) for _s, r in found.rows]
        records = [make_patent(i % source, pools) for i in ids]  # stands in for loading the listings
        candidates = [
            Candidate(i, patent_text(p), tuple(patent_codes(p)), ask=Decimal(ask_of(i)))
            for i, p in zip(ids, records, strict=True)
        ]
        paused, cpu_paused = time.perf_counter(), time.process_time()  # the app reads the candidates'
        candidate_terms = [list(dict.fromkeys(tokens(c.text, crosslang))) for c in candidates]  # terms
        resumed, cpu_resumed = time.perf_counter(), time.process_time()  # from their index rows
        ctx = Context(lexicon=crosslang)
        ctx.cache[("text_scores", id(candidates), text)] = np.asarray(found.text)
        ctx.cache[("text_scale", id(candidates), text)] = found.scale
        ctx.cache[("text_ideal", id(candidates), text)] = found.ideal
        ctx.cache[("text_telling", id(candidates), text)] = found.telling
        ctx.cache[("text_tokens", id(candidates))] = candidate_terms
        matches = rank(
            NeedProfile(text, codes, budget_max=Decimal(BUDGET)), candidates, context=ctx, limit=20
        )
        done, cpu_done = time.perf_counter(), time.process_time()
        if len(matches) != 20:
            raise RuntimeError(f"{len(matches)} matches instead of 20")
        times["shortlist"].append(shortlisted - started)
        times["top"].append(done - started - (resumed - paused))
        times["shortlist_cpu"].append(cpu_shortlisted - cpu_started)
        times["top_cpu"].append(cpu_done - cpu_started - (cpu_resumed - cpu_paused))
        text_terms.append(len(terms))
        if q < check:
            checks.append((terms, codes, [m.candidate_id for m in matches]))
    after_needs = rss()

    # Listing -> needs: 10,000 open needs in their own segment, memory-mapped.
    need_segment, _meta = Segment.load(folder / "needs")
    need_index = Postings([need_segment], [np.ones(need_segment.size, dtype=bool)])
    listing_times, listing_cpu = [], []
    for q in range(queries):
        listing = make_patent(q * 7919 % n, pools)
        started, cpu_started = time.perf_counter(), time.process_time()
        terms = query_terms(patent_text(listing), crosslang, cross_language=True)
        shortlist(need_index, terms, tuple(patent_codes(listing)), SHORTLIST)  # ranking.candidate_needs
        listing_times.append(time.perf_counter() - started)
        listing_cpu.append(time.process_time() - cpu_started)
    result.update(
        {
            **{f"{k}_p{q}": pct(v, q) for k, v in times.items() for q in (50, 95)},
            "terms_per_need": float(np.mean(text_terms)),
            "listing_needs_p50": pct(listing_times, 50),
            "listing_needs_p95": pct(listing_times, 95),
            "listing_needs_cpu_p50": pct(listing_cpu, 50),
            "listing_needs_cpu_p95": pct(listing_cpu, 95),
            "rss_before_index": base,
            "rss_after_needs": after_needs,
            "rss_end": rss(),
        }
    )
    overlaps, same_best = [], []
    for terms, codes, fast in checks:  # after the memory figures: the exact scoring is no worker's
        exact = exact_top(postings, terms, codes, 20)
        overlaps.append(len(set(exact) & set(fast)) / 20)
        same_best.append(exact[0] == fast[0])
    result.update(
        {
            "checked": len(overlaps),
            "overlap": float(np.mean(overlaps)) if overlaps else None,
            "same_best": float(np.mean(same_best)) if same_best else None,
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
    parser.add_argument("--check", type=int, default=20, help="needs compared with the exact top 20")
    parser.add_argument(
        "--rescore", type=int, help="postings.RESCORE in the worker (rows rescored per shortlisted row)"
    )
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
    build_needs(args.needs, folder / "needs")
    manager = multiprocessing.Manager()
    result = manager.dict()
    worker = multiprocessing.get_context("spawn").Process(
        target=query_worker, args=(folder, args.n, args.queries, args.check, result, args.rescore)
    )
    load_before = os.getloadavg()
    worker.start()
    worker.join()
    load_after = os.getloadavg()
    r = dict(result)
    if args.rescore:
        print(f"RESCORE {args.rescore}")
    print(
        f"need -> top 20 of {args.n:,} patents, {args.queries} needs ({r['terms_per_need']:.0f} query terms on average);"
        f" wall-clock / worker CPU time:"
    )
    print(
        f"  index shortlist (BM25 + field over all patents): p50 {r['shortlist_p50']:.1f} / {r['shortlist_cpu_p50']:.1f} ms,"
        f" p95 {r['shortlist_p95']:.1f} / {r['shortlist_cpu_p95']:.1f} ms"
    )
    print(
        f"  top 20 with every factor (shortlist + engine*):   p50 {r['top_p50']:.1f} / {r['top_cpu_p50']:.1f} ms,"
        f" p95 {r['top_p95']:.1f} / {r['top_cpu_p95']:.1f} ms"
    )
    print(
        f"listing -> needs over {args.needs:,} open needs: p50 {r['listing_needs_p50']:.1f} / {r['listing_needs_cpu_p50']:.1f} ms,"
        f" p95 {r['listing_needs_p95']:.1f} / {r['listing_needs_cpu_p95']:.1f} ms"
    )
    print(
        "  * excluding re-tokenizing the 200 candidates (the app reads their terms from matching_documents)"
    )
    if r["checked"]:
        print(
            f"against the exact top 20 ({r['checked']} needs): {100 * r['overlap']:.1f} % of it found,"
            f" the same best match for {100 * r['same_best']:.0f} % of the needs"
        )
    print(
        "load average (1, 5, 15 min) before / after: "
        + " / ".join(", ".join(f"{x:.2f}" for x in load) for load in (load_before, load_after))
    )
    for label, key in (
        ("before mapping the index", "rss_before_index"),
        ("after the needs", "rss_after_needs"),
        ("at the end (with the needs mapped)", "rss_end"),
    ):
        m = r[key]
        print(
            f"  worker memory {label}: RSS {m['VmRSS']} MB (anonymous {m['RssAnon']} MB, mapped index/files {m['RssFile']} MB), peak {m['VmHWM']} MB"
        )


if __name__ == "__main__":
    main()
