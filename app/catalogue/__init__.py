"""Catalogue: patents, innovation projects and experts; import, export, pages and API."""

from importlib import import_module
from importlib.util import find_spec

from flask import Flask


def register(app: Flask) -> None:
    from app.catalogue import admin_routes, import_routes, legal_routes, owner_routes  # noqa: F401  (pages on bp)
    from app.catalogue.cli import catalogue_cli
    from app.catalogue.display import init_display
    from app.catalogue.routes import bp
    from app.catalogue.seed import seed_catalogue
    from app.catalogue.translation import init_translation
    from app.core.seed import add_seed_step

    if find_spec("app.catalogue.search") and find_spec("app.catalogue.search.routes"):
        import_module("app.catalogue.search.routes")  # the search engineer's pages, on bp
    app.register_blueprint(bp)
    app.cli.add_command(catalogue_cli)
    init_display(app)
    init_translation(app)
    app.config.setdefault("IMPORT_JOB_RUNNER", "auto")  # auto | rq | thread | inline (see import_jobs)
    add_seed_step("catalogue", 20, seed_catalogue)
    _add_navigation()


def _add_navigation() -> None:
    from flask_babel import lazy_gettext as _l

    from app.accounts.permissions import is_admin, is_authenticated
    from app.catalogue.services import can_create_records
    from app.core.navigation import NavItem, add_nav_item

    def everyone(user: object) -> bool:
        return True

    def rights_holder(user: object) -> bool:
        return is_authenticated(user) and can_create_records(user)

    add_nav_item(NavItem("catalogue.experts", _l("Experts"), everyone, menu="main", order=30))
    add_nav_item(NavItem("catalogue.my_records", _l("My records"), is_authenticated, menu="main", order=40))
    add_nav_item(
        NavItem("catalogue.import_upload", _l("Import records"), rights_holder, menu="account", order=30)
    )
    add_nav_item(
        NavItem("catalogue.import_jobs_list", _l("My imports"), rights_holder, menu="account", order=31)
    )
    add_nav_item(
        NavItem("catalogue.moderation", _l("Catalogue moderation"), is_admin, menu="admin", order=30)
    )
