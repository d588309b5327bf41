"""Payments: providers (offline bank transfer, Stripe), fee schedule, ledger, payouts and refunds."""

from flask import Blueprint, Flask

bp = Blueprint("payments", __name__, url_prefix="/payments")


def register(app: Flask) -> None:
    from app.payments import (  # noqa: F401  (attach to bp)
        cli,
        deposit_jobs,
        deposit_routes,
        deposits,
        fee_admin,
        fee_schedule,
        payout_jobs,
        payout_routes,
        routes,
        royalty_jobs,
        royalty_notices,
        royalty_routes,
        stripe_js,
    )
    from app.payments.panel import payment_panel
    from app.payments.payout_states import PAYOUT_LIFECYCLE
    from app.payments.payouts import payout_note, shares_panel

    app.register_blueprint(bp)
    app.add_template_global(payment_panel)
    app.add_template_global(royalty_routes.royalty_panel)
    stripe_js.init_app(app)
    app.add_template_global(deposits.shown_terms, "auction_deposit_terms")
    app.add_template_global(fee_schedule.listing_fee_quote)
    app.add_template_global(payout_note)
    app.add_template_global(shares_panel, "payout_shares_panel")
    app.add_template_global(PAYOUT_LIFECYCLE.status_label, "payout_status_label")
    app.cli.add_command(cli.payments_cli)
    _add_navigation()


def _add_navigation() -> None:
    from flask_babel import lazy_gettext as _l

    from app.accounts.permissions import is_authenticated
    from app.core.navigation import NavItem, add_nav_item

    add_nav_item(
        NavItem("payments.payout_settings", _l("Payouts"), is_authenticated, menu="account", order=44)
    )
