"""Needs: post, edit, move through the lifecycle, invite sellers; matches in both directions.

Services take the acting user, flush, never commit. Who may see a need is decided here, once
(``can_view`` / ``visible_needs``), and every page, API answer and match list goes through it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, exists, func, or_, select

from app.accounts.models import User
from app.accounts.permissions import is_admin, is_authenticated
from app.catalogue.search import crosslang
from app.core.actors import system_actor
from app.core.clock import clock
from app.core.errors import PermissionDenied
from app.core.lifecycle import StatusEvent, apply_transition
from app.core.ticks import periodic
from app.extensions import db
from app.market import listing_states
from app.market.listing_models import Listing
from app.market.listing_valuation import listing_value
from app.matching import states
from app.matching.engine import Candidate, Match, NeedProfile, rank
from app.matching.engine.strategies import Context
from app.matching.models import Need, NeedInvitation
from app.matching.responsiveness import seller_records
from app.matching.validation import SHANGHAI, check_complete, clean_need
from app.matching.weights import active_weights

MAX_CANDIDATES = 2000  # newest published listings considered per need (the rest wait for an index)


def can_view(user: User | None, need: Need) -> bool:
    """Public needs once open; private ones only to the buyer, administrators and invited sellers."""
    if is_authenticated(user) and (need.buyer_id == user.id or is_admin(user)):
        return True
    if need.status == states.DRAFT:
        return False
    return not need.is_private or (is_authenticated(user) and need.invited(user))


def can_manage(user: User | None, need: Need) -> bool:
    return is_authenticated(user) and (need.buyer_id == user.id or is_admin(user))


def visible_needs(user: User | None) -> Select:
    """The needs ``user`` may see on the board: the same rule as ``can_view``, as a query."""
    query = select(Need)
    if is_authenticated(user) and is_admin(user):
        return query
    shown = (Need.status != states.DRAFT) & ~Need.is_private
    if is_authenticated(user):
        invited = exists().where(NeedInvitation.need_id == Need.id, NeedInvitation.seller_id == user.id)
        shown = or_(shown, Need.buyer_id == user.id, (Need.status != states.DRAFT) & invited)
    return query.where(shown)


def create_need(actor: User, data: Mapping[str, Any]) -> Need:
    """A draft need of the acting buyer."""
    values = clean_need(data)
    check_complete(values)
    need = Need(buyer_id=actor.id, status=states.DRAFT, **values)
    db.session.add(need)
    db.session.flush()
    return need


def update_need(need: Need, actor: User, data: Mapping[str, Any]) -> Need:
    """Change the fields present in ``data``; the merged need must still be complete."""
    if not can_manage(actor, need):
        raise PermissionDenied(_("Only the buyer who posted this need can change it."))
    values = clean_need({"currency": need.currency, **data}, partial=True)
    merged = {
        name: getattr(need, name)
        for name in ("title_zh", "title_en", "description_zh", "description_en", "budget_min", "budget_max")
    }
    check_complete({**merged, **values})
    for name, value in values.items():
        setattr(need, name, value)
    db.session.flush()
    return need


def transition(need: Need, action: str, actor: User, reason: str | None = None) -> StatusEvent:
    """Move the need through its lifecycle (publish, close, fulfil ...), with history."""
    if not can_manage(actor, need):
        raise PermissionDenied(_("Only the buyer who posted this need can change it."))
    return apply_transition(states.NEED_LIFECYCLE, need, action, actor=actor, reason=reason)


def invite_seller(need: Need, seller: User, actor: User, listing: Listing | None = None) -> NeedInvitation:
    """Let a seller see a private need (idempotent)."""
    if not can_manage(actor, need):
        raise PermissionDenied(_("Only the buyer who posted this need can invite sellers."))
    for invitation in need.invitations:
        if invitation.seller_id == seller.id:
            return invitation
    invitation = NeedInvitation(
        need=need, seller_id=seller.id, details={"listing_id": listing and listing.id}
    )
    db.session.add(invitation)
    db.session.flush()
    return invitation


def profile(need: Need) -> NeedProfile:
    return NeedProfile(
        need.text,
        tuple(need.codes or ()),
        need.budget_min,
        need.budget_max,
        need.currency,
        tuple(need.rights or ()),
        need.territory,
    )


def listing_candidate(
    listing: Listing, record: tuple[float | None, float | None] = (None, None)
) -> Candidate:
    patents = [link.patent for link in listing.patent_links]
    texts = [listing.title_zh, listing.title_en, listing.summary_zh, listing.summary_en]
    for p in patents:
        texts += [p.title_zh, p.title_en, p.abstract_zh, p.abstract_en]
    value = listing_value(listing)
    return Candidate(
        listing.id,
        "\n".join(t for t in texts if t),
        tuple(c.code for p in patents for c in p.classifications),
        listing.ask_amount,
        value and value.low,
        value and value.high,
        listing.currency,
        listing.right_type,
        listing.territory,
        listing.published_at,
        *record,
    )


def _context() -> Context:
    return Context(lexicon=crosslang, now=clock.now())


def _published_candidates() -> tuple[dict[int, Listing], list[Candidate]]:
    listings = db.session.scalars(
        select(Listing)
        .where(Listing.status == listing_states.PUBLISHED)
        .order_by(Listing.id.desc())
        .limit(MAX_CANDIDATES)
    ).all()
    records = seller_records(x.seller_id for x in listings)
    return {x.id: x for x in listings}, [
        listing_candidate(x, records.get(x.seller_id, (None, None))) for x in listings
    ]


def _ranked(need: Need, by_id: dict[int, Listing], candidates: list[Candidate], ctx: Context) -> list[Match]:
    own = frozenset(lid for lid, listing in by_id.items() if listing.seller_id == need.buyer_id)
    need_profile = NeedProfile(**{**profile(need).__dict__, "exclude": own})
    if "weights" not in ctx.cache:  # once per ranking context, not once per need
        ctx.cache["weights"] = active_weights()
    return rank(need_profile, candidates, weights=ctx.cache["weights"], context=ctx, limit=None)


def matches_for_need(need: Need, viewer: User, limit: int = 20) -> list[tuple[Listing, Match]]:
    """Published listings best first, each with its per-factor reasons; never the buyer's own."""
    if not can_view(viewer, need):
        raise PermissionDenied(_("You cannot see this need."))
    from app.matching.ranking import listing_matches

    by_id, found = listing_matches(need)
    return [(by_id[m.candidate_id], m) for m in found if m.score > 0][:limit]


def needs_for_listing(listing: Listing, viewer: User | None, limit: int = 20) -> list[tuple[Need, Match]]:
    """Open needs this listing answers, best first: only the needs ``viewer`` may see.

    Each need is ranked over the same published listings as on its own matches page, so the
    score a seller sees is the one the buyer sees (the text scale is the whole pool's)."""
    if listing.status != listing_states.PUBLISHED:
        return []
    from app.matching.ranking import candidate_needs, listing_match

    needs = db.session.scalars(
        visible_needs(viewer).where(
            Need.id.in_(candidate_needs(listing)),
            Need.status.in_(states.MATCHED_STATUSES),
            Need.buyer_id != listing.seller_id,
        )
    ).all()
    scored = [(need, match) for need in needs if (match := listing_match(need, listing))]
    scored.sort(key=lambda pair: (-pair[1].score, pair[0].id))
    return scored[:limit]


def board_query(user: User | None, words: str | None = None, *, mine: bool = False) -> Select:
    """The needs board: open needs ``user`` may see (or all of their own), optionally by words."""
    query = visible_needs(user)
    if mine and is_authenticated(user):
        query = query.where(Need.buyer_id == user.id)
    else:
        query = query.where(Need.status.in_(states.MATCHED_STATUSES))
    for word in (words or "").lower().split()[:5]:
        columns = (Need.title_zh, Need.title_en, Need.description_zh, Need.description_en)
        query = query.where(or_(*(func.lower(c).contains(word, autoescape=True) for c in columns)))
    return query.order_by(Need.id.desc())


@periodic("needs.expire", every=timedelta(hours=1))
def expire_due_needs(actor: User | None = None) -> int:
    """Open needs whose deadline (a Shanghai calendar day) has passed expire; returns how many."""
    actor = actor or system_actor()
    today = clock.now().astimezone(SHANGHAI).date()
    due = db.session.scalars(
        select(Need).where(
            Need.status.in_(states.MATCHED_STATUSES), Need.deadline.is_not(None), Need.deadline < today
        )
    ).all()
    for need in due:
        apply_transition(states.NEED_LIFECYCLE, need, "expire", actor=actor, reason="deadline passed")
    return len(due)
