"""Builders for listing tests: verified sellers, patents with legal facts, listings in any status."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from app.accounts.models import Role, User
from app.catalogue.models import Patent, PatentClassification, PatentParty
from app.core.actors import system_actor
from app.extensions import db
from app.market import listing_services as services
from app.market.listing_models import Listing
from app.valuation.models import StoredValuation

_numbers = itertools.count(100000)


def make_seller(make_user, name: str = "Seller Univ", verified: bool = True, **kwargs) -> User:
    return make_user(roles=(Role.RIGHTS_HOLDER,), organisation=name, verified=verified, **kwargs)


def make_buyer(make_user, name: str = "Buyer Co", verified: bool = True, **kwargs) -> User:
    return make_user(roles=(Role.BUYER,), organisation=name, verified=verified, **kwargs)


def make_patent(
    owner: User | None, *, owners: tuple[str, ...] | None = None, subclass: str = "H01M", **facts
) -> Patent:
    """A granted CN invention in force until 2040, owned on the platform by ``owner``."""
    number = f"CN{next(_numbers)}B"
    values = {
        "jurisdiction": "CN",
        "publication_number": number[:-1],
        "kind_code": "B",
        "patent_type": "invention",
        "title_zh": "一种锂电池正极材料",
        "title_en": "Cathode material for lithium batteries",
        "first_claim": "A cathode material comprising ...",
        "legal_status": "granted",
        "filing_date": dt.date(2020, 3, 1),
        "grant_date": dt.date(2022, 5, 1),
        "expiry_date": dt.date(2040, 3, 1),
        **facts,
    }
    patent = Patent(owner=owner, organisation_id=owner.organisation_id if owner else None, **values)
    org_name = owner.organisation.name if owner and owner.organisation else "Someone"
    for i, name in enumerate(owners or (org_name,)):
        patent.parties.append(PatentParty(role="owner", name=name, sequence=i))
    patent.classifications.append(
        PatentClassification(
            scheme="ipc",
            code=f"{subclass} 4/00",
            search_key=f"{subclass}0004/00",
            subclass=subclass,
            is_main=True,
        )
    )
    db.session.add(patent)
    db.session.flush()
    return patent


def listing_data(patents: list[Patent], **overrides) -> dict:
    data = {
        "patent_ids": [p.id for p in patents],
        "right_type": "exclusive_licence",
        "price_mechanism": "negotiable",
        "ask_amount": "500000",
        "field_of_use": "电动汽车 electric vehicles",
        "territory": "中国大陆 Mainland China",
        "term_months": "60",
        "royalty_rate": "3.5",
        "title_zh": "锂电池正极材料独占许可",
        "title_en": "Exclusive licence: lithium cathode",
        "summary_zh": "提升能量密度 15%。",
        "summary_en": "Raises energy density by 15%.",
    }
    data.update(overrides)
    return data


def make_listing(seller: User, patents: list[Patent], status: str = "draft", **overrides) -> Listing:
    """A listing created through the service and moved to ``status`` through the lifecycle."""
    listing = services.create_listing(seller, listing_data(patents, **overrides))
    if status in ("submitted", "published", "rejected", "under_offer", "withdrawn"):
        services.submit_listing(listing, seller)
    admin = system_actor()
    if status in ("published", "under_offer"):
        listing.organisation  # noqa: B018  (loaded for the verified check)
        services._publish(listing, admin)
    if status == "rejected":
        listing.rejection_reason = "x"
        from app.core.lifecycle import apply_transition
        from app.market.listing_states import LISTING_LIFECYCLE

        apply_transition(LISTING_LIFECYCLE, listing, "reject", actor=admin, reason="Fix the summary")
    if status == "under_offer":
        services.mark_under_offer(listing, admin)
    if status == "withdrawn":
        services.withdraw_listing(listing, seller)
    db.session.commit()
    return listing


def store_valuation(
    patent: Patent, low: str, mid: str, high: str, listing_type: str = "default"
) -> StoredValuation:
    row = StoredValuation(
        run_id=f"t{patent.id}{listing_type}",
        patent_id=patent.id,
        kind="ensemble",
        model_id="ensemble",
        model_version="1.0.0",
        parameter_set_version=3,
        listing_type=listing_type,
        seed=1,
        input_snapshot={},
        result={},
        code_version="test",
        low=Decimal(low),
        mid=Decimal(mid),
        high=Decimal(high),
        currency="CNY",
        is_current=True,
    )
    db.session.add(row)
    db.session.flush()
    return row
