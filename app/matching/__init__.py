"""Matching: technology needs, and pure scoring strategies (engine/) that match them to listings."""

from flask import Flask


def register(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from app.accounts.permissions import is_admin, is_authenticated
    from app.core.navigation import NavItem, add_nav_item
    from app.core.seed import add_seed_step
    from app.matching import (  # noqa: F401  (outbox handler, digest tick, write hooks)
        alerts,
        index,
        saved_searches,  # noqa: F401  (the tick that checks saved searches)
    )
    from app.matching.cli import matching_cli
    from app.matching.expert_routes import admin_bp, expert_conflicts, need_experts, patent_experts
    from app.matching.routes import bp, listing_needs
    from app.matching.saved_search_routes import bp as saved_search_bp
    from app.matching.seed import seed_conflicts, seed_needs
    from app.matching.states import NEED_LIFECYCLE

    app.register_blueprint(bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(saved_search_bp)
    app.jinja_env.globals["patent_experts"] = patent_experts
    app.jinja_env.globals["need_experts"] = need_experts
    app.jinja_env.globals["expert_conflicts"] = expert_conflicts
    app.jinja_env.globals["listing_needs"] = listing_needs
    app.jinja_env.globals["need_status_label"] = NEED_LIFECYCLE.status_label
    app.cli.add_command(matching_cli)
    add_nav_item(NavItem("matching.board", _l("Needs"), lambda user: True, menu="main", order=25))
    add_nav_item(NavItem("matching.mine", _l("My needs"), is_authenticated, menu="account", order=42))
    add_nav_item(
        NavItem("matching_admin.weights_page", _l("Matching weights"), is_admin, menu="admin", order=60)
    )
    add_nav_item(
        NavItem("saved_searches.mine", _l("My saved searches"), is_authenticated, menu="account", order=43)
    )
    add_seed_step("matching needs", 70, seed_needs)
    add_seed_step("expert conflicts", 71, seed_conflicts)
