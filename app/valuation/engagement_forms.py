"""Forms for the engagement behind a report and for the assessor's sign-off."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from app.valuation.engagement_models import BASIS_LABELS, PURPOSE_LABELS

GENERAL_ASSUMPTIONS = _l(
    "Transaction assumption: the patent is valued as if it were being traded. Open-market assumption: "
    "buyer and seller are equal, informed and free to act. Continued-use assumption: the patent keeps "
    "being used as it is now."
)


class EngagementForm(FlaskForm):
    """Purpose, basis of value, valuation date, right valued, assumptions and special matters."""

    purpose = SelectField(
        _l("Purpose of the valuation"), choices=[SelectChoice(k, v) for k, v in PURPOSE_LABELS.items()]
    )
    basis_of_value = SelectField(
        _l("Basis of value"), choices=[SelectChoice(k, v) for k, v in BASIS_LABELS.items()]
    )
    valuation_date = DateField(
        _l("Valuation date"),
        validators=[InputRequired(message=_l("Enter the valuation date."))],
        description=_l("The date the value refers to; the report date may be later."),
    )
    right_valued = StringField(
        _l("Right valued"),
        validators=[DataRequired(message=_l("Say which right is valued.")), Length(max=300)],
        description=_l("Ownership, or which licence (exclusive, sole, non-exclusive), field and territory."),
    )
    general_assumptions = TextAreaField(
        _l("General assumptions"), validators=[Length(max=4000)], render_kw={"rows": 3}
    )
    special_assumptions = TextAreaField(
        _l("Special assumptions"), validators=[Optional(), Length(max=4000)], render_kw={"rows": 2}
    )
    special_matters = TextAreaField(
        _l("Special matters"),
        validators=[Optional(), Length(max=4000)],
        render_kw={"rows": 2},
        description=_l("Matters a reader must know: pending disputes, encumbrances, data not verified."),
    )

    def validate_valuation_date(self, field) -> None:
        if field.data is not None and not dt.date(1980, 1, 1) <= field.data <= dt.date(2100, 12, 31):
            raise ValidationError(_("Enter a date between 1980 and 2100."))

    def values(self) -> dict[str, Any]:
        return {
            "purpose": self.purpose.data,
            "basis_of_value": self.basis_of_value.data,
            "valuation_date": self.valuation_date.data,
            "right_valued": self.right_valued.data.strip(),
            "general_assumptions": (self.general_assumptions.data or "").strip(),
            "special_assumptions": (self.special_assumptions.data or "").strip(),
            "special_matters": (self.special_matters.data or "").strip(),
        }


class SignForm(FlaskForm):
    """The assessor's sign-off: name and qualification as they appear on the signature."""

    signer_name = StringField(
        _l("Name as signed"), validators=[DataRequired(message=_l("Enter your name.")), Length(max=200)]
    )
    qualification = StringField(
        _l("Qualification"),
        validators=[DataRequired(message=_l("Enter your qualification.")), Length(max=200)],
        description=_l("For example: licensed asset appraiser (资产评估师), certificate number."),
    )
    confirm = BooleanField(
        _l("I have reviewed the figures, the engagement and the assumptions of this report."),
        validators=[DataRequired(message=_l("Confirm that you reviewed the report."))],
    )
