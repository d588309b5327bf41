"""Search's own tables: one search document per published record, and the engine's index.

``search_documents`` is a plain table on every database. The full-text index beside it is
dialect-specific and built by hand-written DDL, hooked on the table's ``after_create`` so that
``create_all`` (tests) and the migration build the same thing:

* SQLite: ``search_fts``, a contentless FTS5 table (the ``ascii`` tokenizer over our own tokens,
  see ``tokens.py``) whose rowid encodes the document key and its facet values (``attrs.py``).
* PostgreSQL: ``search_index``, a narrow table (rowid, "newest" sort key, tsvector of the same
  tokens plus title and CJK trigram lexemes) with a GIN index. A hit costs a heap read of this
  table only, which stays small enough to be cached at a million documents; the wide
  ``search_documents`` row is read for the hits shown. On SQLite the table exists and stays empty.

A contentless index cannot delete a row without the exact text it indexed, so each document keeps
that text (``source``, compressed); snippets are cut from it too, so a result page never reads
the catalogue tables.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import DDL, BigInteger, Date, Index, LargeBinary, Numeric, String, Text, event, text
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db

FTS_TABLE = "search_fts"

SQLITE_FTS_DDL = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
    "title, body, parties, meta, content='', columnsize=0, tokenize=\"ascii tokenchars '_'\")"
)


# PostgreSQL's index walks in one round trip (backends.PostgresBackend.first): the newest hits of
# each of some mutually exclusive tsqueries in turn, newest first, until ``cap`` are found (the
# count pass: one query; ranking: one per level). As bitmap scans only: the planner otherwise
# walks the rowid index backwards testing every row's tsvector (seconds for a rare word).
# Newest first means windows of rowid blocks, each a GIN condition on the window lexemes of its
# blocks and groups of blocks (expr.WINDOW_SHIFT): ``q && ('_w1_61' | '_w_243')``, so a window costs only its own candidates'
# heap reads and phrase rechecks (a rowid range is applied after them when the planner thinks the
# query rare, which a phrase of frequent characters never is). The first window is sized from the
# planner's estimate when that says the query is frequent, else it is the newest block alone (the
# estimates of phrases and of ANDs of correlated lexemes are far too low); every later one from
# the hits per block seen so far, to hold about 1.25 times the hits still needed. When the rest is
# expected to hold at most twice those, it is one scan without windows. The SET clauses restore
# the caller's planner switches on return (SET LOCAL inside such a function stays inside it) and
# keep JIT compilation (tens of ms) out of these small queries; EXECUTE ... USING plans each
# statement for its own tsquery. Keep the shift (35), levels and prefixes equal to expr.py's.
PG_NEWEST_FUNCTION = "search_newest"
PG_NEWEST_DDL = """
CREATE OR REPLACE FUNCTION search_newest(qs tsquery[], cap integer)
RETURNS SETOF bigint LANGUAGE plpgsql VOLATILE
SET enable_indexscan = on SET enable_seqscan = on SET jit = off
AS $fn$
DECLARE
    q tsquery;
    low bigint;
    high bigint;
    top bigint;
    bottom bigint;
    blocks float8;
    walked bigint;
    found integer;
    expected float8;
    got integer := 0;
    added integer;
    plan json;
    win tsquery;
    lexemes text[];
    b bigint;
    lvl integer;
BEGIN
    SELECT min(fts_rowid) >> 35, max(fts_rowid) >> 35 INTO low, high FROM search_index;
    IF low IS NULL THEN
        RETURN;
    END IF;
    SET LOCAL enable_indexscan = off;
    SET LOCAL enable_seqscan = off;
    FOREACH q IN ARRAY qs LOOP
        EXIT WHEN got >= cap;
        EXECUTE 'EXPLAIN (FORMAT JSON) SELECT fts_rowid FROM search_index WHERE tsv @@ $1' INTO plan USING q;
        expected := greatest(1.0, (plan -> 0 -> 'Plan' ->> 'Plan Rows')::float8);
        blocks := CASE WHEN expected <= 2 * (cap - got) THEN 1
                       ELSE greatest(1, (high - low + 1) * 1.5 * (cap - got) / expected) END;
        top := high;
        walked := 0;
        found := 0;
        WHILE got < cap AND top >= low LOOP
            IF walked > 0 AND found::float8 * (top - low + 1) / walked <= 2 * (cap - got) THEN
                RETURN QUERY EXECUTE 'SELECT fts_rowid FROM search_index WHERE tsv @@ $1 AND fts_rowid < $2'
                    ' ORDER BY fts_rowid DESC LIMIT $3' USING q, (top + 1) << 35, cap - got;
                GET DIAGNOSTICS added = ROW_COUNT;
                got := got + added;
                EXIT;
            END IF;
            bottom := greatest(low, top - ceil(blocks)::bigint + 1);
            IF bottom = low AND top = high THEN
                RETURN QUERY EXECUTE 'SELECT fts_rowid FROM search_index WHERE tsv @@ $1'
                    ' ORDER BY fts_rowid DESC LIMIT $2' USING q, cap - got;
                GET DIAGNOSTICS added = ROW_COUNT;
                got := got + added;
                EXIT;
            END IF;
            lexemes := ARRAY[]::text[];
            b := top;
            WHILE b >= bottom LOOP  -- the fewest blocks and groups of 4, 16, 64 blocks that cover the window
                lvl := 3;
                WHILE lvl > 0 AND (mod(b + 1, 1 << (2 * lvl)) <> 0 OR b + 1 - (1 << (2 * lvl)) < bottom) LOOP
                    lvl := lvl - 1;
                END LOOP;
                lexemes := lexemes || ('_w' || CASE WHEN lvl = 0 THEN '' ELSE lvl::text END || '_' || (b >> (2 * lvl)));
                b := b - (1 << (2 * lvl));
            END LOOP;
            SELECT string_agg(quote_literal(l), ' | ')::tsquery INTO win FROM unnest(lexemes) AS l;
            RETURN QUERY EXECUTE 'SELECT fts_rowid FROM search_index WHERE tsv @@ ($1 && $2)'
                ' ORDER BY fts_rowid DESC LIMIT $3' USING q, win, cap - got;
            GET DIAGNOSTICS added = ROW_COUNT;
            got := got + added;
            found := found + added;
            walked := walked + (top - bottom + 1);
            top := bottom - 1;
            blocks := CASE WHEN found = 0 THEN 4 * walked ELSE 1.25 * (cap - got) * walked / found END;
        END LOOP;
    END LOOP;
END
$fn$
"""


class SearchDocument(db.Model):
    """What search knows about one published patent, project or expert."""

    __tablename__ = "search_documents"
    __table_args__ = (
        Index("ix_search_documents_record", "doc_type", "record_id", unique=True),
        Index("ix_search_documents_fts_rowid", "fts_rowid", unique=True),
    )

    # record_id * 4 + type code: stable across re-indexing, and the order ties are broken in.
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    doc_type: Mapped[str] = mapped_column(String(10))  # "patent" | "project" | "expert"
    record_id: Mapped[int]
    # id << 21 | facet bits: the FTS5 rowid, so counting facets never leaves the index.
    fts_rowid: Mapped[int] = mapped_column(BigInteger)
    filing_date: Mapped[dt.date | None] = mapped_column(Date)
    grant_date: Mapped[dt.date | None] = mapped_column(Date)
    expiry_date: Mapped[dt.date | None] = mapped_column(Date)  # remaining-term filter and sort
    sort_date: Mapped[dt.date | None] = mapped_column(Date)  # "newest": publication, filing or creation
    # Filled by enrichers that later capabilities register (valuation, market); NULL until then.
    value_cny: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))  # latest valuation midpoint
    price_cny: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))  # asking price of the active listing
    deal_types: Mapped[str | None] = mapped_column(String(100))  # active listing's deal types, ",a,b,"
    # zlib-compressed JSON of the indexed fields: exact deletes from the index, and snippets.
    source: Mapped[bytes] = mapped_column(LargeBinary)


class SearchIndexEntry(db.Model):
    """PostgreSQL's full-text index row of one search document (empty on SQLite, which has
    search_fts): only what the GIN, the facet counts and the "newest" order need."""

    __tablename__ = "search_index"
    __table_args__ = (
        Index("ix_search_index_tsv", "tsv", postgresql_using="gin", sqlite_where=text("tsv IS NOT NULL")),
        Index("ix_search_index_newest", "sort_key", "fts_rowid"),
    )

    # The document's rowid (search_documents.fts_rowid): key and facet bits.
    fts_rowid: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    # "newest" order without reading search_documents: days since 1970 of sort_date, NULL last.
    sort_key: Mapped[int | None]
    # documents.tsvector_literal: our tokens, title lexemes ("t:word"), CJK trigrams and the window lexeme.
    tsv: Mapped[str] = mapped_column(Text().with_variant(TSVECTOR(), "postgresql"))


event.listen(SearchDocument.__table__, "after_create", DDL(SQLITE_FTS_DDL).execute_if(dialect="sqlite"))
event.listen(SearchIndexEntry.__table__, "after_create", DDL(PG_NEWEST_DDL).execute_if(dialect="postgresql"))
event.listen(
    SearchIndexEntry.__table__,
    "before_drop",
    DDL(f"DROP FUNCTION IF EXISTS {PG_NEWEST_FUNCTION}(tsquery[], integer)").execute_if(dialect="postgresql"),
)
event.listen(
    SearchDocument.__table__,
    "before_drop",
    DDL(f"DROP TABLE IF EXISTS {FTS_TABLE}").execute_if(dialect="sqlite"),
)


def _leave_fts_tables_to_us() -> None:
    """Autogenerate must not drop the FTS5 table and its shadow tables (if core offers the hook)."""
    try:
        from app.core.models import UNMANAGED_TABLES
    except ImportError:  # an older core without the hook
        return
    UNMANAGED_TABLES.add(FTS_TABLE)


_leave_fts_tables_to_us()
