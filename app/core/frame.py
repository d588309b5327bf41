"""The page frame's top bar, rendered once per set of the viewer's frame facts, not once per page.

The top bar (menus, language switch, inbox badge, the user's menu) was about a third of every page's
CPU. What it shows depends on a few facts only: the language, the script root, the current endpoint
(for aria-current), the menu entries the viewer may see, and for a signed-in viewer their id, name,
verified badge and unread count. Those facts are the memo's key, read afresh on every request, so
nothing in it can go stale after a write; the user id keeps each signed-in viewer's bar their own.
The two per-request values inside it, the CSRF token and the language switch's return address, are
rendered as markers and put in on every request.

`{% call(frame, mark) frame_header() %}...{% endcall %}`: the block may read only `frame` (the facts),
`mark` (the markers), translations and fixed_url(): anything else it showed would not be in the key.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import g, request, url_for
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from app.core.i18n import locale_code
from app.core.navigation import nav_items
from app.core.page_cache import SizedMemo

TOKEN_MARK = "\x00ipex-frame-token\x00"  # noqa: S105  (a marker, no secret)
LANG_ACTION_MARK = "\x00ipex-frame-lang\x00"
FRAME_MEMO_BYTES = 8 * 1024 * 1024  # per process: a few thousand bars of ~5 KB
_FRAMES = SizedMemo(FRAME_MEMO_BYTES)


@dataclass(frozen=True)
class FrameFacts:
    """Everything the top bar shows; equal facts render equal bars."""

    locale: str
    script_root: str
    endpoint: str | None
    main: tuple[dict, ...]
    admin: tuple[dict, ...]
    account: tuple[dict, ...]
    user_id: int | None  # None for a visitor
    display_name: str = ""
    is_verified: bool = False
    unread: int = 0

    @property
    def zh(self) -> bool:
        return self.locale.startswith("zh")

    @property
    def signed_in(self) -> bool:
        return self.user_id is not None

    def key(self) -> tuple:
        entries = tuple(
            tuple(item["endpoint"] for item in menu) for menu in (self.main, self.admin, self.account)
        )
        viewer = (self.user_id, self.display_name, self.is_verified, self.unread)
        return ("frame.header", self.locale, self.script_root, self.endpoint, entries, viewer)


@dataclass(frozen=True)
class FrameMarks:
    """Stand-ins for the per-request values (autoescaping leaves them as they are)."""

    token: str = TOKEN_MARK
    lang_action: str = LANG_ACTION_MARK


MARKS = FrameMarks()


def frame_facts() -> FrameFacts:
    from app.core.notifications import unread_count

    user = current_user._get_current_object()
    signed_in = bool(user.is_authenticated)
    common = {
        "locale": locale_code(),
        "script_root": request.script_root,
        "endpoint": request.endpoint,
        "main": tuple(nav_items("main")),
        "admin": tuple(nav_items("admin")),
    }
    if not signed_in:
        return FrameFacts(account=(), user_id=None, **common)
    return FrameFacts(
        account=tuple(nav_items("account")),
        user_id=user.id,
        display_name=user.display_name,
        is_verified=bool(user.is_verified),
        unread=unread_count(user),
        **common,
    )


def frame_header(caller) -> Markup:
    """The top bar for this viewer: from the memo when their facts are unchanged."""
    facts = frame_facts()
    key = facts.key()
    found, html = _FRAMES.get(key)
    if not found:
        html = str(caller(facts, MARKS))
        token = g.get("csrf_token")
        if token and token in html:
            raise RuntimeError("the frame's top bar holds the request's CSRF token: use mark.token")
        _FRAMES.put(key, html, len(html))
    other = "en" if facts.zh else "zh"
    lang_action = url_for("accounts.set_language", code=other, next=request.full_path.rstrip("?"))
    return Markup(  # noqa: S704  (the template's autoescaped output and escaped values)
        html.replace(TOKEN_MARK, generate_csrf()).replace(LANG_ACTION_MARK, str(escape(lang_action)))
    )
