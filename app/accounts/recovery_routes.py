"""Links sent by e-mail: forgot password, reset password, confirm the address, send it again.

Opening a link only shows a page (mail scanners fetch links too); the button on it makes the change.
"""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.emails import (
    send_password_changed_email,
    send_password_reset_email,
    send_verification_email,
)
from app.accounts.forms import ConfirmForm, ForgotPasswordForm, ResetPasswordForm
from app.accounts.permissions import login_required
from app.accounts.routes import apply_field_errors, bp, config_limit, submitted_email_key
from app.accounts.services import active_user_for_reset, record_audit, reset_password, verify_email
from app.accounts.tokens import InvalidLink, user_for_reset_token, user_for_verification_token
from app.core.errors import DomainError
from app.extensions import db, limiter


def _user_key() -> str:
    return f"user:{current_user.get_id()}"


def _invalid_link(error: InvalidLink, kind: str):
    return render_template("accounts/message.html", kind=kind, expired=error.expired), 400


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(config_limit("RESET_RATE_LIMIT"), methods=["POST"])
@limiter.limit(config_limit("RESET_ACCOUNT_RATE_LIMIT"), methods=["POST"], key_func=submitted_email_key)
def forgot_password():
    """Always the same answer, so the page does not tell which addresses have accounts."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        user = active_user_for_reset(form.email.data)
        db.session.commit()
        if user is not None:
            send_password_reset_email(user)
        return redirect(url_for("accounts.reset_sent"))
    return render_template("accounts/forgot_password.html", form=form), 400 if form.errors else 200


@bp.route("/password/forgot/sent")
def reset_sent():
    return render_template("accounts/message.html", kind="reset_sent")


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password_page(token: str):
    try:
        user_for_reset_token(token)
    except InvalidLink as error:
        return _invalid_link(error, "reset_invalid")
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            user = reset_password(token, form.password.data)
        except DomainError as error:
            db.session.rollback()
            apply_field_errors(form, error)
        except InvalidLink as error:
            db.session.rollback()
            return _invalid_link(error, "reset_invalid")
        else:
            db.session.commit()
            send_password_changed_email(user)
            flash(_("Your password has been changed. Log in with the new one."), "success")
            return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_password.html", form=form), 400 if form.errors else 200


@bp.route("/verify/<token>", methods=["GET", "POST"])
def verify_email_page(token: str):
    try:
        user = user_for_verification_token(token)
    except InvalidLink as error:
        return _invalid_link(error, "verify_invalid")
    form = ConfirmForm()
    if form.validate_on_submit():
        verify_email(token)
        db.session.commit()
        flash(_("Thank you: your e-mail address is confirmed."), "success")
        return redirect(url_for("main.index" if current_user.is_authenticated else "accounts.login"))
    return render_template("accounts/verify_email.html", form=form, email=user.email)


@bp.route("/verify/resend", methods=["POST"])
@login_required
@limiter.limit(config_limit("VERIFY_RESEND_RATE_LIMIT"), key_func=_user_key)
def resend_verification():
    user = current_user._get_current_object()
    if user.is_email_verified:
        flash(_("Your e-mail address is already confirmed."), "info")
    else:
        record_audit(user, "user.email_verify_resend", "user", user.id)
        db.session.commit()
        send_verification_email(user)
        flash(_("We have sent a new confirmation link to %(email)s.", email=user.email), "success")
    return redirect(url_for("accounts.profile"))
