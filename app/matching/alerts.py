"""Alerts: buyers hear about listings that match their open needs above their own threshold.

When a commit publishes or changes a listing (or opens or changes a need), an outbox event is
written in that transaction; after the commit its handler scores the pairs with the same ranking
as the need's page and records each (need, listing) pair at most once (a unique constraint: two
workers handling concurrent publishes cannot both win). Immediate alerts go to the inbox and by
e-mail in the buyer's language; weekly ones wait for one digest a week from the tick.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.core.clock import clock
from app.core.notifications import notify, register_kind
from app.core.outbox import emit, handles
from app.core.ticks import periodic
from app.extensions import db
from app.market import listing_states
from app.market.listing_models import Listing
from app.market.listing_services import can_view_listing, is_seller
from app.matching import states
from app.matching.alert_models import ALERT_IMMEDIATE, ALERT_OFF, ALERT_WEEKLY, NeedAlert
from app.matching.engine import Contribution, Match
from app.matching.models import Need
from app.matching.reasons import explained

EVENT = "matching.alerts"
PER_NEED_CHANGE = 5  # a need opened or changed alerts about at most its best few listings
DIGEST_ITEMS = 20


def N_(message: str) -> str:  # noqa: N802  (marks a message id for extraction; translated when shown)
    return message


register_kind(
    "need_match",
    N_("A new listing matches your need “%(need)s”"),
    N_("“%(listing)s” matches your need at %(score)s%%. Why: %(reasons)s"),
)
register_kind(
    "need_digest",
    N_("This week's listings for your needs"),
    N_("%(count)s new listings match your needs:\n%(items)s"),
)


# ---- what a commit asks for ------------------------------------------------------------------


def changes_committing(session: Session, pending: dict[str, set[int]]) -> None:
    """Called before a commit with the records it wrote: ask for alerts about the relevant ones."""
    listing_ids = sorted(pending.get("listing", ()))
    need_ids = sorted(pending.get("need", ()))
    payload: dict[str, list[int]] = {}
    if listing_ids and _alerting_needs_exist(session):
        published = session.scalars(
            select(Listing.id).where(Listing.id.in_(listing_ids), Listing.status == listing_states.PUBLISHED)
        ).all()
        if published:
            payload["listing_ids"] = sorted(published)
    if need_ids:
        alerting = session.scalars(
            select(Need.id).where(
                Need.id.in_(need_ids),
                Need.status.in_(states.MATCHED_STATUSES),
                Need.alert_frequency != ALERT_OFF,
            )
        ).all()
        if alerting:
            payload["need_ids"] = sorted(alerting)
    if payload:
        emit(EVENT, payload)


def _alerting_needs_exist(session: Session) -> bool:
    return bool(
        session.scalar(
            select(
                exists().where(Need.status.in_(states.MATCHED_STATUSES), Need.alert_frequency != ALERT_OFF)
            )
        )
    )


# ---- after the commit ------------------------------------------------------------------------


@handles(EVENT)
def handle_alerts(payload: dict) -> None:
    """Score and record the pairs the committed change asks about (idempotent: pairs are unique)."""
    for listing_id in payload.get("listing_ids", []):
        listing = db.session.get(Listing, listing_id)
        if listing is not None:
            alert_for_listing(listing)
    for need_id in payload.get("need_ids", []):
        need = db.session.get(Need, need_id)
        if need is not None:
            alert_for_need(need)


def alert_for_listing(listing: Listing) -> list[NeedAlert]:
    """Alerts to the buyers of open needs this listing matches above their thresholds."""
    from app.matching.ranking import candidate_needs, listing_match

    if listing.status != listing_states.PUBLISHED:
        return []
    sent = []
    for need_id in candidate_needs(listing):
        need = db.session.get(Need, need_id)
        if need is None or not may_alert(need, listing):
            continue
        match = listing_match(need, listing)
        if match is not None and percent(match) >= need.alert_min_score:
            alert = record(need, listing, match)
            sent += [alert] if alert else []
    return sent


def alert_for_need(need: Need) -> list[NeedAlert]:
    """Alerts about the best listings an opened or changed need now matches above its threshold."""
    from app.matching.ranking import listing_matches

    by_id, found = listing_matches(need)
    sent = []
    for match in found:
        if len(sent) >= PER_NEED_CHANGE or percent(match) < need.alert_min_score:
            break
        listing = by_id[match.candidate_id]
        if may_alert(need, listing) and (alert := record(need, listing, match)):
            sent.append(alert)
    return sent


def may_alert(need: Need, listing: Listing) -> bool:
    """Open needs with alerts on, about published listings their buyer may see and does not sell."""
    buyer = need.buyer
    return (
        need.status in states.MATCHED_STATUSES
        and need.alert_frequency != ALERT_OFF
        and listing.status == listing_states.PUBLISHED
        and buyer is not None
        and buyer.active
        and listing.seller_id != buyer.id
        and not is_seller(buyer, listing)
        and can_view_listing(buyer, listing)
    )


def percent(match: Match) -> int:
    return round(match.score * 100)


def record(need: Need, listing: Listing, match: Match) -> NeedAlert | None:
    """The pair's alert, once: None when it exists already (here or in a concurrent transaction)."""
    alert = NeedAlert(
        need_id=need.id,
        listing_id=listing.id,
        buyer_id=need.buyer_id,
        score=percent(match),
        reasons=[_contribution_json(c) for c in match.contributions],
        frequency=need.alert_frequency,
    )
    try:
        with db.session.begin_nested():
            db.session.add(alert)
            db.session.flush()
    except IntegrityError:
        return None
    if need.alert_frequency == ALERT_IMMEDIATE:
        params = _in_language(need.buyer, lambda: _match_params(need, listing, alert))
        notify(need.buyer, "need_match", params, f"/market/listings/{listing.id}", f"need-alert:{alert.id}")
        alert.sent_at = clock.now()
    return alert


def _contribution_json(c: Contribution) -> dict[str, Any]:
    return {"factor": c.factor, "points": c.points, "reason": c.reason, "params": dict(c.params)}


def reasons_text(alert: NeedAlert, currency: str) -> str:
    """The alert's reasons as sentences in the current language, biggest first."""
    contributions = [
        Contribution(r["factor"], r["points"], r["reason"], r.get("params") or {}) for r in alert.reasons
    ]
    separator = _("; ")  # the catalogue gives Chinese text its own separator, "；"
    return separator.join(row["reason"] for row in explained(contributions, currency))


def _match_params(need: Need, listing: Listing, alert: NeedAlert) -> dict[str, str]:
    return {
        "need": need.title,
        "listing": listing.title,
        "score": str(alert.score),
        "reasons": reasons_text(alert, need.currency),
    }


def _in_language(user: User, make):
    """Values stored with the notice, rendered in the recipient's language."""
    with force_locale(user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        return make()


# ---- the weekly digest -----------------------------------------------------------------------


def week_of(moment) -> str:
    year, week, _day = moment.isocalendar()
    return f"{year}-W{week:02d}"


@periodic("matching.alert_digest", every=timedelta(hours=1))
def send_digests() -> int:
    """One digest per buyer and ISO week with their waiting weekly alerts; returns how many were sent."""
    week = week_of(clock.now())
    waiting = db.session.scalars(
        select(NeedAlert)
        .where(NeedAlert.frequency == ALERT_WEEKLY, NeedAlert.sent_at.is_(None))
        .order_by(NeedAlert.buyer_id, NeedAlert.score.desc(), NeedAlert.id)
    ).all()
    by_buyer: dict[int, list[NeedAlert]] = {}
    for alert in waiting:
        by_buyer.setdefault(alert.buyer_id, []).append(alert)
    sent = 0
    for buyer_id, alerts in by_buyer.items():
        buyer = db.session.get(User, buyer_id)
        if buyer is None or not buyer.active:
            continue
        params = _in_language(buyer, lambda alerts=alerts: _digest_params(alerts))
        if notify(buyer, "need_digest", params, "/needs/mine", f"need-digest:{week}") is None:
            continue  # this week's digest went out already: these wait for the next one
        for alert in alerts:
            alert.sent_at, alert.digest_week = clock.now(), week
        sent += 1
    return sent


def _digest_params(alerts: list[NeedAlert]) -> dict[str, str]:
    lines = []
    for alert in alerts[:DIGEST_ITEMS]:
        need, listing = db.session.get(Need, alert.need_id), db.session.get(Listing, alert.listing_id)
        if need is None or listing is None:
            continue
        lines.append(
            _(
                "• “%(listing)s” for “%(need)s” (%(score)s%%): %(reasons)s",
                listing=listing.title,
                need=need.title,
                score=alert.score,
                reasons=reasons_text(alert, need.currency),
            )
        )
    return {"count": str(len(alerts)), "items": "\n".join(lines)}
