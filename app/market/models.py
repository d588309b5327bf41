"""Import every market model module present, so the metadata (and Alembic) sees them all."""

from importlib import import_module
from importlib.util import find_spec

MODEL_MODULES = ("listing_models", "offer_models", "deal_models", "auction_models")

for _name in MODEL_MODULES:
    if find_spec(f"app.market.{_name}"):
        import_module(f"app.market.{_name}")
