"""Forms of the negotiation and deal pages. Services do the checking; these carry the raw text."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

EXPIRY_CHOICES = [
    SelectChoice("3", _l("3 days")),
    SelectChoice("7", _l("7 days")),
    SelectChoice("14", _l("14 days")),
    SelectChoice("30", _l("30 days")),
]
MONEY_HELP = _l("For example 125000, 125,000.00 or 12.5万.")


class OfferForm(FlaskForm):
    """A new offer or a counter-offer: the price and any term may change."""

    price = StringField(_l("Price offered (upfront)"), validators=[DataRequired()], description=MONEY_HELP)
    expires_in = SelectField(_l("Open for"), choices=EXPIRY_CHOICES, default="14")
    field_of_use = StringField(_l("Field of use"), validators=[Length(max=300)],
                               description=_l("Leave empty for every field."))  # fmt: skip
    territory = StringField(_l("Territory"), validators=[Length(max=200)],
                            description=_l("Leave empty for worldwide."))  # fmt: skip
    term_months = StringField(
        _l("Term in months"), description=_l("Leave empty for the rest of the patent term.")
    )
    royalty_rate = StringField(_l("Running royalty (percentage of net sales)"))
    minimum_annual_royalty = StringField(_l("Minimum annual royalty"), description=MONEY_HELP)
    sublicensing = BooleanField(_l("The licensee may grant sublicences"))
    message = TextAreaField(_l("Message to the other side"), validators=[Length(max=2000)])

    TERM_FIELDS = ("field_of_use", "territory", "term_months", "royalty_rate", "minimum_annual_royalty")

    def fill_from_terms(self, terms: dict) -> None:
        for name in self.TERM_FIELDS:
            value = terms.get(name)
            getattr(self, name).data = "" if value is None else str(value)
        self.sublicensing.data = bool(terms.get("sublicensing"))

    def scope_ids(self, suffix: str) -> None:
        """Give the fields ids of their own (e.g. price-12) when several forms share a page."""
        for field in self:
            field.id = f"{field.name}-{suffix}"
            field.label.field_id = field.id

    def term_changes(self) -> dict:
        changes = {name: (getattr(self, name).data or "").strip() or None for name in self.TERM_FIELDS}
        changes["sublicensing"] = bool(self.sublicensing.data)
        return changes


class RejectForm(FlaskForm):
    reason = TextAreaField(_l("Why (optional, the other side reads it)"), validators=[Length(max=1000)])


class DraftContractForm(FlaskForm):
    language = SelectField(
        _l("Contract language"),
        choices=[SelectChoice("zh", _l("Chinese")), SelectChoice("en", _l("English"))],
    )


class SignForm(FlaskForm):
    typed_name = StringField(_l("Type your full name to sign"), validators=[DataRequired(), Length(max=200)])
    text_sha256 = HiddenField()


class FilingForm(FlaskForm):
    filing_number = StringField(_l("Filing number at the patent office"), validators=[DataRequired()])
    filed_on = DateField(_l("Filed on"), validators=[DataRequired()])


class RegistrationForm(FlaskForm):
    registered_on = DateField(_l("Registered on"), validators=[DataRequired()])
    notice = StringField(_l("Registration notice number"), validators=[Optional(), Length(max=200)])


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=1000)])


class PaidForm(FlaskForm):
    reference = StringField(_l("Bank or payment reference"), validators=[DataRequired(), Length(max=120)])
