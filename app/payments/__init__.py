"""Payments: providers (offline bank transfer, Stripe), fee schedule, ledger, payouts and refunds."""

from flask import Blueprint, Flask

bp = Blueprint("payments", __name__, url_prefix="/payments")


def register(app: Flask) -> None:
    from app.payments import cli, payout_jobs, payout_routes, routes  # noqa: F401  (routes attach to bp)
    from app.payments.panel import payment_panel

    app.register_blueprint(bp)
    app.add_template_global(payment_panel)
    app.cli.add_command(cli.payments_cli)
