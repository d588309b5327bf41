"""Register, log in and out, profile, password, API tokens, language switch."""

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from app.accounts.forms import ApiTokenForm, ChangePasswordForm, LoginForm, ProfileForm, RegistrationForm
from app.accounts.models import Role
from app.accounts.permissions import login_required
from app.accounts.services import (
    authenticate,
    change_password,
    create_api_token,
    record_audit,
    register_user,
    revoke_api_token,
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


@bp.route("/register", methods=["GET", "POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = RegistrationForm()
    if form.validate_on_submit():
        try:
            user = register_user(
                form.email.data,
                form.password.data,
                form.display_name.data,
                [Role(value) for value in form.roles.data],
                form.organisation.data or "",
            )
        except DomainError as error:
            db.session.rollback()
            apply_field_errors(form, error)
        else:
            db.session.commit()
            login_user(user)
            flash(_("Welcome to IPEX, %(name)s.", name=user.display_name), "success")
            return redirect(url_for("main.index"))
    return render_template("accounts/register.html", form=form), 400 if form.errors else 200


def _login_rate_limit() -> str:
    from flask import current_app

    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_rate_limit, methods=["POST"])
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
    logout_user()
    flash(_("Logged out."), "info")
    return redirect(url_for("main.index"))


@bp.route("/lang/<code>", methods=["POST"])
def set_language(code: str):
    from flask import current_app

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
        current_user.display_name = form.display_name.data.strip()
        current_user.locale = form.locale.data or None
        current_user.timezone = form.timezone.data
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
        try:
            change_password(current_user, form.current_password.data, form.new_password.data)
        except DomainError as error:
            db.session.rollback()
            apply_field_errors(form, error)
        else:
            db.session.commit()
            flash(_("Password changed."), "success")
            return redirect(url_for("accounts.profile"))
    return render_template("accounts/password.html", form=form), 400 if form.errors else 200


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
