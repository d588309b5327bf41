"""Account forms. Validation messages are translatable and shown next to each field."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from app.accounts.models import Role
from app.accounts.passwords import password_problems


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def role_label(role: Role) -> str:
    return str(ROLE_LABELS[role])


ROLE_LABELS = {
    Role.RIGHTS_HOLDER: _l("Rights-holder"),
    Role.BUYER: _l("Buyer"),
    Role.ASSESSOR: _l("Assessor"),
    Role.ADMIN: _l("Administrator"),
}


def strong_password(form, field) -> None:
    email = form.email.data if hasattr(form, "email") else ""
    if problems := password_problems(field.data or "", email or ""):
        raise ValidationError(" ".join(problems))


class RegistrationForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])
    display_name = StringField(_l("Display name"), validators=[DataRequired(), Length(max=100)])
    organisation = StringField(
        _l("Organisation"),
        validators=[Optional(), Length(max=200)],
        description=_l("Company, university or institute; leave empty if you act as an individual."),
    )
    roles = MultiCheckboxField(
        _l("I want to"),
        choices=[
            SelectChoice(Role.RIGHTS_HOLDER.value, _l("List patents and projects (rights-holder)")),
            SelectChoice(Role.BUYER.value, _l("Find and acquire technology (buyer)")),
        ],
        validators=[DataRequired(message=_l("Choose at least one."))],
    )
    password = PasswordField(_l("Password"), validators=[DataRequired(), strong_password])
    confirm = PasswordField(
        _l("Repeat password"),
        validators=[DataRequired(), EqualTo("password", message=_l("Passwords differ."))],
    )


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email()])
    password = PasswordField(_l("Password"), validators=[DataRequired()])
    remember = BooleanField(_l("Remember me"))


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    new_password = PasswordField(_l("New password"), validators=[DataRequired()])
    confirm = PasswordField(
        _l("Repeat new password"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("Passwords differ."))],
    )


class ProfileForm(FlaskForm):
    display_name = StringField(_l("Display name"), validators=[DataRequired(), Length(max=100)])
    locale = SelectField(
        _l("Language"),
        choices=[
            SelectChoice("", _l("As my browser asks")),
            SelectChoice("zh", "简体中文"),
            SelectChoice("en", "English"),
        ],
    )
    timezone = SelectField(
        _l("Time zone"),
        choices=[
            SelectChoice("Asia/Shanghai", _l("China (Asia/Shanghai)")),
            SelectChoice("Asia/Hong_Kong", _l("Hong Kong")),
            SelectChoice("Asia/Tokyo", _l("Tokyo")),
            SelectChoice("Europe/London", _l("London")),
            SelectChoice("Europe/Berlin", _l("Berlin")),
            SelectChoice("America/New_York", _l("New York")),
            SelectChoice("America/Los_Angeles", _l("Los Angeles")),
            SelectChoice("UTC", "UTC"),
        ],
    )


class ForgotPasswordForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])


class ResetPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[DataRequired()])
    confirm = PasswordField(
        _l("Repeat new password"),
        validators=[DataRequired(), EqualTo("password", message=_l("Passwords differ."))],
    )


class ConfirmForm(FlaskForm):
    """A bare POST with CSRF protection: links in e-mails only show a page, the button changes data."""


class OrganisationPapersForm(FlaskForm):
    credit_code = StringField(
        _l("Unified social credit code"),
        validators=[DataRequired(), Length(min=18, max=30)],
        description=_l("The 18 characters printed on the business licence."),
    )
    licence = FileField(
        _l("Business licence"),
        validators=[FileRequired()],
        description=_l("A scan or photo: PDF, PNG or JPEG, at most 5 MB."),
    )


class ApiTokenForm(FlaskForm):
    name = StringField(_l("Token name"), validators=[DataRequired(), Length(max=80)])


class RoleChangeForm(FlaskForm):
    role = SelectField(
        _l("Role"), choices=[SelectChoice(role.value, label) for role, label in ROLE_LABELS.items()]
    )


class ReasonForm(FlaskForm):
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=500)])
