"""Catalogue forms. Field names match the service's keys, so service errors land on the right field."""

from __future__ import annotations

import re
from typing import Any

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    DateField,
    DecimalField,
    Field,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget, NumberInput, TextInput

from app.catalogue.display import LABELS
from app.catalogue.importing import FORMATS
from app.catalogue.models import DOCUMENT_KINDS, EVENT_TYPES, LICENCE_TYPES
from app.catalogue.records import (
    CONTACT_POLICIES,
    EXPERT_AVAILABILITY,
    FEE_UNITS,
    JURISDICTIONS,
    LEGAL_STATUSES,
    PATENT_TYPES,
    PROJECT_SEEKING,
    PROJECT_STAGES,
)


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class BlankableSelectField(SelectField):
    """A select whose first option is "" (not stated); a missing value counts as blank."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)


def _choices(kind: str, values: tuple[str, ...], blank: object | None = None) -> list[SelectChoice]:
    options = [SelectChoice(v, LABELS[kind][v]) for v in values]
    return [SelectChoice("", blank), *options] if blank is not None else options


class LinesField(TextAreaField):
    """A list edited one item per line; a textarea keeps the line breaks it is rendered with."""

    def _value(self) -> str:
        return "\n".join(self.data or [])

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = _split(valuelist[0], "\n") if valuelist else list(self.data or [])


class LabelledLinesField(LinesField):
    """Lines whose known values (``display.LABELS[kind]``) show as their labels and are typed back as
    labels, in the page's language or English; other lines are kept as written."""

    def __init__(self, *args, kind: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind

    def _value(self) -> str:
        return "\n".join(str(LABELS[self.kind].get(item, item)) for item in self.data or [])

    def process_formdata(self, valuelist: list[str]) -> None:
        super().process_formdata(valuelist)
        known = {str(text).casefold(): value for value, text in LABELS[self.kind].items()}
        with force_locale("en"):
            known |= {str(text).casefold(): value for value, text in LABELS[self.kind].items()}
        self.data = [known.get(item.casefold(), item) for item in self.data]


class ItemsField(StringField):
    """A short list in a one-line input, items separated by ';' (an input drops line breaks)."""

    def _value(self) -> str:
        return "; ".join(self.data or [])

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = _split(valuelist[0], ";；\n") if valuelist else list(self.data or [])


def _split(text: str, separators: str) -> list[str]:
    """Items of a list typed as text: each separator ends an item; blanks are dropped."""
    items = re.split(f"[{re.escape(separators)}]", text.replace("\r", ""))
    return [item.strip() for item in items if item.strip()]


LIST_HELP = _l("One per line.")
CODES_HELP = _l("Separate codes with ';'. The first one is the main code, e.g. H01M 10/0525; H01M 4/00")


class Needed:
    """Marks a field as required on the page; the catalogue's validation does the refusing."""

    field_flags = {"required": True}  # noqa: RUF012  (WTForms reads this class attribute)

    def __call__(self, form: FlaskForm, field: Field) -> None:
        return None


class WholeNumberField(StringField):
    """A count passed as typed: the catalogue's validation words the problem the same for every entry."""

    widget = NumberInput(min=0)


class AmountField(StringField):
    """Money passed as typed, checked (positive, two decimals) by the catalogue's validation."""

    widget = TextInput(input_type="text")

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("render_kw", {"inputmode": "decimal"})
        super().__init__(*args, **kwargs)


class ServiceForm(FlaskForm):
    """A form whose values go to a catalogue service as a dict and whose errors come back."""

    def values(self) -> dict[str, Any]:
        data = {name: field.data for name, field in self._fields.items() if name != "csrf_token"}
        return {k: (v.strip() if isinstance(v, str) else v) for k, v in data.items()}

    def load(self, values: dict[str, Any]) -> None:
        """Fill the form from a service's values; list fields render their own separators."""
        for name, field in self._fields.items():
            if name in values and name != "csrf_token":
                field.data = values[name]

    def add_errors(self, fields: dict[str, str]) -> None:
        """Show service errors next to their fields; others go to the form's general errors."""
        for name, message in fields.items():
            field: Field | None = self._fields.get(name)
            if field is not None:
                field.errors = [*field.errors, message]
            else:
                self.form_errors.append(f"{name}: {message}")


class PatentForm(ServiceForm):
    jurisdiction = SelectField(
        _l("Jurisdiction"), choices=[SelectChoice(j, j) for j in sorted(JURISDICTIONS)], default="CN"
    )
    publication_number = StringField(
        _l("Publication number"),
        validators=[Needed()],
        description=_l("As printed, e.g. CN 118866379 A or US 9,999,999 B2."),
    )
    kind_code = StringField(_l("Kind code"))
    application_number = StringField(
        _l("Application number"),
        description=_l("CN numbers need their check digit, e.g. 201710601862.3."),
    )
    patent_type = BlankableSelectField(
        _l("Type"), choices=_choices("patent_type", PATENT_TYPES, _l("From the kind code"))
    )
    title_zh = StringField(_l("Title (Chinese)"))
    title_en = StringField(_l("Title (English)"))
    abstract_zh = TextAreaField(_l("Abstract (Chinese)"))
    abstract_en = TextAreaField(_l("Abstract (English)"))
    first_claim = TextAreaField(_l("First claim"))
    claims_count = WholeNumberField(_l("Claims"))
    independent_claims_count = WholeNumberField(_l("Independent claims"))
    ipc_codes = ItemsField(_l("IPC codes"), description=CODES_HELP)
    cpc_codes = ItemsField(_l("CPC codes"), description=CODES_HELP)
    applicants = LinesField(_l("Applicants"), description=LIST_HELP)
    owners = LinesField(_l("Current owners on record"), description=LIST_HELP)
    inventors = LinesField(_l("Inventors"), description=LIST_HELP)
    filing_date = DateField(_l("Filing date"), validators=[Optional()])
    priority_date = DateField(_l("Priority date"), validators=[Optional()])
    publication_date = DateField(_l("Publication date"), validators=[Optional()])
    grant_date = DateField(_l("Grant date"), validators=[Optional()])
    legal_status = BlankableSelectField(
        _l("Legal status"), choices=_choices("legal_status", LEGAL_STATUSES, _l("Unknown"))
    )
    legal_status_date = DateField(_l("Status since"), validators=[Optional()])
    family_countries = ItemsField(
        _l("Family countries"), description=_l("Two-letter codes separated by ';', e.g. CN; US; EP")
    )
    forward_citations = WholeNumberField(_l("Cited by"))
    backward_citations = WholeNumberField(_l("References cited"))
    annual_fee_paid_year = WholeNumberField(_l("Annual fees paid up to year"))

    def values(self) -> dict[str, Any]:
        data = super().values()
        for name in ("patent_type", "legal_status"):
            data[name] = data[name] or None
        return data


class ProjectForm(ServiceForm):
    title_zh = StringField(_l("Title (Chinese)"))
    title_en = StringField(_l("Title (English)"))
    reference = StringField(
        _l("Your reference"),
        description=_l("Your own id for the project; left empty, one is made for you."),
    )
    summary_zh = TextAreaField(_l("Summary (Chinese)"))
    summary_en = TextAreaField(_l("Summary (English)"))
    sector = StringField(_l("Sector"))
    trl = WholeNumberField(
        _l("Technology readiness level"),
        description=_l("1 (basic principles) to 9 (proven in operation)."),
    )
    stage = BlankableSelectField(_l("Stage"), choices=_choices("stage", PROJECT_STAGES, _l("Not stated")))
    seeking = MultiCheckboxField(_l("Seeking"), choices=_choices("seeking", PROJECT_SEEKING))
    funding_amount = AmountField(_l("Funding sought"))
    funding_currency = StringField(_l("Currency"), default="CNY")
    team = LinesField(_l("Team"), description=_l("One member per line, e.g. 'Chen Jie, CTO'."))
    linked_patents = LinesField(
        _l("Linked patents"), description=_l("Publication numbers, one per line, e.g. CN 118866379 A.")
    )
    organisation_name = StringField(_l("Organisation"))
    contact_policy = SelectField(
        _l("Contact"), choices=_choices("contact_policy", CONTACT_POLICIES), default="via_platform"
    )

    def values(self) -> dict[str, Any]:
        data = super().values()
        data["stage"] = data["stage"] or None
        return data


class ExpertForm(ServiceForm):
    name = StringField(_l("Name"), validators=[Needed()])
    name_en = StringField(_l("Name in English"))
    title = StringField(_l("Job title"))
    title_en = StringField(_l("Job title in English"))
    organisation = StringField(_l("Organisation"))
    specialties_ipc = ItemsField(
        _l("Specialties (IPC subclasses)"), description=_l("Separate with ';', e.g. H01M; G06F; A61K")
    )
    industries = ItemsField(_l("Industries"), description=_l("Separate with ';'."))
    qualifications = LabelledLinesField(
        _l("Qualifications"),
        kind="qualification",
        description=_l(
            "One per line, e.g. certified asset appraiser, patent attorney, patent agent, lawyer, or your own."
        ),
    )
    biography_zh = TextAreaField(_l("Biography (Chinese)"))
    biography_en = TextAreaField(_l("Biography (English)"))
    languages = ItemsField(_l("Languages"), default=["zh"], description=_l("Two-letter codes, e.g. zh; en"))
    availability = BlankableSelectField(
        _l("Availability"), choices=_choices("availability", EXPERT_AVAILABILITY, _l("Not stated"))
    )
    fee_amount = AmountField(_l("Fee guidance"))
    fee_currency = StringField(_l("Currency"), default="CNY")
    fee_unit = BlankableSelectField(_l("Fee unit"), choices=_choices("fee_unit", FEE_UNITS, _l("Not stated")))
    conflicts = LinesField(
        _l("Conflicts of interest"),
        description=_l("Organisations you work for or have advised, one per line: 'Organisation: relation'."),
    )
    user_email = StringField(
        _l("Linked account email"),
        description=_l("Link the profile to an IPEX account (your own)."),
    )

    def values(self) -> dict[str, Any]:
        data = super().values()
        for name in ("availability", "fee_unit"):
            data[name] = data[name] or None
        return data


class PledgeForm(ServiceForm):
    pledgee = StringField(_l("Pledgee"), validators=[DataRequired(), Length(max=300)],
                          description=_l("Usually the lending bank."))  # fmt: skip
    pledgor = StringField(_l("Pledgor"), validators=[Optional(), Length(max=300)])
    registration_number = StringField(_l("Registration number"), validators=[Optional(), Length(max=64)])
    amount = DecimalField(_l("Secured amount"), places=2, validators=[Optional(), NumberRange(min=0)])
    currency = StringField(_l("Currency"), default="CNY", validators=[Optional(), Length(max=3)])
    registered_on = DateField(_l("Registered on"), validators=[Optional()])
    released_on = DateField(
        _l("Released on"),
        validators=[Optional()],
        description=_l("Leave empty while the pledge is in force."),
    )


class LicenceForm(ServiceForm):
    licence_type = BlankableSelectField(
        _l("Type of licence"), choices=_choices("licence_type", LICENCE_TYPES, _l("Choose…"))
    )
    licensee = StringField(_l("Licensee"), validators=[Optional(), Length(max=300)])
    field = StringField(
        _l("Field of use"), validators=[Optional(), Length(max=300)], description=_l("e.g. electric vehicles")
    )
    territory = StringField(_l("Territory"), validators=[Optional(), Length(max=200)])
    recorded_on = DateField(_l("Recorded on"), validators=[Optional()])
    until = DateField(
        _l("Until"), validators=[Optional()], description=_l("Leave empty if it runs to the end of the term.")
    )


class EventForm(ServiceForm):
    event_type = BlankableSelectField(_l("Kind"), choices=_choices("event_type", EVENT_TYPES, _l("Choose…")))
    occurred_on = DateField(_l("Date"), validators=[Optional()])
    summary = TextAreaField(_l("What happened"), validators=[DataRequired(), Length(max=500)])
    reference = StringField(_l("Case or decision number"), validators=[Optional(), Length(max=100)])
    outcome = StringField(
        _l("Outcome"),
        validators=[Optional(), Length(max=200)],
        description=_l("e.g. claims 1-3 held invalid"),
    )


class DocumentForm(ServiceForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    kind = SelectField(_l("Kind"), choices=_choices("document_kind", DOCUMENT_KINDS), default="other")
    file = FileField(_l("File"), description=_l("PDF, PNG, JPEG, GIF or WebP, up to 10 MB."))
    url = StringField(
        _l("Or a link"),
        validators=[Optional(), Length(max=500)],
        description=_l("https://… if the document is online."),
    )

    def values(self) -> dict[str, Any]:
        data = super().values()
        data.pop("file", None)
        return data


class ModerationForm(FlaskForm):
    action = SelectField(
        _l("Action"), choices=[SelectChoice("hide", _l("Hide")), SelectChoice("publish", _l("Publish"))]
    )
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=500)])


class ImportForm(FlaskForm):
    file = FileField(
        _l("File"),
        validators=[FileRequired(_l("Choose a file to import."))],
        description=_l(
            "USPTO XML (.xml or .zip), or CSV, Excel (.xlsx) or JSON with the documented columns."
        ),
    )
    format = SelectField(
        _l("Format"),
        choices=[SelectChoice(f, LABELS["import_format"][f]) for f in FORMATS],
        default="auto",
    )
    skip_bad = BlankableSelectField(
        _l("When some rows are bad"),
        choices=[
            SelectChoice("", _l("Import nothing (all or nothing)")),
            SelectChoice("1", _l("Import the good rows, report the rest")),
        ],
        validators=[Optional()],
    )
