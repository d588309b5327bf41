"""Home page and health check."""

from flask import jsonify, render_template
from sqlalchemy import text

from app.extensions import db
from app.main import bp
from app.main.figures import platform_figures


@bp.route("/")
def index():
    from app.market.listing_search import home_listings

    # Read only when the page's shared part is not already rendered for this data version.
    return render_template("main/index.html", load_figures=platform_figures, load_listings=home_listings)


@bp.route("/healthz")
def health():
    """Liveness plus a database round trip, for load balancers and the test harness."""
    db.session.execute(text("SELECT 1"))
    return jsonify(status="ok")
