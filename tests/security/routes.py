"""Every route of the app as concrete requests: URLs built from a rule with real or absurd values."""

from collections.abc import Iterator
from dataclasses import dataclass

from flask import Flask
from werkzeug.routing import Rule

from app.core.converters import IdConverter

ABSURD_IDS = (0, 2**31, 2**63, 2**64)  # (-1 and other non-digits never match an <id:> rule)
MISSING_ID = 999_999
# Values for the string parts of rules, by argument name (per endpoint where they differ).
STRING_ARGS = {
    "record_type": "patent",
    "kind": "pledge",
    "action": "submit",
    "model_id": "rfr",
    "name": "range",
    "code": "en",
}
ENDPOINT_ARGS = {
    "static": {"filename": "css/app.css"},
    "api_docs.assets": {"filename": "swagger-ui.css"},
    # Actions that need a form or a state the world's records are not in: nothing is consumed.
    "market.moderate_listing": {"action": "reject"},
    "market.offer_action": {"action": "counter"},
    "market.deal_reason_action": {"action": "dispute"},
    "matching.act": {"action": "publish"},  # the need is open already: refused (409), nothing changes
    "payments.admin_action": {"action": "receipt"},  # an empty form records nothing
    "catalogue.import_template": {"kind": "patent", "extension": "xlsx"},
    "payments.admin_deposit_action": {"action": "receipt"},
}
# Query strings a careless handler trips over: odd pages, far dates, huge and foreign numbers.
ABSURD_QUERIES = (
    {
        "page": "²",
        "per_page": str(2**63),
        "q": "a" * 2000,
        "filed_from": "9999-12-31",
        "filed_to": "0001-01-01",
        "granted_from": "2024-02-30",
        "remaining": "1e309",
        "price_min": "1e400",
        "value_min": "NaN",
        "trl": str(2**64),
        "seed": str(2**64),
        "specialty": "Q" * 300,
        "type": "nope",
        "status": "nope",
        "sort": "nope",
    },
    {
        "page": str(2**64),
        "per_page": "0",
        "q": '"((( NEAR/0 -',
        "filed_from": "0000-00-00",
        "remaining": "-1",
        "price_max": "-1",
        "value_max": "٣",
        "trl": "-5",
        "seed": "-1",
        "format": "json",
        "action": "x" * 300,
    },
)
ABSURD_FORM = {
    "action": "hide",
    "reason": "r" * 10_000,
    "next": "//evil.example/",
    "claims_count": str(2**64),
    "trl": str(2**64),
    "filing_date": "9999-12-31",
    "funding_amount": "1e400",
    "title_en": "x",
    "email": "not-an-email",
    "role": "nope",
}


@dataclass(frozen=True)
class Call:
    method: str
    endpoint: str
    url: str


def methods_of(rule: Rule) -> list[str]:
    return sorted(rule.methods - {"HEAD", "OPTIONS"})


def route_keys(app: Flask) -> set[tuple[str, str]]:
    """(endpoint, method) for every route: what the authorization matrix must classify."""
    return {(rule.endpoint, method) for rule in app.url_map.iter_rules() for method in methods_of(rule)}


def build(app: Flask, rule: Rule, ids: dict[str, int], id_value: int | None = None) -> str:
    """The rule's URL with real ids (or `id_value` for every id) and known strings."""
    values: dict[str, object] = {}
    for name in rule.arguments:
        converter = rule._converters[name]
        if isinstance(converter, IdConverter):
            real = ids.get(f"{rule.endpoint}:{name}", ids.get(name, MISSING_ID))  # a record of its own
            values[name] = id_value if id_value is not None else real
        else:
            values[name] = ENDPOINT_ARGS.get(rule.endpoint, {}).get(name) or STRING_ARGS.get(name, "x")
    adapter = app.url_map.bind("localhost")
    return adapter.build(rule.endpoint, values, method=methods_of(rule)[0])


def calls(app: Flask, ids: dict[str, int]) -> Iterator[Call]:
    """Each route once with real ids, then with every absurd id, then with absurd query strings."""
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        has_ids = any(isinstance(c, IdConverter) for c in rule._converters.values())
        urls = [build(app, rule, ids)]
        if has_ids:
            urls += [build(app, rule, ids, value) for value in ABSURD_IDS]
        for method in methods_of(rule):
            for url in urls:
                yield Call(method, rule.endpoint, url)
            if method == "GET":
                for query in ABSURD_QUERIES:
                    yield Call(
                        method, rule.endpoint, urls[0] + "?" + "&".join(f"{k}={v}" for k, v in query.items())
                    )
