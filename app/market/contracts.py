"""Contracts generated from template files a lawyer can edit, signed by typed name, then frozen.

Templates live in ``contract_templates/<kind>.<lang>.txt`` and are rendered in a sandbox with
strict variables, so a template can only read the deal's facts and a typo fails loudly. The text is
hashed (SHA-256 of its UTF-8 bytes); each signature stores the hash the signer saw, and once both
parties have signed the contract is locked: it can no longer be redrafted.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal
from pathlib import Path
from typing import Any

from flask_babel import gettext as _
from jinja2 import FileSystemLoader, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from app.core.clock import clock
from app.core.errors import Conflict, DomainError
from app.market.deal_models import CONTRACT_LANGUAGES, Contract, Deal

TEMPLATE_DIR = Path(__file__).parent / "contract_templates"
# Which template each right type uses; sole licences share the exclusive one (it names the difference).
TEMPLATE_OF = {
    "assignment": "assignment",
    "exclusive_licence": "exclusive_licence",
    "sole_licence": "exclusive_licence",
    "non_exclusive_licence": "non_exclusive_licence",
    "option": "non_exclusive_licence",
    "open_licence": "open_licence",
}
RIGHT_NAMES = {
    "zh": {
        "assignment": "专利权转让",
        "exclusive_licence": "独占实施许可",
        "sole_licence": "排他实施许可",
        "non_exclusive_licence": "普通实施许可",
        "option": "实施许可选择权",
        "open_licence": "开放许可",
    },
    "en": {
        "assignment": "assignment of the patent rights",
        "exclusive_licence": "exclusive licence",
        "sole_licence": "sole licence",
        "non_exclusive_licence": "non-exclusive licence",
        "option": "option to take a non-exclusive licence",
        "open_licence": "open licence",
    },
}

_env = SandboxedEnvironment(
    loader=FileSystemLoader(TEMPLATE_DIR),
    undefined=StrictUndefined,
    keep_trailing_newline=True,
    autoescape=False,
)


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def template_name(deal: Deal, language: str) -> str:
    return f"{TEMPLATE_OF[deal.right_type]}.{language}.txt"


def format_amount(value: str | Decimal | None, currency: str) -> str | None:
    """Exact and independent of the page's locale, so the signed text never varies: CNY 1,250,000.00."""
    if value in (None, ""):
        return None
    return f"{currency} {Decimal(str(value)):,.2f}"


def format_date(value: dt.date | None, language: str) -> str:
    if value is None:
        return "—"
    if language == "zh":
        return f"{value.year}年{value.month}月{value.day}日"
    return f"{value.day} {value:%B} {value.year}"


def contract_context(deal: Deal, language: str) -> dict[str, Any]:
    """Everything a template may use, from the deal's snapshots only."""
    terms, currency = deal.terms, deal.currency
    return {
        "reference": deal.reference,
        "date": format_date(clock.now().date(), language),
        "seller": deal.parties["seller"],
        "buyer": deal.parties["buyer"],
        "patents": deal.patents,
        "right_type": deal.right_type,
        "right_name": RIGHT_NAMES[language][deal.right_type],
        "price": format_amount(deal.price_amount, currency),
        "royalty_rate": terms.get("royalty_rate"),
        "minimum_annual_royalty": format_amount(terms.get("minimum_annual_royalty"), currency),
        "milestones": [
            {"label": m.get("label", ""), "amount": format_amount(m.get("amount"), currency)}
            for m in terms.get("milestones") or []
        ],
        "field_of_use": terms.get("field_of_use"),
        "territory": terms.get("territory"),
        "term_months": terms.get("term_months"),
        "sublicensing": bool(terms.get("sublicensing")),
        "cn_patents": any(p["jurisdiction"] == "CN" for p in deal.patents),
        "us_patents": any(p["jurisdiction"] == "US" for p in deal.patents),
    }


def render_contract(deal: Deal, language: str) -> tuple[str, str]:
    """(template file name, text) for the deal in one language."""
    if language not in CONTRACT_LANGUAGES:
        raise DomainError(_("Choose Chinese or English."), {"language": _("Choose Chinese or English.")})
    name = template_name(deal, language)
    return name, _env.get_template(name).render(**contract_context(deal, language))


def build_contract(deal: Deal, language: str, actor) -> Contract:
    """A new contract for the deal (the caller records the transition); refuses once anyone signed."""
    current = deal.contract
    if current is not None and current.signatures:
        raise Conflict(_("Someone has signed this contract already: it can no longer be redrafted."))
    name, text = render_contract(deal, language)
    if current is not None:
        current.superseded_at = clock.now()
    contract = Contract(
        template=name,
        template_sha256=sha256_text((TEMPLATE_DIR / name).read_text(encoding="utf-8")),
        language=language,
        text=text,
        text_sha256=sha256_text(text),
        created_by_id=actor.id,
        created_at=clock.now(),
    )
    deal.contracts.append(contract)
    return contract


def verify_contract(contract: Contract) -> bool:
    """The stored text still hashes to what was stored and to what every signer saw."""
    digest = sha256_text(contract.text)
    return digest == contract.text_sha256 and all(s.text_sha256 == digest for s in contract.signatures)
