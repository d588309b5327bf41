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


# (menu, language, script root, visible endpoints) -> the rendered entries: the same for every viewer
# who may see the same entries, so each page only asks the predicates.
_RENDERED: dict[tuple, list[dict]] = {}


def nav_items(menu: str) -> list[dict]:
    """Entries of one menu that the current user may see, with their URLs."""
    user = current_user._get_current_object() if has_request_context() else None
    items = tuple(i for i in sorted(_ITEMS, key=lambda i: i.order) if i.menu == menu and i.visible(user))
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


def init_navigation(app: Flask) -> None:
    app.jinja_env.globals["nav_items"] = nav_items
