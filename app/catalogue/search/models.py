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
# walks the rowid index backwards testing every row's tsvector (seconds for a rare word). One scan
# when the planner expects at most twice the hits still needed, else windows of rowids newest
# first, the first sized to hold about twice that, then four times wider. The SET clauses restore
# the caller's planner switches on return (SET LOCAL inside such a function stays inside it) and
# keep JIT compilation (tens of ms) out of these small queries; EXECUTE ... USING plans each
# statement for its own tsquery.
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
    expected float8;
    width numeric;
    top numeric;
    bottom numeric;
    got integer := 0;
    added integer;
    plan json;
BEGIN
    SELECT min(fts_rowid), max(fts_rowid) INTO low, high FROM search_index;
    IF low IS NULL THEN
        RETURN;
    END IF;
    SET LOCAL enable_indexscan = off;
    SET LOCAL enable_seqscan = off;
    FOREACH q IN ARRAY qs LOOP
        EXIT WHEN got >= cap;
        EXECUTE 'EXPLAIN (FORMAT JSON) SELECT fts_rowid FROM search_index WHERE tsv @@ $1' INTO plan USING q;
        expected := greatest(1.0, (plan -> 0 -> 'Plan' ->> 'Plan Rows')::float8);
        IF expected <= 2 * (cap - got) THEN  -- one scan: a window over everything needs no range
            RETURN QUERY EXECUTE 'SELECT fts_rowid FROM search_index WHERE tsv @@ $1'
                ' ORDER BY fts_rowid DESC LIMIT $2' USING q, cap - got;
            GET DIAGNOSTICS added = ROW_COUNT;
            got := got + added;
            CONTINUE;
        END IF;
        width := greatest(1, floor((high + 1 - low) * 2 * (cap - got) / expected));
        top := high + 1;
        WHILE got < cap AND top > low LOOP
            bottom := greatest(low, top - width);
            RETURN QUERY EXECUTE 'SELECT fts_rowid FROM search_index WHERE tsv @@ $1'
                ' AND fts_rowid >= $2 AND fts_rowid < $3 ORDER BY fts_rowid DESC LIMIT $4'
                USING q, bottom::bigint, top::bigint, cap - got;
            GET DIAGNOSTICS added = ROW_COUNT;
            got := got + added;
            top := bottom;
            width := width * 4;
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
    # documents.tsvector_literal: our tokens, title lexemes ("t:word") and CJK trigrams.
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
