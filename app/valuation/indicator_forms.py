"""The pairwise comparison form for one dimension's indicator weights (built per request: its
fields are the dimension's indicator pairs, labelled in the page's language)."""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import gettext as _
from wtforms import StringField

from app.valuation.forms import PairwiseForm


class IndicatorAhpBase(PairwiseForm):
    """One dimension's indicator pairs; the fields are added per request (indicator_form_class)."""


def field_name(i: int, j: int) -> str:
    return f"p_{i}_{j}"


def judgement_text(value: float) -> str:
    """A Saaty value as an assessor types it: 3, or 1/3."""
    return str(round(value)) if value >= 1 else f"1/{round(1 / value)}"


def indicator_form_class(labels: Sequence[str]) -> type[IndicatorAhpBase]:
    """One text field per pair i < j: how much more important indicator i is than indicator j."""
    attrs: dict = {"size": len(labels)}
    pairs = []
    for i in range(len(labels)):
        for j in range(i + 1, len(labels)):
            name = field_name(i, j)
            attrs[name] = StringField(_("%(a)s against %(b)s", a=labels[i], b=labels[j]), default="1")
            pairs.append((name, i, j))
    attrs["pairs"] = tuple(pairs)
    return type("IndicatorAhpForm", (IndicatorAhpBase,), attrs)
