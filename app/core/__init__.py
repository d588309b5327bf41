"""Shared pieces every capability builds on: lifecycle, money, clock, jobs, outbox, audit, inbox."""

from flask import Flask


def register(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from app.accounts.permissions import is_admin
    from app.core import audit_routes
    from app.core.cli import market_cli
    from app.core.inbox import init_inbox
    from app.core.navigation import NavItem, add_nav_item
    from app.core.seed import add_seed_step
    from app.core.ticks import start_tick_thread

    init_inbox(app)
    app.register_blueprint(audit_routes.bp)
    app.cli.add_command(market_cli)
    add_seed_step("system actor", 0, _seed_system_actor)
    add_nav_item(NavItem("audit_log.export", _l("Audit log export (CSV)"), is_admin, menu="admin", order=90))
    if app.config.get("MARKET_TICK_SECONDS"):

        @app.before_request
        def _ensure_tick_thread() -> None:
            start_tick_thread(app)


def _seed_system_actor(echo) -> None:
    from app.core.actors import ensure_system_actor

    ensure_system_actor()
    echo("  system actor present")
