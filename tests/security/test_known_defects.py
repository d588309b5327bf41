"""5xx the crawl found in code another branch owned, kept as regression tests once fixed there."""

from app.catalogue import services
from app.extensions import db
from tests.catalogue.conftest import GOOD_PATENT


def test_valuation_report_without_closed_deals_is_not_a_500(app, client, holder):
    """A fresh install has no closed deals: market comparables once took argmax of an empty array."""
    from app.valuation.seed import seed_parameter_sets

    app.config["PROPAGATE_EXCEPTIONS"] = False
    patent = services.create_patent(None, GOOD_PATENT, owner=holder)
    seed_parameter_sets(lambda _line: None)
    db.session.commit()
    assert client.get(f"/valuation/patents/{patent.id}").status_code < 500
