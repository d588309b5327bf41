"""Catalogue: patents, innovation projects and experts; import, export, pages and API."""

from importlib import import_module
from importlib.util import find_spec

from flask import Flask


def register(app: Flask) -> None:
    from app.catalogue.routes import bp

    if find_spec("app.catalogue.search") and find_spec("app.catalogue.search.routes"):
        import_module("app.catalogue.search.routes")  # adds the search pages to bp
    app.register_blueprint(bp)

    from app.catalogue.cli import catalogue_cli

    app.cli.add_command(catalogue_cli)
