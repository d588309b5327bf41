"""The licensee's sales report form. The service checks the figures; the form carries the text."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length

from app.market.deal_forms import MONEY_HELP


class RoyaltyReportForm(FlaskForm):
    period = SelectField(_l("Reporting period"), choices=[], validate_choice=False)
    net_sales = StringField(
        _l("Net sales in the period"), validators=[DataRequired()], description=MONEY_HELP
    )
    note = StringField(_l("Note (optional)"), validators=[Length(max=500)])
