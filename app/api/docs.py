"""The API documentation page: Swagger UI, vendored from a PyPI package and served by the app.

The page reads the OpenAPI document through ``reader_spec``: the same document with each group of
endpoints named and described in the reader's language, instead of the blueprint identifiers
("api_me") flask-smorest uses as tag names, and each endpoint's summary translated. Machines keep
/api/v1/openapi.json as it is.
"""

import copy

from flask import Blueprint, jsonify, render_template, send_from_directory
from flask_babel import lazy_gettext as _l
from swagger_ui_bundle import swagger_ui_path

from app.api.docstrings import translated_info
from app.extensions import api

bp = Blueprint("api_docs", __name__, url_prefix="/api/v1/docs")

# Blueprint name -> the title of its group of endpoints on the page (its description is the blueprint's).
GROUPS = {
    "api_me": _l("Your account"),
    "api_catalogue": _l("Catalogue"),
    "api_saved_searches": _l("Saved searches"),
    "api_listings": _l("Listings"),
    "api_deals": _l("Offers and deals"),
    "api_auctions": _l("Auctions"),
    "api_deposits": _l("Auction deposits"),
    "api_payments": _l("Payments"),
    "api_payouts": _l("Payouts"),
    "api_royalties": _l("Royalties"),
    "api_needs": _l("Technology needs"),
    "api_valuation": _l("Valuation"),
    "api_notifications": _l("Notifications"),
}


@bp.route("/")
def index():
    return render_template("api/docs.html")


@bp.route("/openapi.json")
def reader_spec():
    """The OpenAPI document with its endpoint groups and summaries in the reader's language."""
    spec = copy.deepcopy(api.spec.to_dict())
    titles = {name: str(title) for name, title in GROUPS.items()}
    for tag in spec.get("tags", []):
        translated_info(tag)
        tag["name"] = titles.get(tag["name"], tag["name"])
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
