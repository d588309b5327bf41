"""`flask catalogue reindex`: rebuild the search index from the published catalogue records."""

from __future__ import annotations

import time

import click

from app.catalogue.cli import catalogue_cli
from app.catalogue.search.indexing import is_stale, rebuild
from app.extensions import db


@catalogue_cli.command("reindex")
@click.option("--if-stale", is_flag=True, help="Only when the index was built by an older version.")
def reindex_command(if_stale: bool) -> None:
    """Re-create the search index from every published patent, project and expert."""
    if if_stale and not is_stale(db.session):
        click.echo("The search index is current.")
        return
    started = time.perf_counter()

    def progress(doc_type: str, done: int) -> None:
        if done % 10_000 == 0:
            click.echo(f"  {doc_type}: {done:,}")

    counts = rebuild(db.session, progress)
    db.session.commit()
    summary = ", ".join(f"{count:,} {doc_type}s" for doc_type, count in counts.items())
    click.echo(f"Indexed {summary} in {time.perf_counter() - started:.1f} s.")
