"""Demo data for valuation: approved v1 parameter sets, labelled generated closed deals, valuations."""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Callable
from decimal import Decimal

from sqlalchemy import select

from app.accounts.services import find_user_by_email
from app.extensions import db
from app.valuation import paramsets
from app.valuation.batch import patent_ids, revalue
from app.valuation.defaults import DEFAULT_ENSEMBLE, DEFAULT_PARAMS
from app.valuation.fx import seed_demo_rates
from app.valuation.models import ENSEMBLE_ID, ClosedDeal, ParameterSet
from app.valuation.services import load_config

DEMO_DEALS = 48
FIELDS = ("H01M", "G06N", "G06F", "H04L", "A61K", "B25J", "C12N", "G01N")
NOTE = (
    "生成的演示成交（独立的潜在质量生成器，与可比交易模型无关），非真实交易 / "
    "Generated demo deal (an independent latent-quality generator, not the comparables model), not a real transaction"
)


def seed_parameter_sets(echo: Callable[[str], None]) -> None:
    """v1 of every model and of the ensemble: drafted by one demo assessor, approved by the other."""
    author = find_user_by_email("assessor@ipex.demo")
    reviewer = find_user_by_email("assessor2@ipex.demo")
    system = author is None or reviewer is None
    wanted = {**DEFAULT_PARAMS, ENSEMBLE_ID: DEFAULT_ENSEMBLE}
    for model_id, params in wanted.items():
        if db.session.scalar(select(ParameterSet.id).where(ParameterSet.model_id == model_id).limit(1)):
            continue
        reason = "初始版本（演示默认值） / Initial version (demo defaults)"
        draft = paramsets.create_draft(model_id, author, reason, params=params, system=system)
        paramsets.submit(draft, author, reason, system=system)
        paramsets.approve(draft, reviewer, "四眼复核通过 / Four-eyes review passed", system=system)
        echo(f"  {model_id} v1 active")


DISCOUNT = 0.12  # the generator's own discount rate for the years of exclusivity a buyer pays for


def demo_deal(i: int, rng: random.Random) -> ClosedDeal:
    """A generated deal from a latent-quality generator that shares nothing with the comparables
    model's power-law adjustments (which would make the backtest circular): a hidden quality drives
    price, family and claims with noise; remaining life enters as an annuity of the years left."""
    field = rng.choice(FIELDS)
    quality = rng.gauss(0, 1)  # never observed by any model
    remaining = round(rng.uniform(3.0, 18.0), 2)
    family = max(1, min(6, 1 + int(rng.expovariate(1.0) * math.exp(0.4 * quality))))
    claims = max(3, min(40, int(rng.gauss(12 + 4 * quality, 5))))
    deal_type = "licence" if rng.random() < 0.25 else "assignment"
    annuity = (1 - (1 + DISCOUNT) ** -remaining) / DISCOUNT
    share = 0.35 if deal_type == "licence" else 1.0  # a licence buys part of the income
    price = 90_000 * annuity * share * math.exp(0.7 * quality + rng.gauss(0, 0.5))
    countries = ["CN", "US", "EP", "JP", "KR", "DE"][:family]
    snapshot = {
        "remaining_years": remaining,
        "family_size": family,
        "family_countries": countries,
        "claims_count": claims,
        "ipc_main": field,
        "patent_type": "invention",
        "legal_status": "valid",
        "deal_type": deal_type,
        "exclusive": deal_type == "assignment",
    }
    return ClosedDeal(
        reference=f"demo-{i:03d}",
        price=Decimal(f"{price:.2f}"),
        currency="CNY",
        closed_on=dt.date(2021, 1, 1) + dt.timedelta(days=rng.randint(0, 5 * 365)),
        deal_type=deal_type,
        exclusive=deal_type == "assignment",
        field=field,
        snapshot=snapshot,
        is_generated=True,
        note=NOTE,
    )


def seed_closed_deals(echo: Callable[[str], None]) -> None:
    existing = set(db.session.scalars(select(ClosedDeal.reference).where(ClosedDeal.is_generated.is_(True))))
    rng = random.Random(2026)  # noqa: S311  (reproducible demo data, not security)
    added = 0
    for i in range(1, DEMO_DEALS + 1):
        deal = demo_deal(i, rng)
        if deal.reference not in existing:
            db.session.add(deal)
            added += 1
    db.session.flush()
    echo(f"  {added} generated demo deals added ({DEMO_DEALS} in all, labelled as generated)")


def seed_valuation(echo: Callable[[str], None]) -> None:
    """Idempotent: only what is missing is created; patents without a valuation are valued."""
    seed_demo_rates(echo)
    seed_parameter_sets(echo)
    seed_closed_deals(echo)
    ids = patent_ids(only_stale=True)
    if ids:
        revalue(ids, load_config())
        # Second pass: the score calibration ranks each patent among the scores the first one stored.
        revalue(ids, load_config())
    echo(f"  {len(ids)} patents valued")
