"""Stored names (columns, audit actions, audit-chain steps) are shown to people as labels, never raw."""

import importlib
import re
from pathlib import Path

import pytest
from flask_babel import force_locale

from app.accounts.audit_display import ACTION_LABELS
from app.catalogue.display import field_label
from app.catalogue.legal_services import KINDS as FACT_KINDS
from app.catalogue.people_services import EXPERT_COLUMNS, PROJECT_COLUMNS
from app.catalogue.services import PATENT_CHILD_LISTS, PATENT_COLUMNS
from app.core.lifecycle import step_label

APP = Path(__file__).resolve().parents[1] / "app"


@pytest.mark.parametrize(
    "name", sorted({*PATENT_COLUMNS, *PATENT_CHILD_LISTS, *PROJECT_COLUMNS, *EXPERT_COLUMNS, *FACT_KINDS})
)
def test_every_field_a_change_can_name_has_a_label(app, name):
    with app.test_request_context(), force_locale("en"):
        label = field_label(name)
    assert label != "another field"
    assert "_" not in label


def test_every_audited_account_action_has_a_label():
    used = set()
    for path in APP.rglob("*.py"):
        used |= set(re.findall(r'record_audit\(\s*\w+,\s*"([a-z_.]+)"', path.read_text(encoding="utf-8")))
        used |= set(re.findall(r'"((?:user|organisation)\.[a-z_]+)"', path.read_text(encoding="utf-8")))
    assert used
    assert sorted(used - ACTION_LABELS.keys()) == []


def test_audit_chain_steps_read_as_words(app):
    importlib.import_module("app.market.deal_states")  # the deal lifecycles label their steps
    with app.test_request_context(), force_locale("en"):
        steps = [step_label(kind) for kind in ("deal.draft_contract", "deal_money.mark_paid", "deal.create")]
        assert all("_" not in step and "." not in step for step in steps)
        assert step_label("deal.create") == "Created"
        assert step_label("nobody.knows") == "Other step"


def test_admin_audit_log_names_events_in_words(client, auth, make_user):
    from app.accounts.models import Role

    admin = make_user(email="root@example.com", roles=(Role.ADMIN,))
    auth.login(admin)
    html = client.get("/admin/audit", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    html = html.split("</select>")[1]  # the filter's option values are the codes the query takes
    assert "user.login" not in html
    assert "登录" in html
