"""Demo catalogue: real patents from ``demo_data/``, generated facts for the CN sample, projects, experts.

Idempotent and safe to re-run over users' data: the seed only creates what is missing (patents by
(jurisdiction, number), projects and experts by reference) and only regenerates the facts of patents
it created and nobody changed since (``Patent.seed_untouched``); generated facts are deterministic.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from app.accounts.services import find_user_by_email
from app.catalogue import people_services, services
from app.catalogue.demo_content import COMPANY, EXPERTS, HOLDER, PROJECTS
from app.catalogue.importing import run_import
from app.catalogue.messages import N_
from app.catalogue.models import Expert, InnovationProject, Patent, PatentEvent, PatentLicence, PatentPledge
from app.catalogue.terms import expiry_date

DEMO_DATA = Path(__file__).parent / "demo_data"
# Stored as the change's note in English and shown translated (catalogue/_macros.html).
DEMO_FACTS_NOTE = N_("Demo data: generated facts")
# (file, owner email): who the demo says holds the rights on the platform
DEMO_FILES = (
    ("cn_sample_train.csv", HOLDER),
    ("cn_sample_val.csv", COMPANY),
    ("cn_sample_test.csv", HOLDER),
    ("ipg120103.small.zip", COMPANY),
    ("ipg130416.small.zip", HOLDER),
    ("ipg120327.196.zip", COMPANY),
    ("patentsberta_claims_cpc_test.csv", HOLDER),
)
GENERATED = ["filing_date", "publication_date", "grant_date", "legal_status", "annual_fee_paid_year",
             "family_countries", "forward_citations", "backward_citations"]  # fmt: skip
BANKS = ("杭州银行科技支行", "浙商银行杭州分行", "中国银行浙江省分行")


def seed_catalogue(echo: Callable[[str], None]) -> None:
    """Create the demo records that are missing; never change one the seed did not create or anyone edited."""
    with services.demo_seeding():
        for name, email in DEMO_FILES:
            owner = find_user_by_email(email)
            outcome = run_import(DEMO_DATA / name, None, owner=owner, skip_bad=True)
            counts = ", ".join(f"{n} {k}" for k, n in sorted(outcome.counts.items()))
            echo(f"  {name}: {counts}; {len(outcome.errors)} skipped")
        untouched = select(Patent).where(Patent.jurisdiction == "CN", Patent.seed_untouched.is_(True))
        cn = list(services.db.session.scalars(untouched))
        for patent in cn:
            generate_cn_facts(patent)
        echo(f"  generated legal status, fees and family for {len(cn)} CN demo patents (marked as generated)")
        _seed_projects(echo)
        _seed_experts(echo)


def _rng(patent: Patent) -> random.Random:
    seed = int.from_bytes(hashlib.sha256(patent.publication_number.encode()).digest()[:8], "big")
    return random.Random(seed)  # noqa: S311  (demo facts, not security)


def generate_cn_facts(patent: Patent) -> None:
    """Plausible dates, status, fees, family and encumbrances, the same on every run."""
    rng = _rng(patent)
    year = 2000 + int(patent.publication_number[2:5]) // 5 if patent.publication_number[2] == "1" else 2021
    year = min(max(year, 2019), 2024)
    published = dt.date(year, rng.randint(1, 12), rng.randint(1, 28))
    filed = published - dt.timedelta(days=rng.randint(300, 560))
    granted = None
    status = "pending"
    if patent.kind_code in ("B", "C") or rng.random() < 0.45:
        granted, status = published + dt.timedelta(days=rng.randint(200, 700)), "granted"
        if rng.random() < 0.12:
            status = "lapsed"
    years_paid = None
    status_date = granted or published
    if granted:
        years_paid = min(dt.date(2026, 1, 1).year - filed.year + 1, 20)
    if status == "lapsed":  # the owner stopped paying: fees end in the year of the lapse
        status_date = min(granted + dt.timedelta(days=rng.randint(365, 900)), dt.date(2025, 12, 31))
        years_paid = status_date.year - filed.year
    family = ["CN"] + sorted(rng.sample(["US", "EP", "JP", "KR", "WO"], k=rng.choice((0, 0, 1, 2, 3))))
    values = {
        "filing_date": filed,
        "publication_date": published,
        "grant_date": granted,
        "legal_status": status,
        "legal_status_date": status_date,
        "annual_fee_paid_year": years_paid,
        "family_countries": family,
        "family_size": len(family),
        "forward_citations": rng.randint(0, 25),
        "backward_citations": rng.randint(3, 30),
        "expiry_date": expiry_date("CN", patent.patent_type, filed, granted),
    }
    changes = services.apply_values(patent, values, tuple(values))
    patent.generated_fields = GENERATED
    if changes:
        services.record_change(patent, None, "update", changes, note=DEMO_FACTS_NOTE)
    if status == "granted" and not (patent.pledges or patent.licences or patent.events):
        _encumbrances(patent, rng, granted)


def _encumbrances(patent: Patent, rng: random.Random, granted: dt.date) -> None:
    if rng.random() < 0.3:
        patent.pledges.append(
            PatentPledge(
                pledgee=rng.choice(BANKS),
                pledgor=patent.owner.organisation.name
                if patent.owner and patent.owner.organisation
                else None,
                registered_on=granted + dt.timedelta(days=rng.randint(60, 400)),
                amount=Decimal(rng.randint(50, 800) * 10000),
                currency="CNY",
            )
        )
    if rng.random() < 0.3:
        patent.licences.append(
            PatentLicence(
                licence_type=rng.choice(("exclusive", "sole", "non_exclusive")),
                licensee="浙江某科技有限公司 (demo)",
                field="数据安全 data security",
                territory="中国大陆 Mainland China",
                recorded_on=granted + dt.timedelta(days=rng.randint(30, 300)),
                until=granted + dt.timedelta(days=rng.randint(800, 2500)),
            )
        )
    if rng.random() < 0.15:
        patent.events.append(
            PatentEvent(
                event_type="invalidation",
                occurred_on=granted + dt.timedelta(days=rng.randint(200, 600)),
                summary="第三方提出无效宣告请求 Third-party invalidation request (demo)",
                outcome="维持有效 Upheld",
            )
        )


def _seed_projects(echo: Callable[[str], None]) -> None:
    created = 0
    for item in PROJECTS:
        data = dict(item)
        owner = find_user_by_email(data.pop("owner"))
        exists = services.db.session.scalar(
            select(InnovationProject).where(
                InnovationProject.owner_id == owner.id, InnovationProject.reference == data["reference"]
            )
        )
        if exists is None:
            people_services.create_project(None, data, owner=owner)
            created += 1
    echo(f"  innovation projects: {created} created, {len(PROJECTS) - created} already there")


def _seed_experts(echo: Callable[[str], None]) -> None:
    admin = find_user_by_email("admin@ipex.demo")
    created = 0
    for item in EXPERTS:
        exists = services.db.session.scalar(select(Expert).where(Expert.reference == item["reference"]))
        if exists is None:
            people_services.create_expert(None, item, owner=admin)
            created += 1
    echo(f"  experts: {created} created, {len(EXPERTS) - created} already there")
