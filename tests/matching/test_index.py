"""The matching index follows listing, patent and need writes without a rebuild; a rebuild (also into
memory-mapped segments) gives the same ranking; postings score exactly like the engine's BM25."""

import numpy as np
from sqlalchemy import func, select

from app.extensions import db
from app.market import listing_services
from app.matching import index, services
from app.matching.alert_models import MatchingDocument
from app.matching.engine.postings import Doc, Postings, Segment
from app.matching.engine.text import BM25Index, ideal_score, text_scale
from tests.market.listing_support import make_buyer, make_listing, make_patent, make_seller

NEED = {"title_en": "Solid-state electrolyte for batteries", "description_en": "Sulfide solid electrolyte."}


def ranking(need):
    return [(listing.id, round(m.score, 9)) for listing, m in services.matches_for_need(need, need.buyer)]


def setup_market(make_user):
    seller = make_seller(make_user)
    cathode = make_listing(seller, [make_patent(seller)], "published")
    electrolyte = make_listing(
        seller,
        [make_patent(seller, title_en="Sulfide solid electrolyte", title_zh="硫化物固态电解质")],
        "published",
        title_en="Solid electrolyte licence",
        title_zh="固态电解质许可",
    )
    buyer = make_buyer(make_user)
    need = services.create_need(buyer, NEED)
    services.transition(need, "publish", buyer)
    db.session.commit()
    return seller, cathode, electrolyte, need


def test_writes_are_indexed_in_the_transaction(make_user):
    seller, cathode, _electrolyte, need = setup_market(make_user)
    docs = {(d.kind, d.record_id): d for d in db.session.scalars(select(MatchingDocument))}
    assert docs[("listing", cathode.id)].active
    assert docs[("need", need.id)].active
    assert "H01M 4/00" in docs[("listing", cathode.id)].codes
    listing_services.withdraw_listing(cathode, seller)
    db.session.rollback()  # a rolled-back change leaves the index alone
    assert db.session.get(MatchingDocument, docs[("listing", cathode.id)].id).active
    listing_services.withdraw_listing(cathode, seller)
    db.session.commit()
    assert not db.session.get(MatchingDocument, docs[("listing", cathode.id)].id).active


def test_an_edit_counts_without_a_rebuild(make_user):
    seller, cathode, electrolyte, need = setup_market(make_user)
    before = ranking(need)
    assert before[0][0] == electrolyte.id
    # The cathode listing now describes a solid electrolyte at length: it moves to the top.
    listing_services.update_listing(
        cathode,
        seller,
        {
            "title_en": "Sulfide solid-state electrolyte for batteries",
            "summary_en": "Solid electrolyte, sulfide.",
        },
    )
    db.session.commit()
    after = ranking(need)
    assert after[0][0] == cathode.id
    postings = index.kind_index("listing", db.session).postings()
    assert index.kind_index("listing", db.session).postings() is postings  # kept while nothing changes
    # A patent edit reaches the listings that carry it.
    patent = cathode.patent_links[0].patent
    patent.abstract_en = "Sulfide solid electrolyte " * 5
    db.session.commit()
    terms = db.session.scalar(
        select(MatchingDocument.terms).where(
            MatchingDocument.kind == "listing", MatchingDocument.record_id == cathode.id
        )
    )
    assert terms["sulfide"] >= 6
    assert index.kind_index("listing", db.session).postings() is not postings  # the edit counts


def test_rebuild_gives_the_same_ranking_also_from_memory_mapped_segments(app, make_user, runner, tmp_path):
    _seller, _cathode, _electrolyte, need = setup_market(make_user)
    before = ranking(need)
    db.session.execute(MatchingDocument.__table__.delete())
    db.session.commit()
    app.extensions.pop("matching_index", None)
    assert ranking(need) == []  # the pages read from the index
    app.config["MATCHING_INDEX_DIR"] = str(tmp_path)
    result = runner.invoke(args=["matching", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "2 listing documents" in result.output
    assert (tmp_path / "listing" / "rows.npy").exists()
    assert ranking(need) == before
    assert isinstance(index.kind_index("listing", db.session).base.rows.base, np.memmap)  # mapped, not read
    db.session.execute(MatchingDocument.__table__.delete())
    db.session.commit()
    queued = runner.invoke(args=["matching", "rebuild", "--background"])  # tests run jobs inline
    assert "Rebuild queued" in queued.output, queued.output
    assert db.session.scalar(select(func.count(MatchingDocument.id))) == 5  # 2 listings, 2 patents, 1 need


def test_postings_equal_the_engine_bm25_across_segments():
    docs = [["电池", "正极", "cathode"], ["cathode", "cathode", "anode"], ["solid", "electrolyte"], ["anode"]]
    expected = BM25Index(docs).scores({"cathode": 1.0, "anode": 0.6, "正极": 1.0})
    as_docs = [Doc(i, True, {t: d.count(t) for t in d}) for i, d in enumerate(docs)]
    one = Postings([Segment.build(as_docs)], [np.ones(4, dtype=bool)])
    [scores] = one.bm25({"cathode": 1.0, "anode": 0.6, "正极": 1.0})
    assert np.allclose(scores, expected)
    # A base holding a stale copy of doc 1 plus a delta with its new version scores the same.
    stale = [*as_docs[:1], Doc(1, True, {"zzz": 3}), *as_docs[2:]]
    base, delta = Segment.build(stale), Segment.build([as_docs[1]])
    split = Postings([base, delta], [np.array([True, False, True, True]), np.array([True])])
    base_scores, delta_scores = split.bm25({"cathode": 1.0, "anode": 0.6, "正极": 1.0})
    assert np.allclose([*base_scores[[0, 2, 3]], *delta_scores], expected[[0, 2, 3, 1]])


def test_a_large_index_is_probed_with_the_telling_terms_and_scores_the_shortlist_exactly(monkeypatch):
    from app.matching.engine import postings as engine_postings

    monkeypatch.setattr(engine_postings, "PRUNE_ABOVE", 0)
    monkeypatch.setattr(engine_postings, "MAX_QUERY_TERMS", 2)
    words = ["cathode", "anode", "lithium", "electrolyte", "solid", "gear", "motor", "sensor"]
    docs = [Doc(i, True, {words[i % 8]: 1 + i % 3, words[(i * 3) % 8]: 1, "common": 1}) for i in range(40)]
    index = Postings([Segment.build(docs)], [np.ones(40, dtype=bool)])
    query = {"cathode": 1.0, "lithium": 1.0, "common": 1.0, "gear": 0.6}
    [full] = index.bm25(query)
    found = engine_postings.shortlist(index, query, (), 5)
    assert len(found.rows) >= 5
    assert np.allclose(found.text, [full[r] for _s, r in found.rows])  # exact on every term
    stats = index.term_stats(query)
    ideal = ideal_score(query, dict(zip(stats.terms, stats.idf, strict=True)), index.count)
    assert found.scale == text_scale(max(found.text), ideal)
    assert set(index.select_terms(query, 2)) <= {"cathode", "lithium", "gear"}  # "common" tells little


def test_the_index_folder_is_configured_from_the_environment(monkeypatch):
    import runpy

    import config

    monkeypatch.delenv("MATCHING_INDEX_DIR", raising=False)
    assert runpy.run_path(config.__file__)["Config"].MATCHING_INDEX_DIR == ""  # no segments
    monkeypatch.setenv("MATCHING_INDEX_DIR", "/srv/ipex/matching")
    fresh = runpy.run_path(config.__file__)
    assert fresh["ProductionConfig"].MATCHING_INDEX_DIR == "/srv/ipex/matching"
    assert fresh["TestingConfig"].MATCHING_INDEX_DIR == ""  # tests never share a developer's folder


def test_a_shortlist_is_scored_exactly_from_its_rows_terms_also_in_old_segments(tmp_path):
    words = ["cathode", "anode", "lithium", "electrolyte", "solid", "gear", "motor", "sensor", "正极"]
    docs = [
        Doc(i * 3, i % 7 != 3, {words[i % 9]: 1 + i % 4, words[(i * 5) % 9]: 2, "common": 1}, ("H01M 4/00",))
        for i in range(60)
    ]
    base, delta = Segment.build(docs), Segment.build([Doc(9, True, {"cathode": 5, "gear": 1})])
    live = [np.array(base.active, dtype=bool), np.ones(1, dtype=bool)]
    live[0][3] = False  # doc 9 replaced by the delta's version
    query = {"cathode": 1.0, "lithium": 0.6, "common": 1.0, "正极": 1.0, "absent": 1.0}
    postings = Postings([base, delta], live)
    full = postings.bm25(query)
    rows = [np.arange(0, 60, 2), np.array([0])]
    assert base.forward
    for got, want, r in zip(postings.bm25_at(query, rows), full, rows, strict=True):
        assert np.allclose(got, want[r])
    # A segment written before the document-major arrays existed is searched term by term.
    base.save(tmp_path / "old", {})
    for name in ("doc_indptr", "doc_terms", "doc_tf"):
        (tmp_path / "old" / f"{name}.npy").unlink()
    old, _meta = Segment.load(tmp_path / "old")
    assert not old.forward
    legacy = Postings([old, delta], live)
    for got, want, r in zip(legacy.bm25_at(query, rows), full, rows, strict=True):
        assert np.allclose(got, want[r])


def test_top_rows_are_the_best_with_ties_to_the_lower_row():
    from app.matching.engine.postings import top_rows

    rng = np.random.default_rng(3)
    big = np.where(rng.random(200_000) < 0.3, rng.integers(0, 50, 200_000) / 7, 0.0)
    small = np.array([0.0, 7.0, 0.0, 7.0])
    found = top_rows([big, small], 120)
    order = sorted(
        [(-v, 0, r) for r, v in enumerate(big) if v > 0] + [(-v, 1, r) for r, v in enumerate(small) if v > 0]
    )[:120]
    assert [(s, r) for s, r, _v in found] == [(s, r) for _v, s, r in order]
    assert top_rows([np.zeros(10)], 5) == []
