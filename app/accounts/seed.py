"""Demo accounts for every role, printed so a new user can log in at once."""

from collections.abc import Callable

from app.accounts.models import Organisation, OrganisationReview, Role, User, UserRole
from app.accounts.passwords import hash_password
from app.accounts.services import find_user_by_email
from app.core.models import utcnow
from app.extensions import db

DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105  (public demo logins, printed by seed-demo)

# (email, display name, organisation, verified, roles)
DEMO_USERS = [
    ("admin@ipex.demo", "平台管理员 Admin", "IPEX 知识产权服务中心", True, (Role.ADMIN,)),
    ("assessor@ipex.demo", "王评估 Wang (Assessor)", "杭州中信资产评估有限公司", True, (Role.ASSESSOR,)),
    ("assessor2@ipex.demo", "李审核 Li (Assessor)", "浙江知源评估事务所", True, (Role.ASSESSOR,)),
    ("holder@ipex.demo", "陈教授 Prof. Chen", "浙江大学技术转移中心", True, (Role.RIGHTS_HOLDER,)),
    (
        "company@ipex.demo",
        "赵经理 Zhao (Rights-holder)",
        "杭州新能电池科技有限公司",
        True,
        (Role.RIGHTS_HOLDER, Role.BUYER),
    ),
    ("buyer@ipex.demo", "刘总 Liu (Buyer)", "宁波智造装备有限公司", True, (Role.BUYER,)),
    ("investor@ipex.demo", "Sarah Investor", "West Lake Ventures", False, (Role.BUYER,)),
]


def ensure_demo_user(email: str, name: str, org_name: str, verified: bool, roles: tuple[Role, ...]) -> User:
    """Create the user if missing; never touch an existing account."""
    user = find_user_by_email(email)
    if user is not None:
        return user
    organisation = Organisation(
        name=org_name,
        verified_at=utcnow() if verified else None,
        review_status=OrganisationReview.VERIFIED if verified else OrganisationReview.NOT_SUBMITTED,
    )
    user = User(
        email=email,
        password_hash=hash_password(DEMO_PASSWORD),
        display_name=name,
        organisation=organisation,
        email_verified_at=utcnow(),  # demo logins trade at once: their addresses count as confirmed
    )
    user.role_grants = [UserRole(role=role.value) for role in roles]
    db.session.add(user)
    db.session.flush()
    return user


def seed_accounts(echo: Callable[[str], None]) -> None:
    for email, name, org_name, verified, roles in DEMO_USERS:
        ensure_demo_user(email, name, org_name, verified, roles)
        echo(f"  {email:<22} password {DEMO_PASSWORD}  roles: {', '.join(r.value for r in roles)}")
