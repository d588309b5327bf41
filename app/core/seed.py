"""`flask seed-demo`: idempotent demo data. Each capability adds its own step when it registers."""

from collections.abc import Callable
from dataclasses import dataclass

import click

from app.extensions import db


@dataclass(frozen=True)
class SeedStep:
    name: str
    order: int
    run: Callable[[Callable[[str], None]], None]  # receives an echo function


_STEPS: dict[str, SeedStep] = {}


def add_seed_step(name: str, order: int, run: Callable[[Callable[[str], None]], None]) -> None:
    _STEPS[name] = SeedStep(name, order, run)


@click.command("seed-demo")
def seed_demo_command() -> None:
    """Load demo users and data; running it again changes nothing that exists."""
    for step in sorted(_STEPS.values(), key=lambda s: s.order):
        click.echo(f"== {step.name}")
        step.run(click.echo)
        db.session.commit()
