"""Register, log in and out, profile, password, API tokens, language switch."""

from collections.abc import Callable
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from app.accounts.emails import (
    send_already_registered_email,
    send_password_changed_email,
    send_verification_email,
)
from app.accounts.forms import ApiTokenForm, ChangePasswordForm, LoginForm, ProfileForm, RegistrationForm
from app.accounts.models import Role
from app.accounts.permissions import login_required
from app.accounts.services import (
    authenticate,
    change_password,
    create_api_token,
    end_sessions,
    normalise_email,
    record_audit,
    register_user,
    revoke_api_token,
    update_profile,
)
from app.core.errors import DomainError
from app.extensions import db, limiter

bp = Blueprint("accounts", __name__)


def safe_next(default: str) -> str:
    """Only follow `next` to a path on this site (no open redirects)."""
    target = request.args.get("next") or request.form.get("next") or ""
    parts = urlsplit(target)
    if target.startswith("/") and not target.startswith("//") and not parts.netloc and not parts.scheme:
        return target
    return default


def apply_field_errors(form, error: DomainError) -> None:
    """Show a service's field errors next to the form's fields."""
    for name, message in error.fields.items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = [*field.errors, message]
    if not error.fields:
        flash(error.message, "error")


def config_limit(name: str) -> Callable[[], str]:
    """A rate limit read from the configuration when the request comes (see settings.py)."""
    return lambda: current_app.config[name]


def submitted_email_key() -> str:
    """Throttle per account too: the address typed, whichever client or network it comes from."""
    return "email:" + normalise_email(request.form.get("email", ""))[:254]


def _failed(response) -> bool:
    return response.status_code != 302


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(
    config_limit("REGISTER_RATE_LIMIT"),
    methods=["POST"],
    deduct_when=lambda response: response.status_code == 302,  # accounts made, not typos
)
def register():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = RegistrationForm()
    if form.validate_on_submit():
        try:
            outcome = register_user(
                form.email.data,
                form.password.data,
                form.display_name.data,
                [Role(value) for value in form.roles.data],
                form.organisation.data or "",
                locale=str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"]),
            )
        except DomainError as error:
            db.session.rollback()
            apply_field_errors(form, error)
        else:
            db.session.commit()
            if outcome.user is not None:
                send_verification_email(outcome.user)
            else:
                send_already_registered_email(outcome.existing)
            return redirect(url_for("accounts.registered"))
    return render_template("accounts/register.html", form=form), 400 if form.errors else 200


@bp.route("/register/sent")
def registered():
    """The same page whether the address was new or already had an account."""
    return render_template("accounts/message.html", kind="registered")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(config_limit("LOGIN_RATE_LIMIT"), methods=["POST"])
@limiter.limit(
    config_limit("LOGIN_ACCOUNT_RATE_LIMIT"),
    methods=["POST"],
    key_func=submitted_email_key,
    deduct_when=_failed,  # only failed attempts count against an account
)
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(url_for("main.index")))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is None:
            form.password.errors = [*form.password.errors, _("Email or password is wrong.")]
        elif not user.active:
            flash(_("This account has been deactivated. Contact the administrator."), "error")
        else:
            record_audit(user, "user.login", "user", user.id)
            db.session.commit()
            login_user(user, remember=form.remember.data)
            if user.locale:  # a saved preference wins over this browser's earlier choice
                session.pop("lang", None)
            flash(_("Logged in."), "success")
            return redirect(safe_next(url_for("main.index")))
    return render_template("accounts/login.html", form=form), 400 if form.errors else 200


@bp.route("/logout", methods=["POST"])
def logout():
    """Log out everywhere: the generation moves on, so other sessions and remember cookies end too."""
    if current_user.is_authenticated:
        end_sessions(current_user)
        db.session.commit()
    logout_user()
    flash(_("Logged out."), "info")
    return redirect(url_for("main.index"))


@bp.route("/lang/<code>", methods=["POST"])
def set_language(code: str):
    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
        if current_user.is_authenticated:
            current_user.locale = code
            db.session.commit()
    return redirect(safe_next(url_for("main.index")))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def profile():
    form = ProfileForm(obj=current_user)
    if request.method == "GET":
        form.locale.data = current_user.locale or ""
    if form.validate_on_submit():
        try:
            update_profile(
                current_user,
                {
                    "display_name": form.display_name.data,
                    "locale": form.locale.data or None,
                    "timezone": form.timezone.data,
                },
            )
        except DomainError as error:
            db.session.rollback()
            apply_field_errors(form, error)
            return _render_profile(profile_form=form)
        if current_user.locale:
            session["lang"] = current_user.locale
        else:
            session.pop("lang", None)
        db.session.commit()
        flash(_("Profile saved."), "success")
        return redirect(url_for("accounts.profile"))
    return _render_profile(profile_form=form)


def _render_profile(profile_form=None, token_form=None, new_token: str | None = None, status: int = 200):
    profile_form = profile_form or ProfileForm(obj=current_user, formdata=None)
    if profile_form.locale.data is None:
        profile_form.locale.data = current_user.locale or ""
    tokens = sorted(current_user.api_tokens, key=lambda t: t.created_at, reverse=True)
    status = 400 if (profile_form.errors or (token_form and token_form.errors)) else status
    return (
        render_template(
            "accounts/profile.html",
            form=profile_form,
            token_form=token_form or ApiTokenForm(formdata=None),
            tokens=tokens,
            new_token=new_token,
        ),
        status,
    )


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            change_password(user, form.current_password.data, form.new_password.data)
        except DomainError as error:
            db.session.rollback()
            apply_field_errors(form, error)
        else:
            db.session.commit()
            stay_logged_in(user)
            send_password_changed_email(user)
            flash(_("Password changed. Every other session has been logged out."), "success")
            return redirect(url_for("accounts.profile"))
    return render_template("accounts/password.html", form=form), 400 if form.errors else 200


def stay_logged_in(user) -> None:
    """Carry this browser over to the new session generation (and renew its remember cookie)."""
    remembered = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies
    login_user(user, remember=remembered)


@bp.route("/account/tokens", methods=["POST"])
@login_required
def create_token():
    form = ApiTokenForm()
    if not form.validate_on_submit():
        return _render_profile(token_form=form)
    _token, plaintext = create_api_token(current_user, form.name.data)
    db.session.commit()
    flash(_("Token created. Copy it now: it will not be shown again."), "success")
    return _render_profile(new_token=plaintext, status=201)


@bp.route("/account/tokens/<id:token_id>/revoke", methods=["POST"])
@login_required
def revoke_token(token_id: int):
    try:
        revoke_api_token(current_user, token_id)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for("accounts.profile"))
    db.session.commit()
    flash(_("Token revoked."), "success")
    return redirect(url_for("accounts.profile"))
