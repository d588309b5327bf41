"""`flask catalogue import FILE`: bulk import with a progress bar and a per-row error report."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup
from tqdm import tqdm

from app.accounts.services import find_user_by_email
from app.catalogue.importers import UnknownFormat
from app.catalogue.importing import FORMATS, run_import
from app.catalogue.services import expire_terms
from app.core.models import utcnow
from app.extensions import db

catalogue_cli = AppGroup("catalogue", help="Catalogue data: import patents, projects and experts.")


@catalogue_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="auto", show_default=True)
@click.option("--owner", "owner_email", help="Email of the platform user who will own new records.")
@click.option("--skip-bad", is_flag=True, help="Import the good rows and report the bad ones.")
def import_command(file: Path, fmt: str, owner_email: str | None, skip_bad: bool) -> None:
    """Import FILE (USPTO XML, documented CSV/JSON, PatentSBERTa or CN sample CSV).

    All-or-nothing unless --skip-bad: if any row is bad, nothing is written.
    """
    owner = None
    if owner_email:
        owner = find_user_by_email(owner_email)
        if owner is None:
            raise click.BadParameter(f"no user with email {owner_email}", param_hint="--owner")
    with tqdm(desc=file.name, unit="doc", disable=None, leave=False) as bar:
        try:
            outcome = run_import(file, None, fmt=fmt, owner=owner, skip_bad=skip_bad, progress=bar.update)
        except UnknownFormat as exc:
            raise click.UsageError(str(exc)) from None
    db.session.commit()
    for error in outcome.errors:
        click.echo(f"  {error}", err=True)
    counts = ", ".join(f"{n} {k}" for k, n in sorted(outcome.counts.items())) or "nothing written"
    click.echo(
        f"{file.name} ({outcome.format}): {outcome.documents} documents read, {counts}, "
        f"{len(outcome.errors)} rejected; {outcome.rate:.0f} documents/s"
    )
    if outcome.errors and not skip_bad:
        click.echo("Nothing was imported because some rows are bad; fix them or use --skip-bad.", err=True)
        raise SystemExit(1)


@catalogue_cli.command("expire-terms")
def expire_terms_command() -> None:
    """Mark granted patents whose term has run out as expired (run daily, e.g. from cron)."""
    count = expire_terms(None, utcnow().date())
    db.session.commit()
    click.echo(f"{count} patents expired")
