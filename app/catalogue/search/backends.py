"""The two index backends: the same expressions and the same ordering, different engines.

Both order by the document's rowid (record id * 4 + type, then facet bits) within a rank tier,
and both count facets by grouping the rowids' low bits, so their results are identical.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass

from sqlalchemy import bindparam, delete, insert, text
from sqlalchemy.orm import Session

from app.catalogue.search import documents
from app.catalogue.search.attrs import field_mask
from app.catalogue.search.expr import Node, to_fts5, to_tsquery
from app.catalogue.search.models import FTS_TABLE, PG_NEWEST_FUNCTION, SearchIndexEntry

# Sort orders other than relevance: a search_documents column, newest/largest first, NULLs last.
ORDER_COLUMNS = {"newest": "sort_date", "remaining_term": "expiry_date", "value": "value_cny"}


@dataclass(frozen=True, slots=True)
class Condition:
    """An exact SQL condition on the search_documents row ``d`` (date bounds, market filters),
    or, with ``document=False``, on the index rowid alone (packed facet values, a list of hits),
    written as ``{rowid}`` when the condition is not backend-specific."""

    sql: str
    params: dict
    document: bool = True


@dataclass(frozen=True, slots=True)
class FacetFilter:
    """A filter on packed facet values: index tokens (``node``), or the same test on the rowid's
    low bits (``fields``: field name -> allowed codes). Both select exactly the same documents."""

    node: Node
    fields: tuple[tuple[str, tuple[int, ...]], ...]

    def matches(self, rowid: int) -> bool:
        for name, codes in self.fields:
            shift, mask = field_mask(name)
            if (rowid >> shift) & mask not in codes:
                return False
        return True

    def sql(self, rowid: str) -> str:
        parts = []
        for name, codes in self.fields:
            shift, mask = field_mask(name)
            parts.append(f"(({rowid} >> {shift}) & {mask}) IN ({', '.join(str(int(c)) for c in codes)})")
        return " AND ".join(parts)


# A facet filter that keeps more than this share of documents is tested on rowid bits instead of
# intersecting its (long) token list in FTS5: "battery" + US + granted walks 13,500 postings instead
# of seeking through two lists of 500,000+ (17 ms -> 1 ms at 1M). Rarer values stay tokens.
BITS_SHARE = 0.15
SAMPLE_TTL = 600  # seconds a process keeps its sample of facet shares
_samples: dict[str, tuple[float, list[int], dict]] = {}
FIRST_WINDOW = 64  # the SQLite count pass starts with the newest 1/64 of the rowid range


def _where(conditions: list[Condition], rowid: str) -> tuple[str, dict]:
    """SQL of the conditions; ``{rowid}`` in a condition names the backend's rowid column."""
    params: dict = {}
    for condition in conditions:
        params.update(condition.params)
    return "".join(f" AND ({c.sql.replace('{rowid}', rowid)})" for c in conditions), params


_INSERT_SQL = f"INSERT INTO {FTS_TABLE}(rowid, title, body, parties, meta) VALUES (:rowid, :title, :body, :parties, :meta)"  # noqa: S608


def first_by_level(backend, levels: list[Node], conditions: list[Condition], needed: int) -> list[int]:
    """Rowids of the first ``needed`` hits of some mutually exclusive queries (ranking levels,
    best first), level by level, each level newest first: one engine query per level."""
    found: list[int] = []
    for level in levels:
        if len(found) >= needed:
            break
        found += backend.rowids(level, conditions, None, needed - len(found))
    return found


class SqliteBackend:
    name = "sqlite"
    count_cap = 10_000  # hits counted before the page says "more than": see service.COUNT_CAP
    sorts_known = False  # FTS5's ordered query is fast enough; see PostgresBackend.newest_of

    def __init__(self, session: Session) -> None:
        self.session = session

    def share(self, facet: FacetFilter) -> float:
        """Estimated share of documents a facet filter keeps (from the newest 10,000)."""
        sample, shares = self._sample()
        if facet.fields not in shares:
            shares[facet.fields] = sum(map(facet.matches, sample)) / len(sample) if sample else 0.0
        return shares[facet.fields]

    def bits_condition(self, facet: FacetFilter) -> Condition | None:
        """The rowid-bits form of a facet filter when its value is common (see BITS_SHARE)."""
        if self.share(facet) <= BITS_SHARE:
            return None
        return Condition(facet.sql("f.rowid"), {}, document=False)

    def _sample(self) -> tuple[list[int], dict]:
        """Rowids of the newest 10,000 documents, and the shares computed from them, per process."""
        key = str(self.session.get_bind().url)
        now = time.monotonic()
        taken, rowids, shares = _samples.get(key, (0.0, [], {}))
        if now - taken > SAMPLE_TTL or not rowids:
            rowids, shares = (
                self._integers(
                    f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH '\"_all\"' ORDER BY rowid DESC LIMIT 10000",  # noqa: S608
                    {},
                    raw=True,
                ),
                {},
            )
            _samples[key] = (now, rowids, shares)
        return rowids, shares

    def _from(self, conditions: list[Condition], order: str | None) -> str:
        joined = any(c.document for c in conditions) or (order is not None)
        join = " JOIN search_documents d ON d.fts_rowid = f.rowid" if joined else ""
        return f"FROM {FTS_TABLE} f{join} WHERE f.{FTS_TABLE} MATCH :match"

    def rowids(
        self,
        node: Node,
        conditions: list[Condition],
        order: str | None,
        limit: int,
        offset: int = 0,
        ascending: bool = False,
    ) -> list[int]:
        where, params = _where(conditions, "f.rowid")
        sort = "f.rowid ASC" if ascending else "f.rowid DESC"
        if order:
            column = ORDER_COLUMNS[order]
            sort = f"d.{column} IS NULL, d.{column} DESC, f.rowid DESC"
        sql = f"SELECT f.rowid {self._from(conditions, order)}{where} ORDER BY {sort} LIMIT :limit OFFSET :offset"
        params.update(match=to_fts5(node), limit=limit, offset=offset)
        return list(self.session.execute(text(sql), params).scalars())

    def newest(self, node: Node, conditions: list[Condition], cap: int) -> list[int]:
        """Rowids of the newest ``cap`` hits, newest first (the count and facet pass).

        FTS5 walks a doclist forwards about twice as fast as backwards, but forwards reaches the
        newest hits last. So the rowid range is taken in windows, newest first, each twice as wide
        as the one before: a window expected to hold few more hits than still needed is walked
        forwards whole, a crowded one backwards with a limit (the density of the windows seen so
        far is the estimate). A query with fewer than ``cap`` hits walks each of them once,
        forwards; a frequent one stops within a window or two. Integers come through the
        driver's own cursor (no result objects) when the conditions bind no values.
        """
        low, high = self.session.execute(
            text(
                "SELECT (SELECT min(fts_rowid) FROM search_documents), (SELECT max(fts_rowid) FROM search_documents)"
            )
        ).one()
        if low is None:
            return []
        where, params = _where(conditions, "f.rowid")
        params.update(match=to_fts5(node))
        sql = (
            f"SELECT f.rowid {self._from(conditions, None)}{where}"
            " AND f.rowid >= :lo AND f.rowid < :hi ORDER BY f.rowid {} LIMIT :limit"
        )
        raw = not any(c.params for c in conditions)
        found: list[int] = []
        top, width = high + 1, max(1, (high - low) // FIRST_WINDOW)
        while len(found) < cap and top > low:
            bottom = max(low, top - width)
            needed = cap - len(found)
            params.update(lo=bottom, hi=top)
            expected = len(found) * (top - bottom) / (high + 1 - top) if top <= high else 0
            if expected > 2 * needed:
                params.update(limit=needed)
                found += self._integers(sql.format("DESC"), params, raw=raw)
            else:
                params.update(limit=-1)
                found += self._integers(sql.format("ASC"), params, raw=raw)[::-1][:needed]
            top, width = bottom, width * 2
        return found

    def first(self, levels: list[Node], conditions: list[Condition], needed: int) -> list[int]:
        return first_by_level(self, levels, conditions, needed)

    def _integers(self, sql: str, params: dict, raw: bool) -> list[int]:
        """One integer column; through the driver's own cursor when every parameter is a plain
        str or int (dates and decimals need SQLAlchemy's conversions)."""
        if not raw:
            return list(self.session.execute(text(sql), params).scalars())
        cursor = self.session.connection().connection.driver_connection.cursor()
        try:
            return [r for (r,) in cursor.execute(sql, params)]
        finally:
            cursor.close()

    # --- writes -----------------------------------------------------------------------------

    def remove(self, rows: list) -> None:
        """Delete index entries with the exact tokens they were added with (contentless FTS5)."""
        if not rows:
            return
        entries = []
        for row in rows:
            columns = documents.packed_fts_columns(documents.unpack_source(row.source))
            entries.append({"rowid": row.fts_rowid, **columns})
        self.session.execute(
            text(
                f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, title, body, parties, meta) "  # noqa: S608  (constant identifiers; values are bound)
                "VALUES ('delete', :rowid, :title, :body, :parties, :meta)"
            ),
            entries,
        )

    def add(self, sources: list[documents.Source]) -> None:
        if sources:
            self.session.execute(
                text(_INSERT_SQL),
                [{"rowid": s.fts_rowid, **documents.fts_columns(s)} for s in sources],
            )

    def clear(self) -> None:
        self.session.execute(text(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('delete-all')"))  # noqa: S608  (constant identifiers; values are bound)

    def optimize(self) -> None:
        self.session.execute(text(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('optimize')"))  # noqa: S608  (constant identifiers; values are bound)


class PostgresBackend:
    """tsvector @@ tsquery on the narrow search_index table (models.SearchIndexEntry); the wide
    search_documents row is joined only for conditions and sorts on its columns."""

    name = "postgresql"
    # Every counted hit is a heap row of search_index here (FTS5 counts inside its index), so
    # PostgreSQL stops counting at 1,000: what the search page lists anyway (query.MAX_PAGE).
    count_cap = 1_000
    sorts_known = True

    def __init__(self, session: Session) -> None:
        self.session = session

    def share(self, facet: FacetFilter) -> float:
        return 0.0

    def newest_of(self, hits: list[int], limit: int, offset: int) -> list[int]:
        """A page of some known hits (the uncapped count pass: every hit) in "newest" order, read
        by primary key: the planner's own plan for the sorted query walks the sort-key index
        backwards testing every row's tsvector (p95 100 ms at 1M). The same order as rowids()."""
        if not hits:
            return []
        sql = (
            "SELECT fts_rowid FROM search_index WHERE fts_rowid = ANY(CAST(:hits AS bigint[]))"
            " ORDER BY sort_key IS NULL, sort_key DESC, fts_rowid DESC LIMIT :limit OFFSET :offset"
        )
        return list(
            self.session.execute(text(sql), {"hits": hits, "limit": limit, "offset": offset}).scalars()
        )

    def bits_condition(self, facet: FacetFilter) -> Condition | None:
        """Always the tokens: the GIN intersection saves heap reads, which cost most here."""
        return None

    @staticmethod
    def _from(conditions: list[Condition], order: str | None) -> str:
        joined = any(c.document for c in conditions) or order not in (None, "newest")
        join = " JOIN search_documents d ON d.fts_rowid = i.fts_rowid" if joined else ""
        return f"FROM search_index i{join} WHERE i.tsv @@ CAST(:match AS tsquery)"

    def rowids(
        self,
        node: Node,
        conditions: list[Condition],
        order: str | None,
        limit: int,
        offset: int = 0,
        ascending: bool = False,
    ) -> list[int]:
        where, params = _where(conditions, "i.fts_rowid")
        sort = "i.fts_rowid ASC" if ascending else "i.fts_rowid DESC"
        if order == "newest":  # the narrow table's own sort key: no join
            sort = "i.sort_key IS NULL, i.sort_key DESC, i.fts_rowid DESC"
        elif order:
            column = ORDER_COLUMNS[order]
            sort = f"d.{column} IS NULL, d.{column} DESC, i.fts_rowid DESC"
        sql = f"SELECT i.fts_rowid {self._from(conditions, order)}{where} ORDER BY {sort} LIMIT :limit OFFSET :offset"
        params.update(match=to_tsquery(node), limit=limit, offset=offset)
        return list(self.session.execute(text(sql), params).scalars())

    def newest(self, node: Node, conditions: list[Condition], cap: int) -> list[int]:
        """Rowids of the newest ``cap`` hits, newest first (the count and facet pass).

        As bitmap scans only: the planner otherwise walks the rowid index backwards testing every
        row's tsvector (1.5 s for a word in 3 % of 1M documents) or scans the table. A query the
        planner expects to have few hits is one scan; a frequent one is asked in windows of
        rowids, newest first, the first sized to hold about twice ``cap`` hits by that estimate,
        then four times wider each time. Rows lie in rowid order, so a window reads only the heap
        pages of its own hits. Without conditions on document columns (nearly every search) this
        is one call of the database function models.PG_NEWEST_DDL: one round trip.
        """
        if not conditions:
            return self._walk([node], cap)
        low, high = self.session.execute(
            text(
                "SELECT (SELECT min(fts_rowid) FROM search_index), (SELECT max(fts_rowid) FROM search_index),"
                " set_config('enable_indexscan', 'off', true), set_config('enable_seqscan', 'off', true)"
            )
        ).one()[:2]
        try:
            return [] if low is None else self._newest(node, conditions, cap, low, high)
        finally:  # back to the session's own settings for the rest of the transaction
            self.session.execute(
                text(
                    "SELECT set_config(name, reset_val, true) FROM pg_settings"
                    " WHERE name IN ('enable_indexscan', 'enable_seqscan')"
                )
            )

    def first(self, levels: list[Node], conditions: list[Condition], needed: int) -> list[int]:
        """``first`` of the base class in one round trip when no condition needs search_documents."""
        if conditions:
            return first_by_level(self, levels, conditions, needed)
        return self._walk(levels, needed)

    def _walk(self, nodes: list[Node], cap: int) -> list[int]:
        """The newest hits of each node in turn, up to ``cap`` in all: models.PG_NEWEST_DDL."""
        statement = text(
            f"SELECT r FROM {PG_NEWEST_FUNCTION}(CAST(:queries AS tsquery[]), :cap)"  # noqa: S608  (a constant name; values are bound)
            " WITH ORDINALITY AS t(r, n) ORDER BY n"
        )
        params = {"queries": [to_tsquery(n) for n in nodes], "cap": cap}
        return list(self.session.execute(statement, params).scalars())

    def _newest(self, node: Node, conditions: list[Condition], cap: int, low: int, high: int) -> list[int]:
        where, params = _where(conditions, "i.fts_rowid")
        params.update(match=to_tsquery(node))
        matching = f"{self._from(conditions, None)}{where}"
        plan = self.session.execute(
            text(f"EXPLAIN (FORMAT JSON) SELECT i.fts_rowid {matching}"), params
        ).scalar()
        expected = max(1.0, float(plan[0]["Plan"]["Plan Rows"]))
        window = text(
            f"SELECT i.fts_rowid {matching} AND i.fts_rowid >= :lo AND i.fts_rowid < :hi"
            " ORDER BY i.fts_rowid DESC LIMIT :limit"
        )
        whole = text(f"SELECT i.fts_rowid {matching} ORDER BY i.fts_rowid DESC LIMIT :limit")
        found: list[int] = []
        span = high + 1 - low
        width = span if expected <= 2 * cap else max(1, int(span * 2 * cap / expected))
        top = high + 1
        while len(found) < cap and top > low:
            bottom = max(low, top - width)
            params.update(lo=bottom, hi=top, limit=cap - len(found))
            # One window over everything needs no range: a bitmap of the whole rowid index costs.
            sql = whole if (bottom, top) == (low, high + 1) else window
            found += self.session.execute(sql, params).scalars()
            top, width = bottom, width * 4
        return found

    def remove(self, rows: list) -> None:
        if rows:
            self.session.execute(
                delete(SearchIndexEntry).where(SearchIndexEntry.fts_rowid.in_([r.fts_rowid for r in rows]))
            )

    def add(self, sources: list[documents.Source]) -> None:
        if sources:
            self.session.execute(insert(SearchIndexEntry), [documents.index_row(s) for s in sources])

    def clear(self) -> None:
        self.session.execute(delete(SearchIndexEntry))

    def optimize(self) -> None:
        self.session.execute(text("ANALYZE search_index"))
        self.session.execute(text("ANALYZE search_documents"))


def backend_for(session: Session) -> SqliteBackend | PostgresBackend:
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        return SqliteBackend(session)
    if dialect == "postgresql":
        return PostgresBackend(session)
    raise NotImplementedError(f"search has no backend for {dialect}")


def chunked(values, size: int):
    iterator = iter(values)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


__all__ = [
    "Condition",
    "FacetFilter",
    "PostgresBackend",
    "SqliteBackend",
    "backend_for",
    "bindparam",
    "chunked",
]
