"""The e-mails accounts send, each written in the recipient's language.

Call these after the commit that made the news true: send_mail() delivers at once.
"""

from dataclasses import dataclass

from flask import current_app, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from app.accounts.models import Organisation, OrganisationReview, User
from app.accounts.tokens import email_verification_token, password_reset_token
from app.core.mail import send_mail, send_mail_after_response


@dataclass(frozen=True)
class Letter:
    subject: str
    paragraphs: list[str]
    action_url: str | None = None
    action_label: str | None = None


def recipient_locale(user: User) -> str:
    return user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]


def _deliver(user: User, compose, send=send_mail) -> None:
    """Compose under the recipient's locale (subject, body, role names), then send."""
    with force_locale(recipient_locale(user)):
        letter = compose()
        context = {"user": user, "letter": letter}
        text = render_template("accounts/email/letter.txt", **context)
        html = render_template("accounts/email/letter.html", **context)
    send(user.email, letter.subject, text, html)


def send_verification_email(user: User) -> None:
    def compose() -> Letter:
        return Letter(
            _("Confirm your e-mail address for IPEX"),
            [
                _("Please confirm that this is your e-mail address by opening the link below."),
                _("Until you do, you can browse IPEX but not list, bid or make offers."),
                _("If you did not create an IPEX account, ignore this message."),
            ],
            url_for("accounts.verify_email_page", token=email_verification_token(user), _external=True),
            _("Confirm my e-mail address"),
        )

    _deliver(user, compose)


def send_already_registered_email(user: User) -> None:
    """Someone tried to register with this address: tell its owner, not the person registering."""

    def compose() -> Letter:
        return Letter(
            _("You already have an IPEX account"),
            [
                _("Someone tried to create a new IPEX account with this e-mail address."),
                _("You already have an account. If it was you, log in, or reset your password."),
                _("If it was not you, ignore this message: nothing has changed."),
            ],
            url_for("accounts.forgot_password", _external=True),
            _("Reset my password"),
        )

    _deliver(user, compose)


def send_password_reset_email(user: User) -> None:
    """Sent after the response: the page for an unknown address must not come back faster."""

    def compose() -> Letter:
        minutes = current_app.config["PASSWORD_RESET_MAX_AGE"] // 60
        return Letter(
            _("Reset your IPEX password"),
            [
                _("Open the link below to choose a new password."),
                _("The link works once and expires in %(minutes)d minutes.", minutes=minutes),
                _("If you did not ask for this, ignore this message: your password stays as it is."),
            ],
            url_for("accounts.reset_password_page", token=password_reset_token(user), _external=True),
            _("Choose a new password"),
        )

    _deliver(user, compose, send=send_mail_after_response)


def send_password_changed_email(user: User) -> None:
    def compose() -> Letter:
        return Letter(
            _("Your IPEX password was changed"),
            [
                _("The password of your IPEX account was just changed, and every other session ended."),
                _("If this was not you, reset your password now and contact the administrator."),
            ],
            url_for("accounts.forgot_password", _external=True),
            _("Reset my password"),
        )

    _deliver(user, compose)


def send_roles_changed_email(user: User) -> None:
    from app.accounts.forms import role_label

    def compose() -> Letter:
        separator = "、" if recipient_locale(user) == "zh" else ", "
        names = separator.join(role_label(role) for role in sorted(user.roles)) or _("none")
        return Letter(
            _("Your roles on IPEX changed"),
            [
                _("An administrator changed the roles of your IPEX account."),
                _("Your roles now: %(roles)s.", roles=names),
            ],
            url_for("accounts.profile", _external=True),
            _("Open my account"),
        )

    _deliver(user, compose)


def send_organisation_review_email(user: User, organisation: Organisation) -> None:
    def compose() -> Letter:
        if organisation.review_status == OrganisationReview.VERIFIED:
            return Letter(
                _("%(name)s is verified on IPEX", name=organisation.name),
                [
                    _(
                        "An administrator checked the papers of %(name)s and verified it.",
                        name=organisation.name,
                    )
                ],
                url_for("accounts.organisation", _external=True),
                _("Open my organisation"),
            )
        return Letter(
            _("The verification of %(name)s was declined", name=organisation.name),
            [
                _("An administrator could not verify %(name)s.", name=organisation.name),
                _("Reason: %(reason)s", reason=organisation.rejection_reason or ""),
                _("You can upload corrected papers at any time."),
            ],
            url_for("accounts.organisation", _external=True),
            _("Open my organisation"),
        )

    _deliver(user, compose)
