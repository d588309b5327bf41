"""Market: listings, offers, deals, contracts, registration and auctions (blueprint ``market``).

Each helper's modules register themselves here when present: page routes import onto ``bp``,
API modules expose a flask-smorest ``blp``, and seed modules add their demo-data step.
"""

from importlib import import_module
from importlib.util import find_spec

from flask import Blueprint, Flask

bp = Blueprint("market", __name__, url_prefix="/market")

ROUTE_MODULES = (
    "listing_routes",
    "dataroom",
    "enquiries",
    "watchlist",
    "deal_routes",
    "my_market",
    "auction_routes",
)
API_MODULES = ("listing_api", "deal_api", "auction_api")
SEED_MODULES = ("seed", "deal_seed")


def _present(names: tuple[str, ...]) -> list:
    return [import_module(f"app.market.{name}") for name in names if find_spec(f"app.market.{name}")]


def api_blueprints() -> list:
    """The market's API blueprints (flask-smorest) for app.api to register."""
    return [module.blp for module in _present(API_MODULES) if hasattr(module, "blp")]


def register(app: Flask) -> None:
    for module in _present(ROUTE_MODULES):
        if hasattr(module, "init_app"):
            module.init_app(app)
    app.register_blueprint(bp)
    for module in _present(SEED_MODULES):
        if hasattr(module, "register_seed"):
            module.register_seed()
