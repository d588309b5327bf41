"""Every auction route (pages and API) for anonymous, a qualified buyer, the listing's seller,
another seller, an assessor and an administrator (the market's permission matrix, for auctions)."""

import pytest

from app.accounts.models import Role
from app.accounts.services import create_api_token
from app.extensions import db
from tests.market.auction_support import bid, make_auction, make_bidder, make_seller

ROLES = ("anonymous", "buyer", "seller", "other_seller", "assessor", "admin")


@pytest.fixture
def world(app, frozen_clock, make_user):
    seller = make_seller(make_user)
    auction = make_auction(seller)
    draft = make_auction(seller, listing_status="draft")
    early = bid(auction, make_bidder(make_user, auction), "20000").bid
    people = {
        "anonymous": None,
        "buyer": make_bidder(make_user, auction),
        "seller": seller,
        "other_seller": make_user(roles=(Role.RIGHTS_HOLDER,), organisation="Other Univ", verified=True),
        "assessor": make_user(roles=(Role.ASSESSOR,), organisation="Assess Co", verified=True),
        "admin": make_user(roles=(Role.ADMIN,), organisation="Platform", verified=True),
    }
    return {
        "people": people,
        "auction": auction.id,
        "draft": draft.id,
        "pub": auction.listing_id,
        "draft_listing": draft.listing_id,
        "bid": early.id,
    }


def expect(*codes):
    return dict(zip(ROLES, codes, strict=True))


CASES = [
    # method, url, expected codes per role (anonymous, buyer, seller, other seller, assessor, admin)
    ("GET", "/market/auctions", expect(200, 200, 200, 200, 200, 200)),
    ("GET", "/market/auctions/{auction}", expect(200, 200, 200, 200, 200, 200)),
    ("GET", "/market/auctions/{draft}", expect(404, 404, 200, 404, 404, 200)),
    ("POST", "/market/auctions/{auction}/bids", expect(302, 302, 403, 403, 403, 403)),
    ("POST", "/market/auctions/{draft}/bids", expect(302, 404, 403, 404, 404, 403)),
    ("GET", "/market/listings/{pub}/auction", expect(302, 404, 200, 404, 404, 200)),
    ("GET", "/market/listings/{draft_listing}/auction", expect(302, 404, 200, 404, 404, 200)),
    ("POST", "/market/auctions/{auction}/bids/{bid}/retract", expect(302, 403, 403, 403, 403, 302)),
    ("GET", "/api/v1/auctions", expect(200, 200, 200, 200, 200, 200)),
    ("GET", "/api/v1/auctions/{auction}", expect(200, 200, 200, 200, 200, 200)),
    ("GET", "/api/v1/auctions/{draft}", expect(404, 404, 200, 404, 404, 200)),
    ("GET", "/api/v1/auctions/{auction}/bids", expect(200, 200, 200, 200, 200, 200)),
    ("POST", "/api/v1/auctions/{auction}/bids", expect(401, 201, 403, 403, 403, 403)),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "url", "codes"), CASES, ids=[f"{m} {u}" for m, u, _ in CASES])
def test_auction_route_permissions(client, auth, world, role, method, url, codes):
    user = world["people"][role]
    target = url.format(**world)
    kwargs = {}
    if target.endswith("/bids") and method == "POST":
        kwargs = (
            {"json": {"amount": "50000"}} if target.startswith("/api/") else {"data": {"amount": "50000"}}
        )
    elif target.endswith("/retract"):
        kwargs = {"data": {"reason": "Obvious typo"}}
    headers = {}
    if target.startswith("/api/"):
        headers = {"Accept": "application/json"}
        if user is not None:
            headers["Authorization"] = f"Bearer {create_api_token(user, 'test')[1]}"
            db.session.commit()
    elif user is not None:
        auth.login(user)
    response = client.open(target, method=method, headers=headers, **kwargs)
    assert response.status_code == codes[role], response.get_data(as_text=True)[:300]
