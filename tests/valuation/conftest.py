"""Valuation fixtures: patents with typed facts, the demo parameter sets and deals, assessors."""

import datetime as dt
from collections.abc import Callable

import pytest

from app.accounts.models import Role
from app.catalogue.models import Patent, PatentClassification
from app.extensions import db
from app.valuation.seed import seed_closed_deals, seed_parameter_sets

TODAY = dt.date(2026, 11, 25)


@pytest.fixture
def make_patent(app) -> Callable[..., Patent]:
    """Factory: make_patent(filing=date, claims=10, family=["CN", "US"], ipc="H01M", status="granted")."""
    counter = iter(range(1, 100_000))

    def factory(
        filing: dt.date = dt.date(2016, 5, 1),
        claims: int | None = 12,
        family: list[str] | None = None,
        ipc: str = "H01M",
        status: str | None = "granted",
        patent_type: str = "invention",
        **extra,
    ) -> Patent:
        n = next(counter)
        office = extra.pop("jurisdiction", "CN")
        patent = Patent(
            jurisdiction=office,
            publication_number=f"{office}{110000000 + n}",
            patent_type=patent_type,
            title_zh=f"一种电池管理方法 {n}",
            title_en=f"Battery management method {n}",
            filing_date=filing,
            grant_date=filing + dt.timedelta(days=700) if status == "granted" else None,
            expiry_date=filing.replace(year=filing.year + 20),
            legal_status=status,
            family_countries=family or ["CN"],
            family_size=len(family or ["CN"]),
            claims_count=claims,
            independent_claims_count=2,
            forward_citations=n % 7,
            backward_citations=5,
            **extra,
        )
        patent.classifications = [
            PatentClassification(
                scheme="ipc", code=f"{ipc} 10/0525", search_key=f"{ipc}10/0525", subclass=ipc, is_main=True
            )
        ]
        db.session.add(patent)
        db.session.commit()
        return patent

    return factory


@pytest.fixture
def assessors(make_user):
    """Two assessors and an administrator, as the four-eyes rule needs."""
    return (
        make_user(email="a1@example.com", roles=(Role.ASSESSOR,)),
        make_user(email="a2@example.com", roles=(Role.ASSESSOR,)),
        make_user(email="admin@example.com", roles=(Role.ADMIN,)),
    )


@pytest.fixture
def seeded(app, assessors):
    """Active v1 of every model and of the ensemble, plus the generated demo deals."""
    seed_parameter_sets(lambda _m: None)
    seed_closed_deals(lambda _m: None)
    db.session.commit()
    return assessors
