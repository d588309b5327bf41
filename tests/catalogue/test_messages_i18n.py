"""Row errors and validation messages reach the reader in their language; the pure layer stays pure."""

import ast
from pathlib import Path

import pytest
from flask_babel import force_locale

from app.catalogue.classification import InvalidClassification, parse
from app.catalogue.importers.tabular import iter_csv
from app.catalogue.messages import N_, Message, location_message, message
from app.catalogue.numbers import InvalidNumber, parse_publication_number
from app.catalogue.records import RowError
from app.catalogue.terms import PatentDates, date_problems
from app.catalogue.translation import location_label, translate

CATALOGUE = Path(__file__).resolve().parents[2] / "app" / "catalogue"
PURE = ["messages.py", "records.py", "numbers.py", "classification.py", "terms.py", "importers"]
FRAMEWORKS = ("flask", "flask_babel", "flask_login", "sqlalchemy", "werkzeug")

BAD_CN_CSV = "jurisdiction,publication_number,title_zh\nCN,CN 118866379 A,一种电池\nCN,CN 12 A,一种电机\n"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("name", PURE)
def test_the_parsing_layer_imports_no_framework(name):
    target = CATALOGUE / name
    files = sorted(target.glob("*.py")) if target.is_dir() else [target]
    for path in files:
        assert not (_imports(path) & set(FRAMEWORKS)), path


def test_an_invalid_number_carries_template_params_and_english_reason():
    with pytest.raises(InvalidNumber) as caught:
        parse_publication_number("CN 12 A")
    error = caught.value
    assert error.field == "publication_number"
    assert error.template == "%(value)s is not a valid %(jurisdiction)s number (expected %(expected)s)"
    assert error.params["jurisdiction"] == "CN"
    assert error.reason.startswith("'12A' is not a valid CN number (expected CN 118866379 A")
    assert str(error) == f"publication_number: {error.reason}"


def test_classification_and_date_problems_carry_messages():
    with pytest.raises(InvalidClassification) as caught:
        parse("Z99Q 1/00")
    assert caught.value.template == "section %(section)s is not A-H (or Y in CPC)"
    assert str(caught.value) == "'Z99Q 1/00': section 'Z' is not A-H (or Y in CPC)"
    import datetime as dt

    [problem] = date_problems(PatentDates(dt.date(2020, 1, 1), grant_date=dt.date(2019, 1, 1)))
    assert problem.template == "%(date)s is before filing date %(filing)s"
    assert problem.reason == "2019-01-01 is before filing date 2020-01-01"


def test_row_errors_survive_json_and_render_nested_messages():
    inner = message(N_("month must be in 1..12"))
    error = RowError.of(
        "a.csv", "line 3", "filing_date", message("%(value)s bad (%(why)s)", value="x", why=inner)
    )
    assert error.reason == "x bad (month must be in 1..12)"
    again = RowError.from_json(error.to_json())
    assert again == error
    assert again.message == error.message
    table = {"%(value)s bad (%(why)s)": "%(value)s 坏（%(why)s）", "month must be in 1..12": "月份错"}
    assert error.render(lambda text: table.get(text, text)) == "x 坏（月份错）"
    assert RowError("a.csv", "file", "file", "plain").render(str.upper) == "plain"  # no message: as is
    assert location_message("document 2") == Message("document %(n)s", {"n": 2})


def test_translation_follows_the_locale(app, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(BAD_CN_CSV, encoding="utf-8")
    [error] = [item for item in iter_csv(path) if isinstance(item, RowError)]
    assert "is not a valid CN number" in error.reason
    with app.test_request_context(), force_locale("zh"):
        assert "不是有效的 CN 号码" in translate(error)
        assert location_label(error.location) == "第 3 行"
    with app.test_request_context(), force_locale("en"):
        assert translate(error) == error.reason
        assert location_label("file") == "whole file"


def _upload(client, path, language):
    with open(path, "rb") as handle:
        data = {"file": (handle, path.name), "format": "auto"}
        return client.post(
            "/catalogue/import",
            data=data,
            content_type="multipart/form-data",
            headers={"Accept-Language": language},
            follow_redirects=True,
        )


@pytest.mark.parametrize(
    ("language", "expected", "absent"),
    [
        ("zh", ["不是有效的 CN 号码", "第 3 行"], "is not a valid CN number"),
        ("en", ["is not a valid CN number", "line 3"], "不是有效的 CN 号码"),
    ],
)
def test_upload_report_speaks_the_readers_language(
    client, auth, holder, tmp_path, language, expected, absent
):
    path = tmp_path / "bad_cn.csv"
    path.write_text(BAD_CN_CSV, encoding="utf-8")
    auth.login(holder)
    text = _upload(client, path, language).get_data(as_text=True)
    for snippet in expected:
        assert snippet in text
    assert absent not in text


def test_patent_form_errors_in_chinese(client, auth, holder):
    auth.login(holder)
    data = {"jurisdiction": "CN", "publication_number": "CN 12 A", "title_zh": "一种电池", "grant_date": ""}
    text = client.post("/patents/new", data=data, headers={"Accept-Language": "zh"}).get_data(as_text=True)
    assert "不是有效的 CN 号码" in text
    assert "is not a valid" not in text
