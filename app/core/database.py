"""Connection settings for the embedded SQLite database.

SQLite leaves foreign keys unenforced and uses a rollback journal unless told otherwise; the web
workers, the import threads and the CLI share one file, so it gets WAL (readers never wait for the
writer), a busy timeout instead of "database is locked", and a larger page cache.
"""

import sqlite3

from sqlalchemy import event
from sqlalchemy.engine import Engine

SQLITE_PRAGMAS = (
    "PRAGMA foreign_keys = ON",
    "PRAGMA busy_timeout = 5000",
    "PRAGMA synchronous = NORMAL",
    "PRAGMA cache_size = -65536",  # 64 MiB
    "PRAGMA mmap_size = 268435456",  # 256 MiB
)


@event.listens_for(Engine, "connect")
def configure_sqlite_connection(dbapi_connection, _record) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    for pragma in SQLITE_PRAGMAS:
        cursor.execute(pragma)
    if cursor.execute("PRAGMA database_list").fetchone()[2]:  # a file, not :memory:
        cursor.execute("PRAGMA journal_mode = WAL")
    cursor.close()
