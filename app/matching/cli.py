"""``flask matching evaluate``: the quality figures of bench/matching_quality.py from the CLI."""

from __future__ import annotations

import os
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

matching_cli = AppGroup("matching", help="Matching needs to listings: quality evaluation and the index.")


def _default_data() -> str:
    return os.environ.get("IPEX_SHARED_DATA") or str(
        Path(current_app.root_path).parents[1] / "shared" / "data"
    )


@matching_cli.command("evaluate")
@click.option(
    "--data", type=click.Path(file_okay=False, path_type=Path), help="Folder of the shared data sets."
)
@click.option("--split", type=click.Choice(["train", "test"]), default="test", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON array instead of a table.")
def evaluate_command(data: Path | None, split: str, as_json: bool) -> None:
    """P@10, MRR@10, nDCG@10 per language and strategy (tune on train, report on test)."""
    from app.matching import evaluation

    folder = data or Path(_default_data())
    if not (folder / "patentsberta").is_dir():
        raise click.BadParameter(f"no patentsberta folder under {folder}", param_hint="--data")
    rows = evaluation.run(folder, split)
    click.echo(evaluation.to_json(rows) if as_json else evaluation.format_rows(rows))


@matching_cli.command("rebuild")
@click.option("--background", is_flag=True, help="Queue the rebuild as a job (RQ when REDIS_URL is set).")
def rebuild_command(background: bool) -> None:
    """Rewrite every listing, patent and need document of the matching index (with MATCHING_INDEX_DIR,
    also the memory-mapped base segments the workers load)."""
    from sqlalchemy import func, select

    from app.core import jobs
    from app.extensions import db
    from app.matching import index

    if background:
        runner = jobs.enqueue(index.rebuild_job, queue="matching")
        click.echo(f"Rebuild queued ({runner}).")
        return

    total = sum(
        db.session.scalar(select(func.count()).select_from(model)) for model, _ in index.LOADERS.values()
    )
    with click.progressbar(length=total, label="Indexing listings, patents and needs") as bar:
        counts = index.rebuild(db.session, progress=lambda kind, n: bar.update(n))
    click.echo(", ".join(f"{n} {kind} documents" for kind, n in counts.items()))
