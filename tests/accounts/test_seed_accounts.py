"""Demo accounts can trade at once: their addresses count as confirmed."""

from sqlalchemy import select

from app.accounts.models import OrganisationReview, User
from app.accounts.permissions import can_trade
from app.accounts.seed import DEMO_USERS, seed_accounts
from app.core.actors import SYSTEM_EMAIL
from app.extensions import db


def test_demo_users_are_confirmed_and_their_organisations_reviewed(app):
    seed_accounts(lambda _line: None)
    db.session.commit()
    people = select(User).where(User.email != SYSTEM_EMAIL)  # the platform's own user is not a demo login
    users = {user.email: user for user in db.session.scalars(people)}
    assert set(users) == {email for email, *_rest in DEMO_USERS}
    assert all(can_trade(user) for user in users.values())
    for email, _name, _org, verified, _roles in DEMO_USERS:
        expected = OrganisationReview.VERIFIED if verified else OrganisationReview.NOT_SUBMITTED
        assert users[email].organisation.review_status == expected
