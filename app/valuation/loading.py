"""Patent facts for many patents at once: Core selects of only the columns the models read.

The bulk path used to load ORM patents with three eager-loaded relationships, most of whose columns
no model reads. Here each table is read once per chunk as plain rows, and the facts are mapped by
the same ``patent_facts`` the interactive path uses, so both paths store identical facts.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any

from sqlalchemy import select

from app.catalogue.models import Patent, PatentClassification, PatentEvent, PatentLicence, PatentPledge
from app.extensions import db
from app.valuation.fx import RateBook, patent_currency
from app.valuation.inputs import EXCLUSIVE_TYPES, patent_facts
from app.valuation.models import IncomeInput

PATENT_COLUMNS = (
    Patent.id,
    Patent.jurisdiction,
    Patent.patent_type,
    Patent.legal_status,
    Patent.filing_date,
    Patent.grant_date,
    Patent.expiry_date,
    Patent.family_countries,
    Patent.family_size,
    Patent.claims_count,
    Patent.independent_claims_count,
    Patent.forward_citations,
    Patent.backward_citations,
    Patent.annual_fee_paid_year,
    Patent.generated_fields,
)


def _grouped(query: Any) -> dict[int, list[Any]]:
    out: dict[int, list[Any]] = defaultdict(list)
    for row in db.session.execute(query):
        out[row.patent_id].append(row)
    return out


def facts_by_id(ids: Sequence[int], on: dt.date) -> list[tuple[int, dict[str, Any]]]:
    """(patent id, facts) for the given patents in id order; four selects, no ORM objects."""
    wanted = list(ids)
    codes = _grouped(
        select(
            PatentClassification.patent_id,
            PatentClassification.scheme,
            PatentClassification.subclass,
            PatentClassification.is_main,
            PatentClassification.position,
        )
        .where(PatentClassification.patent_id.in_(wanted))
        .order_by(PatentClassification.patent_id, PatentClassification.position, PatentClassification.id)
    )
    pledges = _grouped(
        select(
            PatentPledge.patent_id, PatentPledge.released_on, PatentPledge.amount, PatentPledge.currency
        ).where(PatentPledge.patent_id.in_(wanted))
    )
    events = _grouped(
        select(
            PatentEvent.patent_id, PatentEvent.event_type, PatentEvent.occurred_on, PatentEvent.outcome
        ).where(PatentEvent.patent_id.in_(wanted), PatentEvent.event_type == "invalidation")
    )
    licences = _grouped(
        select(
            PatentLicence.patent_id,
            PatentLicence.licence_type,
            PatentLicence.recorded_on,
            PatentLicence.until,
            PatentLicence.field,
        ).where(PatentLicence.patent_id.in_(wanted), PatentLicence.licence_type.in_(EXCLUSIVE_TYPES))
    )
    own = {
        record.patent_id: record
        for record in db.session.scalars(
            select(IncomeInput).where(
                IncomeInput.patent_id.in_(wanted), IncomeInput.listing_type == "default"
            )
        )
    }
    rows = db.session.execute(select(*PATENT_COLUMNS).where(Patent.id.in_(wanted)).order_by(Patent.id))
    book = RateBook()
    out = []
    for row in rows:
        patent = SimpleNamespace(
            **row._mapping,
            classifications=codes.get(row.id, ()),
            pledges=pledges.get(row.id, ()),
            events=events.get(row.id, ()),
            licences=licences.get(row.id, ()),
        )
        fx = book.fact(patent_currency(row.jurisdiction), on)
        out.append((row.id, patent_facts(patent, on=on, income=own.get(row.id), fx=fx)))
    return out
