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
from app.catalogue.search.models import FTS_TABLE, SearchIndexEntry

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


class SqliteBackend:
    name = "sqlite"

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

    def rowids_each(self, nodes: list[Node], conditions: list[Condition], limit: int) -> list[list[int]]:
        """``rowids`` of several nodes (relevance order)."""
        return [self.rowids(node, conditions, None, limit) for node in nodes]

    def ranked(self, levels: list[Node], conditions: list[Condition], needed: int) -> list[int]:
        """Rowids of the first ``needed`` hits, level by level, each level newest first."""
        found: list[int] = []
        for level in levels:
            if len(found) >= needed:
                break
            found += self.rowids(level, conditions, None, needed - len(found))
        return found

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

    def __init__(self, session: Session) -> None:
        self.session = session
        self.round_trips = 0  # pipelines sent by this backend (tests pin how few a search needs)

    def share(self, facet: FacetFilter) -> float:
        return 0.0

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
        row's tsvector (1.5 s for a word in 3 % of 1M documents) or scans the table. The rowid
        range is asked in windows, newest first: the newest 1/64 of the range, then each window
        four times wider. Rows lie in rowid order, so a window reads only the heap pages of its
        own hits, and a frequent word stops within the first window or two.

        One round trip (each costs a scheduler wake-up of the server process, up to 15 ms on a
        loaded machine): every window is a part of one ``UNION ALL``, whose parts run in order
        until the outer limit is reached, so older windows are only read when the newer ones
        fall short; the planner switches are set and reset around it in the same pipeline. The
        window bounds come from the rowid range, read once per process (SAMPLE_TTL): the newest
        window has no upper bound and the oldest no lower one, so rows written since are found.
        """
        bounds = self._bounds()
        if bounds is None:
            return []
        low, high = bounds
        where, params = _where(conditions, "i.fts_rowid")
        params.update(match=to_tsquery(node))
        matching = f"{self._from(conditions, None)}{where}"
        parts: list[str] = []
        width, top = max(1, (high + 1 - low) // FIRST_WINDOW), high + 1
        while top > low or not parts:
            bottom = max(low, top - width)
            upper = f" AND i.fts_rowid < {int(top)}" if parts else ""
            lower = f" AND i.fts_rowid >= {int(bottom)}" if bottom > low else ""
            parts.append(f"SELECT i.fts_rowid {matching}{lower}{upper}")
            top, width = bottom, width * 4
        sql = " UNION ALL ".join(f"({part} ORDER BY i.fts_rowid DESC LIMIT {int(cap)})" for part in parts)
        sql = f"SELECT fts_rowid FROM ({sql}) AS w LIMIT {int(cap)}"  # noqa: S608  (bound values; integers)
        rows = self._planned(sql, params, bitmap_only=True)
        return [r for (r,) in rows]

    def _bounds(self) -> tuple[int, int] | None:
        """The index's (lowest, highest) rowid, kept per process for SAMPLE_TTL seconds (an empty
        index is asked again every time)."""
        key = "pg-bounds " + str(self.session.get_bind().url)
        now = time.monotonic()
        taken, bounds, _shares = _samples.get(key, (0.0, [], {}))
        if now - taken > SAMPLE_TTL or not bounds:
            self.round_trips += 1
            low, high = self.session.execute(
                text(
                    "SELECT (SELECT min(fts_rowid) FROM search_index), (SELECT max(fts_rowid) FROM search_index)"
                )
            ).one()
            if low is None:
                return None
            bounds = [low, high]
            _samples[key] = (now, bounds, {})
        return bounds[0], bounds[1]

    def rowids_each(self, nodes: list[Node], conditions: list[Condition], limit: int) -> list[list[int]]:
        """``rowids`` of several nodes (relevance order), in one round trip."""
        if not nodes:
            return []
        where, params = _where(conditions, "i.fts_rowid")
        statements = []
        for node in nodes:
            sql = (
                f"SELECT i.fts_rowid {self._from(conditions, None)}{where}"
                f" ORDER BY i.fts_rowid DESC LIMIT {int(limit)}"
            )
            statements.append((sql, {**params, "match": to_tsquery(node)}))
        return [[r for (r,) in rows] for rows in self._pipeline(statements)]

    def ranked(self, levels: list[Node], conditions: list[Condition], needed: int) -> list[int]:
        """Rowids of the first ``needed`` hits, level by level, each level newest first: one
        statement, whose ``UNION ALL`` parts (one per level) run in order until ``needed``."""
        if not levels or needed <= 0:
            return []
        where, params = _where(conditions, "i.fts_rowid")
        parts = []
        for n, level in enumerate(levels):
            params[f"match_{n}"] = to_tsquery(level)
            source = self._from(conditions, None).replace(":match", f":match_{n}")
            parts.append(
                f"(SELECT i.fts_rowid {source}{where} ORDER BY i.fts_rowid DESC LIMIT {int(needed)})"
            )
        union = " UNION ALL ".join(parts)
        sql = f"SELECT fts_rowid FROM ({union}) AS l LIMIT {int(needed)}"  # noqa: S608  (bound values; integers)
        rows = self._planned(sql, params, bitmap_only=False)
        return [r for (r,) in rows]

    # Parts of a UNION ALL must run one after the other, in order (a parallel append would not).
    _SETTINGS = {"max_parallel_workers_per_gather": "0"}
    # work_mem: a frequent word's bitmap (300,000 rows at 1M) stays exact instead of lossy, whose
    # pages would be rechecked row by row (every tsvector read and tested).
    _BITMAP_ONLY = {"enable_indexscan": "off", "enable_seqscan": "off", "work_mem": "64MB"}

    def _planned(self, sql: str, params: dict, bitmap_only: bool) -> list[tuple]:
        """One statement under transaction-local planner settings, set and reset around it in
        the same round trip (back to the session's own settings for the rest of the transaction)."""
        settings = {**self._SETTINGS, **(self._BITMAP_ONLY if bitmap_only else {})}
        names = ", ".join(f"'{name}'" for name in settings)
        sets = ", ".join(f"set_config('{name}', '{value}', true)" for name, value in settings.items())
        return self._pipeline(
            [
                (f"SELECT {sets}", {}),
                (sql, params),
                (f"SELECT set_config(name, reset_val, true) FROM pg_settings WHERE name IN ({names})", {}),  # noqa: S608  (constant names)
            ]
        )[1]

    def _pipeline(self, statements: list[tuple[str, dict]]) -> list[list[tuple]]:
        """Rows of each statement, sent together in one round trip (psycopg's pipeline mode)
        inside the session's transaction. ``:name`` parameters as in ``text()``."""
        self.round_trips += 1
        dialect = self.session.get_bind().dialect
        compiled = []
        for sql, params in statements:
            done = text(sql).bindparams(**params).compile(dialect=dialect)
            compiled.append((str(done), done.params))
        connection = self.session.connection().connection.driver_connection
        cursors = []
        with connection.pipeline():
            for sql, params in compiled:
                cursors.append(connection.cursor().execute(sql, params))
        return [cursor.fetchall() for cursor in cursors]

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
