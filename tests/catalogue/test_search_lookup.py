"""Search by patent number, by an IPC/CPC code typed as a keyword, across Chinese and English, and
by owner name prefix and other names: on the service, the page, the API and the export."""

import datetime as dt
import json
import re

import pytest

from app.accounts.models import Organisation
from app.catalogue.models import Patent, PatentClassification, PatentParty
from app.catalogue.search import SearchQuery, index_patents, search
from app.extensions import db

D = dt.date

# key, publication number, kind, application number, title, abstract, codes, owner
PATENTS = [
    (
        "lithium_cn",
        "CN116306153",
        "A",
        "CN201910123456.X",
        "一种锂电池",
        "锂电池的正极材料。",
        ["H01M 10/0525"],
        "浙江大学",
    ),
    (
        "semi_us",
        "US8926509",
        "B2",
        None,
        "Semiconductor device",
        "A semiconductor wafer.",
        ["H01L 21/02"],
        "Intel",
    ),
    (
        "engine_us",
        "US8420021",
        "B2",
        None,
        "Internal combustion engine",
        "Pistons.",
        ["F02B 75/00"],
        "Toyota",
    ),
    (
        "decoy_us",
        "US9000001",
        "B2",
        None,
        "Engine cover",
        "Improves on US 8,420,021 and 116306153.",
        ["F02B 77/00"],
        "Ford",
    ),
    (
        "semi_cn",
        "CN117000001",
        "A",
        None,
        "半导体器件的制造方法",
        "一种半导体器件。",
        ["H01L 21/02"],
        "浙江大学技术转移中心",
    ),
    (
        "battery_us",
        "US9100001",
        "B2",
        None,
        "Lithium battery pack",
        "Batteries in a pack.",
        ["H01M 10/42"],
        "Acme",
    ),
    (
        "engine_cn",
        "CN117000002",
        "A",
        None,
        "发动机冷却系统",
        "一种发动机的冷却装置。",
        ["F01P 3/00"],
        "吉利汽车",
    ),
    ("registered", "US9100002", "B2", None, "Valve seat", "A valve seat.", ["F16K 1/42"], "Acme Valves"),
]


@pytest.fixture
def patents(app):
    organisation = Organisation(name="浙江大学技术转移中心")
    db.session.add(organisation)
    made = {}
    for i, (key, number, kind, application, title, abstract, codes, owner) in enumerate(PATENTS):
        chinese = number.startswith("CN")
        patent = Patent(
            jurisdiction=number[:2],
            publication_number=number,
            application_number=application,
            kind_code=kind,
            patent_type="invention",
            title_zh=title if chinese else None,
            title_en=None if chinese else title,
            abstract_zh=abstract if chinese else None,
            abstract_en=None if chinese else abstract,
            legal_status="granted",
            filing_date=D(2015, 1, 1) + dt.timedelta(days=i),
            moderation_status="published",
        )
        patent.classifications = [
            PatentClassification(
                scheme="ipc", code=c, search_key=c, subclass=c[:4], is_main=j == 0, position=j
            )
            for j, c in enumerate(codes)
        ]
        patent.parties = [PatentParty(role="owner", name=owner, sequence=0)]
        if key == "registered":  # registered on the platform by the organisation's account
            patent.organisation = organisation
        db.session.add(patent)
        made[key] = patent
    db.session.flush()
    index_patents(db.session, [p.id for p in made.values()])
    db.session.commit()
    return made


def keys(patents, **query) -> list[str]:
    by_id = {p.id: key for key, p in patents.items()}
    return [by_id[h.record_id] for h in search(db.session, SearchQuery(types=("patent",), **query)).hits]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("116306153", "lithium_cn"),
        ("CN 116306153 A", "lithium_cn"),
        ("CN116306153A", "lithium_cn"),
        ("ZL201910123456.X", "lithium_cn"),
        ("201910123456.X", "lithium_cn"),
        ("201910123456.7", "lithium_cn"),  # a mistyped check digit: the body names the application
        ("CN201910123456.7", "lithium_cn"),
        ("201910123456", "lithium_cn"),
        ("US8926509", "semi_us"),
        ("US 8,926,509 B2", "semi_us"),
        ("8420021", "engine_us"),
        ("US 8,420,021", "engine_us"),
        ("８４２００２１", "engine_us"),  # full-width digits from a Chinese input method
    ],
)
def test_a_number_in_any_common_form_puts_its_patent_first(patents, text, expected):
    assert keys(patents, text=text)[0] == expected


def test_a_number_mentioned_in_other_records_still_finds_them_after_the_patent(patents):
    assert keys(patents, text="US 8,420,021")[:2] == ["engine_us", "decoy_us"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("H01M", {"lithium_cn", "battery_us"}),
        ("h01m 10/05", {"lithium_cn"}),
        ("H01M 10/05", {"lithium_cn"}),
        ("H01L", {"semi_us", "semi_cn"}),
        ("H01M pack", {"battery_us"}),
    ],
)
def test_a_classification_code_typed_as_a_keyword_acts_as_the_filter(patents, text, expected):
    assert set(keys(patents, text=text)) == expected
    code = text.split(" pack")[0]
    if text.endswith("pack"):
        assert set(keys(patents, text="pack", classification=code)) == expected
    else:
        assert set(keys(patents, classification=code)) == expected


def test_number_first_on_the_page_the_api_and_the_export(client, patents):
    engine = patents["engine_us"]
    html = client.get("/catalogue/search", query_string={"q": "US 8,420,021"}).get_data(as_text=True)
    assert re.findall(r'href="/patents/(\d+)"', html)[0] == str(engine.id)
    listed = client.get("/api/v1/patents", query_string={"q": "8420021"}).get_json()
    assert listed["items"][0]["id"] == engine.id
    exported = client.get("/catalogue/export", query_string={"q": "US8420021", "format": "json"})
    assert exported.status_code == 200
    assert json.loads(exported.get_data(as_text=True))["records"][0]["publication_number"] == "US8420021"


@pytest.mark.parametrize(
    ("text", "same_language", "other_language"),
    [
        ("电池", ["lithium_cn"], ["battery_us"]),
        ("半导体", ["semi_cn"], ["semi_us"]),
        ("发动机", ["engine_cn"], ["engine_us", "decoy_us"]),
        ("lithium battery", ["battery_us"], ["lithium_cn"]),
        ("semiconductor", ["semi_us"], ["semi_cn"]),
        ("engine", ["engine_us", "decoy_us"], ["engine_cn"]),
    ],
)
def test_cross_language_hits_rank_below_same_language_hits_of_equal_strength(
    patents, text, same_language, other_language
):
    found = keys(patents, text=text)
    assert set(found[: len(same_language)]) == set(same_language)
    assert set(found[len(same_language) :]) == set(other_language)


def test_cross_language_on_the_page(client, patents):
    html = client.get("/catalogue/search", query_string={"q": "电池"}).get_data(as_text=True)
    assert f'href="/patents/{patents["battery_us"].id}"' in html
    assert "<mark>battery</mark>" in html or "<mark>Lithium battery</mark>" in html


@pytest.mark.parametrize(
    ("owner", "expected"),
    [
        ("浙江大学", {"lithium_cn", "semi_cn", "registered"}),  # exact, prefix, registering organisation
        ("浙江大学技术", {"semi_cn", "registered"}),
        ("Zhejiang University", {"lithium_cn", "semi_cn", "registered"}),  # the name in English
        ("acme", {"battery_us", "registered"}),
        ("Acme Val", {"registered"}),  # a word typed in part
        ("吉利", {"engine_cn"}),
    ],
)
def test_owner_filter_by_prefix_and_by_other_names(patents, owner, expected):
    assert set(keys(patents, owner=owner)) == expected


def test_same_results_on_every_strategy(patents, monkeypatch):
    """Numbers and translations rank the same from stored titles and from engine queries."""
    from app.catalogue.search import service

    for text in ("US 8,420,021", "电池", "engine", "lithium battery"):
        monkeypatch.setattr(service, "TITLE_CHECK_COST", 0.0)
        expected = keys(patents, text=text)
        monkeypatch.setattr(service, "TITLE_CHECK_LIMIT", 0)
        assert keys(patents, text=text) == expected
        monkeypatch.setattr(service, "COUNT_CAP", 0)
        assert keys(patents, text=text) == expected
        monkeypatch.undo()


@pytest.fixture
def phrases(app):
    """Records whose Chinese text tempts an index into false phrase and field matches."""
    rows = [
        ("CN117100001", "离子电池隔膜", "一种隔膜。", "宁德时代"),  # "离子电" in the title
        ("CN117100002", "隔膜材料", "锂离子电池的隔膜材料。", "比亚迪"),  # "离子电" in the body only
        ("CN117100003", "电极材料", "离子，子电极分开。", "浙商集团"),  # 离子 and 子电 apart
        ("CN117100004", "电极结构", "浙江大学提出的电极。", "国轩高科"),  # 浙 in the body, not the owner
    ]
    made = []
    for number, title, abstract, owner in rows:
        patent = Patent(
            jurisdiction="CN",
            publication_number=number,
            kind_code="A",
            patent_type="invention",
            title_zh=title,
            abstract_zh=abstract,
            legal_status="pending",
            filing_date=D(2020, 1, 1),
            moderation_status="published",
        )
        patent.parties = [PatentParty(role="owner", name=owner, sequence=0)]
        db.session.add(patent)
        made.append(patent)
    db.session.flush()
    index_patents(db.session, [p.id for p in made])
    db.session.commit()
    return {p.publication_number: p.id for p in made}


def numbers(phrases, **query) -> list[str]:
    by_id = {v: k for k, v in phrases.items()}
    return [by_id[h.record_id] for h in search(db.session, SearchQuery(types=("patent",), **query)).hits]


def test_chinese_phrases_match_only_adjacent_characters_title_first(phrases):
    """PostgreSQL answers 3-character phrases from trigram lexemes and title tiers from title
    lexemes; SQLite from bigram phrases in columns: the same hits in the same order."""
    assert numbers(phrases, text="离子电") == ["CN117100001", "CN117100002"]
    assert numbers(phrases, text="锂离子电") == ["CN117100002"]
    assert numbers(phrases, text="离子电池隔膜") == ["CN117100001"]
    assert numbers(phrases, text="子电极") == ["CN117100003"]  # but its 离子 and 子电 are apart


def test_owner_prefix_looks_at_owner_names_only(phrases):
    assert numbers(phrases, owner="浙") == ["CN117100003"]
    assert numbers(phrases, owner="浙江") == []


def test_reindex_if_stale_rebuilds_an_index_of_older_tokens(patents, runner):
    """An index written before numbers were tokens cannot find numbers: `--if-stale` rebuilds it."""
    from sqlalchemy import select, update

    from app.catalogue.search import documents
    from app.catalogue.search.indexing import is_stale
    from app.catalogue.search.models import SearchDocument, SearchIndexEntry

    assert not is_stale(db.session)
    assert "current" in runner.invoke(args=["catalogue", "reindex", "--if-stale"]).output
    newest = db.session.execute(select(SearchDocument).order_by(SearchDocument.id.desc()).limit(1)).scalar()
    data = documents.unpack_source(newest.source)
    db.session.execute(
        update(SearchDocument).where(SearchDocument.id == newest.id).values(source=_packed_v1(data))
    )
    db.session.execute(db.delete(SearchIndexEntry))
    db.session.commit()
    assert is_stale(db.session)
    assert "Indexed" in runner.invoke(args=["catalogue", "reindex", "--if-stale"]).output
    db.session.expire_all()
    assert not is_stale(db.session)
    assert keys(patents, text="US 8,420,021")[0] == "engine_us"


def _packed_v1(data: dict) -> bytes:
    import json
    import zlib

    return zlib.compress(json.dumps({**data, "v": 1}, ensure_ascii=False).encode())
