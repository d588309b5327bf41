"""Catalogue search on a fixed corpus: the same assertions (and exact orders) on SQLite and PostgreSQL."""

import datetime as dt

import pytest

from app.catalogue.models import (
    Expert,
    ExpertSpecialty,
    InnovationProject,
    Patent,
    PatentClassification,
    PatentParty,
)
from app.catalogue.search import SearchQuery, index_experts, index_patents, index_projects, search
from app.catalogue.search.attrs import document_key
from app.catalogue.search.backends import backend_for
from app.catalogue.search.documents import Source
from app.catalogue.search.expr import And, Not, Or, Tok
from app.catalogue.search.indexing import rebuild, write_sources
from app.extensions import db

D = dt.date

CORPUS = [
    # number, title, abstract, codes (main first), status, kind, filed, granted, owner
    (
        "CN1",
        "一种锂离子电池的制备方法",
        "本发明涉及电池技术领域，尤其是一种锂离子电池正极材料。",
        ["H01M 10/0525", "H01M 4/13"],
        "granted",
        "invention",
        D(2018, 3, 1),
        D(2020, 5, 6),
        "宁德时代新能源科技股份有限公司",
    ),
    (
        "CN2",
        "电池管理系统",
        "一种用于电动汽车的管理系统，监测单体电压。",
        ["H02J 7/00"],
        "pending",
        "utility_model",
        D(2021, 6, 15),
        None,
        "浙江大学",
    ),
    (
        "CN3",
        "图像识别方法",
        "一种基于深度学习的图像识别方法，用于电力巡检。",
        ["G06V 10/82"],
        "granted",
        "invention",
        D(2019, 9, 30),
        D(2021, 2, 1),
        "之江实验室",
    ),
    (
        "US1",
        "Fuel cell stack with cooling plate",
        "A fuel cell stack has a cooling plate between cells.",
        ["H01M 8/04", "H01M 8/0267"],
        "granted",
        "invention",
        D(2015, 1, 20),
        D(2017, 4, 4),
        "Toyota Jidosha",
    ),
    (
        "US2",
        "Battery charging circuit",
        "A charger for a cell and a fuel gauge that reports charge.",
        ["H02J 7/00"],
        "pending",
        "invention",
        D(2022, 2, 2),
        None,
        "Texas Instruments",
    ),
    (
        "US3",
        "Method for image recognition",
        "Image recognition with a convolutional network.",
        ["G06V 10/82"],
        "lapsed",
        "invention",
        D(2010, 7, 7),
        D(2012, 8, 8),
        "Acme Vision",
    ),
    (
        "EP1",
        "Lithium battery electrode",
        'An electrode for a lithium battery; NEAR "quoted" OR * -minus words.',
        ["H01M 4/13"],
        "granted",
        "invention",
        D(2020, 11, 11),
        D(2023, 1, 3),
        "Siemens AG",
    ),
    (
        "US4",
        "Fuel cell secret",
        "A fuel cell that is hidden by a moderator.",
        ["H01M 8/04"],
        "granted",
        "invention",
        D(2016, 1, 1),
        D(2018, 1, 1),
        "Hidden Corp",
    ),
]


def add_patent(number, title, abstract, codes, status, kind, filed, granted, owner, hidden=False) -> Patent:
    chinese = any("\u4e00" <= ch <= "\u9fff" for ch in title)
    jurisdiction = number[:2]
    patent = Patent(
        jurisdiction=jurisdiction,
        publication_number=f"{jurisdiction}{1000 + len(number) * 7 + int(number[2:])}",
        kind_code="A" if chinese else "B2",
        patent_type=kind,
        title_zh=title if chinese else None,
        title_en=None if chinese else title,
        abstract_zh=abstract if chinese else None,
        abstract_en=None if chinese else abstract,
        legal_status=status,
        filing_date=filed,
        grant_date=granted,
        publication_date=filed + dt.timedelta(days=540),
        expiry_date=filed.replace(year=filed.year + (10 if kind == "utility_model" else 20)),
        moderation_status="hidden" if hidden else "published",
    )
    patent.classifications = [
        PatentClassification(
            scheme="ipc",
            code=code,
            search_key=code.replace(" ", "")[:4]
            + code.split(" ")[1].split("/")[0].zfill(4)
            + "/"
            + code.split("/")[1],
            subclass=code[:4],
            is_main=i == 0,
            position=i,
        )
        for i, code in enumerate(codes)
    ]
    patent.parties = [PatentParty(role="owner", name=owner, sequence=0)]
    db.session.add(patent)
    return patent


@pytest.fixture
def corpus(app):
    """Eight patents (one hidden), a project and an expert, indexed the way the services do."""
    patents = {}
    for row in CORPUS:
        patents[row[0]] = add_patent(*row, hidden=row[0] == "US4")
    project = InnovationProject(
        reference="P1",
        title_zh="电池回收中试项目",
        title_en="Battery recycling pilot",
        summary_zh="回收锂电池正极材料。",
    )
    expert = Expert(
        reference="E1",
        name="王立群",
        name_en="Wang Liqun",
        biography_zh="十五年锂电池专利代理经验。",
        biography_en="Patent attorney for batteries.",
    )
    expert.specialties = [ExpertSpecialty(kind="ipc", value="H01M", position=0)]
    db.session.add_all([project, expert])
    db.session.flush()
    index_patents(db.session, [p.id for p in patents.values()])
    index_projects(db.session, [project.id])
    index_experts(db.session, [expert.id])
    db.session.commit()
    names = {("patent", p.id): number for number, p in patents.items()}
    names[("project", project.id)] = "P1"
    names[("expert", expert.id)] = "E1"
    return {"patents": patents, "project": project, "expert": expert, "names": names}


def found(corpus, **query) -> list[str]:
    result = search(db.session, SearchQuery(**query))
    return [corpus["names"][(hit.doc_type, hit.record_id)] for hit in result.hits]


def test_two_character_chinese_word_is_found_in_titles_first(corpus):
    hits = found(corpus, text="电池")
    assert set(hits) == {"CN1", "CN2", "P1", "E1", "EP1", "US2"}
    assert set(hits[:3]) == {"CN1", "CN2", "P1"}  # title matches rank above body-only matches
    assert set(hits[3:5]) == {"EP1", "US2"}  # "battery" in the title: below Chinese of equal strength
    assert hits[-1] == "E1"


def test_one_character_query_matches_anywhere_in_a_word(corpus):
    assert set(found(corpus, text="锂")) == {"CN1", "P1", "E1", "EP1"}  # EP1: "lithium"
    assert set(found(corpus, text="统")) == {"CN2"}  # the last character of a run


def test_longer_chinese_query_is_a_phrase(corpus):
    assert found(corpus, text="锂离子电池") == ["CN1"]
    assert found(corpus, text="离子电") == ["CN1"]
    assert found(corpus, text="电池锂离子") == []


def test_english_words_and_quoted_phrases(corpus):
    assert set(found(corpus, text="fuel cell")) == {"US1", "US2"}
    assert found(corpus, text='"fuel cell"') == ["US1"]
    assert found(corpus, text='"cell fuel"') == []
    assert found(corpus, text="FUEL Cell", types=("patent",))[0] == "US1"  # case-insensitive, title first


def test_mixed_chinese_and_english(corpus):
    assert found(corpus, text="电池 battery")[0] == "P1"  # both words as typed; the others by translation


def test_a_translated_word_never_matches_a_name_and_names_rank_after_text(corpus):
    """The demo's "battery" found every patent of 杭州新能电池科技有限公司 (earphones, speakers...)
    through the translation 电池; typed as it is, a name still counts, but after the texts."""
    owned = add_patent(
        "US5", "Earphone", "An ornamental earphone.", ["H04R 1/10"], "granted", "design",
        D(2023, 5, 5), D(2024, 1, 1), "杭州新能电池科技有限公司",
    )  # fmt: skip
    db.session.flush()
    index_patents(db.session, [owned.id])
    db.session.commit()
    corpus["names"][("patent", owned.id)] = "US5"
    assert "US5" not in found(corpus, text="battery")
    by_chinese = found(corpus, text="电池")
    assert by_chinese[-1] == "US5"  # newest of all, but only its owner's name holds the word
    assert set(by_chinese) == {"CN1", "CN2", "P1", "E1", "EP1", "US2", "US5"}


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [
        ("H", {"CN1", "CN2", "US1", "US2", "EP1", "E1"}),
        ("H01", {"CN1", "US1", "EP1", "E1"}),
        ("H01M", {"CN1", "US1", "EP1", "E1"}),
        ("H01M 10", {"CN1"}),
        ("H01M 10/00", {"CN1"}),
        ("H01M 10/05", {"CN1"}),
        ("H01M 10/0525", {"CN1"}),
        ("H01M 10/06", set()),
        ("h01m8/02", {"US1"}),
        ("G06V 10/82", {"CN3", "US3"}),
    ],
)
def test_classification_prefix_at_every_level(corpus, prefix, expected):
    assert set(found(corpus, classification=prefix)) == expected


def test_english_phrase_with_classification_filter(corpus):
    assert found(corpus, text='"lithium battery"', classification="H01M") == ["EP1", "E1"]  # E1: 锂电池
    assert found(corpus, text="battery", classification="H02J") == ["US2", "CN2"]  # CN2: 电池


def test_filing_and_grant_date_ranges(corpus):
    assert set(found(corpus, filed_from=D(2019, 1, 1), filed_to=D(2020, 12, 31))) == {"CN3", "EP1"}
    assert set(found(corpus, filed_from=D(2019, 9, 30), filed_to=D(2020, 11, 10))) == {"CN3"}
    assert set(found(corpus, granted_to=D(2017, 4, 4))) == {"US1", "US3"}
    assert set(found(corpus, granted_from=D(2021, 2, 2))) == {"EP1"}


def test_remaining_term_and_owner_filters(corpus):
    today = D(2026, 11, 25)
    assert set(found(corpus, min_remaining_years=15, today=today)) == {"US2"}  # filed 2022: expires 2042
    assert set(found(corpus, owner="toyota")) == {"US1"}
    assert set(found(corpus, owner="浙江大学")) == {"CN2"}


def test_equality_filters_and_facets(corpus):
    result = search(db.session, SearchQuery(types=("patent",)))
    assert result.total == 7
    assert result.type_counts == {"patent": 7, "project": 1, "expert": 1}
    facets = {name: {v.value: v.count for v in values} for name, values in result.facets.items()}
    assert facets["jurisdiction"] == {"CN": 3, "US": 3, "EP": 1}
    assert facets["legal_status"] == {"granted": 4, "pending": 2, "lapsed": 1}
    assert facets["patent_type"] == {"invention": 6, "utility_model": 1}
    assert facets["section"] == {"H": 5, "G": 2}
    assert facets["main_class"] == {"H01": 3, "H02": 2, "G06": 2}
    narrowed = search(
        db.session, SearchQuery(jurisdictions=("CN",), statuses=("granted",), types=("patent",))
    )
    assert narrowed.total == 2
    assert {v.value: v.selected for v in narrowed.facets["jurisdiction"]} == {"CN": True}
    assert set(found(corpus, main_class="H01")) == {"CN1", "US1", "EP1", "E1"}  # the expert's specialty
    assert set(found(corpus, kinds=("utility_model",))) == {"CN2"}


def test_sorting(corpus):
    assert found(corpus, types=("patent",), sort="newest") == [
        "US2",
        "CN2",
        "EP1",
        "CN3",
        "CN1",
        "US1",
        "US3",
    ]
    assert found(corpus, types=("patent",), sort="remaining_term")[:2] == ["US2", "EP1"]
    by_value = found(corpus, types=("patent",), sort="value")  # no valuations yet: id order
    assert len(by_value) == 7


def test_pagination_covers_every_hit_once(corpus):
    first = search(db.session, SearchQuery(types=("patent",), per_page=3))
    pages = [found(corpus, types=("patent",), per_page=3, page=n) for n in (1, 2, 3)]
    assert first.pages == 3
    assert first.has_next
    assert not first.has_prev
    assert [len(p) for p in pages] == [3, 3, 1]
    assert len({n for page in pages for n in page}) == 7
    ranked = [found(corpus, text="电池", per_page=1, page=n) for n in range(1, 7)]
    assert [p[0] for p in ranked] == found(corpus, text="电池")


def test_identical_order_on_every_backend(corpus):
    """Exact expected orders: the ranking is the application's, so SQLite and PostgreSQL agree."""
    p = corpus["patents"]
    by_id_desc = sorted(
        ["CN1", "CN2", "P1"], key=lambda n: -(p[n].id * 4 if n in p else corpus["project"].id * 4 + 1)
    )
    assert found(corpus, text="电池")[:3] == by_id_desc
    # all in titles: newest record first, then the Chinese titles found through the translation 电池
    assert found(corpus, text="battery")[:3] == ["EP1", "US2", "P1"]
    assert set(found(corpus, text="battery")[3:]) == {"CN1", "CN2", "E1"}
    assert found(corpus, text="fuel cell") == ["US1", "US2"]  # US1 has both in its title
    # title first; then the newer search document (record id * 4 + type) of expert 1 and project 1
    keys = {
        "E1": document_key("expert", corpus["expert"].id),
        "P1": document_key("project", corpus["project"].id),
    }
    assert found(corpus, text="锂") == ["CN1", "EP1", *sorted(keys, key=keys.get, reverse=True)]
    assert found(corpus, text="image recognition") == ["US3"]
    assert found(corpus, text="图像") == ["CN3", "US3"]


def test_hidden_and_deleted_records_leave_the_index(corpus):
    assert "US4" not in found(corpus, text="fuel")
    cn1 = corpus["patents"]["CN1"]
    cn1.moderation_status = "hidden"
    index_patents(db.session, [cn1.id])
    db.session.commit()
    assert "CN1" not in found(corpus, text="锂离子电池")
    cn1.moderation_status = "published"
    cn1.title_zh = "一种钠离子电池"
    index_patents(db.session, [cn1.id])
    db.session.commit()
    assert found(corpus, text="钠离子") == ["CN1"]
    assert found(corpus, text="锂离子电池") == ["CN1"]  # still in the abstract
    us2 = corpus["patents"]["US2"]
    db.session.delete(us2)
    db.session.flush()
    index_patents(db.session, [us2.id])
    db.session.commit()
    assert "US2" not in found(corpus, text="battery")


def test_rebuild_gives_the_same_results(corpus):
    before = [found(corpus, text=q) for q in ("电池", "fuel cell", "H01M", "")]
    counts = rebuild(db.session)
    db.session.commit()
    assert counts == {"patent": 7, "project": 1, "expert": 1}
    assert [found(corpus, text=q) for q in ("电池", "fuel cell", "H01M", "")] == before


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ('"', ""),
        ('"unbalanced', "unbalanced"),
        ("NEAR(fuel cell)", "near fuel cell"),
        ("fuel*", "fuel"),
        ("-fuel", "fuel"),
        ("fuel OR cell", "fuel or cell"),
        ("AND", "and"),
        ("(", ""),
        ("{title}: x", "title x"),
        ("'; DROP TABLE patents; --", "drop table patents"),
        ("\\", ""),
        ("%_", ""),
        ("💡", ""),
        ("ｆｕｅｌ", "fuel"),
    ],
)
def test_engine_syntax_in_queries_is_plain_text(corpus, text, plain):
    """Operators and punctuation are not syntax: the query finds what its plain words find."""
    hits = [hit.record_id for hit in search(db.session, SearchQuery(text=text)).hits]
    assert hits == [hit.record_id for hit in search(db.session, SearchQuery(text=plain)).hits]
    if plain == "fuel":
        assert len(hits) == 2


def test_highlighted_snippets_show_the_original_text(corpus):
    hit = search(db.session, SearchQuery(text="电池")).hits[0]
    assert "<mark>电池</mark>" in str(hit.title_html) or "<mark>电池</mark>" in str(hit.snippet)
    hit = search(db.session, SearchQuery(text='"fuel cell"')).hits[0]
    assert "A <mark>fuel cell</mark> stack" in str(hit.snippet)
    hit = search(db.session, SearchQuery(text="quoted")).hits[0]
    assert "&#34;<mark>quoted</mark>&#34;" in str(hit.snippet)  # escaped, never raw HTML


def test_counting_stops_at_the_cap_and_says_so(corpus, monkeypatch):
    from app.catalogue.search import service

    monkeypatch.setattr(service, "COUNT_CAP", 3)
    result = search(db.session, SearchQuery(types=("patent",)))
    assert result.capped
    assert result.total == 4  # the cap plus one: "more than 3"
    assert [corpus["names"][(h.doc_type, h.record_id)] for h in result.hits] == found(
        corpus, types=("patent",)
    )
    assert not search(db.session, SearchQuery(text="fuel cell")).capped


@pytest.mark.parametrize("backend_cap", [3, 5])
def test_a_backend_may_count_less_but_never_below_the_page_asked_for(corpus, monkeypatch, backend_cap):
    """PostgreSQL stops counting sooner than SQLite (every counted hit is a heap row there); the
    count still covers the hits of the page asked for, so an API page or an export is never told
    there is nothing past a hit it was given, and the hits are those of the uncapped search."""
    from app.catalogue.search import backends

    query = SearchQuery(per_page=2)  # 9 records
    every = found(corpus, per_page=100)
    for backend in (backends.SqliteBackend, backends.PostgresBackend):
        monkeypatch.setattr(backend, "count_cap", backend_cap)
    first = search(db.session, query)
    assert first.capped
    assert first.total == backend_cap + 1
    deep = search(db.session, query.with_(page=4))
    assert deep.capped
    assert deep.total == 9  # pages 1-4 hold 8 records: "more than 8"
    assert deep.has_next
    names = [corpus["names"][(h.doc_type, h.record_id)] for h in (*first.hits, *deep.hits)]
    assert names == every[:2] + every[6:8]


RANKED_QUERIES = [
    {"text": "电池"},
    {"text": "锂"},
    {"text": "锂离子电池"},
    {"text": "电池 管理"},
    {"text": "fuel cell"},
    {"text": '"fuel cell" stack'},
    {"text": "battery 电池", "types": ("project",)},
    {"text": "cell", "jurisdictions": ("US",)},
    {"text": "方法 电池 图像 识别"},
    {"text": "cooling", "page": 2, "per_page": 1},
]


@pytest.mark.parametrize("query", RANKED_QUERIES, ids=lambda q: q["text"])
def test_every_ranking_strategy_gives_the_same_order(corpus, monkeypatch, query):
    """Tiers from stored titles, from title queries over the known hits, and from tier queries
    to the engine (the capped path) are the same ranking."""
    from app.catalogue.search import service

    monkeypatch.setattr(service, "TITLE_CHECK_COST", 0.0)  # always from stored titles
    expected = found(corpus, **query)
    monkeypatch.setattr(service, "TITLE_CHECK_LIMIT", 0)  # tier queries over the known hits
    assert found(corpus, **query) == expected
    monkeypatch.setattr(service, "COUNT_CAP", 0)  # every search is "capped": tier queries
    assert found(corpus, **query) == expected


NEWEST_QUERIES = [
    {"sort": "newest"},
    {"text": "电池", "sort": "newest"},
    {"text": "cell", "sort": "newest", "page": 2, "per_page": 1},
    {"types": ("patent",), "statuses": ("granted",), "sort": "newest"},
]


@pytest.mark.parametrize("query", NEWEST_QUERIES, ids=str)
def test_newest_first_from_the_known_hits_or_from_the_engine_agree(corpus, monkeypatch, query):
    """Uncapped, PostgreSQL sorts the hits the count pass found by their sort key; capped, the
    engine's sorted query runs: the same page either way (undated records last)."""
    from app.catalogue.search import service

    known = found(corpus, **query)
    assert known
    monkeypatch.setattr(service, "COUNT_CAP", 0)  # every search is "capped": the engine's sorted query
    assert found(corpus, **query) == known


FILTERED_QUERIES = [
    {"text": "电池", "statuses": ("granted",)},
    {"text": "cell", "jurisdictions": ("US", "EP"), "kinds": ("invention",)},
    {"text": "fuel", "main_class": "H01"},
    {"text": "电池", "main_class": "H"},
    {"statuses": ("granted",), "jurisdictions": ("CN",)},
    {"jurisdictions": ("CN",), "types": ("patent",)},
    {"text": "电池", "types": ("project", "expert")},
    {"main_class": "G06", "sort": "newest"},
]


@pytest.mark.parametrize("query", FILTERED_QUERIES, ids=str)
@pytest.mark.parametrize("cap", [10_000, 0])
def test_facet_filters_as_tokens_or_rowid_bits_agree(corpus, monkeypatch, query, cap):
    """Common facet values may be tested on the rowid's packed bits instead of index tokens: the
    same documents, counts and order either way (and on the capped path too)."""
    from app.catalogue.search import backends, service

    monkeypatch.setattr(service, "COUNT_CAP", cap)
    monkeypatch.setattr(backends, "BITS_SHARE", 2.0)  # never bits: tokens only
    tokens = search(db.session, SearchQuery(**query))
    monkeypatch.setattr(backends, "BITS_SHARE", -1.0)  # bits wherever the backend can
    bits = search(db.session, SearchQuery(**query))
    assert [(h.doc_type, h.record_id) for h in bits.hits] == [(h.doc_type, h.record_id) for h in tokens.hits]
    assert (bits.total, bits.type_counts, bits.facets) == (tokens.total, tokens.type_counts, tokens.facets)
    if cap:
        assert tokens.total > 0 or query.get("types") == ("project", "expert")


def _spread_corpus() -> list[Source]:
    """200 patents whose record ids lie 1,500 apart: 74 blocks of rowids (4,096 record ids a block),
    titles chosen so that some queries match in every block, some every third or tenth record, and
    a phrase whose words also occur apart (which its estimate cannot know)."""
    titles = {0: "gamma delta alpha beta", 5: "delta gamma beta"}
    return [
        Source(
            "patent",
            1 + i * 1500,
            (titles.get(i % 10, "alpha beta" if i % 3 == 0 else "beta"),),
            jurisdiction="US",
            legal_status="granted",
        )
        for i in range(200)
    ]


def _hits_of(sources: list[Source], node) -> list[int]:
    """Rowids, newest first, of the titles matching a small expression of words and phrases."""
    if isinstance(node, Tok):
        n = len(node.tokens)
        found = [
            s
            for s in sources
            if any(t[i : i + n] == list(node.tokens) for t in [s.titles[0].split()] for i in range(len(t)))
        ]
        return sorted((s.fts_rowid for s in found), reverse=True)
    if isinstance(node, Not):
        excluded = set(_hits_of(sources, node.negative))
        return [r for r in _hits_of(sources, node.positive) if r not in excluded]
    sets = [set(_hits_of(sources, child)) for child in node.children]
    return sorted(set.intersection(*sets) if isinstance(node, And) else set.union(*sets), reverse=True)


@pytest.mark.parametrize("analyzed", [False, True], ids=["no statistics", "analyzed"])
def test_the_newest_hits_are_walked_across_rowid_blocks(app, analyzed):
    """PostgreSQL walks the newest hits in windows of rowid blocks (a window lexeme per block in
    every tsvector), sized from the planner's estimate, a probe of the newest block, or the hits
    per block seen so far: over many blocks, with the estimates right or wrong, the hits are those
    of one plain newest-first sort, on every backend."""
    sources = _spread_corpus()
    write_sources(db.session, sources)
    backend = backend_for(db.session)
    if backend.name == "postgresql":
        windows = " || ' & ' || ".join(
            f"'_w{level or ''}_' || (fts_rowid >> {35 + 2 * level})" for level in range(4)
        )
        in_blocks = db.session.execute(
            db.text(f"SELECT count(*) FROM search_index WHERE tsv @@ CAST({windows} AS tsquery)")  # noqa: S608
        ).scalar()
        assert in_blocks == len(sources)  # each row holds its block's and its groups' lexemes
        if analyzed:
            db.session.execute(db.text("ANALYZE search_index"))
    alpha, beta, phrase = Tok(("alpha",)), Tok(("beta",)), Tok(("gamma", "delta"))
    for node in (beta, alpha, phrase, And((Tok(("gamma",)), Tok(("delta",))))):
        expected = _hits_of(sources, node)
        for cap in (1, 7, 40, 1000):
            assert backend.newest(node, [], cap) == expected[:cap], (node, cap)
    levels = [phrase, Not(alpha, phrase), Not(beta, Or((alpha, phrase)))]
    by_level = [r for level in levels for r in _hits_of(sources, level)]
    assert len(by_level) == len(sources)
    for needed in (3, 30, 300):
        assert backend.first(levels, [], needed) == by_level[:needed]
