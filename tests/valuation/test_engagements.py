"""Engagement and sign-off (issue 9): the owner or an assessor writes the engagement, an assessor who
does not own the patent signs it over a hash of the report figures, and a signed one never changes."""

import pytest
from sqlalchemy import select

from app.accounts.models import Role, User
from app.core.audit_chain import entries_for, verify_chain
from app.core.errors import PermissionDenied
from app.core.lifecycle import InvalidTransition, status_history
from app.extensions import db
from app.valuation import engagements
from app.valuation.engagement_models import Engagement
from app.valuation.services import current_rows, value_patent

EN = {"Accept-Language": "en"}
ENGAGEMENT = {
    "purpose": "pledge",
    "basis_of_value": "market_value",
    "valuation_date": "2026-11-30",
    "right_valued": "Ownership, worldwide",
    "general_assumptions": "Transaction, open market, continued use",
    "special_assumptions": "The licence to X ends in 2027",
    "special_matters": "An invalidation request is pending",
}
SIGN = {"signer_name": "Wang Ping", "qualification": "Licensed asset appraiser 33000123", "confirm": "y"}


@pytest.fixture
def owned(seeded, make_patent, make_user):
    owner = make_user(email="owner@example.com", roles=(Role.RIGHTS_HOLDER,))
    patent = make_patent(owner_id=owner.id)
    value_patent(patent)
    db.session.commit()
    return owner, patent


def test_owner_writes_the_engagement_and_the_report_shows_it(client, auth, owned):
    owner, patent = owned
    auth.login(owner)
    assert client.get(f"/valuation/patents/{patent.id}/engagement").status_code == 200
    response = client.post(f"/valuation/patents/{patent.id}/engagement", data=ENGAGEMENT)
    assert response.status_code == 302
    engagement = engagements.latest(patent.id)
    assert (engagement.purpose, engagement.status, engagement.created_by_id) == ("pledge", "draft", owner.id)
    assert [e.kind for e in entries_for("valuation_engagements", engagement.id)] == [
        "valuation_engagement.create"
    ]
    page = client.get(f"/valuation/patents/{patent.id}", headers=EN).text
    for text in (
        "Pledge financing",
        "Market value",
        "Ownership, worldwide",
        "An invalidation request is pending",
    ):
        assert text in page
    assert "not a statutory appraisal report unless two licensed asset appraisers sign it" in page
    assert 'data-testid="sign-form"' not in page  # the owner cannot sign


def test_an_assessor_signs_over_a_hash_of_the_figures_and_it_becomes_immutable(client, auth, owned):
    owner, patent = owned
    auth.login(owner)
    client.post(f"/valuation/patents/{patent.id}/engagement", data=ENGAGEMENT)
    auth.logout()
    signer = db.session.scalars(select(User).where(User.email == "a1@example.com")).one()
    auth.login(signer)
    page = client.get(f"/valuation/patents/{patent.id}", headers=EN).text
    assert 'data-testid="sign-form"' in page
    response = client.post(f"/valuation/patents/{patent.id}/engagement/sign", data=SIGN)
    assert response.status_code == 302
    db.session.expire_all()
    engagement = engagements.latest(patent.id)
    head = current_rows(patent.id)[0]
    assert engagement.status == "signed"
    assert (engagement.signer_name, engagement.signed_by_id) == ("Wang Ping", signer.id)
    assert engagement.figures["mid"] == head.result["mid"]
    assert engagement.figures_hash == engagements.figures_hash(engagements.figures_of(head))
    assert [e.action for e in status_history(engagement)] == ["sign"]
    assert "valuation_engagement.sign" in [
        e.kind for e in entries_for("valuation_engagements", engagement.id)
    ]
    assert verify_chain() is None
    page = client.get(f"/valuation/patents/{patent.id}", headers=EN).text
    assert "Wang Ping · Licensed asset appraiser 33000123" in page
    printed = client.get(f"/valuation/patents/{patent.id}/print", headers=EN).text
    assert "Licensed asset appraiser 33000123" in printed
    assert "Pledge financing" in printed
    # signed: signing again is refused, and a change makes a new engagement, leaving the signed one alone
    with pytest.raises(InvalidTransition):
        engagements.sign(engagement, patent, head, signer, "x", "y")
    client.post(f"/valuation/patents/{patent.id}/engagement", data=ENGAGEMENT | {"purpose": "litigation"})
    db.session.expire_all()
    newest = engagements.latest(patent.id)
    assert (newest.purpose, newest.status, newest.supersedes_id) == ("litigation", "draft", engagement.id)
    assert db.session.get(Engagement, engagement.id).purpose == "pledge"


def test_only_an_assessor_who_does_not_own_the_patent_signs(client, auth, owned, make_user, seeded):
    owner, patent = owned
    engagement = engagements.save(patent, "default", _values(), owner)
    db.session.commit()
    head = current_rows(patent.id)[0]
    admin = seeded[2]
    for user in (owner, admin):
        with pytest.raises(PermissionDenied):
            engagements.sign(engagement, patent, head, user, "n", "q")
    owning_assessor = make_user(email="own-assessor@example.com", roles=(Role.ASSESSOR,))
    patent.owner_id = owning_assessor.id
    db.session.commit()
    with pytest.raises(PermissionDenied):
        engagements.sign(engagement, patent, head, owning_assessor, "n", "q")
    auth.login(owning_assessor)
    assert client.post(f"/valuation/patents/{patent.id}/engagement/sign", data=SIGN).status_code == 403
    auth.logout()
    auth.login(make_user(email="buyer@example.com", roles=(Role.BUYER,)))
    assert client.post(f"/valuation/patents/{patent.id}/engagement/sign", data=SIGN).status_code == 403
    assert client.get(f"/valuation/patents/{patent.id}/engagement").status_code == 403


def test_bad_engagement_input_is_answered_next_to_the_field_in_both_languages(client, auth, owned):
    owner, patent = owned
    auth.login(owner)
    bad = ENGAGEMENT | {"valuation_date": "", "right_valued": "", "purpose": "gift"}
    zh = client.post(
        f"/valuation/patents/{patent.id}/engagement", data=bad, headers={"Accept-Language": "zh"}
    )
    assert zh.status_code == 422
    assert "请填写评估基准日" in zh.text
    assert "请说明评估的是哪项权利" in zh.text
    en = client.post(f"/valuation/patents/{patent.id}/engagement", data=bad, headers=EN)
    assert "Enter the valuation date." in en.text
    assert "Not a valid choice" in en.text
    assert engagements.latest(patent.id) is None


def _values():
    import datetime as dt

    return dict(ENGAGEMENT) | {"valuation_date": dt.date(2026, 11, 30)}


def test_report_shares_its_figures_but_not_the_controls_of_each_viewer(client, auth, owned, make_user):
    """The report's figures are shared fragments: viewers in any order each get their own controls."""
    owner, patent = owned
    assessor = make_user(email="assessor@example.com", roles=(Role.ASSESSOR,))
    buyer = make_user(email="buyer@example.com", roles=(Role.BUYER,))
    db.session.commit()
    auth.login(owner)
    client.post(f"/valuation/patents/{patent.id}/engagement", data=ENGAGEMENT)  # a draft to sign
    auth.logout()
    path = f"/valuation/patents/{patent.id}"
    for order in ((buyer, assessor, owner), (assessor, owner, buyer)):
        pages = {}
        for user in order:
            auth.login(user)
            pages[user.email] = client.get(path, headers=EN).text
            auth.logout()
        assert 'data-testid="sign-form"' in pages[assessor.email]
        assert 'data-testid="sign-form"' not in pages[buyer.email]
        assert 'data-testid="sign-form"' not in pages[owner.email]
        assert f"/valuation/patents/{patent.id}/revalue" in pages[assessor.email]
        assert f"/valuation/patents/{patent.id}/revalue" not in pages[buyer.email]
        assert 'data-testid="edit-engagement"' not in pages[buyer.email]
        for page in pages.values():
            assert 'data-testid="fair-range"' in page
            assert 'data-testid="approaches"' in page


def test_engagement_section_is_shared_only_by_viewers_who_cannot_act(app, client, auth, owned, make_user):
    """Viewers who may neither write nor sign see one shared engagement section; the owner and an
    assessor get their own controls, in any order, before and after a draft is written."""
    from tests.conftest import view_in_order

    owner, patent = owned
    viewers = {
        "assessor": make_user(roles=(Role.ASSESSOR,), email="assessor@example.com"),
        "owner": owner,
        "buyer": make_user(email="buyer@example.com"),
        "visitor": None,
    }
    path = f"/valuation/patents/{patent.id}"
    for order in ((0, 1, 2, 3), (3, 2, 1, 0)):
        pages = view_in_order(app, viewers, path, order)
        for name in ("assessor", "owner"):
            assert 'data-testid="new-engagement"' in pages[name], name
        for name in ("buyer", "visitor"):
            assert 'data-testid="new-engagement"' not in pages[name], name
            assert "No engagement yet" in pages[name]
    auth.login(owner)
    client.post(path + "/engagement", data=ENGAGEMENT)  # a draft: the assessor may sign it now
    auth.logout()
    for order in ((2, 0, 3, 1), (1, 3, 0, 2)):
        pages = view_in_order(app, viewers, path, order)
        assert 'data-testid="sign-form"' in pages["assessor"]
        assert 'data-testid="edit-engagement"' in pages["owner"]
        for name in ("buyer", "visitor"):
            assert 'data-testid="sign-form"' not in pages[name]
            assert 'data-testid="edit-engagement"' not in pages[name]
            assert 'data-testid="engagement-status"' in pages[name]
