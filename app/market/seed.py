"""Demo listings: a living market on first start, between the demo users.

A dozen published listings of the demo patents across right types and price mechanisms, each
published through the same services as the pages (so diligence, audit and search all apply).
Patents are picked so that the rights offered pass due diligence. Idempotent: a listing is
recognised by its seller and English title, and records the seed did not create are never
touched.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select

from app.accounts.models import User
from app.accounts.services import find_user_by_email
from app.catalogue.demo_content import ADMIN, COMPANY, HOLDER
from app.catalogue.models import Patent
from app.core.clock import clock
from app.extensions import db
from app.market import dataroom, diligence, listing_services, watchlist
from app.market.listing_models import Listing, ListingPatent

BUYER = "buyer@ipex.demo"


@dataclass(frozen=True)
class DemoListing:
    owner: str
    title_en: str
    title_zh: str
    right_type: str
    mechanism: str
    ask: str | None
    patents: int = 1  # more than one makes a bundle
    terms: dict = field(default_factory=dict)
    featured: bool = False


DEMO = (
    DemoListing(HOLDER, "Battery cathode patent for sale", "电池正极材料专利整体转让", "assignment", "fixed",
                "1200000", featured=True),
    DemoListing(HOLDER, "Exclusive licence for electric vehicles", "电动汽车领域独占许可", "exclusive_licence",
                "negotiable", "800000", terms={"field_of_use": "电动汽车 electric vehicles", "territory": "中国大陆 Mainland China",
                                             "term_months": 60, "royalty_rate": "3.5", "minimum_annual_royalty": "100000"},
                featured=True),
    DemoListing(HOLDER, "Open licence: standard terms for everyone", "开放许可：统一条件对所有企业开放", "open_licence",
                "fixed", "50000", terms={"term_months": 36, "royalty_rate": "2"}, featured=True),
    DemoListing(COMPANY, "Bundle of three energy-storage patents", "储能专利包（三件）整体转让", "assignment",
                "negotiable", "3000000", patents=3),
    DemoListing(COMPANY, "Sole licence in East China", "华东地区排他许可", "sole_licence", "negotiable", "600000",
                terms={"territory": "华东 East China", "term_months": 48, "royalty_rate": "4"}),
    DemoListing(COMPANY, "Non-exclusive licence at a fixed fee", "普通许可（固定费用）", "non_exclusive_licence",
                "fixed", "150000", terms={"term_months": 24}),
    DemoListing(HOLDER, "Option to license a sensor invention", "传感器发明许可选择权", "option", "negotiable",
                "80000", terms={"term_months": 12}),
    DemoListing(HOLDER, "University patent for transfer", "高校专利成果转让", "assignment", "negotiable", "450000"),
    DemoListing(COMPANY, "Manufacturing method, assignment", "制造方法专利转让", "assignment", "fixed", "520000"),
    DemoListing(HOLDER, "Exclusive licence with milestones", "含里程碑付款的独占许可", "exclusive_licence",
                "negotiable", "1000000", terms={"field_of_use": "医疗器械 medical devices", "royalty_rate": "5",
                                              "milestones": [{"label": "首次销售 first sale", "amount": "200000"}]}),
    DemoListing(COMPANY, "Open licence for small firms", "面向中小企业的开放许可", "open_licence", "fixed", "30000",
                terms={"term_months": 24, "royalty_rate": "1.5"}),
    DemoListing(HOLDER, "Bundle of two data-security patents", "数据安全专利组合许可", "non_exclusive_licence",
                "negotiable", "360000", patents=2, terms={"term_months": 36}),
)  # fmt: skip
DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 300 144]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def _candidates(owner: User, used: set[int]) -> list[Patent]:
    query = (
        select(Patent)
        .where(Patent.owner_id == owner.id, Patent.legal_status == "granted", Patent.id.not_in(used or {0}))
        .order_by(Patent.id)
        .limit(400)
    )
    return list(db.session.scalars(query))


def _pick(owner: User, spec: DemoListing, used: set[int]) -> list[Patent]:
    """Patents whose facts let this rights package through due diligence."""
    package = diligence.Package(
        right_type=spec.right_type,
        field_of_use=spec.terms.get("field_of_use"),
        territory=spec.terms.get("territory"),
        term_months=spec.terms.get("term_months"),
        seller_organisation=owner.organisation.name if owner.organisation else None,
    )
    today = clock.now().date()
    chosen = []
    for patent in _candidates(owner, used):
        if not diligence.blocking(diligence.check_package([patent], package, today)):
            chosen.append(patent)
        if len(chosen) == spec.patents:
            return chosen
    return []


def _exists(owner: User, spec: DemoListing) -> bool:
    return (
        db.session.scalar(
            select(Listing.id).where(Listing.seller_id == owner.id, Listing.title_en == spec.title_en)
        )
        is not None
    )


def _publish(owner: User, admin: User, spec: DemoListing, patents: list[Patent]) -> Listing:
    data = {
        "patent_ids": [p.id for p in patents],
        "right_type": spec.right_type,
        "price_mechanism": spec.mechanism,
        "ask_amount": spec.ask,
        "title_zh": spec.title_zh,
        "title_en": spec.title_en,
        "summary_zh": f"{spec.title_zh}。技术成熟，已完成中试，适合具备量产能力的企业。",
        "summary_en": f"{spec.title_en}. Proven at pilot scale; suits a manufacturer ready to produce.",
        "buyer_gets_zh": "专利权或许可、全部技术资料及三个月技术支持。",
        "buyer_gets_en": "The rights offered, the full technical file and three months of support.",
        "contact_rule": "reveal_on_request",
        "contact_details": f"{owner.display_name} · {owner.email}",
        **spec.terms,
    }
    listing = listing_services.create_listing(owner, data)
    listing_services.submit_listing(listing, owner)
    if listing.status == "submitted":
        listing_services.approve_listing(listing, admin)
    listing.featured = spec.featured
    dataroom.upload_document(
        listing, owner, io.BytesIO(DEMO_PDF), "technical-file.pdf", "技术资料 Technical file", True
    )
    dataroom.upload_document(listing, owner, io.BytesIO(DEMO_PDF), "brochure.pdf", "简介 Brochure", False)
    return listing


def seed_listings(echo: Callable[[str], None]) -> None:
    admin = find_user_by_email(ADMIN)
    used = set(db.session.scalars(select(ListingPatent.patent_id)))
    created = 0
    for spec in DEMO:
        owner = find_user_by_email(spec.owner)
        if owner is None or admin is None or _exists(owner, spec):
            continue
        patents = _pick(owner, spec, used)
        if not patents:
            echo(f"  no suitable patent for {spec.title_en!r}")
            continue
        used.update(p.id for p in patents)
        _publish(owner, admin, spec, patents)
        created += 1
    db.session.flush()
    _buyer_activity()
    echo(f"  {created} demo listings published")


def _buyer_activity() -> None:
    """The demo buyer watches the featured listings (watching twice changes nothing)."""
    buyer = find_user_by_email(BUYER)
    if buyer is None:
        return
    featured = db.session.scalars(
        select(Listing).where(Listing.featured.is_(True), Listing.status == "published")
    )
    for listing in featured:
        watchlist.watch(buyer, listing=listing)


def register_seed() -> None:
    from app.core.seed import add_seed_step

    add_seed_step("market listings", 60, seed_listings)
