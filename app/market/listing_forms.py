"""Listing forms. Fields carry the raw text people type; ``listing_validation`` does the cleaning
(the API uses the same cleaner), and its field errors come back onto these fields."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import or_, select
from wtforms import BooleanField, SelectChoice, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from app.accounts.models import User
from app.catalogue.display import publication_display
from app.catalogue.models import InnovationProject, Patent
from app.core.i18n import localized
from app.extensions import db
from app.market.listing_models import CONTACT_RULES, PRICE_MECHANISMS, RIGHT_TYPES
from app.market.listing_validation import CURRENCIES

RIGHT_LABELS = {
    "assignment": _l("Assignment (transfer of ownership)"),
    "exclusive_licence": _l("Exclusive licence"),
    "sole_licence": _l("Sole licence"),
    "non_exclusive_licence": _l("Non-exclusive licence"),
    "open_licence": _l("Open licence (开放许可)"),
    "option": _l("Option to license"),
}
MECHANISM_LABELS = {
    "fixed": _l("Fixed price (buy now)"),
    "negotiable": _l("Open to offers"),
    "english_auction": _l("English auction"),
    "sealed_auction": _l("Sealed-bid auction"),
}
CONTACT_LABELS = {
    "platform_only": _l("Through the platform only"),
    "reveal_on_request": _l("I may share my contact details with serious buyers"),
}
CURRENCY_LABELS = {"CNY": _l("CNY (¥)"), "USD": _l("USD ($)"), "EUR": _l("EUR (€)")}
MONEY_HELP = _l("For example 125000, 125,000.00 or 12.5万.")


class ListingForm(FlaskForm):
    patent_ids = SelectMultipleField(
        _l("Patents"), coerce=str, description=_l("Choose several to offer a bundle.")
    )
    project_id = SelectField(_l("Or an innovation project"), coerce=str)
    right_type = SelectField(
        _l("What you offer"), choices=[SelectChoice(v, RIGHT_LABELS[v]) for v in RIGHT_TYPES]
    )
    field_of_use = StringField(_l("Field of use"), description=_l("Leave empty for every field."))
    territory = StringField(
        _l("Territory"), description=_l("Leave empty for worldwide, e.g. 中国大陆 Mainland China.")
    )
    term_months = StringField(
        _l("Term in months"), description=_l("Leave empty for the rest of the patent term.")
    )
    sublicensing = BooleanField(_l("The licensee may grant sublicences"))
    price_mechanism = SelectField(
        _l("Price mechanism"), choices=[SelectChoice(v, MECHANISM_LABELS[v]) for v in PRICE_MECHANISMS]
    )
    currency = SelectField(_l("Currency"), choices=[SelectChoice(v, CURRENCY_LABELS[v]) for v in CURRENCIES])
    ask_amount = StringField(_l("Asking price (upfront)"), description=MONEY_HELP)
    floor_amount = StringField(
        _l("Floor"), description=_l("Offers below this are declined automatically. Never shown to buyers.")
    )
    royalty_rate = StringField(_l("Running royalty (percent of net sales)"))
    minimum_annual_royalty = StringField(_l("Minimum annual royalty"), description=MONEY_HELP)
    milestones = TextAreaField(
        _l("Milestone payments"), description=_l("One per line: description: amount, e.g. first sale: 20万")
    )
    ends_at = StringField(_l("End date"), description=_l("YYYY-MM-DD. The listing expires after this day."))
    title_zh = StringField(_l("Title (Chinese)"))
    title_en = StringField(_l("Title (English)"))
    summary_zh = TextAreaField(
        _l("Business summary (Chinese)"),
        description=_l("What problem it solves and for whom, in plain language."),
    )
    summary_en = TextAreaField(_l("Business summary (English)"))
    buyer_gets_zh = TextAreaField(_l("What the buyer gets (Chinese)"))
    buyer_gets_en = TextAreaField(_l("What the buyer gets (English)"))
    contact_rule = SelectField(
        _l("Contact rules"), choices=[SelectChoice(v, CONTACT_LABELS[v]) for v in CONTACT_RULES]
    )
    contact_details = StringField(
        _l("Contact details"), description=_l("Shown only to buyers you choose, in an enquiry.")
    )
    nda_text = TextAreaField(
        _l("Your NDA for the data room"), description=_l("Leave empty to use the platform's standard NDA.")
    )
    pledgee_consent = BooleanField(_l("I hold the pledgee's written consent to this transaction"))
    co_owner_consent = BooleanField(_l("All co-owners consent to this transaction"))

    def set_subject_choices(self, user: User) -> None:
        """The patents and projects the user (or their organisation) may list."""
        owned = (
            or_(Patent.owner_id == user.id, Patent.organisation_id == user.organisation_id)
            if user.organisation_id
            else Patent.owner_id == user.id
        )
        patents = db.session.scalars(
            select(Patent).where(owned).order_by(Patent.publication_number).limit(500)
        )
        self.patent_ids.choices = [
            SelectChoice(str(p.id), f"{publication_display(p)} · {localized(p.title_zh, p.title_en)[:60]}")
            for p in patents
        ]
        mine = (
            or_(
                InnovationProject.owner_id == user.id,
                InnovationProject.organisation_id == user.organisation_id,
            )
            if user.organisation_id
            else InnovationProject.owner_id == user.id
        )
        projects = db.session.scalars(
            select(InnovationProject).where(mine).order_by(InnovationProject.id).limit(200)
        )
        self.project_id.choices = [SelectChoice("", _l("— none —"))] + [
            SelectChoice(str(p.id), localized(p.title_zh, p.title_en) or p.reference) for p in projects
        ]

    def values(self) -> dict[str, Any]:
        data = {name: field.data for name, field in self._fields.items() if name != "csrf_token"}
        return {k: (v.strip() if isinstance(v, str) else v) for k, v in data.items()}

    def load(self, listing) -> None:
        for name, field in self._fields.items():
            if name in ("csrf_token",):
                continue
            if name == "patent_ids":
                field.data = [str(link.patent_id) for link in listing.patent_links]
            elif name == "project_id":
                field.data = str(listing.project_id or "")
            elif name == "milestones":
                field.data = "\n".join(f"{m['label']}: {m['amount']}" for m in listing.milestones or [])
            elif name == "ends_at":
                field.data = listing.ends_at.date().isoformat() if listing.ends_at else ""
            else:
                value = getattr(listing, name)
                field.data = value if isinstance(value, bool) else ("" if value is None else str(value))

    def add_errors(self, fields: dict[str, str]) -> None:
        for name, message in fields.items():
            if name in self._fields:
                self._fields[name].errors = [*self._fields[name].errors, message]
            else:
                self.form_errors.append(message)


class RejectForm(FlaskForm):
    reason = TextAreaField(_l("What the seller should change"), validators=[DataRequired(), Length(max=1000)])


class DocumentForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    file = FileField(_l("File"), validators=[FileRequired()])
    confidential = BooleanField(_l("Confidential: only for buyers who accepted the NDA"), default=True)


class MessageForm(FlaskForm):
    body = TextAreaField(_l("Your message"), validators=[DataRequired(), Length(max=5000)])
    file = FileField(_l("Attachment (optional)"))


class PolicyForm(FlaskForm):
    auto_publish_verified = BooleanField(_l("Verified organisations' listings are published without review"))
