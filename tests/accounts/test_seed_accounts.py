"""Demo accounts can trade at once: their addresses count as confirmed."""

from sqlalchemy import select

from app.accounts.models import OrganisationReview, User
from app.accounts.permissions import can_trade
from app.accounts.seed import DEMO_USERS, seed_accounts
from app.extensions import db


def test_demo_users_are_confirmed_and_their_organisations_reviewed(app):
    seed_accounts(lambda _line: None)
    db.session.commit()
    users = {user.email: user for user in db.session.scalars(select(User))}
    assert set(users) == {email for email, *_rest in DEMO_USERS}
    assert all(can_trade(user) for user in users.values())
    for email, _name, _org, verified, _roles in DEMO_USERS:
        expected = OrganisationReview.VERIFIED if verified else OrganisationReview.NOT_SUBMITTED
        assert users[email].organisation.review_status == expected
