"""Print the home page's valuation figures from the current database: valued patents and their total.

Usage: FLASK_APP=wsgi .venv/bin/python bench/valuation_figures.py
"""

import datetime as dt

from sqlalchemy import func, select

from app import create_app
from app.catalogue.models import Patent
from app.catalogue.search.models import SearchDocument
from app.extensions import db


def main() -> None:
    app = create_app()
    with app.app_context():
        docs = select(SearchDocument).where(SearchDocument.doc_type == "patent").subquery()
        valued, positive, total = db.session.execute(
            select(
                func.count(docs.c.value_cny),
                func.count(docs.c.value_cny).filter(docs.c.value_cny > 0),
                func.coalesce(func.sum(docs.c.value_cny), 0),
            )
        ).one()
        past_term = db.session.scalar(
            select(func.count())
            .select_from(docs)
            .join(Patent, Patent.id == docs.c.record_id)
            .where(Patent.expiry_date <= dt.datetime.now(dt.UTC).date(), docs.c.value_cny > 0)
        )
        print(f"valued patents: {valued}; with a value > 0: {positive}; home total CNY {total:,.2f}")  # noqa: T201
        print(f"patents past their term with a value > 0: {past_term}")  # noqa: T201


if __name__ == "__main__":
    main()
