"""search: window lexemes (rowid >> 35, 37, 39, 41) in search_index's tsvectors, and search_newest walking windows of them

Revision ID: pgwin_0001
Revises: pg1m_0001
Create Date: 2026-12-01 22:00:00

PostgreSQL only (SQLite's FTS5 tokens do not change). Every index row gains the lexemes of its rowid's
block and groups of blocks in SQL, exactly what documents.tsvector_literal now writes, so no `flask catalogue reindex` is
needed; the GIN is dropped for the update and built again (faster than updating it row by row).
The function's text is app.catalogue.search.models.PG_NEWEST_DDL, copied here (the downgrade reads
pg1m_0001's from its file) so that this revision keeps creating what it created when the model changes.
"""

import importlib.util
from pathlib import Path

from alembic import op

revision = "pgwin_0001"
down_revision = "pg1m_0001"
branch_labels = None
depends_on = None

# documents.window_lexemes: the rowid's block, and its groups of 4, 16 and 64 blocks
WINDOW = "'_w_' || (fts_rowid >> 35), '_w1_' || (fts_rowid >> 37), '_w2_' || (fts_rowid >> 39), '_w3_' || (fts_rowid >> 41)"
GIN = "CREATE INDEX ix_search_index_tsv ON search_index USING gin (tsv)"

NEWEST_DDL = """
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


def _previous_newest_ddl() -> str:
    """pg1m_0001's function, from that revision's own file (the downgrade restores exactly it)."""
    path = Path(__file__).with_name("pg1m_0001_search_newest_function.py")
    spec = importlib.util.spec_from_file_location("pg1m_0001", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.NEWEST_DDL


def _retokenize(expression: str) -> None:
    op.execute("DROP INDEX IF EXISTS ix_search_index_tsv")
    op.execute(f"UPDATE search_index SET tsv = {expression}")  # noqa: S608  (constant SQL)
    op.execute(GIN)


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        _retokenize(f"tsv || array_to_tsvector(ARRAY[{WINDOW}])")
        op.execute(NEWEST_DDL)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        _retokenize(f"ts_delete(tsv, ARRAY[{WINDOW}])")
        op.execute(_previous_newest_ddl())
