"""Navigation entries per role. Each capability adds its own when it registers."""

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, url_for
from flask_login import current_user


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


def nav_items(menu: str) -> list[dict]:
    """Entries of one menu that the current user may see, with their URLs."""
    items = sorted((i for i in _ITEMS if i.menu == menu and i.visible(current_user)), key=lambda i: i.order)
    return [{"endpoint": i.endpoint, "label": str(i.label), "url": url_for(i.endpoint)} for i in items]


def init_navigation(app: Flask) -> None:
    app.jinja_env.globals["nav_items"] = nav_items
