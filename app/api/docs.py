"""The API documentation page: Swagger UI, vendored from a PyPI package and served by the app.

The page reads the OpenAPI document through ``reader_spec``: the same document with each group of
endpoints named and described in the reader's language, instead of the blueprint identifiers
("api_me") flask-smorest uses as tag names, and each endpoint's summary translated. Machines keep /api/v1/openapi.json as it is.
"""

import copy

from flask import Blueprint, jsonify, render_template, send_from_directory
from flask_babel import lazy_gettext as _l
from swagger_ui_bundle import swagger_ui_path

from app.api.docstrings import translated_info
from app.extensions import api

bp = Blueprint("api_docs", __name__, url_prefix="/api/v1/docs")

# Blueprint name -> (title, description) of its group of endpoints on the page.
GROUPS = {
    "api_me": (_l("Your account"), _l("The authenticated user")),
    "api_catalogue": (_l("Catalogue"), _l("Patents, innovation projects and experts")),
    "api_saved_searches": (_l("Saved searches"), _l("Saved catalogue searches")),
    "api_listings": (_l("Listings"), _l("Market listings: rights packages for sale or licence")),
    "api_deals": (_l("Offers and deals"), _l("Offers, counter-offers and deals to registration")),
    "api_auctions": (_l("Auctions"), _l("Auctions: English (proxy bids) and sealed-bid")),
    "api_deposits": (_l("Auction deposits"), _l("Auction deposits")),
    "api_payments": (_l("Payments"), _l("Deal payments and fee quotes")),
    "api_payouts": (_l("Payouts"), _l("Payouts to sellers, co-owners and brokers")),
    "api_royalties": (_l("Royalties"), _l("Running royalties of licence deals")),
    "api_needs": (_l("Technology needs"), _l("Technology needs and their matches")),
    "api_valuation": (_l("Valuation"), _l("Valuation models and results")),
    "api_notifications": (_l("Notifications"), _l("The user's notifications inbox")),
}


@bp.route("/")
def index():
    return render_template("api/docs.html")


@bp.route("/openapi.json")
def reader_spec():
    """The OpenAPI document with its endpoint groups and summaries in the reader's language."""
    spec = copy.deepcopy(api.spec.to_dict())
    titles = {name: str(title) for name, (title, _description) in GROUPS.items()}
    for tag in spec.get("tags", []):
        if tag["name"] in GROUPS:
            tag["description"] = str(GROUPS[tag["name"]][1])
            tag["name"] = titles[tag["name"]]
    for operations in spec.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict):
                continue
            translated_info(operation)
            if "tags" in operation:
                operation["tags"] = [titles.get(name, name) for name in operation["tags"]]
    return jsonify(spec)


@bp.route("/assets/<path:filename>")
def assets(filename: str):
    return send_from_directory(swagger_ui_path, filename, max_age=86400)
