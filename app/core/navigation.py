"""Navigation entries per role. Each capability adds its own when it registers."""

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, has_request_context, request, url_for
from flask_login import current_user

from app.core.i18n import locale_code


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: object  # a lazy string, translated when rendered
    visible: Callable[[object], bool]
    menu: str = "main"  # "main" (top bar) or "account" (the user's menu)
    order: int = 50


_ITEMS: list[NavItem] = []


def add_nav_item(item: NavItem) -> None:
    if item.endpoint not in {existing.endpoint for existing in _ITEMS}:
        _ITEMS.append(item)
        _MENUS.clear()


_MENUS: dict[str, tuple[NavItem, ...]] = {}  # menu -> its entries in order (rebuilt when one is added)


def _menu(menu: str) -> tuple[NavItem, ...]:
    entries = _MENUS.get(menu)
    if entries is None:
        entries = _MENUS[menu] = tuple(i for i in sorted(_ITEMS, key=lambda i: i.order) if i.menu == menu)
    return entries


# (menu, language, script root, visible endpoints) -> the rendered entries: the same for every viewer
# who may see the same entries, so each page only asks the predicates.
_RENDERED: dict[tuple, list[dict]] = {}


def nav_items(menu: str) -> list[dict]:
    """Entries of one menu that the current user may see, with their URLs."""
    user = current_user._get_current_object() if has_request_context() else None
    items = tuple(i for i in _menu(menu) if i.visible(user))
    root = request.script_root if has_request_context() else ""
    key = (menu, locale_code(), root, tuple(i.endpoint for i in items))
    rendered = _RENDERED.get(key)
    if rendered is None:
        rendered = [
            {"endpoint": i.endpoint, "label": str(i.label), "url": url_for(i.endpoint)} for i in items
        ]
        if len(_RENDERED) < 1024:  # a handful of role combinations x languages in practice
            _RENDERED[key] = rendered
    return rendered


# (script root, endpoint, values) -> path: the links every page's frame repeats.
_FIXED_URLS: dict[tuple, str] = {}


def fixed_url(endpoint: str, **values: str) -> str:
    """url_for() for a link whose path depends only on the script root (static files, the frame's
    fixed entries): built once. The app adds no URL defaults and matches no hosts, so a relative URL
    is the same on every request."""
    key = (request.script_root, endpoint, *sorted(values.items()))
    url = _FIXED_URLS.get(key)
    if url is None:
        url = url_for(endpoint, **values)
        if len(_FIXED_URLS) < 1024:
            _FIXED_URLS[key] = url
    return url


def init_navigation(app: Flask) -> None:
    app.jinja_env.globals["nav_items"] = nav_items
    app.jinja_env.globals["fixed_url"] = fixed_url
