"""Weighted combination: a match's score is exactly the sum of its per-factor contributions."""

from __future__ import annotations

from collections.abc import Mapping

from . import registry
from .strategies import Context, field_floor, is_weak_text
from .types import Candidate, Contribution, Match, NeedProfile

# Text : classification 1 : 1 was best on the training split (bench/matching_quality.py --tune,
# nDCG@10 en 0.442, zh-en 0.550, with text relative to the pool's best); the commercial factors are set by
# judgement. They sum to 1.
DEFAULT_WEIGHTS: Mapping[str, float] = {
    "text": 0.4,
    "classification": 0.4,
    "budget": 0.1,
    "rights": 0.05,
    "freshness": 0.025,
    "responsiveness": 0.025,
}


def rank(
    need: NeedProfile,
    candidates: list[Candidate],
    *,
    weights: Mapping[str, float] = DEFAULT_WEIGHTS,
    context: Context | None = None,
    limit: int | None = 20,
) -> list[Match]:
    """Candidates best first with the contribution of every weighted factor.

    Only topical candidates are matches: a candidate whose text barely touches the need (below
    ``strategies.WEAK_COVERAGE``) and that does not share its field (``field_floor``) is left out
    however well it is priced, as a buyer reads a listed match as "this is about my technology"."""
    ctx = context or Context()
    per_factor = {
        name: registry.get(name).score(need, candidates, ctx) for name, w in weights.items() if w > 0
    }
    topical = _topical(per_factor, len(candidates), field_floor(need.codes))
    # Scores first, contributions only for the candidates returned (the same sums, in the same order).
    scored = []
    for i, cand in enumerate(candidates):
        if cand.id not in need.exclude and topical[i]:
            scored.append(
                (-sum(weights[name] * values[i][0] for name, values in per_factor.items()), cand.id, i)
            )
    scored.sort()
    matches = []
    for negative, cand_id, i in scored[:limit] if limit else scored:
        parts = tuple(
            Contribution(name, weights[name] * values[i][0], values[i][1], values[i][2])
            for name, values in per_factor.items()
        )
        matches.append(Match(cand_id, -negative, parts))
    return matches


def _topical(per_factor: Mapping[str, list], size: int, floor: float) -> list[bool]:
    """Per candidate: does its text or its field make it about the need? (All, without a text factor.)"""
    if "text" not in per_factor:
        return [True] * size
    text = per_factor["text"]
    field = per_factor.get("classification") or [(0.0,)] * size
    return [not is_weak_text(t) or f[0] >= floor for t, f in zip(text, field, strict=True)]
