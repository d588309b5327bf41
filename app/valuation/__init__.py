"""Valuation: versioned parameter sets with four-eyes approval, stored valuations, reports and replay.

The pure engine lives in ``engine/``; this package is the web and persistence side around it.
"""

from flask import Flask


def register(app: Flask) -> None:
    from app.core.seed import add_seed_step
    from app.valuation import assessor_routes, engagement_routes  # noqa: F401  (routes on the blueprint)
    from app.valuation.cli import valuation_cli
    from app.valuation.routes import bp, status_label, valuation_summary
    from app.valuation.seed import seed_valuation

    app.register_blueprint(bp)
    from app.valuation.fx_routes import bp as fx_bp

    app.register_blueprint(fx_bp)
    from app.valuation.labels import register as register_labels

    register_labels(app)
    app.cli.add_command(valuation_cli)
    app.jinja_env.globals["valuation_summary"] = valuation_summary
    app.jinja_env.globals["status_label"] = status_label
    from app.valuation.report_fx import currency_name, iso_day

    app.jinja_env.globals["currency_name"] = currency_name
    app.jinja_env.globals["iso_day"] = iso_day
    add_seed_step("valuation", 40, seed_valuation)
    _add_navigation()
    from app.catalogue.search import register_enricher
    from app.valuation.search_values import current_midpoints

    register_enricher(current_midpoints)


def _add_navigation() -> None:
    from flask_babel import lazy_gettext as _l

    from app.accounts.permissions import is_admin, is_assessor_or_admin
    from app.core.navigation import NavItem, add_nav_item

    add_nav_item(NavItem("fx.rates", _l("Exchange rates"), is_admin, menu="admin", order=70))
    add_nav_item(NavItem("valuation.workbench", _l("Valuation"), is_assessor_or_admin, menu="main", order=60))
