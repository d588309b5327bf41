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
        routes,
        royalty_jobs,
        royalty_notices,
        royalty_routes,
        stripe_js,
    )
    from app.payments.panel import payment_panel

    app.register_blueprint(bp)
    app.add_template_global(payment_panel)
    app.add_template_global(royalty_routes.royalty_panel)
    stripe_js.init_app(app)
    app.add_template_global(deposits.terms_for, "auction_deposit_terms")
    app.add_template_global(fee_schedule.listing_fee_quote)
    app.cli.add_command(cli.payments_cli)
