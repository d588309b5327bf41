"""A response cache for anonymous public pages, and the data version that invalidates it.

The data version is a stamp file in the instance folder, replaced whenever a database transaction
that wrote anything commits (in any process of this instance: web workers, jobs, the CLI). A cached
page is keyed by that version, the language, the full URL and the Accept header, so any write
retires every cached page at once, and a short time limit bounds text that moves with the clock
(auction countdowns).

A page is served from or stored in the cache only for a GET on a listed public endpoint by a visitor
who is not signed in (no user in the session, no remember cookie, no Authorization header) and has
no flashed messages waiting; and it is stored only when the view left nothing personal behind: a
200 HTML or SVG answer, no cookie set by the view, no ``no_store`` mark, nothing in the session
beyond the CSRF secret and the chosen language (SESSION_ALLOWED). The page's CSRF token is replaced by a marker when
stored and by the visitor's own token when served, so no visitor ever receives another's token.

Deployments with several hosts need a shared instance folder for the stamp, or PAGE_CACHE_SECONDS=0.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections import OrderedDict
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, Response, current_app, g, has_app_context, has_request_context, request, session
from markupsafe import Markup
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from app.core.clock import clock

STAMP_NAME = "data_version"
VERSION_KEY = "ipex.data_version"  # the version a request read, kept in its WSGI environ
# The facts version: like the data version, but a commit whose only writes were bids (statements
# run inside ``bid_writes()``) keeps it, so what bidding never changes (who may bid) can be
# remembered across the bids of a busy auction.
FACTS_STAMP_NAME = "facts_version"
FACTS_VERSION_KEY = "ipex.facts_version"
BID_WRITES_KEY = "ipex_bid_writes"
CSRF_MARKER = "\x00ipex-csrf-token\x00"
HIT_HEADER = "X-Page-Cache"
WRITE_VERBS = frozenset(
    {"INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER", "TRUNCATE", "COPY", "MERGE"}
)
# "WITH x AS (UPDATE ... RETURNING ...) SELECT ...": PostgreSQL's data-modifying CTEs (the bid path).
DATA_MODIFYING_CTE = re.compile(r"\(\s*(INSERT|UPDATE|DELETE|MERGE)\s", re.IGNORECASE)
# Public pages whose anonymous view is the same for every visitor.
CACHEABLE_ENDPOINTS = frozenset(
    {
        "main.index",
        "catalogue.search",
        "catalogue.search_home",
        "catalogue.patent_detail",
        "catalogue.project_detail",
        "catalogue.experts",
        "catalogue.expert_detail",
        "market.listings",
        "market.listing_detail",
        "market.auction_index",
        "market.auction_detail",
        "valuation.report",
        "valuation.print_report",
        "valuation.chart",
        "matching.board",
        "matching.detail",
    }
)
CACHEABLE_TYPES = ("text/html", "image/svg+xml")
# What an anonymous session may hold: the CSRF secret, the chosen language, and Flask-Login's
# "strong" session protection asking to clear a remember cookie (it sets this for every visitor).
SESSION_ALLOWED = {"csrf_token": None, "lang": None, "_remember": "clear"}


# ---- data version -----------------------------------------------------------------------------


def _stamp_path(app: Flask, name: str = STAMP_NAME) -> Path:
    return Path(app.instance_path) / name


def data_version(app: Flask | None = None) -> str:
    """The instance's data version: changes whenever a committed transaction wrote anything.

    Read once a request (a request that began before another process's write may go on with the
    version it saw, as if it had finished first); a commit made by this request replaces it."""
    return _version(app, STAMP_NAME, VERSION_KEY)


def facts_version(app: Flask | None = None) -> str:
    """Changes whenever a committed transaction wrote anything but bids (see ``bid_writes``)."""
    return _version(app, FACTS_STAMP_NAME, FACTS_VERSION_KEY)


def _version(app: Flask | None, name: str, key: str) -> str:
    in_request = (app is None or app is current_app) and has_request_context()
    if in_request and key in request.environ:  # the request's own, not the app context's g
        return request.environ[key]
    path = _stamp_path(app or current_app, name)
    try:
        stat = path.stat()
    except FileNotFoundError:
        _bump(app or current_app, name, key)
        stat = path.stat()
    version = f"{stat.st_ino}.{stat.st_mtime_ns}.{stat.st_size}"
    if in_request:
        request.environ[key] = version
    return version


def bump_data_version(app: Flask) -> None:
    """Replace the stamp atomically (a new inode and time each time), so every reader sees a change."""
    _bump(app, STAMP_NAME, VERSION_KEY)


def _bump(app: Flask, name: str, key: str) -> None:
    if has_request_context():
        request.environ.pop(key, None)
    path = _stamp_path(app, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f"{name}.{os.getpid()}.{threading.get_ident()}")
    temporary.write_text(f"{time.time_ns()} {os.getpid()}\n")
    os.replace(temporary, path)


@contextmanager
def bid_writes(connection: Connection):
    """Statements run inside write only bids (the bid, the auction's row, its audit stream and
    outbox event): their commit keeps the facts version. Anything flushed before is not covered."""
    connection.info[BID_WRITES_KEY] = True
    try:
        yield
    finally:
        connection.info.pop(BID_WRITES_KEY, None)


def _watch_writes(app: Flask, engine: Engine) -> None:
    """Bump the version when a connection that ran a writing statement commits: once just before the
    commit and once after it (at the connection's next begin or its return to the pool), so a reader
    that saw the first bump while the commit was still under way never keeps its result."""

    def before_cursor_execute(conn, cursor, statement, parameters, context, executemany) -> None:
        verb = statement.lstrip()[:9].split(None, 1)
        verb = verb[0].upper() if verb else ""
        if verb in WRITE_VERBS or (verb == "WITH" and DATA_MODIFYING_CTE.search(statement)):
            _mark_written(conn.info)
            if not conn.info.get(BID_WRITES_KEY):
                conn.info["ipex_facts_wrote"] = True

    def commit(conn) -> None:
        quiet = conn.info.pop("ipex_quiet", False)
        if conn.info.pop("ipex_facts_wrote", False):  # a quiet write may still change a fact
            _bump(app, FACTS_STAMP_NAME, FACTS_VERSION_KEY)
            conn.info["ipex_facts_committed"] = True
        if _clear_written(conn.info) and not quiet:
            bump_data_version(app)
            conn.info["ipex_committed"] = True

    def rollback(conn) -> None:
        _clear_written(conn.info)
        for key in ("ipex_quiet", "ipex_facts_wrote", BID_WRITES_KEY):
            conn.info.pop(key, None)

    def after_commit(info: dict) -> None:
        if info.pop("ipex_facts_committed", False):
            _bump(app, FACTS_STAMP_NAME, FACTS_VERSION_KEY)
        if info.pop("ipex_committed", False):
            bump_data_version(app)

    def checkin(dbapi_connection, record) -> None:
        after_commit(record.info)
        _clear_written(record.info)  # the pool rolled back whatever was left uncommitted
        record.info.pop("ipex_facts_wrote", None)

    event.listen(engine, "before_cursor_execute", before_cursor_execute)
    event.listen(engine, "commit", commit)
    event.listen(engine, "rollback", rollback)
    event.listen(engine, "begin", lambda conn: after_commit(conn.info))
    event.listen(engine.pool, "checkin", checkin)
    for dropped in ("invalidate", "close"):  # a connection that goes away takes its writes with it
        event.listen(engine.pool, dropped, lambda dbapi_connection, record, *_: _clear_written(record.info))


# The connections of this process (their info dicts, by id) that ran a writing statement not yet
# committed or rolled back. Empty on nearly every read-only request, so session_has_written() can
# answer without asking the session for its connection (which would check one out).
_WRITING: set[int] = set()


def _mark_written(info: dict) -> None:
    if not info.get("ipex_wrote"):
        info["ipex_wrote"] = True
        _WRITING.add(id(info))


def _clear_written(info: dict) -> bool:
    wrote = info.pop("ipex_wrote", False)
    _WRITING.discard(id(info))
    return wrote


def leave_pages_alone() -> None:
    """Mark the request's transaction as writing only what no cached page or memo shows (e.g. a view
    counter read by the seller's signed-in dashboard): its commit keeps the data version."""
    from app.extensions import db

    db.session.connection().info["ipex_quiet"] = True


def session_has_written() -> bool:
    """True while the request's session holds changes not yet committed (then no cache may be used)."""
    from app.extensions import db

    session = db.session()
    if session.new or session.dirty or session.deleted:
        return True
    if not _WRITING:  # no connection of this process holds an uncommitted write
        return False
    return session.in_transaction() and bool(session.connection().info.get("ipex_wrote"))


_MEMO: OrderedDict[tuple, object] = OrderedDict()
_MEMO_LOCK = threading.Lock()
MEMO_ENTRIES = 2048


def versioned_memo(namespace: str, key: tuple, compute):
    """compute() once per data version (and key): for results read from the database that every
    viewer shares (e.g. the comparable deals). Computed afresh inside a transaction that has written."""
    if not has_app_context() or session_has_written():
        return compute()
    from app.extensions import db

    full_key = (namespace, current_app.instance_path, str(db.engine.url), data_version(), *key)
    with _MEMO_LOCK:
        if full_key in _MEMO:
            _MEMO.move_to_end(full_key)
            return _MEMO[full_key]
    value = compute()
    with _MEMO_LOCK:
        _MEMO[full_key] = value
        while len(_MEMO) > MEMO_ENTRIES:
            _MEMO.popitem(last=False)
    return value


class SizedMemo:
    """An LRU bounded by the total size of its values (rendered fragments and results of searches,
    whose keys come from visitors' URLs: a count bound alone would let big entries fill the memory).
    Entries put with size 1 make it an LRU bounded by their number."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.used = 0
        self._items: OrderedDict[tuple, tuple[object, int]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> tuple[bool, object]:
        with self._lock:
            found = self._items.get(key)
            if found is None:
                return False, None
            self._items.move_to_end(key)
            return True, found[0]

    def put(self, key: tuple, value: object, size: int) -> None:
        if size > self.max_bytes // 8:  # one huge entry never pushes everything else out
            return
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self.used -= old[1]
            self._items[key] = (value, size)
            self.used += size
            while self.used > self.max_bytes:
                _key, (_value, freed) = self._items.popitem(last=False)
                self.used -= freed


SIZED_MEMO_BYTES = 32 * 1024 * 1024  # per process
_SIZED = SizedMemo(SIZED_MEMO_BYTES)


def sized_memo(namespace: str, key: tuple, compute, size_of):
    """versioned_memo() for large values keyed by visitors' input: bounded by size_of(value) in total."""
    if not has_app_context() or session_has_written():
        return compute()
    from app.extensions import db

    full_key = (namespace, current_app.instance_path, str(db.engine.url), data_version(), *key)
    found, value = _SIZED.get(full_key)
    if found:
        return value
    value = compute()
    _SIZED.put(full_key, value, size_of(value))
    return value


def shared_fragment(name: str, *key, caller, with_token: bool = False) -> Markup:
    """`{% call shared_fragment("name", key...) %}...{% endcall %}`: a part of a page that is the same
    for every viewer, rendered once per data version, language, time zone, day, script root and key
    (the key must hold everything else the part depends on, e.g. the request's arguments).

    Only for parts that show nothing about the viewer: no current_user, no role checks, no time finer
    than the day. A part that contains the request's CSRF token fails loudly, unless it is called
    `with_token=true` (a form the same for every viewer who is shown it): then csrf_token() renders a
    marker inside it, and each request's own token replaces the marker."""
    from flask_babel import get_timezone

    from app.core.i18n import locale_code

    def render() -> Markup:
        html = _with_token_marker(caller) if with_token else Markup(caller())  # noqa: S704  (autoescaped)
        token = g.get("csrf_token")
        if token and token in html:
            raise RuntimeError(f"shared fragment {name!r} holds the viewer's CSRF token")
        return html

    today = clock.now().date()
    full_key = (name, locale_code(), str(get_timezone()), today, request.script_root, *key)
    html = sized_memo("fragment", full_key, render, len)
    if with_token and CSRF_MARKER in html:
        from flask_wtf.csrf import generate_csrf

        html = Markup(html.replace(CSRF_MARKER, generate_csrf()))  # noqa: S704  (a token: URL-safe)
    return html


def _with_token_marker(caller) -> Markup:
    """Render with the marker standing in for the request's CSRF token (generate_csrf() returns what
    `g` holds), then give the request its own token back."""
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    saved = g.pop(field, None)
    setattr(g, field, CSRF_MARKER)
    try:
        return Markup(caller())  # noqa: S704  (the template's own autoescaped output)
    finally:
        g.pop(field, None)
        if saved is not None:
            setattr(g, field, saved)


# ---- the response cache -----------------------------------------------------------------------


@dataclass(frozen=True)
class CachedPage:
    body: str
    mimetype: str
    stored_at: float


class PageCache:
    """A bounded, thread-safe LRU of rendered pages for one app (one per worker process)."""

    def __init__(self, max_entries: int, max_age: float) -> None:
        self.max_entries = max_entries
        self.max_age = max_age
        self._pages: OrderedDict[tuple, CachedPage] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> CachedPage | None:
        with self._lock:
            page = self._pages.get(key)
            if page is None:
                return None
            if time.monotonic() - page.stored_at > self.max_age:
                del self._pages[key]
                return None
            self._pages.move_to_end(key)
            return page

    def put(self, key: tuple, page: CachedPage) -> None:
        with self._lock:
            self._pages[key] = page
            self._pages.move_to_end(key)
            while len(self._pages) > self.max_entries:
                self._pages.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()

    def __len__(self) -> int:
        return len(self._pages)


def _anonymous_visitor() -> bool:
    """Not signed in and nothing personal waiting, decided without loading a user."""
    if "_user_id" in session or "_flashes" in session or "Authorization" in request.headers:
        return False
    remember = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
    return remember not in request.cookies


def _cache_key() -> tuple:
    from flask_babel import get_locale

    return (
        data_version(),
        str(get_locale()),
        request.url,
        request.headers.get("Accept", ""),
    )


def _applies() -> bool:
    return (
        request.method == "GET"
        and request.endpoint in CACHEABLE_ENDPOINTS
        and _anonymous_visitor()
        and _cache_for(current_app) is not None
    )


def _cache_for(app: Flask) -> PageCache | None:
    return app.extensions.get("ipex_page_cache")


def serve_cached_page() -> Response | None:
    """before_request: answer from the cache when this visitor may share the page."""
    if not _applies():
        return None
    key = _cache_key()
    g.page_cache_key = key
    page = _cache_for(current_app).get(key)
    if page is None:
        return None
    body = page.body
    if CSRF_MARKER in body:
        from flask_wtf.csrf import generate_csrf

        body = body.replace(CSRF_MARKER, generate_csrf())
    response = Response(body, mimetype=page.mimetype)
    response.headers[HIT_HEADER] = "hit"
    g.page_cache_served = True
    return response


def store_page(response: Response) -> Response:
    """after_request: keep a shareable anonymous page for the next visitor."""
    key = g.get("page_cache_key")
    if key is None or g.get("page_cache_served"):
        return response
    if not _storable(response):
        return response
    body = response.get_data(as_text=True)
    token = g.get("csrf_token")  # flask-wtf keeps the token it rendered into the page here
    if token:
        body = body.replace(token, CSRF_MARKER)
    _cache_for(current_app).put(key, CachedPage(body, response.mimetype, time.monotonic()))
    response.headers[HIT_HEADER] = "miss"
    return response


def _storable(response: Response) -> bool:
    return (
        response.status_code == 200
        and not response.is_streamed
        and response.mimetype in CACHEABLE_TYPES
        and "Set-Cookie" not in response.headers
        and not g.get("no_store")
        and all(
            key in SESSION_ALLOWED and SESSION_ALLOWED[key] in (None, value) for key, value in session.items()
        )
        and _anonymous_visitor()
    )


def init_page_cache(app: Flask) -> None:
    """Watch database writes (always) and cache anonymous pages (when PAGE_CACHE_SECONDS > 0)."""
    from app.extensions import db

    with app.app_context():
        _watch_writes(app, db.engine)
    app.jinja_env.globals["shared_fragment"] = shared_fragment
    seconds = float(app.config.get("PAGE_CACHE_SECONDS", 0))
    if seconds > 0:
        enable_page_cache(app, seconds, int(app.config.get("PAGE_CACHE_ENTRIES", 512)))


def enable_page_cache(app: Flask, seconds: float, entries: int = 512) -> PageCache:
    """Serve and store anonymous public pages (before the app's first request)."""
    cache = app.extensions["ipex_page_cache"] = PageCache(entries, seconds)
    app.before_request(serve_cached_page)
    app.after_request(store_page)
    return cache
