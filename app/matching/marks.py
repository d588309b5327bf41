"""Matches for a need over listings AND catalogue patents not yet offered, with the buyer's marks.

A buyer saves or dismisses a match (per need): dismissed ones are hidden unless asked for, saved
ones come first. A patent nobody has listed yet is marked "not yet offered"; the buyer may ask its
owner, who is then invited to see the need and told in their inbox.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column, selectinload

from app.accounts.models import User
from app.catalogue.display import publication_display
from app.catalogue.models import PUBLISHED, Patent
from app.core.clock import clock
from app.core.errors import Conflict, NotFound, PermissionDenied
from app.core.models import UTCDateTime, utcnow
from app.core.notifications import notify, register_kind
from app.core.page_cache import versioned_memo
from app.extensions import db
from app.market import listing_states
from app.market.listing_models import Listing, ListingPatent
from app.matching import services
from app.matching.engine import Candidate, Match, rank
from app.matching.models import Need
from app.matching.responsiveness import seller_records
from app.matching.weights import active_weights

SAVED = "saved"
DISMISSED = "dismissed"
MARKS = (SAVED, DISMISSED)
MAX_PATENT_CANDIDATES = 2000  # newest published catalogue patents considered per need


def N_(message: str) -> str:  # noqa: N802  (marks a message id for extraction; translated when shown)
    return message


register_kind(
    "need_owner_asked",
    N_("A buyer asks about your patent %(number)s"),
    N_("A buyer needs technology like your patent %(number)s, which is not yet offered on IPEX: "
       "“%(need)s”. You can now see the need and answer with a listing."),
)  # fmt: skip


class MatchMark(db.Model):
    """The buyer's mark on one match of one need: saved or dismissed; when they asked a patent's owner."""

    __tablename__ = "match_marks"
    __table_args__ = (
        CheckConstraint("(listing_id IS NULL) != (patent_id IS NULL)", name="one_subject"),
        CheckConstraint("mark IS NULL OR mark IN ('saved', 'dismissed')", name="mark"),
        UniqueConstraint("need_id", "listing_id"),
        UniqueConstraint("need_id", "patent_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("needs.id", ondelete="CASCADE"), index=True)
    listing_id: Mapped[int | None] = mapped_column(ForeignKey("listings.id", ondelete="CASCADE"))
    patent_id: Mapped[int | None] = mapped_column(ForeignKey("patents.id", ondelete="CASCADE"))
    mark: Mapped[str | None] = mapped_column(String(10))  # saved | dismissed | None (cleared)
    owner_asked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())  # patents: owner was asked
    set_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


@dataclass(frozen=True)
class MatchRow:
    """One match as pages and the API show it: a listing, or a patent not yet offered."""

    kind: str  # "listing" | "patent"
    listing: Listing | None
    patent: Patent | None
    match: Match
    mark: str | None
    owner_asked: bool

    @property
    def target_id(self) -> int:
        return self.listing.id if self.listing else self.patent.id


def _marks(need: Need) -> dict[tuple[str, int], MatchMark]:
    rows = db.session.scalars(select(MatchMark).where(MatchMark.need_id == need.id))
    return {("listing", m.listing_id) if m.listing_id else ("patent", m.patent_id): m for m in rows}


def patent_candidate(patent: Patent, record: tuple[float | None, float | None]) -> Candidate:
    texts = (patent.title_zh, patent.title_en, patent.abstract_zh, patent.abstract_en, patent.first_claim)
    return Candidate(
        patent.id,
        "\n".join(t for t in texts if t),
        tuple(c.code for c in patent.classifications),
        seller_answer_share=record[0],
        seller_median_hours=record[1],
    )


def unoffered_patents(need: Need) -> list[Patent]:
    """Published catalogue patents no public listing offers, never the buyer's own or hidden ones."""
    offered = (
        select(ListingPatent.patent_id)
        .join(Listing, Listing.id == ListingPatent.listing_id)
        .where(Listing.status.in_(listing_states.PUBLIC_STATUSES))
    )
    query = (
        select(Patent)
        .where(
            Patent.moderation_status == PUBLISHED,
            Patent.id.not_in(offered),
            (Patent.owner_id.is_(None)) | (Patent.owner_id != need.buyer_id),
        )
        .options(selectinload(Patent.classifications))
        .order_by(Patent.id.desc())
        .limit(MAX_PATENT_CANDIDATES)
    )
    return list(db.session.scalars(query))


def _patent_matches(need: Need, ctx) -> list[tuple[Patent, Match]]:
    patents = unoffered_patents(need)
    records = seller_records(p.owner_id for p in patents)
    by_id = {p.id: p for p in patents}
    candidates = [patent_candidate(p, records.get(p.owner_id, (None, None))) for p in patents]
    found = rank(services.profile(need), candidates, weights=active_weights(), context=ctx, limit=None)
    return [(by_id[m.candidate_id], m) for m in found if m.score > 0]


def _ranked_pools(need: Need, limit: int) -> tuple[tuple[str, int, Match], ...]:
    """(kind, id, match) for the need's listings and not-yet-offered patents, the same for every
    viewer: ranked once per data version and day (freshness counts whole days), so a page view
    reads only the marks and the rows it shows."""

    def rank_pools() -> tuple[tuple[str, int, Match], ...]:
        from app.matching.ranking import ranked_listings

        found = ranked_listings(need)
        listings = [("listing", m.candidate_id, m) for m in found if m.score > 0][: 10 * limit]
        patents = [("patent", p.id, m) for p, m in _patent_matches(need, services._context())]
        return tuple(listings + patents)

    return versioned_memo("matching.need_pools", (need.id, limit, clock.now().date()), rank_pools)


def _load_targets(rows: list[tuple[str, int, Match]]) -> dict[tuple[str, int], Listing | Patent]:
    """The listings and patents of the rows shown, two statements whatever their number."""
    wanted = {kind: [target_id for k, target_id, _m in rows if k == kind] for kind in ("listing", "patent")}
    found: dict[tuple[str, int], Listing | Patent] = {}
    if wanted["listing"]:
        listings = db.session.scalars(
            select(Listing)
            .where(Listing.id.in_(wanted["listing"]))
            .options(selectinload(Listing.patent_links).selectinload(ListingPatent.patent))
        )
        found.update((("listing", x.id), x) for x in listings)
    if wanted["patent"]:
        found.update(
            (("patent", p.id), p)
            for p in db.session.scalars(select(Patent).where(Patent.id.in_(wanted["patent"])))
        )
    return found


def need_matches(
    need: Need, viewer: User | None, *, show_dismissed: bool = False, limit: int = 20
) -> list[MatchRow]:
    """Listings and not-yet-offered patents best first, saved ones first, dismissed ones hidden.

    Listings and patents are ranked in separate pools by the same strategies and weights, so a
    listing's score here is the one its seller sees under "buyers who need this"."""
    if not services.can_view(viewer, need):
        raise PermissionDenied(_("You cannot see this need."))
    marks = _marks(need) if services.can_manage(viewer, need) else {}

    def mark_of(kind: str, target_id: int) -> MatchMark | None:
        return marks.get((kind, target_id))

    ranked = [
        (kind, target_id, match)
        for kind, target_id, match in _ranked_pools(need, limit)
        if show_dismissed or getattr(mark_of(kind, target_id), "mark", None) != DISMISSED
    ]
    ranked.sort(key=lambda r: (getattr(mark_of(r[0], r[1]), "mark", None) != SAVED, -r[2].score, r[0], r[1]))
    shown = ranked[:limit]
    targets = _load_targets(shown)
    rows = []
    for kind, target_id, match in shown:
        target = targets.get((kind, target_id))
        if target is None:  # gone since the ranking (a write moves the data version; a race at most)
            continue
        mark = mark_of(kind, target_id)
        rows.append(
            MatchRow(
                kind,
                target if kind == "listing" else None,
                target if kind == "patent" else None,
                match,
                mark.mark if mark else None,
                bool(mark and mark.owner_asked_at),
            )
        )
    return rows


def _target(kind: str, target_id: int, actor: User) -> Listing | Patent:
    if kind == "listing":
        found = db.session.get(Listing, target_id)
        if found is None or found.status not in listing_states.PUBLIC_STATUSES:
            raise NotFound(_("The page you asked for does not exist."))
        return found
    found = db.session.get(Patent, target_id)
    if found is None or not found.is_published:
        raise NotFound(_("The page you asked for does not exist."))
    return found


def _mark_row(need: Need, kind: str, target_id: int, actor: User) -> MatchMark:
    column = MatchMark.listing_id if kind == "listing" else MatchMark.patent_id
    row = db.session.scalar(select(MatchMark).where(MatchMark.need_id == need.id, column == target_id))
    if row is None:
        row = MatchMark(need_id=need.id, set_by_id=actor.id, **{f"{kind}_id": target_id})
        db.session.add(row)
    return row


def set_mark(need: Need, kind: str, target_id: int, mark: str | None, actor: User) -> MatchMark:
    """Save, dismiss or clear one match of the buyer's need."""
    if not services.can_manage(actor, need):
        raise PermissionDenied(_("Only the buyer who posted this need can change it."))
    if kind not in ("listing", "patent") or (mark is not None and mark not in MARKS):
        raise NotFound(_("The page you asked for does not exist."))
    _target(kind, target_id, actor)
    row = _mark_row(need, kind, target_id, actor)
    row.mark, row.set_by_id = mark, actor.id
    db.session.flush()
    return row


def ask_owner(need: Need, patent_id: int, actor: User) -> MatchMark:
    """Ask the owner of a patent nobody offers yet: they may see the need and hear of it (once)."""
    if not services.can_manage(actor, need):
        raise PermissionDenied(_("Only the buyer who posted this need can change it."))
    patent = _target("patent", patent_id, actor)
    if patent.owner is None:
        raise Conflict(_("This patent's owner is not on IPEX yet, so they cannot be asked here."))
    if patent.owner_id == need.buyer_id:
        raise Conflict(_("This is your own patent."))
    row = _mark_row(need, "patent", patent.id, actor)
    if row.owner_asked_at is None:
        services.invite_seller(need, patent.owner, actor)
        params = {"number": publication_display(patent), "need": need.title}
        notify(
            patent.owner, "need_owner_asked", params, f"/needs/{need.id}", f"need-ask:{need.id}:{patent.id}"
        )
        row.owner_asked_at = utcnow()
    db.session.flush()
    return row
