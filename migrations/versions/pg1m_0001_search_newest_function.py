"""search: PostgreSQL function search_newest(tsquery[], cap): the count pass, and the ranking levels, in one round trip each

Revision ID: pg1m_0001
Revises: incomefx_0001
Create Date: 2026-12-01 18:30:00

PostgreSQL only (SQLite counts in FTS5); the function's text is app.catalogue.search.models.PG_NEWEST_DDL,
copied here so that this revision keeps creating what it created when the model changes.
"""

from alembic import op

revision = "pg1m_0001"
down_revision = "incomefx_0001"
branch_labels = None
depends_on = None

NEWEST_DDL = """
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


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(NEWEST_DDL)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS search_newest(tsquery[], integer)")
