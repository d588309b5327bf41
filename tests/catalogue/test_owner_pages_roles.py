"""Owner pages fit the reader's role: a buyer is not told to add patents, an assessor edits the
expert profile linked to their account, and a patent without a claim count says so in words."""

import re

from app.accounts.models import Role


def test_buyer_records_page_points_to_search_not_to_adding_patents(client, auth, buyer):
    auth.login(buyer)
    html = client.get("/my/records", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Nothing registered in your name" in html
    assert 'href="/catalogue/search"' in html
    assert "import" not in html.lower().split("<main")[1]
    assert "Add a patent" not in html


def test_assessor_edits_the_expert_profile_linked_to_their_account(
    client, auth, make_user, admin, make_expert
):
    assessor = make_user(email="assessor@example.com", roles=(Role.ASSESSOR,))
    expert = make_expert(admin, user_email=assessor.email, reference="EXP-LINKED")
    auth.login(assessor)
    assert client.get(f"/experts/{expert.id}/edit").status_code == 200
    form = {"name": "王平", "title": "资深评估师", "languages": "zh; en", "user_email": assessor.email}
    assert client.post(f"/experts/{expert.id}/edit", data=form).status_code == 302
    assert expert.title == "资深评估师"
    stranger = make_user(email="stranger@example.com", roles=(Role.ASSESSOR,))
    auth.logout()
    auth.login(stranger)
    assert client.get(f"/experts/{expert.id}/edit").status_code == 403


def test_missing_claim_count_is_said_in_words(client, make_patent, holder):
    patent = make_patent(holder, claims_count=None, independent_claims_count=None)
    html = client.get(f"/patents/{patent.id}", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "共 — 项" not in html
    assert "—" not in html.split('id="claims-h"')[1].split("</section>")[0]


def test_patent_page_names_the_owner_on_record_and_explains_a_different_lister(client, make_patent, holder):
    own = make_patent(holder, owners=["Holder Univ"], publication_number="CN 118866391 A")
    other = make_patent(holder, owners=["浙江大学"], publication_number="CN 118866392 A")
    page = client.get(f"/patents/{own.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Owner on record: Holder Univ" in page
    assert "not the owner on record" not in page
    page = client.get(f"/patents/{other.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Owner on record: 浙江大学" in page
    assert "Listed on IPEX by Holder Univ" in page
    assert "not the owner on record" in page


def test_my_records_pages_searches_and_filters_patents(app, client, auth, make_patent, holder):
    per_page = app.config["ITEMS_PER_PAGE"]
    for i in range(per_page + 3):
        make_patent(holder, publication_number=f"CN 1188670{i:02d} A", title_zh=f"电池{i}",
                    legal_status="granted" if i == 0 else "pending", grant_date="2019-06-01" if i == 0 else None)  # fmt: skip
    auth.login(holder)
    html = client.get("/my/records").get_data(as_text=True)
    assert html.count('class="cat-nowrap"') == 2 * per_page
    assert 'class="pagination"' in html
    second = client.get("/my/records?page=2").get_data(as_text=True)
    assert second.count('class="cat-nowrap"') == 2 * 3
    found = client.get("/my/records", query_string={"q": "CN 118867005"}).get_data(as_text=True)
    assert found.count('class="cat-nowrap"') == 2
    assert "电池5" in found
    granted = client.get("/my/records?status=granted").get_data(as_text=True)
    assert granted.count('class="cat-nowrap"') == 2
    assert "电池0" in granted
    none = client.get("/my/records", query_string={"q": "%"}).get_data(as_text=True)
    assert 'class="cat-nowrap"' not in none  # a wildcard is plain text: no title holds "%"
    assert "没有匹配的专利" in none


def test_my_records_pages_projects_and_experts_each_on_their_own(
    app, client, auth, make_project, make_expert, holder
):
    per_page = app.config["ITEMS_PER_PAGE"]
    for i in range(per_page + 2):
        make_project(holder, title_zh=f"项目{i:02d}", title_en=None)
        make_expert(holder, name=f"专家{i:02d}", name_en=None)
    auth.login(holder)
    first = client.get("/my/records").get_data(as_text=True)
    assert len(re.findall(r">项目\d\d<", first)) == per_page  # one page, not all of them
    assert len(re.findall(r">专家\d\d<", first)) == per_page
    assert "projects_page=2" in first
    assert "experts_page=2" in first
    second = client.get("/my/records?projects_page=2").get_data(as_text=True)
    assert len(re.findall(r">专家\d\d<", second)) == per_page  # the experts list keeps its own page
    assert len(re.findall(r">项目\d\d<", second)) == 2
    assert f'<span class="badge">{per_page + 2}</span>' in first
