"""`flask payments reconcile`: print every difference between our records, the ledger and the provider."""

from __future__ import annotations

import click
from flask.cli import AppGroup

payments_cli = AppGroup("payments", help="Payments: reconciliation and repairs.")


@payments_cli.command("reconcile")
def reconcile_command() -> None:
    """Compare payments, ledger and deals with the provider; exit 1 when anything differs."""
    from app.payments.reconcile import reconcile

    differences = reconcile()
    for d in differences:
        click.echo(f"{d.payment_reference}\t{d.what}\tours={d.ours}\tprovider/ledger={d.theirs}")
    click.echo(f"{len(differences)} difference(s)")
    if differences:
        raise SystemExit(1)


@payments_cli.command("pay-earlier-forfeits")
def pay_earlier_forfeits_command() -> None:
    """Pay out the seller's share of deposits forfeited before forfeits went through payouts (once)."""
    from app.core.actors import system_actor
    from app.extensions import db
    from app.payments.deposits import pay_out_earlier_forfeits

    repaired = pay_out_earlier_forfeits(system_actor())
    db.session.commit()
    click.echo(f"{repaired} forfeited deposit(s) sent to the payouts")
