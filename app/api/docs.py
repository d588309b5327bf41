"""The API documentation page: Swagger UI, vendored from a PyPI package and served by the app."""

from flask import Blueprint, render_template, send_from_directory
from swagger_ui_bundle import swagger_ui_path

bp = Blueprint("api_docs", __name__, url_prefix="/api/v1/docs")


@bp.route("/")
def index():
    return render_template("api/docs.html")


@bp.route("/assets/<path:filename>")
def assets(filename: str):
    return send_from_directory(swagger_ui_path, filename, max_age=86400)
