"""Accounts: users, organisations, roles, login, API tokens, administration of users."""

from flask import Flask


def register(app: Flask) -> None:
    from app.accounts import auth, organisation_routes, recovery_routes  # noqa: F401  (loaders, views)
    from app.accounts.admin import bp as admin_bp
    from app.accounts.routes import bp
    from app.accounts.settings import configure_account_settings

    configure_account_settings(app)
    app.register_blueprint(bp)
    app.register_blueprint(admin_bp)
    _add_navigation()
    from app.accounts.forms import role_label
    from app.accounts.seed import seed_accounts
    from app.core.seed import add_seed_step

    add_seed_step("accounts", 10, seed_accounts)

    app.jinja_env.globals["role_label"] = role_label
    from app.accounts.audit_display import describe

    app.jinja_env.globals["describe_audit_event"] = describe


def _add_navigation() -> None:
    from flask_babel import lazy_gettext as _l

    from app.accounts.permissions import is_admin, is_authenticated
    from app.core.navigation import NavItem, add_nav_item

    add_nav_item(NavItem("admin.users", _l("Users"), is_admin, menu="admin", order=10))
    add_nav_item(NavItem("admin.organisations", _l("Verification"), is_admin, menu="admin", order=20))
    add_nav_item(NavItem("admin.mailbox", _l("Mailbox"), is_admin, menu="admin", order=80))
    add_nav_item(NavItem("admin.audit", _l("Audit log"), is_admin, menu="admin", order=90))
    add_nav_item(
        NavItem("accounts.profile", _l("Profile and API tokens"), is_authenticated, menu="account", order=10)
    )
    add_nav_item(
        NavItem("accounts.password", _l("Change password"), is_authenticated, menu="account", order=20)
    )
    add_nav_item(
        NavItem(
            "accounts.organisation",
            _l("Organisation verification"),
            lambda user: is_authenticated(user) and user.organisation_id is not None,
            menu="account",
            order=15,
        )
    )
