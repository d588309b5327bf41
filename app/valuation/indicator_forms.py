"""The pairwise comparison form for one dimension's indicator weights (built per request: its
fields are the dimension's indicator pairs, labelled in the page's language)."""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import Length, Optional

from app.valuation.forms import parse_judgement


class IndicatorAhpBase(FlaskForm):
    reason = TextAreaField(_l("Why these judgements"), validators=[Optional(), Length(max=1000)])

    pairs: tuple[tuple[str, int, int], ...] = ()
    size = 0

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        self.judgements = {}
        for name, _i, _j in self.pairs:
            try:
                self.judgements[name] = parse_judgement(self[name].data)
            except ValueError as error:
                self[name].errors = [*self[name].errors, str(error)]
                valid = False
        return valid

    def matrix(self) -> list[list[float]]:
        a = [[1.0] * self.size for _ in range(self.size)]
        for name, i, j in self.pairs:
            a[i][j] = self.judgements[name]
            a[j][i] = 1.0 / self.judgements[name]
        return a


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
