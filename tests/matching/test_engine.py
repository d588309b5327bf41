"""The matching engine: pure, pluggable, explained (contributions sum to the score), cross-language."""

import ast
import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from app.catalogue.search import crosslang
from app.matching.engine import Candidate, NeedProfile, UnknownStrategyError, available, get, rank, register
from app.matching.engine.strategies import Context

ENGINE = Path(__file__).resolve().parents[2] / "app" / "matching" / "engine"
FORBIDDEN = {"flask", "sqlalchemy", "flask_sqlalchemy", "werkzeug", "app"}


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_engine_imports_only_stdlib_numpy_scipy():
    offenders = {p.name: _imports(p) & FORBIDDEN for p in ENGINE.rglob("*.py") if _imports(p) & FORBIDDEN}
    assert offenders == {}


def test_registry_lists_builtins_and_fails_loudly():
    assert {"text", "classification", "budget", "rights", "freshness"} <= set(available())
    with pytest.raises(UnknownStrategyError):
        get("nope")


def test_a_registered_plugin_is_used_by_rank():
    class Constant:
        name, version = "constant_test", "1.0.0"

        def score(self, need, candidates, ctx):
            return [(1.0, "constant", {}) for _ in candidates]

    register(Constant(), replace=True)
    (match,) = rank(NeedProfile("x"), [Candidate(1, "y")], weights={"constant_test": 0.3})
    assert match.score == pytest.approx(0.3)


CANDIDATES = [
    Candidate(1, "Lithium battery anode material with silicon", ("H01M 4/134",), ask=Decimal("800000")),
    Candidate(2, "一种锂电池负极材料及其制备方法", ("H01M 4/13",), ask=Decimal("3000000")),
    Candidate(3, "Image recognition with a convolutional neural network", ("G06N 3/08",)),
]


def test_contributions_sum_to_the_score_and_carry_reasons():
    need = NeedProfile(
        "锂电池负极",
        codes=("H01M 4/134",),
        budget_min=Decimal("100000"),
        budget_max=Decimal("1000000"),
        rights=("assignment",),
    )
    ctx = Context(lexicon=crosslang, now=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    matches = rank(need, CANDIDATES, context=ctx)
    for m in matches:
        assert m.score == pytest.approx(sum(c.points for c in m.contributions))
    reasons = {c.factor: c.reason for c in matches[0].contributions}
    assert matches[0].candidate_id in (1, 2)
    assert 3 not in {m.candidate_id for m in matches}  # no shared word, another field: no match
    by_id = {m.candidate_id: {c.factor: c for c in m.contributions} for m in matches}
    assert by_id[1]["classification"].reason == "class_subgroup"
    assert by_id[2]["classification"].reason == "class_main_group"
    assert by_id[1]["budget"].reason == "ask_within_budget"
    assert by_id[2]["budget"].reason == "ask_above_budget"
    assert reasons["text"].startswith("text_")


@pytest.mark.parametrize(
    ("need_text", "expected_first"),
    [("锂电池负极材料", 1), ("lithium battery anode", 2)],
)
def test_cross_language_finds_the_other_language(need_text, expected_first):
    """A Chinese need finds the English-only record and the reverse (the own-language one aside)."""
    others = [c for c in CANDIDATES if c.id != 3 - expected_first]
    matches = rank(NeedProfile(need_text), others, weights={"text": 1.0}, context=Context(lexicon=crosslang))
    assert matches[0].candidate_id == expected_first
    assert matches[0].score > 0


def test_depth_weighting_orders_levels():
    need = NeedProfile("", codes=("H01M 10/0525",))
    cands = [
        Candidate(1, "", ("H01M 10/0525",)),
        Candidate(2, "", ("H01M 10/04",)),
        Candidate(3, "", ("H01M 4/13",)),
        Candidate(4, "", ("H01B 1/00",)),
        Candidate(5, "", ("G06F 16/00",)),
    ]
    values = [v for v, _, _ in get("classification").score(need, cands, Context())]
    assert values == sorted(values, reverse=True)
    assert values[0] > values[1] > values[2] > values[3] > values[4] == 0


def test_rights_and_territory():
    need = NeedProfile("", rights=("exclusive_licence",), territory="CN")
    cands = [
        Candidate(1, "", right_type="exclusive_licence", territory="CN"),
        Candidate(2, "", right_type="exclusive_licence", territory="US"),
        Candidate(3, "", right_type="open_licence"),
    ]
    values = get("rights").score(need, cands, Context())
    assert values[0][:2] == (1.0, "exclusive_in_territory")
    assert values[1][1] == "right_offered_other_territory"
    assert values[2][0] == 0.0
