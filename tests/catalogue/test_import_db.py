"""Imports into the database: all-or-nothing, --skip-bad, idempotent re-import, the CLI."""

from flask_babel import force_locale
from sqlalchemy import func, select

from app.catalogue.importing import run_import
from app.catalogue.models import CatalogueChange, Expert, InnovationProject, Patent
from app.extensions import db

from .conftest import FIXTURES, SHARED_DATA, USPTO, require_shared


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_all_or_nothing_writes_nothing_when_a_row_is_bad(holder):
    outcome = run_import(FIXTURES / "patents_bad.csv", holder)
    db.session.commit()
    assert not outcome.written
    assert _count(Patent) == 0
    assert _count(CatalogueChange) == 0
    located = {(e.location, e.field) for e in outcome.errors}
    assert ("line 3", "publication_number") in located
    assert ("line 5", "grant_date") in located
    assert any(e.field == "publication_number" and "duplicate" in e.reason for e in outcome.errors)


def test_skip_bad_imports_the_good_rows_and_reports_the_rest(holder):
    outcome = run_import(FIXTURES / "patents_bad.csv", holder, skip_bad=True)
    db.session.commit()
    assert outcome.written
    assert outcome.counts["created"] == 1
    assert _count(Patent) == 1
    assert len(outcome.errors) >= 7
    assert db.session.scalar(select(Patent)).owner == holder


def test_real_uspto_weekly_file_and_idempotent_reimport(holder):
    path = require_shared(USPTO / "ipg120103.small.xml")
    first = run_import(path, holder)
    db.session.commit()
    assert first.ok
    assert first.counts["created"] == 25
    assert _count(Patent) == 25
    changes = _count(CatalogueChange)
    again = run_import(path, holder)
    db.session.commit()
    assert again.counts == {"unchanged": 25}
    assert _count(Patent) == 25
    assert _count(CatalogueChange) == changes


def test_truncated_xml_is_reported_and_nothing_written(holder, tmp_path):
    source = require_shared(USPTO / "ipg130416.small.xml").read_bytes()
    broken = tmp_path / "ipg-truncated.xml"
    broken.write_bytes(source[: len(source) // 2])
    outcome = run_import(broken, holder)
    assert not outcome.written
    assert _count(Patent) == 0
    assert any(e.field == "xml" and "truncated" in e.reason for e in outcome.errors)
    skipped = run_import(broken, holder, skip_bad=True)
    assert skipped.counts["created"] >= 1
    assert len(skipped.errors) == 1


def test_wrong_encoding_is_a_clear_row_error(holder, tmp_path):
    path = tmp_path / "patents.csv"
    path.write_bytes("jurisdiction,publication_number,title_zh\nCN,CN118866379A,电池\n".encode("gb18030"))
    outcome = run_import(path, holder, fmt="csv")
    assert [(e.location, e.field) for e in outcome.errors] == [("file", "encoding")]
    assert "UTF-8" in outcome.errors[0].reason


def test_someone_elses_patent_is_a_row_error(holder, other_holder):
    path = require_shared(USPTO / "ipa130117.one.xml")
    run_import(path, holder)
    db.session.commit()
    outcome = run_import(path, other_holder)
    assert not outcome.written
    assert {e.field for e in outcome.errors} == {"record"}
    with force_locale("en"):
        refused = run_import(path, other_holder)
    assert "owner" in refused.errors[0].reason


def test_cp1252_patentsberta_file_imports(holder):
    path = require_shared(SHARED_DATA / "patentsberta" / "df_claim_cpc_1400.csv")
    outcome = run_import(path, holder, fmt="patentsberta")
    assert outcome.ok
    assert outcome.counts["created"] == 1411


def test_cn_sample_and_projects_and_experts(admin, make_user):
    require_shared(SHARED_DATA / "cn-sample" / "sample_val.csv")
    assert run_import(SHARED_DATA / "cn-sample" / "sample_val.csv", admin).counts["created"] == 19
    patent = db.session.scalar(select(Patent).where(Patent.jurisdiction == "CN"))
    assert patent.title_zh
    assert patent.codes("cpc")
    projects = run_import(FIXTURES / "projects.csv", admin, skip_bad=True)
    unlinked = run_import(FIXTURES / "experts.json", admin, skip_bad=True)
    assert ("record 1", "user_email") in {(e.location, e.field) for e in unlinked.errors}
    linked_user = make_user(email="li.hua@example.com")
    experts = run_import(FIXTURES / "experts.json", admin, skip_bad=True)
    db.session.commit()
    assert _count(InnovationProject) == projects.counts["created"] == 0
    assert ("line 2", "linked_patents") in {(e.location, e.field) for e in projects.errors}
    reasons = [e.reason for e in projects.errors if e.field == "linked_patents"]
    assert any("CN107123456" in r for r in reasons)  # the unknown number is named (in either language)
    assert _count(Expert) == experts.counts["created"] == 1
    assert db.session.scalar(select(Expert)).user == linked_user


def test_cli_import_with_owner_and_exit_codes(runner, holder):
    good = require_shared(USPTO / "ipa130117.one.xml")
    result = runner.invoke(args=["catalogue", "import", str(good), "--owner", holder.email])
    assert result.exit_code == 0, result.output
    assert "2 created" in result.output
    assert "documents/s" in result.output
    db.session.expire_all()
    assert {p.owner_id for p in db.session.scalars(select(Patent))} == {holder.id}
    bad = runner.invoke(args=["catalogue", "import", str(FIXTURES / "patents_bad.csv")])
    assert bad.exit_code == 1
    assert "Nothing was imported" in bad.output
    assert "patents_bad.csv, line 3, publication_number" in bad.output
    skipped = runner.invoke(args=["catalogue", "import", str(FIXTURES / "patents_bad.csv"), "--skip-bad"])
    assert skipped.exit_code == 0
    assert "1 created" in skipped.output
    unknown = runner.invoke(args=["catalogue", "import", str(good), "--owner", "nobody@example.com"])
    assert unknown.exit_code == 2
