"""The PatentSBERTa and CNIPA sample CSVs shipped in ../shared/data."""

import datetime as dt
import os
from collections import Counter
from pathlib import Path

import pytest

from app.catalogue.importers import detect_format
from app.catalogue.importers.cn_sample import iter_cn_sample, split_text
from app.catalogue.importers.patentsberta import iter_patentsberta
from app.catalogue.importers.text import title_from_claim
from app.catalogue.records import ImportReport, RowError

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"
# In CI the data must be there: the tests run (and fail) rather than skip.
needs_shared = pytest.mark.skipif(
    not SHARED.is_dir() and os.environ.get("CI", "").lower() != "true",
    reason=f"shared data not found at {SHARED}",
)


@pytest.mark.parametrize(
    ("claim", "title"),
    [
        ("1. A method for sending a keycode of a non-keyboard apparatus, comprising the steps of:",
         "Method for sending a keycode of a non-keyboard apparatus"),
        ("A variable valve train ( 1 ) for load control of an engine, preferably", "Variable valve train for load control of an engine"),
        ("An apparatus for generating air pressure and high frequency air pulses to a garment", "Apparatus for generating air pressure and high frequency air pulses"),
        ("", None),
    ],
)  # fmt: skip
def test_title_from_claim_preamble(claim, title):
    assert title_from_claim(claim) == title


def test_cn_text_shapes():
    assert split_text("电池 [SEP] battery cell [SEP] 本发明公开") == ("电池", "本发明公开")
    assert split_text("Title: 电池\nKeywords: battery; cell\nAbstract: 本发明\n公开") == (
        "电池",
        "本发明 公开",
    )


def test_cn_sample_bad_rows(tmp_path):
    path = tmp_path / "cn.csv"
    path.write_bytes(
        "\ufeffpublication_number,text,labels,n_labels\n"
        'CN118866379A,"电池 [SEP] k [SEP] 摘要","[""G06F18/2433""]",1\n'
        'CN9,"电池 [SEP] k [SEP] 摘要","[]",0\n'
        'CN118866380A,"电池 [SEP] k [SEP] 摘要","[""Q06F18/24""]",1\n'
        ",,,\n".encode()
    )
    results = list(iter_cn_sample(path))
    assert results[0].publication_number == "CN118866379"
    assert [(e.location, e.field) for e in results[1:]] == [
        ("line 3", "publication_number"),
        ("line 4", "labels"),
    ]


@needs_shared
def test_patentsberta_train_and_test():
    for name, expected in (("df_claim_cpc_train.csv", 1000), ("df_claim_cpc_test.csv", 100)):
        report = ImportReport.collect(iter_patentsberta(SHARED / "patentsberta" / name))
        assert report.ok, report.errors[:3]
        assert len(report.records) == expected
        assert all(r.title_derived and r.title_en for r in report.records)
        assert all(
            r.grant_date and dt.date(2013, 1, 1) <= r.grant_date <= dt.date(2017, 12, 31)
            for r in report.records
        )
    first = ImportReport.collect(iter_patentsberta(SHARED / "patentsberta/df_claim_cpc_train.csv")).records[0]
    assert first.publication_number == "US8788730"
    assert first.codes("cpc") == ("G06F", "H03M")
    assert first.first_claim.startswith("A method for sending a keycode")


@needs_shared
def test_patentsberta_1400_is_cp1252_with_main_marker():
    report = ImportReport.collect(iter_patentsberta(SHARED / "patentsberta/df_claim_cpc_1400.csv"))
    assert report.ok, report.errors[:3]
    assert len(report.records) == 1411
    mains = Counter(c.is_main for r in report.records for c in r.classifications)
    assert mains[True] > 0
    assert mains[False] > 0
    record = report.records[1]
    assert record.publication_number == "US6837201"
    assert record.classifications[0].code == "F01M 9/106"
    assert record.classifications[0].is_main


@needs_shared
def test_cn_sample_files():
    records = []
    for name in ("sample_train.csv", "sample_val.csv", "sample_test.csv"):
        path = SHARED / "cn-sample" / name
        assert detect_format(path) == "cn-sample"
        results = list(iter_cn_sample(path))
        assert not [r for r in results if isinstance(r, RowError)]
        records += results
    assert len(records) == 57
    assert all(r.jurisdiction == "CN" and r.title_zh and r.abstract_zh for r in records)
    assert all(r.codes("cpc") and all(c.startswith("G06F") for c in r.codes("cpc")) for r in records)
    first = records[0]
    assert first.title_zh == "一种基于自然语言处理的银行客服会话问答处理方法及系统"


@needs_shared
def test_patentsberta_formats_are_detected():
    assert detect_format(SHARED / "patentsberta/df_claim_cpc_1400.csv") == "patentsberta"
    assert detect_format(SHARED / "patentsberta/df_claim_cpc_test.csv") == "patentsberta"
