"""The need form: raw text as people type it; ``validation.clean_need`` does the cleaning (the API
uses the same cleaner) and its field errors come back onto these fields."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectChoice, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.widgets import CheckboxInput, ListWidget

from app.market.listing_forms import RIGHT_LABELS
from app.market.listing_models import RIGHT_TYPES
from app.matching.validation import CURRENCIES


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class NeedForm(FlaskForm):
    title_zh = StringField(_l("Title (Chinese)"))
    title_en = StringField(_l("Title (English)"))
    description_zh = TextAreaField(_l("What you need (Chinese)"))
    description_en = TextAreaField(_l("What you need (English)"))
    codes = StringField(
        _l("IPC/CPC codes"), description=_l("Optional, separated by commas, for example H01M 10/0525")
    )
    rights = MultiCheckboxField(
        _l("Rights you want"), choices=[SelectChoice(v, RIGHT_LABELS[v]) for v in RIGHT_TYPES]
    )
    territory = StringField(_l("Territory"), description=_l("Empty: anywhere"))
    region = StringField(_l("Your region"))
    currency = SelectField(_l("Currency"), choices=[SelectChoice(c, c) for c in CURRENCIES], default="CNY")
    budget_min = StringField(_l("Budget from"), description=_l("In 元 or 万元, for example 50万"))
    budget_max = StringField(_l("Budget up to"))
    deadline = StringField(_l("Deadline"), description=_l("YYYY-MM-DD; the need expires after this day"))
    is_private = BooleanField(_l("Private: only sellers I invite can see it"))
    alert_min_score = StringField(
        _l("Alert me from a match score of"),
        default="50",
        description=_l("In percent, 1 to 100: new listings scoring at least this much are sent to you"),
    )
    alert_frequency = SelectField(
        _l("New matching listings"),
        choices=[
            SelectChoice("immediate", _l("Tell me at once (inbox and e-mail)")),
            SelectChoice("weekly", _l("One digest a week")),
            SelectChoice("off", _l("No alerts")),
        ],
        default="immediate",
    )

    def raw(self) -> dict[str, Any]:
        """The values for the service, exactly as typed."""
        names = (
            "title_zh",
            "title_en",
            "description_zh",
            "description_en",
            "codes",
            "rights",
            "territory",
            "region",
            "currency",
            "budget_min",
            "budget_max",
            "deadline",
            "is_private",
            "alert_min_score",
            "alert_frequency",
        )
        return {name: getattr(self, name).data for name in names}

    def show_errors(self, fields: dict[str, str]) -> None:
        for name, message in fields.items():
            target = getattr(self, name, None) or self.title_zh
            target.errors = [*target.errors, message]

    def fill(self, need) -> None:
        for name in (
            "title_zh",
            "title_en",
            "description_zh",
            "description_en",
            "territory",
            "region",
            "currency",
            "rights",
            "is_private",
            "alert_frequency",
        ):
            getattr(self, name).data = getattr(need, name)
        self.alert_min_score.data = str(need.alert_min_score)
        self.codes.data = ", ".join(need.codes or [])
        self.budget_min.data = "" if need.budget_min is None else f"{need.budget_min:f}"
        self.budget_max.data = "" if need.budget_max is None else f"{need.budget_max:f}"
        self.deadline.data = need.deadline.isoformat() if need.deadline else ""
