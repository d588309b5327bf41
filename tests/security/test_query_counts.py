"""Statement ceilings on the main pages, anonymous and signed in, zh and en: an N+1 or a per-view
recomputation shows up as more statements (counted, never timed)."""

from contextlib import contextmanager

import pytest
from sqlalchemy import event

from app.extensions import db

# page -> (path, statements anonymous, statements signed in as a buyer), measured on the `world`
# fixture (several published listings, an auction, a need, the valuation models and closed deals).
# A signed-in request reads the user with roles, organisation and unread-notification count once per data
# version (app/accounts/auth.py): the second view of a page sends no statement for it.
PAGES = {
    "home": ("/", 0, 0),  # figures and cards: a shared fragment
    "search": ("/catalogue/search?q=battery", 0, 0),  # results memoised, a shared fragment
    "search_zh": ("/catalogue/search?q=%E7%94%B5%E6%B1%A0", 0, 0),
    "patent": ("/patents/{patent_id}", 1, 1),  # head, sections and side column: shared fragments
    # head and side column shared; the linked patents a viewer may see are read per view
    "project": ("/projects/{project_id}", 2, 2),
    "expert": ("/experts/{expert_id}", 1, 1),  # head, sections and side column: shared fragments
    # head, facts, price terms, value, similar: shared fragments; the public documents per data
    # version; per viewer: the NDA, the watch, a pending offer
    "listing": ("/market/listings/{listing_id}", 1, 3),
    # per viewer: the bidder's standing, NDA, deposit and the owners of the listed patents (the
    # qualification), the bids they may see; deposit shown, aliases, extensions per data version
    "auction": ("/market/auctions/{auction_id}", 2, 5),
    # figures and models: shared fragments, the valuation read only to render them; the engagement
    "report": ("/valuation/patents/{patent_id}", 1, 1),
    "chart": ("/valuation/patents/{patent_id}/charts/range.svg", 1, 1),  # the visibility check
    "needs_board": ("/needs/", 1, 1),
    # the ranking of listings and catalogue patents is shared per data version; a view reads the
    # need, the rows it shows, the buyer's marks and the expert recommendations: none per candidate
    "need": ("/needs/{need_id}", 4, 9),
}

# PostgreSQL's search plans its scan (EXPLAIN, planner settings set and reset), but a repeated search
# is memoised per data version, so no page sends more statements there.
POSTGRES_EXTRA: dict[str, int] = {}


@contextmanager
def counted():
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany) -> None:
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


@pytest.mark.parametrize("page", sorted(PAGES))
def test_statement_ceiling(world, client, auth, page):
    """Each page in zh and en, anonymous then signed in, within its ceiling of SQL statements."""
    path, anonymous, signed_in = PAGES[page]
    if db.engine.dialect.name == "postgresql":
        anonymous, signed_in = (n + POSTGRES_EXTRA.get(page, 0) for n in (anonymous, signed_in))
    url = path.format(**world["ids"])
    for log_in, ceiling in ((False, anonymous), (True, signed_in)):
        if log_in:
            auth.login(world["users"]["buyer"])
        for lang in ("zh", "en"):
            headers = {"Accept-Language": lang}
            assert client.get(url, headers=headers).status_code == 200  # per-process caches filled
            with counted() as statements:
                response = client.get(url, headers=headers)
            assert response.status_code == 200
            assert len(statements) <= ceiling, f"{len(statements)} statements:\n" + "\n".join(
                s[:120] for s in statements
            )
