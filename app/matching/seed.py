"""Demo needs in Chinese and English from the demo buyers: public ones, one private, and topics
that the demo listings (battery cathodes, energy storage, data security, sensors) answer."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from app.accounts.services import find_user_by_email
from app.extensions import db
from app.matching import services
from app.matching.models import Need

BUYER, INVESTOR = "buyer@ipex.demo", "investor@ipex.demo"

DEMO = (
    (BUYER, {
        "title_zh": "寻求高能量密度锂电池正极材料技术",
        "title_en": "Seeking high energy density lithium battery cathode technology",
        "description_zh": "我公司生产电动汽车电池包，需要提升锂电池正极材料能量密度的专利技术，可接受独占许可或转让。",
        "codes": ["H01M"], "rights": ["exclusive_licence", "assignment"], "territory": "中国大陆",
        "region": "浙江宁波", "budget_min": "50万", "budget_max": "150万", "deadline": "2099-12-31",
    }),
    (BUYER, {
        "title_zh": "储能系统电池管理技术需求",
        "description_zh": "需要储能电池管理与热安全相关专利，用于工商业储能柜，预算三百万元以内。",
        "codes": ["H01M", "H02J"], "rights": ["assignment"], "region": "浙江宁波",
        "budget_min": "100万", "budget_max": "300万",
    }),
    (INVESTOR, {
        "title_en": "Data security patents for a cloud start-up",
        "description_en": "We look for data security and encryption patents our portfolio company can license "
                          "non-exclusively for its cloud storage service.",
        "codes": ["G06F", "H04L"], "rights": ["non_exclusive_licence", "open_licence"],
        "budget_max": "50万", "region": "Shanghai",
    }),
    (INVESTOR, {
        "title_en": "Sensor technology for industrial monitoring (private)",
        "description_en": "Confidential: a sensor invention for monitoring industrial equipment, licence or option.",
        "codes": ["G01"], "rights": ["option", "exclusive_licence"], "budget_max": "20万", "is_private": True,
    }),
)  # fmt: skip


def seed_needs(echo: Callable[[str], None]) -> None:
    """Post and publish the demo needs once (recognised by buyer and title)."""
    created = 0
    for email, data in DEMO:
        buyer = find_user_by_email(email)
        title = data.get("title_zh") or data.get("title_en")
        if buyer is None or db.session.scalar(
            select(Need.id).where(
                Need.buyer_id == buyer.id, (Need.title_zh == title) | (Need.title_en == title)
            )
        ):
            continue
        need = services.create_need(buyer, data)
        services.transition(need, "publish", buyer, reason="demo data")
        created += 1
    db.session.flush()
    echo(f"  {created} demo needs published")


# (expert reference, the owner whose organisation they must not assess for, reason): demo patents of
# both rights-holders then show a recommended-experts list with one expert excluded and why.
CONFLICTS = (
    ("EXP-ZHANG-WEI", "company@ipex.demo", "代理过该公司的动力电池专利诉讼 represented the company in a battery patent suit"),
    ("EXP-HUANG-LEI", "holder@ipex.demo", "该中心前研究员，2024年离职 former researcher of the centre, left in 2024"),
)  # fmt: skip


def seed_conflicts(echo: Callable[[str], None]) -> None:
    """Record the demo conflicts of interest once (by the demo administrator)."""
    from app.catalogue.models import Expert
    from app.matching.experts import ExpertConflictRecord, record_conflict

    admin = find_user_by_email("admin@ipex.demo")
    created = 0
    for reference, email, reason in CONFLICTS:
        expert = db.session.scalar(select(Expert).where(Expert.reference == reference))
        owner = find_user_by_email(email)
        if admin is None or expert is None or owner is None or owner.organisation is None:
            continue
        if db.session.scalar(
            select(ExpertConflictRecord.id).where(
                ExpertConflictRecord.expert_id == expert.id,
                ExpertConflictRecord.organisation_id == owner.organisation_id,
            )
        ):
            continue
        record_conflict(expert, admin, reason, organisation=owner.organisation)
        created += 1
    db.session.flush()
    echo(f"  {created} expert conflicts of interest recorded")
