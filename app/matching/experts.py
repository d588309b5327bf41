"""Expert recommendations: patent -> experts for an assessment, need -> experts for the buyer.

Conflicts of interest are recorded here (an expert against an organisation or a user, with the
reason and who recorded it), on top of the organisations the expert's own profile names. An
expert with a conflict with the patent's owner (or the need's buyer) is left out, and the page
says so. Scoring is the pure ``engine.experts``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import CheckConstraint, ForeignKey, String, select
from sqlalchemy.orm import Mapped, mapped_column, relationship, selectinload

from app.accounts.models import Organisation, User
from app.accounts.permissions import is_admin, is_assessor_or_admin, is_authenticated
from app.catalogue.models import PUBLISHED, Expert, Patent
from app.catalogue.search import crosslang
from app.catalogue.validation import ValidationFailed
from app.core.clock import clock
from app.core.errors import PermissionDenied
from app.core.models import UTCDateTime, utcnow
from app.core.page_cache import versioned_memo
from app.extensions import db
from app.matching.engine import Match
from app.matching.engine.experts import Exclusion, ExpertCandidate, Subject, rank_experts
from app.matching.models import Need

MAX_EXPERTS = 5000  # published experts considered per recommendation


class ExpertConflictRecord(db.Model):
    """A recorded conflict of interest: the expert must not assess for, or advise, this party."""

    __tablename__ = "expert_conflict_records"
    __table_args__ = (CheckConstraint("(organisation_id IS NULL) != (user_id IS NULL)", name="one_party"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("experts.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    reason: Mapped[str] = mapped_column(String(500))  # "employed by the owner until 2024", ...
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    expert: Mapped[Expert] = relationship()
    organisation: Mapped[Organisation | None] = relationship()
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    recorded_by: Mapped[User] = relationship(foreign_keys=[recorded_by_id])


def record_conflict(
    expert: Expert,
    actor: User,
    reason: str,
    *,
    organisation: Organisation | None = None,
    user: User | None = None,
) -> ExpertConflictRecord:
    """Record that ``expert`` must not work for ``organisation`` (or ``user``): administrators and
    whoever maintains the expert's profile (the expert included)."""
    if not can_record_conflict(actor, expert):
        raise PermissionDenied(_("Only administrators and the expert's maintainer can record conflicts."))
    reason = (reason or "").strip()
    errors = {}
    if not reason:
        errors["reason"] = _("Say why the expert has a conflict.")
    if (organisation is None) == (user is None):
        errors["party"] = _("Name either an organisation or a user.")
    if errors:
        raise ValidationFailed(errors)
    row = ExpertConflictRecord(
        expert=expert, organisation=organisation, user=user, reason=reason[:500], recorded_by=actor
    )
    db.session.add(row)
    db.session.flush()
    return row


def can_record_conflict(user: User | None, expert: Expert) -> bool:
    return is_authenticated(user) and (is_admin(user) or expert.can_edit(user))


def can_see_conflicts(user: User | None, expert: Expert) -> bool:
    """Recorded conflicts name people: administrators, the profile's maintainers and assessors."""
    return is_authenticated(user) and (is_assessor_or_admin(user) or expert.can_edit(user))


def conflict_records(expert: Expert) -> list[ExpertConflictRecord]:
    query = select(ExpertConflictRecord).where(ExpertConflictRecord.expert_id == expert.id)
    return list(db.session.scalars(query.order_by(ExpertConflictRecord.id)))


def find_party(text: str) -> dict[str, Organisation | User]:
    """An e-mail address names a user, anything else an organisation by its exact name."""
    from app.accounts.services import find_user_by_email

    text = (text or "").strip()
    if "@" in text:
        user = find_user_by_email(text)
        return {"user": user} if user else {}
    org = db.session.scalar(select(Organisation).where(Organisation.name == text).limit(1)) if text else None
    return {"organisation": org} if org else {}


@dataclass(frozen=True)
class Party:
    """Who an expert must be independent of: a user and their organisation, by id and by name."""

    role: str  # "owner" | "buyer"
    user_id: int | None
    organisation_id: int | None
    names: tuple[str, ...]  # organisation names as typed in experts' profiles may match these


def _norm(text: str) -> str:
    return "".join((text or "").casefold().split())


def owner_party(patent: Patent) -> Party:
    owner = patent.owner
    org_id = patent.organisation_id or (owner.organisation_id if owner else None)
    names = list(patent.owners_on_record)
    for org in (patent.organisation, owner.organisation if owner else None):
        if org is not None:
            names.append(org.name)
    return Party("owner", patent.owner_id, org_id, tuple(n for n in names if n))


def buyer_party(need: Need) -> Party:
    buyer = need.buyer
    org = buyer.organisation if buyer else None
    return Party("buyer", need.buyer_id, org.id if org else None, (org.name,) if org else ())


def _conflict(expert: Expert, records: list[ExpertConflictRecord], parties: list[Party]):
    """(reason key, params) for the first conflict with one of the parties, else None."""
    for party in parties:
        if expert.user_id is not None and expert.user_id == party.user_id:
            return (f"conflict_{party.role}_self", {})
        for rec in records:
            if (rec.user_id and rec.user_id == party.user_id) or (
                rec.organisation_id and rec.organisation_id == party.organisation_id
            ):
                return (
                    f"conflict_{party.role}_recorded",
                    {"reason": rec.reason, "by": rec.recorded_by.display_name},
                )
        wanted = {_norm(n) for n in party.names}
        for listed in expert.conflicts:
            name = listed.organisation.split(":")[0]
            if _norm(name) in wanted or any(w and w in _norm(listed.organisation) for w in wanted):
                return (f"conflict_{party.role}_profile", {"reason": listed.organisation})
    return None


def _candidate(expert: Expert, records: list[ExpertConflictRecord], parties: list[Party]) -> ExpertCandidate:
    texts = [expert.title, expert.title_en, expert.biography_zh, expert.biography_en, *expert.industries]
    return ExpertCandidate(
        expert.id,
        "\n".join(t for t in texts if t),
        tuple(expert.specialties_ipc),
        tuple(expert.qualifications or ()),
        expert.availability,
        _conflict(expert, records, parties),
    )


@dataclass(frozen=True)
class Recommendations:
    matches: list[tuple[Expert, Match]]
    excluded: list[tuple[Expert, Exclusion]]


def _recommend(subject: Subject, parties: list[Party], limit: int, key: tuple) -> Recommendations:
    """Rank every published expert for the subject. The ranking is the same for every viewer who may
    see it and changes only with a committed write (an expert, a conflict, the subject, its parties)
    or the day, so it is kept per data version under ``key``; a view loads only the experts it shows."""

    def rank() -> tuple[tuple[Match, ...], tuple[Exclusion, ...]]:
        records: dict[int, list[ExpertConflictRecord]] = {}
        for rec in db.session.scalars(
            select(ExpertConflictRecord).options(selectinload(ExpertConflictRecord.recorded_by))
        ):
            records.setdefault(rec.expert_id, []).append(rec)
        experts = _published_experts(select(Expert).order_by(Expert.id).limit(MAX_EXPERTS))
        candidates = [_candidate(e, records.get(e.id, []), parties) for e in experts]
        matches, excluded = rank_experts(subject, candidates, lexicon=crosslang, limit=limit)
        return tuple(matches), tuple(excluded)

    matches, excluded = versioned_memo("matching.experts", (*key, limit, clock.now().date()), rank)
    wanted = {m.candidate_id for m in matches} | {x.expert_id for x in excluded}
    by_id = (
        {e.id: e for e in _published_experts(select(Expert).where(Expert.id.in_(wanted)))} if wanted else {}
    )
    return Recommendations(
        [(by_id[m.candidate_id], m) for m in matches if m.candidate_id in by_id],
        [(by_id[x.expert_id], x) for x in excluded if x.expert_id in by_id],
    )


def _published_experts(query) -> list[Expert]:
    options = (selectinload(Expert.specialties), selectinload(Expert.conflicts))
    return list(db.session.scalars(query.where(Expert.moderation_status == PUBLISHED).options(*options)))


def can_see_patent_experts(user: User | None, patent: Patent) -> bool:
    """Assessors and administrators, and the patent's owner."""
    return is_authenticated(user) and (is_assessor_or_admin(user) or patent.can_edit(user))


def experts_for_patent(patent: Patent, viewer: User | None, limit: int = 5) -> Recommendations:
    """Experts to assess this patent, and those left out for a conflict with its owner."""
    if not can_see_patent_experts(viewer, patent) or not patent.can_view(viewer):
        raise PermissionDenied(_("Only assessors and the patent's owner see recommended experts."))
    texts = (patent.title_zh, patent.title_en, patent.abstract_zh, patent.abstract_en)
    subject = Subject("\n".join(t for t in texts if t), tuple(c.code for c in patent.classifications))
    return _recommend(subject, [owner_party(patent)], limit, ("patent", patent.id))


def experts_for_need(need: Need, viewer: User | None, limit: int = 5) -> Recommendations:
    """Experts who could advise the buyer, and those left out for a conflict with the buyer."""
    from app.matching.services import can_manage

    if not can_manage(viewer, need):
        raise PermissionDenied(_("Only the buyer who posted this need sees recommended experts."))
    return _recommend(
        Subject(need.text, tuple(need.codes or ())), [buyer_party(need)], limit, ("need", need.id)
    )
