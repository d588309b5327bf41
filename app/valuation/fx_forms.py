"""The administrator's form for a new exchange rate."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, DecimalField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Regexp, ValidationError

from app.core.models import utcnow
from app.valuation import fx


class RateField(DecimalField):
    """A decimal whose "not a number" message is ours, in the page's language."""

    def process_formdata(self, valuelist) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(str(_l("Give the rate as a number."))) from None


class FxRateForm(FlaskForm):
    currency = StringField(
        _l("Currency"),
        validators=[
            DataRequired(),
            Regexp(r"^\s*[A-Za-z]{3}\s*$", message=_l("Give a three-letter ISO 4217 code, e.g. USD.")),
        ],
        description=_l("ISO 4217 code of the foreign currency, e.g. USD, EUR, JPY."),
        filters=[lambda v: v.strip().upper() if isinstance(v, str) else v],
    )
    rate_to_cny = RateField(
        _l("CNY for one unit"),
        places=None,
        validators=[
            InputRequired(message=_l("Give the rate as a number.")),
            NumberRange(
                min=fx.MIN_RATE,
                max=fx.MAX_RATE,
                message=_l("The rate must be positive and at most 1000 CNY for one unit."),
            ),
        ],
        description=_l("How many yuan one unit of the currency buys, e.g. 7.1 for USD."),
    )
    effective_on = DateField(
        _l("Effective from"),
        validators=[InputRequired(message=_l("Give the date from which the rate applies."))],
    )
    source = StringField(
        _l("Source"),
        validators=[DataRequired(), Length(max=200)],
        description=_l("Where the rate comes from, e.g. the PBOC central parity of that day."),
    )

    def validate_currency(self, field) -> None:
        if (field.data or "").upper() == fx.BASE:
            raise ValidationError(_l("CNY is the base currency: it needs no rate."))

    def validate_effective_on(self, field) -> None:
        if field.data is None:
            return
        if field.data > utcnow().date():
            raise ValidationError(_l("A rate cannot take effect in the future."))
        currency = (self.currency.data or "").upper()
        if currency and fx.exists(currency, field.data):
            raise ValidationError(_l("A rate for this currency and date exists already."))
