"""The demo seed: real patents, generated CN facts marked as such, projects, experts; idempotent."""

from sqlalchemy import func, select

from app.accounts.seed import seed_accounts
from app.catalogue.models import CatalogueChange, Expert, InnovationProject, Patent
from app.catalogue.seed import seed_catalogue
from app.extensions import db


def _counts() -> tuple[int, ...]:
    return tuple(
        db.session.scalar(select(func.count()).select_from(m))
        for m in (Patent, InnovationProject, Expert, CatalogueChange)
    )


def _seed() -> list[str]:
    """The accounts step and ours, as `flask seed-demo` runs them (other steps are not ours to test)."""
    lines: list[str] = []
    seed_accounts(lines.append)
    db.session.commit()
    seed_catalogue(lines.append)
    db.session.commit()
    return lines


def test_seed_is_registered_at_order_20(app):
    from app.core.seed import _STEPS

    assert _STEPS["catalogue"].order == 20
    assert _STEPS["catalogue"].run is seed_catalogue


def test_seed_twice_changes_nothing(app):
    assert any("196 created" in line for line in _seed())
    counts = _counts()
    assert counts[0] >= 350
    assert counts[1] == 10
    assert counts[2] == 12
    assert any("already imported" in line for line in _seed())
    assert _counts() == counts
    cn = db.session.scalar(select(Patent).where(Patent.jurisdiction == "CN").limit(1))
    assert "legal_status" in cn.generated_fields
    assert cn.filing_date
    assert cn.expiry_date
    assert cn.owner.email in {"holder@ipex.demo", "company@ipex.demo"}
    linked = db.session.scalar(select(Expert).where(Expert.user_id.is_not(None)))
    assert linked.user.email == "assessor@ipex.demo"
    assert db.session.scalar(select(func.count()).select_from(Patent).where(Patent.owner_id.is_(None))) == 0
