"""`flask market ...`: the periodic tick and the audit-chain check (other market commands join here)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.core.audit_chain import verify_chain
from app.core.ticks import registered_tasks, run_tick

market_cli = AppGroup("market", help="Market housekeeping: periodic tick, audit log.")


@market_cli.command("tick")
def tick_command() -> None:
    """Run every due periodic task once (idempotent; run it from cron every minute)."""
    outcome = run_tick()
    if outcome is None:
        click.echo("another process holds the tick lease; nothing run")
        return
    for name in registered_tasks():
        click.echo(f"{name}: {outcome.get(name, 'not run')}")


@market_cli.command("verify-log")
def verify_log_command() -> None:
    """Recompute the audit hash chain; exit 1 naming the first broken entry."""
    broken = verify_chain()
    if broken is None:
        click.echo("audit chain verified: every entry matches")
        return
    where = f" of stream {broken.stream}" if broken.stream else ""
    click.echo(
        f"audit chain broken at entry seq={broken.seq}{where} (id {broken.entry_id}): {broken.reason}",
        err=True,
    )
    raise SystemExit(1)
