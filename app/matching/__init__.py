"""Matching: technology needs, and pure scoring strategies (engine/) that match them to listings."""

from flask import Flask


def register(app: Flask) -> None:
    from app.matching.cli import matching_cli

    app.cli.add_command(matching_cli)
