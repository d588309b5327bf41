"""The engine's reason keys as sentences in the reader's language (the engine stays text-free)."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from app.core.i18n import enumeration, format_money
from app.market.listing_forms import RIGHT_LABELS
from app.matching.engine import Contribution

FACTOR_LABELS = {
    "text": _l("Text"),
    "classification": _l("Technical field"),
    "budget": _l("Budget"),
    "rights": _l("Rights"),
    "freshness": _l("Freshness"),
    "responsiveness": _l("Seller responsiveness"),
}

REASONS = {
    "text_shared": _l("Shared terms: %(terms)s"),
    "text_shared_weak": _l("Only a few shared terms: %(terms)s"),
    "text_translated": _l("Matches your need across Chinese and English"),  # alerts stored before 1.1
    "text_translated_terms": _l("Matches across Chinese and English: %(terms)s"),
    "text_translated_terms_weak": _l("Only a few terms across Chinese and English: %(terms)s"),
    "text_similar": _l("Wording close to your need"),
    "text_similar_weak": _l("Little wording in common with your need"),
    "text_none": _l("No shared terms"),
    "class_subgroup": _l("Same IPC/CPC subgroup %(code)s"),
    "class_main_group": _l("Same IPC/CPC main group %(code)s"),
    "class_subclass": _l("Same IPC/CPC subclass %(code)s"),
    "class_class": _l("Same IPC/CPC class %(code)s"),
    "class_subgroup_inferred": _l("In the field your text points to (%(code)s)"),
    "class_main_group_inferred": _l("In the field your text points to (%(code)s)"),
    "class_subclass_inferred": _l("In the field your text points to (%(code)s)"),
    "class_class_inferred": _l("In the field your text points to (%(code)s)"),
    "class_none": _l("Different technical field"),
    "budget_unknown": _l("No budget to compare"),
    "ask_within_budget": _l("Ask %(ask)s within your budget"),
    "ask_above_budget": _l("Ask %(ask)s above your budget of %(max)s"),
    "valuation_overlaps_budget": _l("Valued at %(low)s to %(high)s, within your budget"),
    "valuation_outside_budget": _l("Valued at %(low)s to %(high)s, outside your budget"),
    "price_unknown": _l("No price or valuation yet"),
    "rights_unknown": _l("Rights not compared"),
    "right_offered": _l("%(right)s offered"),
    "right_offered_other_territory": _l("%(right)s offered, but for %(territory)s"),
    "exclusive_in_territory": _l("%(right)s available for %(territory)s"),
    "right_stronger_than_asked": _l("%(right)s offered: more than you asked for"),
    "right_not_offered": _l("The rights you want are not offered"),
    "age_unknown": _l("Not yet published"),
    "responsiveness_unknown": _l("No answering record yet"),
    "seller_answers_share": _l("The seller has answered %(share)s%% of offers and enquiries"),
    "seller_answers_within_a_day": _l("The seller usually answers within a day (%(share)s%% answered)"),
    "seller_answers_within_days": _l(
        "The seller usually answers within %(days)s days (%(share)s%% answered)"
    ),
}

MONEY_PARAMS = ("ask", "max", "low", "high")


def _listed(days: int) -> str:
    if days == 0:
        return _("Listed today")
    return ngettext("Listed %(num)d day ago", "Listed %(num)d days ago", days)


def explain(contribution: Contribution, currency: str = "CNY") -> str:
    """One contribution as a plain sentence; unknown keys fall back to the factor's name."""
    if contribution.reason == "listed_days_ago":
        return _listed(int(dict(contribution.params)["days"]))
    template = REASONS.get(contribution.reason)
    if template is None:
        return str(FACTOR_LABELS.get(contribution.factor, contribution.factor))
    params = dict(contribution.params)
    for name in MONEY_PARAMS:
        if name in params:
            params[name] = format_money(Decimal(params[name]), currency)
    if "terms" in params:  # the engine lists words with ", " (it knows no language)
        params["terms"] = enumeration(params["terms"].split(", "))
    if "right" in params:
        params["right"] = str(RIGHT_LABELS.get(params["right"], params["right"]))
    return str(template) % params if params else str(template)


def explained(contributions, currency: str = "CNY") -> list[dict]:
    """The contributions that count, biggest first, as (factor, points, sentence) rows."""
    rows = [
        {
            "factor": c.factor,
            "label": str(FACTOR_LABELS.get(c.factor, c.factor)),
            "points": round(c.points, 4),
            "reason": explain(c, currency),
        }
        for c in contributions
        if c.points > 0
    ]
    return sorted(rows, key=lambda r: -r["points"])
