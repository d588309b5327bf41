"""Text relevance is absolute: the best candidate of a poor pool does not get full text marks, and a
candidate that barely touches the need and shares no field with it is no match at all."""

from collections import Counter

import numpy as np
import pytest
from sqlalchemy import select

from app.catalogue.search import crosslang
from app.extensions import db
from app.matching.engine import Candidate, NeedProfile, get, rank
from app.matching.engine.postings import Doc, Postings, Segment, shortlist
from app.matching.engine.strategies import Context, is_weak_text
from app.matching.engine.text import query_terms, tokens
from app.matching.marks import need_matches
from app.matching.models import Need

NEED = NeedProfile("High energy density lithium battery cathode material for electric vehicles", ("H01M",))
RICH = Candidate(1, "Lithium battery cathode material of high energy density", ("H01M 4/525",))
POOR = [
    Candidate(2, "Road paving: an asphalt overlay of high density, cured by microwaves", ("E01C 7/18",)),
    Candidate(3, "A psychological assessment system for vehicles' drivers", ("A61B 5/16",)),
]


def text_scores(candidates):
    return get("text").score(NEED, candidates, Context(lexicon=crosslang))


def text_values(candidates):
    return [v for v, _key, _params in text_scores(candidates)]


def test_the_best_of_a_poor_pool_does_not_get_full_text_marks():
    poor = text_values(POOR)
    assert max(poor) < 0.5  # was 1.0: relative to the pool's best
    assert text_scores(POOR)[1][1] == "text_shared_weak"  # one common word


def test_a_rich_candidate_scores_above_a_poor_one_by_an_absolute_margin():
    rich, *poor = text_values([RICH, *POOR])
    assert rich == pytest.approx(1.0)
    assert rich - max(poor) > 0.5
    # The poor candidates' values do not depend on whether a rich one is in the pool.
    alone = text_values(POOR)
    assert max(alone) < 2 * max(poor)


def test_weak_text_and_no_shared_field_is_no_match():
    ctx = Context(lexicon=crosslang)
    matches = rank(NEED, [RICH, *POOR], context=ctx)
    assert [m.candidate_id for m in matches][:1] == [1]
    scores = text_scores([RICH, *POOR])[1:]
    weak = {c.id for c, v in zip(POOR, scores, strict=True) if is_weak_text(v)}
    assert weak
    assert not weak & {m.candidate_id for m in matches}
    # The same weak text with the need's field shared is a match, marked weak.
    same_field = Candidate(4, POOR[1].text, ("H01M 10/42",))
    [match] = rank(NEED, [same_field], context=Context(lexicon=crosslang))
    text = next(c for c in match.contributions if c.factor == "text")
    assert text.reason.endswith("_weak")


def test_the_index_shortlist_uses_the_engines_scale():
    """The postings (the app's index) and the engine divide BM25 by the same absolute scale."""
    docs = [Doc(c.id, True, dict(Counter(tokens(c.text, crosslang))), c.codes) for c in POOR]
    index = Postings([Segment.build(docs)], [np.ones(len(docs), dtype=bool)])
    terms = query_terms(NEED.text, crosslang, cross_language=True)
    found = shortlist(index, terms, NEED.codes, 5)
    ctx = Context(lexicon=crosslang)
    engine = get("text")
    assert found.scale == pytest.approx(engine.scale(NEED, POOR, ctx))
    assert found.scale > max(found.text)  # the poor pool's best is below full marks there too


def test_the_demo_needs_first_matches_are_on_topic(runner, app):
    """After ``flask seed-demo`` no demo need shows an off-topic patent (a weak text match in
    another field) at all, and every first match shares the need's field or words."""
    assert "demo needs published" in runner.invoke(args=["seed-demo"]).output
    needs = db.session.scalars(select(Need).order_by(Need.id)).all()
    assert len(needs) == 4
    for need in needs:
        rows = need_matches(need, need.buyer)
        assert rows, need.title
        for row in rows:
            parts = {c.factor: c for c in row.match.contributions}
            text = parts["text"]
            assert parts["classification"].points > 0 or not is_weak_text((1, "", text.params))
    battery = next(n for n in needs if n.title_zh and "正极" in n.title_zh)
    rows = need_matches(battery, battery.buyer)
    assert rows[0].listing is not None
    assert "正极" in rows[0].listing.title_zh  # the cathode listing, not the road-paving patent
    for i, row in enumerate(rows):  # the road-paving patent (two common words, another field) ...
        if row.patent is not None and "加铺" in (row.patent.title_zh or ""):
            text = next(c for c in row.match.contributions if c.factor == "text")
            assert text.reason.endswith("_weak")  # ... is at most shown as a weak match, after the rest
            assert i == len(rows) - 1
