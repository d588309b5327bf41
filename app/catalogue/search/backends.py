"""The two index backends: the same expressions and the same ordering, different engines.

Both order by the document's rowid (record id * 4 + type, then facet bits) within a rank tier,
and both count facets by grouping the rowids' low bits, so their results are identical.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from sqlalchemy import bindparam, text
from sqlalchemy.orm import Session

from app.catalogue.search import documents
from app.catalogue.search.attrs import ATTR_MASK
from app.catalogue.search.expr import Node, to_fts5, to_tsquery
from app.catalogue.search.models import FTS_TABLE

# Sort orders other than relevance: a search_documents column, newest/largest first, NULLs last.
ORDER_COLUMNS = {"newest": "sort_date", "remaining_term": "expiry_date", "value": "value_cny"}


@dataclass(frozen=True, slots=True)
class Condition:
    """An exact SQL condition on the search_documents row ``d`` (date bounds, market filters)."""

    sql: str
    params: dict


def _where(conditions: list[Condition]) -> tuple[str, dict]:
    params: dict = {}
    for condition in conditions:
        params.update(condition.params)
    return "".join(f" AND ({c.sql})" for c in conditions), params


_INSERT_SQL = f"INSERT INTO {FTS_TABLE}(rowid, title, body, parties, meta) VALUES (:rowid, :title, :body, :parties, :meta)"  # noqa: S608


class SqliteBackend:
    name = "sqlite"

    def __init__(self, session: Session) -> None:
        self.session = session

    def _from(self, conditions: list[Condition], order: str | None) -> str:
        joined = conditions or (order is not None)
        join = " JOIN search_documents d ON d.fts_rowid = f.rowid" if joined else ""
        return f"FROM {FTS_TABLE} f{join} WHERE f.{FTS_TABLE} MATCH :match"

    def rowids(
        self, node: Node, conditions: list[Condition], order: str | None, limit: int, offset: int = 0
    ) -> list[int]:
        where, params = _where(conditions)
        sort = "f.rowid DESC"
        if order:
            column = ORDER_COLUMNS[order]
            sort = f"d.{column} IS NULL, d.{column} DESC, f.rowid DESC"
        sql = f"SELECT f.rowid {self._from(conditions, order)}{where} ORDER BY {sort} LIMIT :limit OFFSET :offset"
        params.update(match=to_fts5(node), limit=limit, offset=offset)
        return list(self.session.execute(text(sql), params).scalars())

    def attr_counts(self, node: Node, conditions: list[Condition], cap: int) -> dict[int, int]:
        """Hits per facet-bit combination among the newest ``cap`` hits."""
        where, params = _where(conditions)
        inner = f"SELECT f.rowid AS r {self._from(conditions, None)}{where} ORDER BY f.rowid DESC LIMIT :cap"
        sql = f"SELECT r & {ATTR_MASK} AS a, count(*) FROM ({inner}) GROUP BY a"  # noqa: S608  (constant identifiers; values are bound)
        params.update(match=to_fts5(node), cap=cap)
        return {row[0]: row[1] for row in self.session.execute(text(sql), params)}

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
    name = "postgresql"

    def __init__(self, session: Session) -> None:
        self.session = session

    def rowids(
        self, node: Node, conditions: list[Condition], order: str | None, limit: int, offset: int = 0
    ) -> list[int]:
        where, params = _where(conditions)
        sort = "d.fts_rowid DESC"
        if order:
            column = ORDER_COLUMNS[order]
            sort = f"d.{column} IS NULL, d.{column} DESC, d.fts_rowid DESC"
        sql = (
            "SELECT d.fts_rowid FROM search_documents d WHERE d.tsv @@ CAST(:match AS tsquery)"  # noqa: S608  (constant identifiers; values are bound)
            f"{where} ORDER BY {sort} LIMIT :limit OFFSET :offset"
        )
        params.update(match=to_tsquery(node), limit=limit, offset=offset)
        return list(self.session.execute(text(sql), params).scalars())

    def attr_counts(self, node: Node, conditions: list[Condition], cap: int) -> dict[int, int]:
        """Hits per facet-bit combination among the newest ``cap`` hits."""
        where, params = _where(conditions)
        inner = (
            "SELECT d.fts_rowid AS r FROM search_documents d WHERE d.tsv @@ CAST(:match AS tsquery)"  # noqa: S608
            f"{where} ORDER BY d.fts_rowid DESC LIMIT :cap"
        )
        sql = f"SELECT s.r & {ATTR_MASK} AS a, count(*) FROM ({inner}) s GROUP BY a"  # noqa: S608  (constant identifiers; values are bound)
        params.update(match=to_tsquery(node), cap=cap)
        return {row[0]: row[1] for row in self.session.execute(text(sql), params)}

    def remove(self, rows: list) -> None:
        """The tsvector lives in the document row: deleting the row is enough."""

    def add(self, sources: list[documents.Source]) -> None:
        """The tsvector is written with the document row."""

    def clear(self) -> None:
        """Nothing beside the document rows."""

    def optimize(self) -> None:
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


__all__ = ["Condition", "PostgresBackend", "SqliteBackend", "backend_for", "bindparam", "chunked"]
