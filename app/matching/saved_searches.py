"""Saved catalogue searches: a buyer names a search (the search page's query string), opens it again,
and hears from the tick about each new patent or project (listed or not) that matches it, once.

When a search is saved, the records it finds already are remembered as its baseline: only records
that start matching later are news.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import MultiDict

from app.accounts.models import User
from app.accounts.permissions import is_authenticated
from app.catalogue.search.query import SearchQuery
from app.catalogue.search.routes import KEPT_ARGS
from app.catalogue.search.service import search
from app.catalogue.validation import ValidationFailed
from app.core.clock import clock
from app.core.errors import PermissionDenied
from app.core.notifications import notify, register_kind
from app.core.ticks import periodic
from app.extensions import db
from app.matching.alert_models import SavedSearch, SavedSearchHit

ARGS = ("q", *KEPT_ARGS)  # what the search page keeps in its query string, minus the page number
MAX_NAME = 100
MAX_PER_USER = 50
MAX_VALUE = 200
WATCHED = 100  # newest results a check looks at
NOTICE_TITLES = 5


def N_(message: str) -> str:  # noqa: N802  (marks a message id for extraction; translated when shown)
    return message


register_kind(
    "saved_search_news",
    N_("New results for your saved search “%(name)s”"),
    N_("%(count)s new records match “%(name)s”: %(titles)s"),
)


def clean_args(args: Mapping[str, Any]) -> dict[str, list[str]]:
    """The search's arguments as {name: [values]}: only the search page's own, each value bounded."""
    getlist = args.getlist if hasattr(args, "getlist") else None
    out: dict[str, list[str]] = {}
    for name in ARGS:
        values = getlist(name) if getlist else args.get(name)
        if values is None:
            continue
        values = values if isinstance(values, list | tuple) else [values]
        kept = [str(v).replace("\x00", "").strip()[:MAX_VALUE] for v in values if v is not None]
        kept = [v for v in kept if v]
        if kept:
            out[name] = kept[:10]
    return out


def _query(saved_args: Mapping[str, list[str]]) -> SearchQuery:
    args = MultiDict([(name, value) for name, values in saved_args.items() for value in values])
    query, _errors = SearchQuery.from_args(args)  # values the page would drop are dropped here too
    return query


def _clean_name(name: Any, errors: dict[str, str]) -> str:
    value = str(name or "").replace("\x00", "").strip()
    if not value:
        errors["name"] = _("Give the search a name.")
    elif len(value) > MAX_NAME:
        errors["name"] = _("Enter at most %(n)d characters.", n=MAX_NAME)
    return value


def save_search(actor: User, name: Any, args: Mapping[str, Any]) -> SavedSearch:
    """Save the actor's search under a name; what it finds today is its baseline."""
    if not is_authenticated(actor):
        raise PermissionDenied(_("Please log in to continue."))
    errors: dict[str, str] = {}
    clean_name = _clean_name(name, errors)
    saved_args = clean_args(args)
    if not saved_args:
        errors["args"] = _("Search for something, or choose a filter, before saving the search.")
    count = db.session.scalar(select(func.count(SavedSearch.id)).where(SavedSearch.user_id == actor.id))
    if count >= MAX_PER_USER:
        errors["name"] = _("You can keep at most %(n)d saved searches.", n=MAX_PER_USER)
    if clean_name and _name_taken(actor, clean_name):
        errors["name"] = _("You already have a saved search with this name.")
    if errors:
        raise ValidationFailed(errors)
    saved = SavedSearch(user_id=actor.id, name=clean_name, args=saved_args, checked_at=clock.now())
    db.session.add(saved)
    db.session.flush()
    for doc_type, record_id in _found(saved):
        db.session.add(
            SavedSearchHit(saved_search=saved, doc_type=doc_type, record_id=record_id, baseline=True)
        )
    db.session.flush()
    return saved


def _name_taken(actor: User, name: str, other_than: int | None = None) -> bool:
    query = select(SavedSearch.id).where(SavedSearch.user_id == actor.id, SavedSearch.name == name)
    if other_than is not None:
        query = query.where(SavedSearch.id != other_than)
    return db.session.scalar(query) is not None


def can_manage(user: User | None, saved: SavedSearch) -> bool:
    return is_authenticated(user) and saved.user_id == user.id


def _ensure_owner(saved: SavedSearch, actor: User) -> None:
    if not can_manage(actor, saved):
        raise PermissionDenied(_("This saved search belongs to someone else."))


def rename_search(saved: SavedSearch, actor: User, name: Any) -> SavedSearch:
    _ensure_owner(saved, actor)
    errors: dict[str, str] = {}
    clean_name = _clean_name(name, errors)
    if clean_name and _name_taken(actor, clean_name, other_than=saved.id):
        errors["name"] = _("You already have a saved search with this name.")
    if errors:
        raise ValidationFailed(errors)
    saved.name = clean_name
    db.session.flush()
    return saved


def delete_search(saved: SavedSearch, actor: User) -> None:
    _ensure_owner(saved, actor)
    db.session.delete(saved)
    db.session.flush()


def searches_of(user: User) -> list[SavedSearch]:
    return list(
        db.session.scalars(
            select(SavedSearch).where(SavedSearch.user_id == user.id).order_by(SavedSearch.name)
        )
    )


def search_path(saved: SavedSearch) -> str:
    """The search page with the saved arguments (a site path: also used outside requests)."""
    return "/catalogue/search?" + urlencode([(k, v) for k, values in saved.args.items() for v in values])


def _found(saved: SavedSearch, limit: int = WATCHED) -> dict[tuple[str, int], str]:
    """The newest records the search finds: (doc type, id) -> title."""
    query = _query(saved.args).with_(sort="newest", page=1, per_page=limit)
    return {(hit.doc_type, hit.record_id): hit.title for hit in search(db.session, query).hits}


def check_search(saved: SavedSearch) -> int:
    """Note the records newly matching ``saved`` and tell its owner about them; returns how many."""
    seen = {(h.doc_type, h.record_id) for h in saved.hits}
    found = _found(saved)
    new = [key for key in found if key not in seen]
    for doc_type, record_id in new:
        try:
            with db.session.begin_nested():
                db.session.add(SavedSearchHit(saved_search=saved, doc_type=doc_type, record_id=record_id))
                db.session.flush()
        except IntegrityError:  # another run noted it first
            new.remove((doc_type, record_id))
    saved.checked_at = clock.now()
    if new and saved.notify:
        titles = "; ".join(found[key] for key in new[:NOTICE_TITLES])
        params = {"name": saved.name, "count": str(len(new)), "titles": titles}
        first = min(record_id for _t, record_id in new)
        notify(
            saved.user, "saved_search_news", params, search_path(saved), f"saved-search:{saved.id}:{first}"
        )
    return len(new)


@periodic("matching.saved_searches", every=timedelta(minutes=15))
def check_saved_searches() -> int:
    """Run every saved search that notifies; returns how many new records were found in all."""
    found = 0
    for saved in db.session.scalars(select(SavedSearch).where(SavedSearch.notify.is_(True))).all():
        found += check_search(saved)
    return found
