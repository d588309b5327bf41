"""The hash-chained audit log: appends link, any tampering is found and named, export, CLI."""

import json

import pytest
from sqlalchemy import delete, select, update

from app.core.audit_chain import GENESIS, AuditLogEntry, chain_append, entry_hash, verify_chain
from app.extensions import db


@pytest.fixture
def chain(app, make_user):
    user = make_user()
    entries = [
        chain_append("thing.step", "things", n, user, {"n": n, "price": "125000.00"}) for n in range(1, 6)
    ]
    db.session.commit()
    return entries


def test_entries_link_to_their_predecessor(chain):
    assert chain[0].prev_hash == GENESIS
    for previous, entry in zip(chain, chain[1:], strict=False):
        assert entry.prev_hash == previous.hash
        assert entry.seq == previous.seq + 1
        assert entry.hash == entry_hash(entry)
    assert verify_chain() is None


def _raw_update(entry_id, **values):
    db.session.execute(update(AuditLogEntry).where(AuditLogEntry.id == entry_id).values(**values))
    db.session.commit()
    db.session.expire_all()


def test_edited_payload_is_named(chain):
    _raw_update(chain[2].id, payload={"n": 3, "price": "1.00"})
    broken = verify_chain()
    assert (broken.seq, broken.reason) == (3, "hash")


def test_rehashed_edit_breaks_the_next_link(chain):
    """A forger who recomputes the edited entry's hash still breaks the following entry."""
    forged = db.session.get(AuditLogEntry, chain[1].id)
    forged.payload = {"n": 2, "price": "1.00"}
    forged_hash = entry_hash(forged)
    db.session.rollback()
    _raw_update(chain[1].id, payload={"n": 2, "price": "1.00"}, hash=forged_hash)
    broken = verify_chain()
    assert (broken.seq, broken.reason) == (3, "link")


def test_deleted_entry_is_named(chain):
    db.session.execute(delete(AuditLogEntry).where(AuditLogEntry.id == chain[3].id))
    db.session.commit()
    broken = verify_chain()
    assert (broken.seq, broken.reason) == (5, "sequence")


def test_payload_is_stored_exactly_as_hashed(app, make_user):
    from datetime import date
    from decimal import Decimal

    entry = chain_append("x.y", "things", 1, make_user(), {"amount": Decimal("1.50"), "on": date(2026, 1, 2)})
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(AuditLogEntry, entry.id)
    assert stored.payload == {"amount": "1.50", "on": "2026-01-02"}
    assert entry_hash(stored) == stored.hash


def test_verify_log_command(chain, runner):
    ok = runner.invoke(args=["market", "verify-log"])
    assert ok.exit_code == 0
    assert "verified" in ok.output
    _raw_update(chain[0].id, kind="thing.other")
    bad = runner.invoke(args=["market", "verify-log"])
    assert bad.exit_code == 1
    assert "seq=1" in bad.output


def test_admin_exports_csv_and_json(chain, client, auth, make_user):
    from app.accounts.models import Role

    auth.login(make_user(roles=(Role.BUYER,)))
    assert client.get("/admin/audit-log/export").status_code == 403
    auth.logout()
    auth.login(make_user(roles=(Role.ADMIN,)))
    csv_response = client.get("/admin/audit-log/export?format=csv")
    assert csv_response.status_code == 200
    assert "attachment" in csv_response.headers["Content-Disposition"]
    lines = csv_response.get_data(as_text=True).lstrip("\ufeff").strip().splitlines()
    assert lines[0].startswith("seq,created_at,kind")
    assert len(lines) == 6
    body = json.loads(client.get("/admin/audit-log/export?format=json").get_data(as_text=True))
    assert body["verified"] is True
    assert [e["seq"] for e in body["entries"]] == [1, 2, 3, 4, 5]
    assert body["entries"][4]["hash"] == db.session.scalar(
        select(AuditLogEntry.hash).where(AuditLogEntry.seq == 5)
    )


# ---- streams: a busy subject's own chain, anchored by the head its owner keeps ---------------------


@pytest.fixture
def stream(app, make_user, monkeypatch):
    """Three entries in stream ``thing:1`` whose owner keeps the head, plus one global entry."""
    from app.core import audit_chain
    from app.core.audit_chain import stream_entry
    from app.core.models import utcnow

    user = make_user()
    heads: dict[str, tuple[int, str]] = {}
    monkeypatch.setitem(
        audit_chain._STREAM_HEADS, "thing:", lambda: [(name, *head) for name, head in heads.items()]
    )
    head, entries = None, []
    for n in range(1, 4):
        values = stream_entry("thing:1", head, "thing.step", "things", 1, user.id, {"n": n}, utcnow())
        entries.append(AuditLogEntry(**values))
        db.session.add(entries[-1])
        head = (values["seq"], values["hash"])
    heads["thing:1"] = head
    chain_append("thing.other", "things", 2, user, {})
    db.session.commit()
    return entries


def test_a_stream_chains_on_its_own_and_leaves_the_global_chain_alone(stream):
    assert [(e.stream, e.seq) for e in stream] == [("thing:1", 1), ("thing:1", 2), ("thing:1", 3)]
    assert stream[0].prev_hash == GENESIS
    assert stream[2].prev_hash == stream[1].hash
    assert db.session.scalar(select(AuditLogEntry.seq).where(AuditLogEntry.stream == "")) == 1
    assert verify_chain() is None


def test_an_edited_stream_entry_is_named_with_its_stream(stream):
    _raw_update(stream[1].id, payload={"n": 20})
    broken = verify_chain()
    assert (broken.stream, broken.seq, broken.reason) == ("thing:1", 2, "hash")


def test_an_entry_moved_to_another_chain_breaks_its_hash(stream):
    """The stream's name is hashed: relabelling an entry as a global one does not verify."""
    db.session.execute(delete(AuditLogEntry).where(AuditLogEntry.stream == ""))
    _raw_update(stream[0].id, stream="")
    broken = verify_chain()
    assert (broken.seq, broken.reason) == (1, "hash")


def test_entries_cut_from_a_streams_end_are_found_by_its_owners_head(stream):
    db.session.execute(delete(AuditLogEntry).where(AuditLogEntry.id == stream[2].id))
    db.session.commit()
    broken = verify_chain()
    assert (broken.stream, broken.seq, broken.reason) == ("thing:1", 3, "end")


def test_a_stream_deleted_whole_is_found(stream):
    db.session.execute(delete(AuditLogEntry).where(AuditLogEntry.stream == "thing:1"))
    db.session.commit()
    assert verify_chain().reason == "end"


def test_export_lists_each_entry_with_its_stream(stream, client, auth, make_user):
    from app.accounts.models import Role

    auth.login(make_user(roles=(Role.ADMIN,)))
    body = json.loads(client.get("/admin/audit-log/export?format=json").get_data(as_text=True))
    assert body["verified"] is True
    assert [(e["stream"], e["seq"]) for e in body["entries"]] == [
        ("", 1),
        *[("thing:1", n) for n in (1, 2, 3)],
    ]
