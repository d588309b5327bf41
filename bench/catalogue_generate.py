"""Scale the real patent records up to N patents in a database other benchmarks can reuse.

Reads the real records in /work/shared/data with the catalogue's own importers, then recombines
real titles, abstract/claim sentences, classification code sets, owners and dates into N patents
(about 30 % Chinese), written with the catalogue's schema (patents, codes, parties) and the search
index (search_documents + FTS5 / tsvector) exactly as the application's indexing writes it.

    .venv/bin/python bench/catalogue_generate.py                       # 1,000,000 -> bench/data/catalogue_1000000.sqlite
    .venv/bin/python bench/catalogue_generate.py -n 100000 --postgres postgresql+psycopg://postgres@127.0.0.1:5432/ipex_bench

Bulk path: executemany in large transactions with journal and sync off (SQLite), COPY (PostgreSQL);
record generation runs in a worker process while the main process writes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import glob
import json
import multiprocessing
import os
import random
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DATA = Path(os.environ.get("IPEX_SHARED_DATA", "/work/shared/data"))
OUT = ROOT / "bench" / "data"
CHUNK = 5000
SEED = 20261125
CN_SHARE = 0.30
CN_OWNERS = (
    "浙江大学",
    "杭州海康威视数字技术股份有限公司",
    "阿里巴巴集团控股有限公司",
    "之江实验室",
    "浙江吉利控股集团有限公司",
    "华为技术有限公司",
    "中国科学院宁波材料技术与工程研究所",
    "杭州电子科技大学",
    "宁德时代新能源科技股份有限公司",
    "浙江工业大学",
)
EN_JURISDICTIONS = (("US", 0.72), ("EP", 0.10), ("WO", 0.08), ("JP", 0.05), ("KR", 0.05))
STATUSES = (("granted", 0.55), ("pending", 0.25), ("lapsed", 0.1), ("expired", 0.07), ("invalidated", 0.03))

POOLS: dict = {}


def load_pools() -> dict:
    """Real titles, sentences, code sets, owners and dates from the shared data."""
    from app.catalogue.importers import import_file
    from app.catalogue.records import PatentRecord

    files = sorted(glob.glob(str(DATA / "uspto-xml" / "**" / "*.xml"), recursive=True))
    files += sorted(glob.glob(str(DATA / "patentsberta" / "*.csv")))
    files += sorted(glob.glob(str(DATA / "cn-sample" / "*.csv")))
    records = []
    for name in files:
        records += [r for r in import_file(name) if isinstance(r, PatentRecord)]
    en_sentences, cn_sentences = [], []
    for r in records:
        for text in (r.abstract_en, r.first_claim):
            if text:
                en_sentences += [  # NUL bytes (one mangled USPTO sentence) are not valid PostgreSQL text
                    s.strip().replace("\x00", "") + "."
                    for s in re.split(r"(?<=[.;])\s+", text)
                    if 30 < len(s) < 400
                ]
        if r.abstract_zh:
            cn_sentences += [s + "。" for s in re.split(r"[。；]", r.abstract_zh) if len(s) > 8]
    code_sets = [
        tuple((c.scheme, c.code, c.is_main) for c in r.classifications) for r in records if r.classifications
    ]
    return {
        "en_titles": sorted({r.title_en for r in records if r.title_en and len(r.title_en) < 200}),
        "cn_titles": sorted({r.title_zh for r in records if r.title_zh}),
        "en_sentences": en_sentences,
        "cn_sentences": cn_sentences,
        "code_sets": code_sets,
        "owners": sorted({o for r in records for o in (*r.owners, *r.applicants) if o}),
        "inventors": sorted({i for r in records for i in r.inventors if i})[:5000],
        "records": len(records),
    }


def _pick(rng: random.Random, weighted) -> str:
    x, total = rng.random(), 0.0
    for value, weight in weighted:
        total += weight
        if x < total:
            return value
    return weighted[-1][0]


def _body(rng: random.Random, sentences: list[str], target: int, joiner: str) -> str:
    parts, length = [], 0
    while length < target:
        sentence = rng.choice(sentences)
        parts.append(sentence)
        length += len(sentence)
    return joiner.join(parts)


def make_patent(i: int, pools: dict) -> dict:
    """One generated patent as plain values (deterministic in i)."""
    from app.catalogue.terms import expiry_date

    rng = random.Random(SEED * 1_000_003 + i)
    chinese = rng.random() < CN_SHARE
    jurisdiction = "CN" if chinese else _pick(rng, EN_JURISDICTIONS)
    if chinese:
        kind = _pick(rng, (("invention", 0.7), ("utility_model", 0.27), ("design", 0.03)))
    else:
        kind = _pick(rng, (("invention", 0.95), ("design", 0.05)))
    status = _pick(rng, STATUSES)
    filing = dt.date(1998, 1, 1) + dt.timedelta(days=rng.randrange(0, 26 * 365))
    grant = filing + dt.timedelta(days=rng.randrange(400, 1600)) if status != "pending" else None
    if grant and grant > dt.date(2026, 11, 1):
        grant, status = None, "pending"
    publication = filing + dt.timedelta(days=rng.randrange(180, 600))
    codes = list(rng.choice(pools["code_sets"]))
    if not any(main for _s, _c, main in codes):
        codes[0] = (codes[0][0], codes[0][1], True)
    owners = [rng.choice(CN_OWNERS)] if chinese else [rng.choice(pools["owners"])] if pools["owners"] else []
    return {
        "id": i,
        "jurisdiction": jurisdiction,
        "publication_number": f"{jurisdiction}{20_000_000 + i}",
        "kind_code": ("A" if kind == "invention" else "U" if kind == "utility_model" else "S")
        if chinese
        else ("B2" if grant else "A1"),
        "patent_type": kind,
        "title_zh": rng.choice(pools["cn_titles"]) if chinese else None,
        "title_en": None if chinese else rng.choice(pools["en_titles"]),
        "abstract_zh": _body(rng, pools["cn_sentences"], 260, "") if chinese else None,
        "abstract_en": None if chinese else _body(rng, pools["en_sentences"], 620, " "),
        "filing_date": filing,
        "publication_date": publication,
        "grant_date": grant,
        "expiry_date": expiry_date(jurisdiction, kind, filing, grant),
        "legal_status": status,
        "codes": codes,
        "owners": owners,
        "inventors": [rng.choice(pools["inventors"])] if pools["inventors"] and not chinese else [],
    }


def _source(p: dict):
    from app.catalogue import classification
    from app.catalogue.search.documents import Source, main_class_of

    ordered = sorted(p["codes"], key=lambda c: (not c[2], c[0] != "ipc"))
    codes = tuple(dict.fromkeys(classification.normalise(code, "cpc") for _s, code, _m in ordered))
    return Source(
        doc_type="patent",
        record_id=p["id"],
        titles=tuple(t for t in (p["title_zh"], p["title_en"]) if t),
        bodies=tuple(t for t in (p["abstract_zh"], p["abstract_en"]) if t),
        parties=tuple(p["owners"]),
        codes=codes,
        label=f"{p['jurisdiction']} {p['publication_number'][2:]} {p['kind_code']}",
        jurisdiction=p["jurisdiction"],
        legal_status=p["legal_status"],
        patent_type=p["patent_type"],
        main_class=main_class_of(codes),
        filing_date=p["filing_date"],
        grant_date=p["grant_date"],
        expiry_date=p["expiry_date"],
        sort_date=p["publication_date"],
    )


def build_chunk(args: tuple[int, int, bool]) -> dict:
    """Rows for patents [start, end): patents, codes, parties, search documents, FTS rows."""
    from app.catalogue import classification
    from app.catalogue.search import documents

    start, end, postgres = args
    now = dt.datetime(2026, 11, 25, tzinfo=dt.UTC).isoformat(sep=" ")
    patents, codes, parties, docs, fts, index = [], [], [], [], [], []
    for i in range(start, end):
        p = make_patent(i, POOLS)
        patents.append(
            (
                p["id"], p["jurisdiction"], p["publication_number"], p["kind_code"], p["patent_type"],
                p["title_zh"], p["title_en"], p["abstract_zh"], p["abstract_en"],
                p["filing_date"].isoformat(), p["publication_date"].isoformat(),
                p["grant_date"].isoformat() if p["grant_date"] else None,
                p["expiry_date"].isoformat() if p["expiry_date"] else None,
                p["legal_status"], json.dumps([p["jurisdiction"]]), '["bench"]', now, now,
            )
        )  # fmt: skip
        for position, (scheme, code, main) in enumerate(p["codes"]):
            key = classification.search_key(code, "cpc")
            codes.append((p["id"], scheme, code, key, code[:4] if len(code) >= 4 else None, main, position))
        for sequence, name in enumerate(p["owners"]):
            parties.append((p["id"], "owner", name[:300], sequence))
        for sequence, name in enumerate(p["inventors"]):
            parties.append((p["id"], "inventor", name[:300], sequence))
        source = _source(p)
        docs.append(documents.document_row(source))
        if postgres:
            index.append(documents.index_row(source))
        else:
            fts.append((source.fts_rowid, *documents.fts_columns(source).values()))
    return {"patents": patents, "codes": codes, "parties": parties, "docs": docs, "fts": fts, "index": index}


PATENT_COLUMNS = (
    "id, jurisdiction, publication_number, kind_code, patent_type, title_zh, title_en, abstract_zh, abstract_en, "
    "filing_date, publication_date, grant_date, expiry_date, legal_status, family_countries, generated_fields, "
    "created_at, updated_at"
)
DOC_COLUMNS = (
    "id", "doc_type", "record_id", "fts_rowid", "filing_date", "grant_date", "expiry_date", "sort_date",
    "value_cny", "price_cny", "deal_types", "source",
)  # fmt: skip
INDEX_COLUMNS = ("fts_rowid", "sort_key", "tsv")
INDEX_DDL = (
    ("ix_search_index_tsv", "CREATE INDEX ix_search_index_tsv ON search_index USING gin (tsv)"),
    ("ix_search_index_newest", "CREATE INDEX ix_search_index_newest ON search_index (sort_key, fts_rowid)"),
)


def _init_worker(pools: dict) -> None:
    POOLS.update(pools)


def _chunks(n: int, postgres: bool):
    return [(start, min(n + 1, start + CHUNK), postgres) for start in range(1, n + 1, CHUNK)]


def create_schema(url: str) -> None:
    from app import create_app
    from app.extensions import db
    from config import Config

    config = type("BenchConfig", (Config,), {"SQLALCHEMY_DATABASE_URI": url})
    app = create_app(config)
    with app.app_context():
        import app.catalogue.search.models  # noqa: F401

        db.drop_all()
        db.create_all()
        db.engine.dispose()


def write_sqlite(path: Path, n: int, pools: dict, workers: int) -> None:
    import sqlite3

    if path.exists():
        path.unlink()
    create_schema(f"sqlite:///{path}")
    con = sqlite3.connect(path, isolation_level=None)
    for pragma in (
        "journal_mode=OFF",
        "synchronous=OFF",
        "cache_size=-400000",
        "temp_store=MEMORY",
        "locking_mode=EXCLUSIVE",
    ):
        con.execute(f"PRAGMA {pragma}")
    fields = len(PATENT_COLUMNS.split(","))
    patent_sql = f"INSERT INTO patents ({PATENT_COLUMNS}, family_size, title_derived, moderation_status) VALUES ({','.join('?' * fields)}, 1, 0, 'published')"  # noqa: S608
    code_sql = "INSERT INTO patent_classifications (patent_id, scheme, code, search_key, subclass, is_main, position) VALUES (?,?,?,?,?,?,?)"
    party_sql = "INSERT INTO patent_parties (patent_id, role, name, sequence) VALUES (?,?,?,?)"
    doc_sql = f"INSERT INTO search_documents ({', '.join(DOC_COLUMNS)}) VALUES ({', '.join(':' + c for c in DOC_COLUMNS)})"  # noqa: S608
    fts_sql = "INSERT INTO search_fts (rowid, title, body, parties, meta) VALUES (?,?,?,?,?)"
    started, done = time.perf_counter(), 0
    with multiprocessing.Pool(workers, initializer=_init_worker, initargs=(pools,)) as pool:
        con.execute("BEGIN")
        for rows in pool.imap(build_chunk, _chunks(n, False)):
            con.executemany(patent_sql, rows["patents"])
            con.executemany(code_sql, rows["codes"])
            con.executemany(party_sql, rows["parties"])
            con.executemany(doc_sql, rows["docs"])
            con.executemany(fts_sql, rows["fts"])
            done += len(rows["patents"])
            if done % 100_000 < CHUNK:
                con.execute("COMMIT")
                con.execute("BEGIN")
                print(f"  {done:,} patents, {time.perf_counter() - started:.0f} s", flush=True)
        con.execute("COMMIT")
    t = time.perf_counter()
    con.execute("INSERT INTO search_fts(search_fts) VALUES ('optimize')")
    print(f"  FTS optimize {time.perf_counter() - t:.0f} s", flush=True)
    con.execute("ANALYZE")
    con.close()


def write_postgres(url: str, n: int, pools: dict, workers: int) -> None:
    import psycopg

    create_schema(url)
    conninfo = url.replace("postgresql+psycopg://", "postgresql://")
    started, done = time.perf_counter(), 0
    with (
        psycopg.connect(conninfo) as con,
        multiprocessing.Pool(workers, initializer=_init_worker, initargs=(pools,)) as pool,
    ):
        with con.cursor() as cur:
            for name, _ddl in INDEX_DDL:
                cur.execute(f"DROP INDEX IF EXISTS {name}")
        for rows in pool.imap(build_chunk, _chunks(n, True)):
            with con.cursor() as cur:
                cols = [c.strip() for c in PATENT_COLUMNS.split(",")]
                with cur.copy(
                    f"COPY patents ({', '.join(cols)}, family_size, title_derived, moderation_status) FROM STDIN"
                ) as copy:
                    for row in rows["patents"]:
                        copy.write_row((*row, 1, False, "published"))
                with cur.copy(
                    "COPY patent_classifications (patent_id, scheme, code, search_key, subclass, is_main, position) FROM STDIN"
                ) as copy:
                    for row in rows["codes"]:
                        copy.write_row(row)
                with cur.copy("COPY patent_parties (patent_id, role, name, sequence) FROM STDIN") as copy:
                    for row in rows["parties"]:
                        copy.write_row(row)
                with cur.copy(f"COPY search_documents ({', '.join(DOC_COLUMNS)}) FROM STDIN") as copy:
                    for doc in rows["docs"]:
                        copy.write_row([doc[c] for c in DOC_COLUMNS])
                _copy_index(cur, rows["index"])
            con.commit()
            done += len(rows["patents"])
            if done % 100_000 < CHUNK:
                print(f"  {done:,} patents, {time.perf_counter() - started:.0f} s", flush=True)
        with con.cursor() as cur:
            _create_index(cur)
            for table in (
                "patents",
                "patent_classifications",
                "patent_parties",
                "innovation_projects",
                "experts",
            ):
                sql = f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), coalesce(max(id), 1)) FROM {table}"  # noqa: S608
                cur.execute(sql)
        con.commit()
    with psycopg.connect(conninfo, autocommit=True) as con:
        con.execute("VACUUM ANALYZE")


# Columns rewritten when a generated corpus is copied in SQL (replicate_postgres): {k} is the copy's
# number, {n} the generated count. Ids and rowids move past every earlier copy (the rowid keeps its
# facet bits); publication / sort dates move back {k} days so "newest" does not tie copy against copy.
REPLICA_COLUMNS = {
    "patents": {
        "id": "id + {k} * {n}",
        "publication_number": "jurisdiction || (20000000 + id + {k} * {n})::text",
        "publication_date": "publication_date - {k}",
    },
    "patent_classifications": {"id": None, "patent_id": "patent_id + {k} * {n}"},
    "patent_parties": {"id": None, "patent_id": "patent_id + {k} * {n}"},
    "search_documents": {
        "id": "id + 4::bigint * {k} * {n}",
        "record_id": "record_id + {k} * {n}",
        "fts_rowid": "fts_rowid + ((4::bigint * {k} * {n}) << 21)",
        "sort_date": "sort_date - {k}",
    },
    "search_index": {
        "fts_rowid": "fts_rowid + ((4::bigint * {k} * {n}) << 21)",
        "sort_key": "sort_key - {k}",
        # the window lexemes of the copy's own rowid (documents.window_lexemes)
        "tsv": "ts_delete(tsv, ARRAY["
        + ", ".join(f"'_w{level or ''}_' || (fts_rowid >> {35 + 2 * level})" for level in range(4))
        + "]) || array_to_tsvector(ARRAY["
        + ", ".join(
            f"'_w{level or ''}_' || ((fts_rowid + ((4::bigint * {{k}} * {{n}}) << 21)) >> {35 + 2 * level})"
            for level in range(4)
        )
        + "])",
    },
}

REPLICA_ORIGINALS = {  # the generated rows, which every copy is made from
    "patents": "id <= {n}",
    "patent_classifications": "patent_id <= {n}",
    "patent_parties": "patent_id <= {n}",
    "search_documents": "record_id <= {n}",
    "search_index": "fts_rowid < ((4::bigint * {n} + 4) << 21)",
}


def replicate_postgres(url: str, copies: int) -> None:
    """Copy the generated patents in SQL until there are `copies` times as many (INSERT ... SELECT,
    minutes instead of hours at 1M), then build the search indexes and VACUUM ANALYZE. Term
    frequencies scale with the copies: the corpus is the same documents `copies` times over."""
    import psycopg

    conninfo = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(conninfo) as con, con.cursor() as cur:
        n = cur.execute("SELECT max(id) FROM patents").fetchone()[0]
        for name, _ddl in INDEX_DDL:
            cur.execute(f"DROP INDEX IF EXISTS {name}")
        for k in range(1, copies):
            t = time.perf_counter()
            for table, rewrites in REPLICA_COLUMNS.items():
                columns = [
                    c
                    for (c,) in cur.execute(
                        "SELECT column_name FROM information_schema.columns WHERE table_name = %s ORDER BY ordinal_position",
                        (table,),
                    )
                    if c not in rewrites or rewrites[c] is not None
                ]
                values = [rewrites[c].format(k=k, n=n) if c in rewrites else c for c in columns]
                cur.execute(
                    f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(values)} FROM {table} "  # noqa: S608
                    f"WHERE {REPLICA_ORIGINALS[table].format(n=n)}"
                )
            con.commit()
            print(f"  copy {k}: {(k + 1) * n:,} patents, {time.perf_counter() - t:.0f} s", flush=True)
        _create_index(cur)
        for table in ("patents", "patent_classifications", "patent_parties"):
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table}")  # noqa: S608
        con.commit()
    with psycopg.connect(conninfo, autocommit=True) as con:
        con.execute("VACUUM ANALYZE")


def _copy_index(cur, rows: list[dict]) -> None:
    with cur.copy(f"COPY search_index ({', '.join(INDEX_COLUMNS)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([row[c] for c in INDEX_COLUMNS])


def _create_index(cur) -> None:
    cur.execute("SET maintenance_work_mem = '1GB'")
    for name, ddl in INDEX_DDL:
        t = time.perf_counter()
        cur.execute(ddl)
        print(f"  {name} {time.perf_counter() - t:.0f} s", flush=True)


def _index_chunk(rows: list[tuple]) -> list[dict]:
    from app.catalogue.search import documents

    return [documents.packed_index_row(rowid, sort_date, bytes(blob)) for rowid, sort_date, blob in rows]


def _stored_documents(conninfo: str):
    """(fts_rowid, sort_date, source) of every stored document, in chunks, through a server cursor."""
    import psycopg

    with psycopg.connect(conninfo) as con, con.cursor(name="documents") as cur:
        cur.itersize = CHUNK
        cur.execute("SELECT fts_rowid, sort_date, source FROM search_documents ORDER BY fts_rowid")
        while rows := cur.fetchmany(CHUNK):
            yield rows


def reindex_postgres(url: str, workers: int) -> None:
    """Re-create search_index from the stored documents of a database (one generated before the
    index moved to its own table, or after the tokens changed), without regenerating it."""
    import psycopg

    from app.catalogue.search.models import SearchIndexEntry

    conninfo = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(conninfo) as con, con.cursor() as cur:
        cur.execute("ALTER TABLE search_documents DROP COLUMN IF EXISTS tsv")  # the old in-row index
        cur.execute("DROP TABLE IF EXISTS search_index")
        con.commit()
    from sqlalchemy import create_engine

    engine = create_engine(url)
    table = SearchIndexEntry.__table__
    table.create(engine, checkfirst=True)
    engine.dispose()
    started, done = time.perf_counter(), 0
    with psycopg.connect(conninfo) as con, multiprocessing.Pool(workers) as pool:
        with con.cursor() as cur:
            for name, _ddl in INDEX_DDL:
                cur.execute(f"DROP INDEX IF EXISTS {name}")
        for rows in pool.imap(_index_chunk, _stored_documents(conninfo)):
            with con.cursor() as cur:
                _copy_index(cur, rows)
            con.commit()
            done += len(rows)
            if done % 100_000 < CHUNK:
                print(f"  {done:,} index rows, {time.perf_counter() - started:.0f} s", flush=True)
        with con.cursor() as cur:
            _create_index(cur)
        con.commit()
    with psycopg.connect(conninfo, autocommit=True) as con:
        con.execute("VACUUM ANALYZE search_index")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=1_000_000, help="patents to generate (default 1,000,000)")
    parser.add_argument("--sqlite", type=Path, help="SQLite file (default bench/data/catalogue_<n>.sqlite)")
    parser.add_argument(
        "--postgres", help="PostgreSQL URL of an existing database to fill (its tables are replaced)"
    )
    parser.add_argument("--no-sqlite", action="store_true", help="only PostgreSQL")
    parser.add_argument("--workers", type=int, default=max(1, (os.cpu_count() or 2) - 1))
    parser.add_argument(
        "--reindex-postgres",
        action="store_true",
        help="only re-create search_index of the --postgres database from its stored documents",
    )
    parser.add_argument(
        "--replicate",
        type=int,
        metavar="K",
        help="PostgreSQL: copy the generated patents in SQL to K times as many (after generating -n, "
        "or alone with --replicate-only on a database generated before)",
    )
    parser.add_argument("--replicate-only", action="store_true", help="only the --replicate step")
    args = parser.parse_args()
    started = time.perf_counter()
    if args.replicate_only:
        replicate_postgres(args.postgres, args.replicate)
        print(f"PostgreSQL replicated x{args.replicate} in {time.perf_counter() - started:.0f} s")
        report_postgres_sizes(args.postgres)
        return
    if args.reindex_postgres:
        reindex_postgres(args.postgres, args.workers)
        print(f"PostgreSQL search_index re-created in {time.perf_counter() - started:.0f} s")
        report_postgres_sizes(args.postgres)
        return
    pools = load_pools()
    print(
        f"real records: {pools['records']:,} ({len(pools['en_titles']):,} English and {len(pools['cn_titles']):,} Chinese titles, "
        f"{len(pools['en_sentences']):,} + {len(pools['cn_sentences']):,} sentences, {len(pools['code_sets']):,} code sets); "
        f"{time.perf_counter() - started:.1f} s"
    )
    if not args.no_sqlite:
        path = args.sqlite or OUT / f"catalogue_{args.n}.sqlite"
        path.parent.mkdir(parents=True, exist_ok=True)
        t = time.perf_counter()
        write_sqlite(path, args.n, pools, args.workers)
        print(
            f"SQLite: {args.n:,} patents in {time.perf_counter() - t:.0f} s -> {path} ({path.stat().st_size / 2**30:.2f} GiB)"
        )
        report_sqlite_sizes(path)
    if args.postgres:
        t = time.perf_counter()
        write_postgres(args.postgres, args.n, pools, args.workers)
        print(f"PostgreSQL: {args.n:,} patents in {time.perf_counter() - t:.0f} s -> {args.postgres}")
        if args.replicate and args.replicate > 1:
            t = time.perf_counter()
            replicate_postgres(args.postgres, args.replicate)
            print(f"PostgreSQL: replicated x{args.replicate} in {time.perf_counter() - t:.0f} s")
        report_postgres_sizes(args.postgres)


def report_sqlite_sizes(path: Path) -> None:
    import sqlite3

    con = sqlite3.connect(path)
    try:
        rows = con.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC").fetchall()
    except sqlite3.OperationalError:
        return
    search = sum(
        size for name, size in rows if name.startswith(("search_", "ix_search_", "sqlite_autoindex_search"))
    )
    print(f"  search part (search_documents + FTS5 index + their indexes): {search / 2**20:,.0f} MiB")
    for name, size in rows[:12]:
        print(f"    {name:48s} {size / 2**20:9,.0f} MiB")


def report_postgres_sizes(url: str) -> None:
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as con:
        total = con.execute("SELECT pg_database_size(current_database())").fetchone()[0]
        docs = con.execute("SELECT pg_total_relation_size('search_documents')").fetchone()[0]
        heap = con.execute("SELECT pg_table_size('search_index')").fetchone()[0]
        gin = con.execute("SELECT pg_relation_size('ix_search_index_tsv')").fetchone()[0]
    print(
        f"  database {total / 2**30:.2f} GiB; search_documents with indexes {docs / 2**20:,.0f} MiB; "
        f"search_index table {heap / 2**20:,.0f} MiB, its GIN {gin / 2**20:,.0f} MiB"
    )


if __name__ == "__main__":
    main()
