"""Every listing route (pages and API) for anonymous, buyer, the listing's seller, another seller,
an assessor and an administrator: who sees drafts, confidential documents, and who may act."""

import io

import pytest

from app.accounts.models import Role
from app.accounts.services import create_api_token
from app.extensions import db
from app.market import dataroom
from tests.market.listing_support import make_buyer, make_listing, make_patent, make_seller

ROLES = ("anonymous", "buyer", "seller", "other_seller", "assessor", "admin")
PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def world(app, make_user, tmp_path):
    app.instance_path = str(tmp_path)
    seller = make_seller(make_user, name="Seller Univ")
    people = {
        "anonymous": None,
        "buyer": make_buyer(make_user),
        "seller": seller,
        "other_seller": make_seller(make_user, name="Other Univ"),
        "assessor": make_user(roles=(Role.ASSESSOR,), organisation="Assess Co", verified=True),
        "admin": make_user(roles=(Role.ADMIN,), organisation="Platform", verified=True),
    }
    published = make_listing(seller, [make_patent(seller)], "published")
    draft = make_listing(seller, [make_patent(seller)], "draft")
    secret = dataroom.upload_document(published, seller, io.BytesIO(PDF), "s.pdf", "Secret report", True)
    dataroom.upload_document(published, seller, io.BytesIO(PDF), "b.pdf", "Public brochure", False)
    db.session.commit()
    return {"people": people, "pub": published.id, "draft": draft.id, "secret": secret.id}


def expect(*codes):
    return dict(zip(ROLES, codes, strict=True))


CASES = [
    # method, url, expected codes per role (anonymous, buyer, seller, other seller, assessor, admin)
    ("GET", "/market/listings", expect(200, 200, 200, 200, 200, 200)),
    ("GET", "/market/listings/{pub}", expect(200, 200, 200, 200, 200, 200)),
    ("GET", "/market/listings/{draft}", expect(404, 404, 200, 404, 404, 200)),
    ("GET", "/market/listings/{draft}/edit", expect(302, 404, 200, 404, 404, 200)),
    ("GET", "/market/listings/{pub}/edit", expect(302, 403, 200, 403, 403, 200)),
    ("GET", "/market/listings/{pub}/dashboard", expect(302, 403, 200, 403, 403, 200)),
    ("GET", "/market/listings/{pub}/data-room", expect(200, 200, 200, 200, 200, 200)),
    ("GET", "/market/listings/{draft}/data-room", expect(404, 404, 200, 404, 404, 200)),
    ("GET", "/market/listings/new", expect(302, 200, 200, 200, 200, 200)),
    ("GET", "/market/my/listings", expect(302, 200, 200, 200, 200, 200)),
    ("GET", "/market/watchlist", expect(302, 200, 200, 200, 200, 200)),
    ("GET", "/market/enquiries", expect(302, 200, 200, 200, 200, 200)),
    ("GET", "/market/admin/listings", expect(302, 403, 403, 403, 403, 200)),
    ("POST", "/market/documents/{secret}/download", expect(303, 303, 200, 303, 303, 200)),
    ("POST", "/market/listings/{draft}/submit", expect(302, 404, 302, 404, 404, 302)),
    ("POST", "/market/listings/{pub}/withdraw", expect(302, 403, 302, 403, 403, 302)),
    ("POST", "/market/admin/listings/{draft}/approve", expect(302, 403, 403, 403, 403, 302)),
    ("GET", "/api/v1/listings/{pub}", expect(200, 200, 200, 200, 200, 200)),
    ("GET", "/api/v1/listings/{draft}", expect(404, 404, 200, 404, 404, 200)),
    ("PATCH", "/api/v1/listings/{draft}", expect(401, 404, 200, 404, 404, 200)),
    ("PATCH", "/api/v1/listings/{pub}", expect(401, 403, 200, 403, 403, 200)),
    ("POST", "/api/v1/listings/{pub}/withdraw", expect(401, 403, 200, 403, 403, 200)),
    ("POST", "/api/v1/listings/{draft}/submit", expect(401, 404, 200, 404, 404, 200)),
    ("POST", "/api/v1/listings/{pub}/nda", expect(401, 200, 409, 200, 200, 200)),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "url", "codes"), CASES, ids=[f"{m} {u}" for m, u, _ in CASES])
def test_route_permissions(client, auth, world, role, method, url, codes):
    user = world["people"][role]
    target = url.format(**world)
    kwargs = {"json": {"title_en": "Changed"}} if method == "PATCH" else {}
    headers = {}
    if target.startswith("/api/"):
        headers = {"Accept": "application/json"}
        if user is not None:  # API clients authenticate with a personal token
            headers["Authorization"] = f"Bearer {create_api_token(user, 'test')[1]}"
            db.session.commit()
    elif user is not None:
        auth.login(user)
    response = client.open(target, method=method, headers=headers, **kwargs)
    assert response.status_code == codes[role], response.get_data(as_text=True)[:300]


@pytest.mark.parametrize("role", ROLES)
def test_who_sees_confidential_documents(client, auth, world, role):
    user = world["people"][role]
    headers = {"Accept": "application/json"}
    if user is not None:
        headers["Authorization"] = f"Bearer {create_api_token(user, 'test')[1]}"
        db.session.commit()
    api = client.get(f"/api/v1/listings/{world['pub']}", headers=headers).get_json()
    if user is not None:
        auth.login(user)
    page = client.get(f"/market/listings/{world['pub']}/data-room").get_data(as_text=True)
    sees = role in ("seller", "admin")
    assert ("Secret report" in page) is sees
    assert ("Secret report" in [d["title"] for d in api["documents"]]) is sees
    assert "Public brochure" in page
