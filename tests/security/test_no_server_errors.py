"""Absurd input is a 4xx, never a 500: ids, page numbers, counts, far dates and unreadable JSON."""

import datetime as dt

import pytest

from app.accounts.models import Role
from app.catalogue.terms import add_years, expiry_date
from tests.catalogue.conftest import GOOD_PATENT

ABSURD_IDS = ["0", "-1", str(2**63), str(2**64), "1e3", "²"]


def test_ids_out_of_range_are_404(client):
    paths = ["/patents/{}", "/projects/{}", "/api/v1/patents/{}", "/api/v1/experts/{}"]
    answers = {
        (path, value): client.get(path.format(value)).status_code for path in paths for value in ABSURD_IDS
    }
    assert set(answers.values()) == {404}, answers


def test_largest_id_is_still_a_plain_404(client):
    assert client.get(f"/patents/{2**63 - 1}").status_code == 404


def test_no_route_uses_the_unbounded_int_converter(app):
    from werkzeug.routing import IntegerConverter

    from app.core.converters import IdConverter

    unbounded = [
        rule.rule
        for rule in app.url_map.iter_rules()
        for converter in rule._converters.values()
        if isinstance(converter, IntegerConverter) and not isinstance(converter, IdConverter)
    ]
    assert unbounded == []


def test_odd_page_numbers_show_the_first_page(client, auth, make_user):
    auth.login(make_user(roles=(Role.ADMIN,)))
    pages = ["²", "٣", str(2**63), str(2**64), "-1", "0", "1.5", "1e9", ""]
    paths = ["/experts", "/catalogue/search", "/admin/users"]
    answers = {
        (path, page): client.get(path, query_string={"page": page}).status_code
        for path in paths
        for page in pages
    }
    assert set(answers.values()) == {200}, answers


def test_api_page_out_of_range_is_422(client):
    for page in ["²", str(2**63), str(2**64), "10001"]:
        response = client.get("/api/v1/patents", query_string={"page": page})
        assert response.status_code == 422, page
        assert "page" in response.json["error"]["fields"]


def test_search_remaining_years_with_superscript_is_a_field_error(client):
    response = client.get(
        "/catalogue/search", query_string={"remaining": "²"}, headers={"Accept-Language": "en"}
    )
    assert response.status_code == 200
    assert "Enter a whole number from 0 to 30." in response.get_data(as_text=True)


@pytest.mark.parametrize("field", ["claims_count", "forward_citations", "backward_citations"])
def test_absurd_counts_are_422_in_the_api(client, bearer, holder, field):
    headers = bearer(holder)
    for number in [2**31, 2**63, 2**64]:
        response = client.post("/api/v1/patents", json={**GOOD_PATENT, field: number}, headers=headers)
        assert response.status_code == 422, number
        assert field in response.json["error"]["fields"]


def test_absurd_count_is_a_form_error(client, auth, holder):
    auth.login(holder)
    form = {**GOOD_PATENT, "claims_count": str(2**64), "ipc_codes": "H01M 10/0525"}
    form = {key: "; ".join(value) if isinstance(value, list) else value for key, value in form.items()}
    response = client.post("/patents/new", data=form)
    assert response.status_code == 400
    assert 'id="claims_count-error"' in response.get_data(as_text=True)


def test_add_years_near_year_9999_does_not_raise():
    assert add_years(dt.date(9999, 6, 1), 20) == dt.date.max
    assert add_years(dt.date(9996, 2, 29), 3) == dt.date(9999, 2, 28)
    assert expiry_date("CN", "invention", dt.date(9998, 1, 1)) == dt.date.max


def test_a_patent_filed_in_year_9999_is_not_a_500(client, bearer, holder):
    response = client.post(
        "/api/v1/patents",
        json={**GOOD_PATENT, "filing_date": "9999-12-31", "publication_date": None},
        headers=bearer(holder),
    )
    assert response.status_code in (201, 422)
    if response.status_code == 201:
        assert client.get(f"/patents/{response.json['id']}").status_code == 200


UNREADABLE_JSON = [
    "[" * 100_000 + "]" * 100_000,
    '{"a":' * 50_000 + "1" + "}" * 50_000,
    '{"display_name": "\\ud800"}',
    '{"\\udfff": 1}',
    '{"display_name": "x"',
    b'{"display_name": "\xff"}',
]


def test_unreadable_json_is_400_json(client, bearer, holder):
    headers = bearer(holder)
    for body in UNREADABLE_JSON:
        response = client.patch("/api/v1/me", data=body, content_type="application/json", headers=headers)
        assert response.status_code == 400, body[:40]
        assert response.json["error"]["code"] == 400
        assert response.json["error"]["message"]


def test_paired_surrogate_escapes_are_fine(client, bearer, holder):
    body = '{"display_name": "\\ud83d\\ude00"}'
    response = client.patch("/api/v1/me", data=body, content_type="application/json", headers=bearer(holder))
    assert response.status_code == 200
    assert response.json["display_name"] == "\U0001f600"
