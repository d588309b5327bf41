"""Search latency over the generated catalogue, through the application's search service.

For each query type, p50/p95/p99 of ``search(session, SearchQuery(...))`` (hits + total + facet
counts, as the page needs them) beside the raw engine query on the same data (SQLite FTS5 MATCH of
the same tokens; PostgreSQL tsvector @@ tsquery). Queries are drawn from the corpus itself (words
and character runs of random documents' titles), so frequent terms come up as often as people type them.

    .venv/bin/python bench/catalogue_search.py                                   # bench/data/catalogue_1000000.sqlite
    .venv/bin/python bench/catalogue_search.py --postgres postgresql+psycopg://postgres@127.0.0.1:5432/ipex_bench
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SEED = 7


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000  # noqa: E731
    return f"{pick(0.5):7.1f} {pick(0.95):7.1f} {pick(0.99):7.1f}"


def draw_queries(session, n: int) -> dict[str, list[dict]]:
    """Query specs from random documents: their words, character runs, jurisdiction and status."""
    from sqlalchemy import func, select

    from app.catalogue.search.attrs import Attrs
    from app.catalogue.search.documents import unpack_source
    from app.catalogue.search.models import SearchDocument

    rng = random.Random(SEED)
    top = session.execute(select(func.max(SearchDocument.record_id))).scalar()
    english, chinese = [], []
    while len(english) < n or len(chinese) < n:
        ids = [rng.randrange(1, top + 1) * 4 for _ in range(200)]
        for row in session.execute(
            select(SearchDocument.fts_rowid, SearchDocument.source).where(SearchDocument.id.in_(ids))
        ):
            attrs = Attrs.unpack(row.fts_rowid & ((1 << 21) - 1))
            title = unpack_source(row.source)["titles"][0]
            spec = {"jurisdictions": (attrs.jurisdiction,), "statuses": (attrs.legal_status,)}
            runs = re.findall(r"[\u4e00-\u9fff]{3,}", title)
            if runs and len(chinese) < n:
                chinese.append({**spec, "title": runs[0]})
            words = [
                w for w in re.findall(r"[a-z]{3,}", title.lower()) if w not in {"the", "and", "for", "with"}
            ]
            if words and len(english) < n:
                english.append({**spec, "words": rng.sample(words, min(len(words), rng.choice((1, 2))))})
    out = {"en": [], "zh3": [], "zh2": []}
    for spec in english:
        out["en"].append(
            {
                "text": " ".join(spec["words"]),
                "jurisdictions": spec["jurisdictions"],
                "statuses": spec["statuses"],
            }
        )
    for spec in chinese:
        run = spec["title"]
        start = rng.randrange(0, len(run) - 2)
        length = 3 if len(run) - start == 3 else rng.choice((3, 4))
        out["zh3"].append({"text": run[start : start + length], "statuses": spec["statuses"], "kinds": ()})
        start = rng.randrange(0, len(run) - 1)
        out["zh2"].append({"text": run[start : start + 2], "statuses": spec["statuses"], "kinds": ()})
    return out


def raw_sqlite(session, spec: dict, count: bool = False, facets: bool = False, newest: bool = False) -> None:
    """The engine alone: FTS5 MATCH of the same tokens and filter tokens, top 20 by rowid or count."""
    from sqlalchemy import text

    from app.catalogue.search.expr import Tok, and_, or_, to_fts5
    from app.catalogue.search.tokens import parse_query

    nodes = [Tok(t.tokens, t.prefix) for t in parse_query(spec.get("text", ""))]
    for marker, key in (("j", "jurisdictions"), ("s", "statuses")):
        if spec.get(key):
            nodes.append(or_(*(Tok((f"_{marker}_{v.lower()}",)) for v in spec[key])))
    match = to_fts5(and_(*nodes))
    if facets:
        sql = "SELECT rowid & 2097151, count(*) FROM search_fts WHERE search_fts MATCH :m GROUP BY 1"
    elif count:
        sql = "SELECT count(*) FROM search_fts WHERE search_fts MATCH :m"
    elif newest:
        sql = (
            "SELECT f.rowid FROM search_fts f JOIN search_documents d ON d.fts_rowid = f.rowid"
            " WHERE search_fts MATCH :m ORDER BY d.sort_date DESC LIMIT 20"
        )
    else:
        sql = "SELECT rowid FROM search_fts WHERE search_fts MATCH :m ORDER BY rowid DESC LIMIT 20"
    session.execute(text(sql), {"m": match}).all()


def raw_postgres(
    session, spec: dict, count: bool = False, facets: bool = False, newest: bool = False
) -> None:
    from sqlalchemy import text

    from app.catalogue.search.expr import Tok, and_, or_, to_tsquery
    from app.catalogue.search.tokens import parse_query

    nodes = [Tok(t.tokens, t.prefix) for t in parse_query(spec.get("text", ""))]
    for marker, key in (("j", "jurisdictions"), ("s", "statuses")):
        if spec.get(key):
            nodes.append(or_(*(Tok((f"_{marker}_{v.lower()}",)) for v in spec[key])))
    q = to_tsquery(and_(*nodes))
    where = "FROM search_index WHERE tsv @@ CAST(:q AS tsquery)"
    if facets:
        sql = f"SELECT fts_rowid & 2097151, count(*) {where} GROUP BY 1"
    elif count:
        sql = f"SELECT count(*) {where}"
    elif newest:
        sql = f"SELECT fts_rowid {where} ORDER BY sort_key DESC NULLS LAST LIMIT 20"
    else:
        sql = f"SELECT fts_rowid {where} ORDER BY fts_rowid DESC LIMIT 20"
    session.execute(text(sql), {"q": q}).all()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sqlite", type=Path, default=ROOT / "bench" / "data" / "catalogue_1000000.sqlite")
    parser.add_argument(
        "--postgres", help="PostgreSQL URL filled by catalogue_generate.py (instead of SQLite)"
    )
    parser.add_argument("-n", type=int, default=200, help="queries per type (default 200)")
    args = parser.parse_args()

    from app import create_app
    from app.catalogue.search import SearchQuery, search
    from app.extensions import db
    from config import Config

    url = args.postgres or f"sqlite:///{args.sqlite}"
    app = create_app(type("BenchConfig", (Config,), {"SQLALCHEMY_DATABASE_URI": url}))
    raw = raw_postgres if args.postgres else raw_sqlite
    with app.app_context():
        session = db.session
        if not args.postgres:
            session.execute(db.text("PRAGMA cache_size=-500000"))
            session.execute(db.text("PRAGMA mmap_size=4000000000"))
        t = time.perf_counter()
        specs = draw_queries(session, args.n)
        print(f"{url}: {args.n} queries per type drawn in {time.perf_counter() - t:.1f} s")
        if args.postgres:
            settings = ("server_version", "shared_buffers", "effective_cache_size", "work_mem")
            shown = {name: session.execute(db.text(f"SHOW {name}")).scalar() for name in settings}
            print("server: " + ", ".join(f"{name} {value}" for name, value in shown.items()))
        print(
            "load average at start: {:.2f} {:.2f} {:.2f} ({} cores)".format(*os.getloadavg(), os.cpu_count())
        )
        print(
            f"{'query (ms)':58s} {'ours p50':>8s} {'p95':>7s} {'p99':>7s}   {'raw p50':>7s} {'p95':>7s} {'p99':>7s}  mean hits"
        )
        cases = [
            ("English 1-2 words + jurisdiction + status, top 20", "en", {}, {}),
            ("Chinese 3-4 characters + legal status, top 20", "zh3", {}, {}),
            ("Chinese 2 characters + legal status, top 20", "zh2", {}, {}),
            ("count of hits, English + 2 filters", "en", {"count": True}, {}),
            ("count of hits, Chinese 2 characters + status", "zh2", {"count": True}, {}),
            ("English, no filter, top 20", "en", {}, {"jurisdictions": (), "statuses": ()}),
            ("English + 2 filters, sorted newest first, top 20", "en", {"newest": True}, {"sort": "newest"}),
            (
                "facet counts (jurisdiction/kind/status/IPC), English",
                "en",
                {"facets": True},
                {"jurisdictions": (), "statuses": ()},
            ),
        ]
        for label, key, raw_kind, override in cases:
            ours, engine, totals = [], [], []
            for spec in specs[key][:5]:  # warm-up
                search(session, SearchQuery(**{**spec, **override}))
            for spec in specs[key]:
                spec = {**spec, **override}
                query = SearchQuery(**{k: v for k, v in spec.items() if v is not None})
                t = time.perf_counter()
                result = search(session, query)
                ours.append(time.perf_counter() - t)
                totals.append(result.total)
                t = time.perf_counter()
                raw(session, spec, **raw_kind)
                engine.append(time.perf_counter() - t)
            print(f"{label:58s} {percentiles(ours)}   {percentiles(engine)}  {statistics.mean(totals):9,.0f}")
        print("ours = search() with hits, total and all facet counts (every row above does all three);")
        print("raw  = the one engine query named in the row, on the same tokens and filter tokens.")
        t = time.perf_counter()
        result = search(session, SearchQuery())
        print(
            f"browse everything (no text, no filter, with facets): {1000 * (time.perf_counter() - t):.0f} ms, {result.total:,} records"
        )
        print("load average at end: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()
