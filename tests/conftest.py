"""Shared fixtures: an app per test on a fresh database (SQLite or PostgreSQL), clients, factories."""

import os
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
from flask.testing import FlaskClient
from hypothesis import settings
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app import create_app
from app.accounts.models import Organisation, OrganisationReview, Role, User, UserRole
from app.accounts.passwords import hash_password
from app.core.actors import ensure_system_actor
from app.core.clock import clock
from app.core.models import utcnow
from app.extensions import db
from config import TestingConfig

# In CI every property test replays the same examples, so a merge is judged on the code alone;
# locally they draw new examples each run and keep finding what CI would not.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI", "").lower() == "true":
    settings.load_profile("ci")

DEFAULT_PASSWORD = "correct-horse-42"


def _database_backend() -> str:
    return "postgresql" if os.environ.get("TEST_DATABASE_URL", "").startswith("postgres") else "sqlite"


def pytest_report_header(config) -> str:
    return f"database backend: {_database_backend()}"


def pytest_collection_modifyitems(config, items) -> None:
    """On the PostgreSQL run, skip tests that never touch a database: they ran on the SQLite run."""
    if _database_backend() != "postgresql":
        return
    database_fixtures = {"app", "database_url"}
    selected = [item for item in items if database_fixtures & set(getattr(item, "fixturenames", ()))]
    deselected = [item for item in items if item not in selected]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = selected


@pytest.fixture(scope="session")
def worker_name(request) -> str:
    """xdist's worker id, or "main" when the tests run in one process."""
    return getattr(request.config, "workerinput", {}).get("workerid", "main")


@pytest.fixture(scope="session", autouse=True)
def instance_folder(tmp_path_factory) -> Iterator[str]:
    """An instance folder per test worker: its data-version stamp (and uploads) are the worker's own,
    so another worker's commits never retire this worker's memos and cached pages mid-test, and no
    test writes into the developer's instance/."""
    previous = os.environ.get("IPEX_INSTANCE_PATH")
    os.environ["IPEX_INSTANCE_PATH"] = path = str(tmp_path_factory.mktemp("instance"))
    yield path
    if previous is None:
        os.environ.pop("IPEX_INSTANCE_PATH", None)
    else:
        os.environ["IPEX_INSTANCE_PATH"] = previous


@pytest.fixture(scope="session")
def database_url(worker_name: str) -> Iterator[str]:
    """A database for this test worker: in-memory SQLite, or a fresh PostgreSQL database."""
    if _database_backend() == "sqlite":
        yield "sqlite://"
        return
    admin_url = make_url(os.environ["TEST_DATABASE_URL"])
    name = re.sub(r"\W", "_", f"ipex_test_{worker_name}_{os.getpid()}")
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin_url.set(database=name).render_as_string(hide_password=False)
    import app.models  # noqa: F401  (every capability's tables on the metadata)

    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
        db.metadata.create_all(connection)
    engine.dispose()
    yield url
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def make_config(database_url: str, **overrides) -> type[TestingConfig]:
    return type("PerTestConfig", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": database_url, **overrides})


def _truncate_all() -> None:
    """Empty every table. DELETE, children first: far cheaper than TRUNCATE on mostly empty tables,
    and it takes no exclusive lock, so a connection left idle by a request cannot stall it."""
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture
def app(database_url: str):
    """An app on an empty (migrated-equivalent) database; everything it wrote is gone after the test."""
    app = create_app(make_config(database_url))
    with app.app_context():
        if database_url.startswith("sqlite"):
            db.create_all()
        ensure_system_actor()  # the core migration creates it; create_all does not
        db.session.commit()
        yield app
        db.session.rollback()
        if not database_url.startswith("sqlite"):
            _truncate_all()
        db.session.remove()
        db.engine.dispose()


class IsolatedClient(FlaskClient):
    """Each request gets its own app context (its own g and session), as in production.

    The test itself runs inside an app context; without this, requests would share its `g`
    (cached locale, logged-in user) and its database session.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        db.session.expire_all()  # the test's session must see what the request committed
        return response


@pytest.fixture
def app_factory(database_url: str):
    """Factory for extra apps with other settings on the test database; their pools are closed after."""
    created = []

    def factory(**overrides):
        extra = create_app(make_config(database_url, **overrides))
        created.append(extra)
        return extra

    yield factory
    for extra in created:
        with extra.app_context():
            db.engine.dispose()


FROZEN_AT = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)  # 10:00 in Asia/Shanghai


@pytest.fixture
def frozen_clock():
    """The application clock stopped at FROZEN_AT; move it with frozen_clock.advance(timedelta)."""
    clock.freeze(FROZEN_AT)
    yield clock
    clock.unfreeze()


@pytest.fixture
def client(app):
    app.test_client_class = IsolatedClient
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_user(app) -> Callable[..., User]:
    """Factory: make_user(email=..., roles=(Role.BUYER,), organisation="...", verified=False).

    Users have a confirmed e-mail address unless email_verified=False (as after registering)."""
    counter = iter(range(1, 10_000))

    def factory(
        email: str | None = None,
        roles: tuple[Role, ...] = (Role.BUYER,),
        organisation: str | None = "Test Org",
        verified: bool = False,
        password: str = DEFAULT_PASSWORD,
        active: bool = True,
        display_name: str | None = None,
        email_verified: bool = True,
    ) -> User:
        number = next(counter)
        org = None
        if organisation:
            org = Organisation(
                name=organisation,
                verified_at=utcnow() if verified else None,
                review_status=OrganisationReview.VERIFIED if verified else OrganisationReview.NOT_SUBMITTED,
            )
        user = User(
            email=email or f"user{number}@example.com",
            password_hash=hash_password(password),
            display_name=display_name or f"User {number}",
            organisation=org,
            active=active,
            email_verified_at=utcnow() if email_verified else None,
        )
        user.role_grants = [UserRole(role=role.value) for role in roles]
        db.session.add(user)
        db.session.commit()
        return user

    return factory


class AuthActions:
    def __init__(self, client) -> None:
        self.client = client

    def login(self, user_or_email, password: str = DEFAULT_PASSWORD, **extra):
        email = getattr(user_or_email, "email", user_or_email)
        return self.client.post("/login", data={"email": email, "password": password, **extra})

    def logout(self):
        return self.client.post("/logout")


@pytest.fixture
def auth(client) -> AuthActions:
    return AuthActions(client)


def view_in_order(app, viewers: dict, path: str, order=None, lang: str = "en") -> dict[str, str]:
    """The page as each viewer (name -> user, or None for a visitor) sees it, in ``order`` (indexes
    into ``viewers``). Everyone signs in first, because a login writes and a write retires the shared
    fragments: the views then share them, as on a busy site. Needs the ``client`` fixture (isolated
    clients)."""
    clients = {}
    for name, user in viewers.items():
        clients[name] = client = app.test_client()
        if user is not None:
            user.locale = lang
            db.session.commit()
            client.post("/login", data={"email": user.email, "password": DEFAULT_PASSWORD})
    names = list(viewers)
    pages = {}
    for i in order if order is not None else range(len(names)):
        response = clients[names[i]].get(path, headers={"Accept-Language": lang})
        assert response.status_code == 200, (names[i], response.status_code)
        pages[names[i]] = response.get_data(as_text=True)
    return pages
