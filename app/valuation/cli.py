"""`flask valuation ...`: models, run, revalue, replay, backtest."""

from __future__ import annotations

import json
import sys

import click
from flask import current_app
from flask.cli import AppGroup
from tqdm import tqdm

from app.valuation import engine
from app.valuation.engine import EngineError
from app.valuation.engine.errors import FieldErrors

valuation_cli = AppGroup("valuation", help="Valuation models, bulk revaluation, replay and backtest.")


def _json_arg(text: str | None, name: str) -> dict:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise click.BadParameter(f"not valid JSON: {error}", param_hint=name) from None
    if not isinstance(value, dict):
        raise click.BadParameter("must be a JSON object", param_hint=name)
    return value


@valuation_cli.command("models")
@click.option("--json", "as_json", is_flag=True, help="Print every model with its schemas as JSON.")
def models_command(as_json: bool) -> None:
    """List the registered models (built-in and plugins)."""
    described = [m.describe() for m in engine.available()]
    if as_json:
        click.echo(json.dumps(described, ensure_ascii=False, indent=2))
        return
    for d in described:
        click.echo(f"{d['id']}@{d['version']:<8} {d['kind']:<9} {d['name_en']} / {d['name_zh']}")
        for p in d["params"]:
            unit = f" [{p['unit']}]" if p["unit"] else ""
            click.echo(f"    {p['name']}: {p['type']}{unit} default={p['default']!r} bounds={p['bounds']}")


@valuation_cli.command("run")
@click.argument("model_id")
@click.option("--params", "params_text", required=True, help="Parameters as a JSON object.")
@click.option("--inputs", "inputs_text", default=None, help="Patent facts as a JSON object.")
@click.option("--seed", default=0, show_default=True, type=int)
@click.option(
    "--lang",
    "language",
    default="zh",
    show_default=True,
    type=click.Choice(["zh", "en"]),
    help="Language of errors.",
)
def run_command(model_id: str, params_text: str, inputs_text: str | None, seed: int, language: str) -> None:
    """Run one model and print its result as JSON (errors name the fields, exit status 2)."""
    from app.valuation.services import run_model

    params, inputs = _json_arg(params_text, "--params"), _json_arg(inputs_text, "--inputs")
    try:
        result = run_model(model_id, params, inputs, seed)
    except FieldErrors as error:
        body = {"error": {"message": error.message(language), "fields": error.messages(language)}}
        click.echo(json.dumps(body, ensure_ascii=False), err=True)
        sys.exit(2)
    except EngineError as error:
        body = {"error": {"message": str(error), "fields": {}}}
        click.echo(json.dumps(body, ensure_ascii=False), err=True)
        sys.exit(2)
    click.echo(json.dumps(result, ensure_ascii=False, indent=2))


@valuation_cli.command("revalue")
@click.option("--all", "everything", is_flag=True, help="Every patent, not only those without a valuation.")
def revalue_command(everything: bool) -> None:
    """Value patents with the active parameter sets: inline, or as RQ jobs when REDIS_URL is set."""
    from app.valuation.batch import patent_ids, revalue
    from app.valuation.services import load_config

    ids = patent_ids(only_stale=not everything)
    if not ids:
        click.echo("Nothing to value.")
        return
    if current_app.config.get("REDIS_URL"):
        from app.valuation.jobs import enqueue_revalue

        jobs = enqueue_revalue(ids)
        click.echo(f"Enqueued {len(jobs)} jobs for {len(ids)} patents on queue 'valuation'.")
        return
    config = load_config()
    failures: dict = {}
    with tqdm(total=len(ids), unit="patent", file=sys.stderr) as bar:
        done = revalue(ids, config, progress=bar.update, failures=failures)
    for patent_id, refused in sorted(failures.items()):
        for model_id, why in sorted(refused.items()):
            click.echo(f"REFUSED patent {patent_id} {model_id}: {why['en']}")
    click.echo(f"Valued {done} patents; {len(failures)} with a model refused (stored with their range).")


@valuation_cli.command("replay")
@click.option("--all", "everything", is_flag=True, help="Every stored valuation, not only the current ones.")
@click.option("--ignore-engine-version", is_flag=True, help="Compare figures only, not the engine code hash.")
def replay_command(everything: bool, ignore_engine_version: bool) -> None:
    """Re-run stored valuations; exit status 1 if any differs."""
    from app.valuation.replay import replay

    report = replay(only_current=not everything, ignore_engine=ignore_engine_version)
    for diff in report.differences:
        click.echo(
            f"DIFFERS valuation {diff.valuation_id} patent {diff.patent_id} {diff.model}: "
            f"{', '.join(diff.paths[:6])}"
        )
    click.echo(f"Replayed {report.checked} valuations, {len(report.differences)} differ.")
    if not report.ok:
        sys.exit(1)


@valuation_cli.command("backtest")
@click.option("--json", "as_json", is_flag=True)
def backtest_command(as_json: bool) -> None:
    """Compare the baseline, the ensemble and each monetary model with the closed deal prices, by deal type."""
    from app.valuation.backtesting import run_backtest

    results = run_backtest()
    if as_json:
        data = [
            {
                "model": r.model_id,
                "parameter_set": r.parameter_set,
                "skipped": r.skipped,
                "generated_deals": r.generated,
                "stats": {k: v.__dict__ for k, v in r.stats.items()},
            }
            for r in results
        ]
        click.echo(json.dumps(data, indent=2))
        return
    if any(r.generated for r in results):
        click.echo("Note: the closed deals include generated demo data, not real transactions.")
    click.echo("baseline = leave-one-out median and P10-P90 of the other deals of the same type")
    click.echo(
        f"{'model':<22}{'deal type':<12}{'n':>5}{'P10-P90 cover':>15}{'Spearman':>10}{'med |log err|':>15}"
    )
    for r in results:
        for group, s in r.stats.items():
            rho = "—" if s.spearman is None else f"{s.spearman:.3f}"
            click.echo(
                f"{r.model_id:<22}{group:<12}{s.n:>5}{s.coverage_p10_p90:>15.1%}{rho:>10}"
                f"{s.median_abs_log_error:>15.3f}"
            )
        if r.skipped:
            click.echo(f"{r.model_id:<22}skipped {r.skipped} deals without a positive value")
