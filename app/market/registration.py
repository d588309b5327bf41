"""The registration tracker: deadlines the law sets, and the catalogue updates a registration makes.

- CN licences (exclusive, sole, non-exclusive, open, option) should be recorded with CNIPA within
  three months of the contract taking effect (both signatures).
- A CN assignment takes effect only when CNIPA registers it: no deadline, but nothing has passed
  to the buyer until then, which the page says.
- US assignments should be recorded with the USPTO within three months of their date (35 U.S.C.
  261) to be safe against later purchasers.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.catalogue.models import Patent, PatentEvent, PatentLicence, PatentParty
from app.catalogue.services import record_change
from app.market.deal_models import Deal

RECORDAL_MONTHS = 3
NEAR_DAYS = 14  # "deadline near" reminders start this many days before


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, or the month's last day (31 Jan + 1 month = 28/29 Feb)."""
    years, month_index = divmod(day.month - 1 + months, 12)
    year, month = day.year + years, month_index + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Deadline:
    kind: str  # cnipa_licence_recordal | uspto_assignment_recording
    due_on: dt.date
    rule: object  # a lazy translated sentence citing the rule (rendered in the reader's language)

    def days_left(self, today: dt.date) -> int:
        return (self.due_on - today).days

    def is_near(self, today: dt.date) -> bool:
        return 0 <= self.days_left(today) <= NEAR_DAYS


def deadlines(deal: Deal) -> list[Deadline]:
    """The legal deadlines that apply once the contract has taken effect (none before)."""
    start = deal.contract_effective_on
    if start is None:
        return []
    due = add_months(start, RECORDAL_MONTHS)
    jurisdictions = {p["jurisdiction"] for p in deal.patents}
    found = []
    if deal.is_licence and "CN" in jurisdictions:
        found.append(
            Deadline(
                "cnipa_licence_recordal",
                due,
                _l("A licence contract should be recorded with CNIPA within three months of taking effect."),
            )
        )
    if not deal.is_licence and "US" in jurisdictions:
        found.append(
            Deadline(
                "uspto_assignment_recording",
                due,
                _l("Record a US assignment with the USPTO within three months (35 U.S.C. 261)."),
            )
        )
    return found


def effect_note(deal: Deal) -> str | None:
    """What the registration means for this deal, in the reader's language."""
    if not deal.is_licence and any(p["jurisdiction"] == "CN" for p in deal.patents):
        return _("The assignment of a Chinese patent takes effect only when CNIPA registers it.")
    return None


def apply_registration_to_catalogue(deal: Deal, actor) -> None:
    """The office recorded the deal: the catalogue changes owner (assignment) or gains a licence."""
    patents = list(db_patents(deal))
    if deal.is_licence:
        if deal.origin != "open_licence":  # the open licence recorded its licences on acceptance
            for patent in patents:
                _add_licence(deal, patent, actor)
        return
    for patent in patents:
        _assign(deal, patent, actor)


def db_patents(deal: Deal):
    from app.extensions import db

    ids = [p["id"] for p in deal.patents]
    return db.session.scalars(select(Patent).where(Patent.id.in_(ids)).order_by(Patent.id))


LICENCE_TYPE_OF = {
    "exclusive_licence": "exclusive",
    "sole_licence": "sole",
    "non_exclusive_licence": "non_exclusive",
    "option": "non_exclusive",
}


def _licence_end(deal: Deal) -> dt.date | None:
    months = deal.terms.get("term_months")
    if not months or deal.contract_effective_on is None:
        return None
    return add_months(deal.contract_effective_on, int(months))


def _add_licence(deal: Deal, patent: Patent, actor) -> None:
    licensee = deal.parties["buyer"]["organisation"] or deal.parties["buyer"]["name"]
    licence = PatentLicence(
        licence_type=LICENCE_TYPE_OF[deal.right_type],
        licensee=licensee[:300],
        field=deal.terms.get("field_of_use"),
        territory=deal.terms.get("territory"),
        recorded_on=deal.registered_on,
        until=_licence_end(deal),
    )
    patent.licences.append(licence)
    note = f"{deal.reference} {deal.registration_notice or ''}".strip()
    record_change(patent, actor, "legal_fact", {"licence": (None, {"licensee": licensee})}, note=note)


def _assign(deal: Deal, patent: Patent, actor) -> None:
    buyer = deal.parties["buyer"]
    new_owner = buyer["organisation"] or buyer["name"]
    old = (patent.owner_id, patent.organisation_id)
    patent.owner_id, patent.organisation_id = deal.buyer_id, deal.buyer_organisation_id
    for party in [p for p in patent.parties if p.role == "owner"]:
        patent.parties.remove(party)
    patent.parties.append(PatentParty(role="owner", name=new_owner[:300]))
    patent.events.append(
        PatentEvent(
            event_type="assignment",
            occurred_on=deal.registered_on,
            summary=f"{deal.parties['seller']['organisation'] or deal.parties['seller']['name']} → {new_owner}"[
                :500
            ],
            reference=(deal.registration_notice or deal.filing_number or deal.reference)[:100],
            outcome=deal.reference,
        )
    )
    record_change(
        patent,
        actor,
        "legal_fact",
        {"owner": (list(old), [deal.buyer_id, deal.buyer_organisation_id])},
        note=f"{deal.reference} registered",
    )
