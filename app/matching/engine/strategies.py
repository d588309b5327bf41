"""Built-in strategies. Each returns, per candidate, a value in [0, 1] with a reason key and params.

Reason keys name templates the web layer translates (app/matching/reasons.py); the engine never
formats text for a reader.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np

from . import registry
from .text import BM25Index, query_terms, text_scale, tokens
from .types import Candidate, Lexicon, NeedProfile

Value = tuple[float, str, dict[str, str]]
EXCLUSIVE = ("assignment", "exclusive_licence", "sole_licence")
# Depth of the deepest shared level -> value: the same subgroup says far more than the same class.
DEPTH_VALUES = (("subgroup", 1.0), ("main_group", 0.75), ("subclass", 0.5), ("class", 0.25))
INFER_TOP = 5  # text neighbours whose subclasses stand in for a need without codes
INFER_SHARE = 0.4  # share of the neighbours' votes a subclass needs to be inferred
# A candidate whose BM25 is below WEAK_COVERAGE of the need's ideal score (``text.ideal_score``)
# shares next to nothing with it: it is a match only when it shares the need's field, and its
# words do not vote for the field of a need stated without codes. Below FEW_COVERAGE its text
# reason says "only a few shared terms". (On the coverage, not the text value: tuning
# IDEAL_SHARE moves neither.)
WEAK_COVERAGE = 0.1
FEW_COVERAGE = 0.2


def field_floor(codes: tuple[str, ...]) -> float:
    """The least classification value that makes a candidate about the need's field: the same
    subclass (sharing only the class, H01 for a battery need, spans semiconductors to cables), or
    the class itself when that is all the buyer stated."""
    return (
        DEPTH_VALUES[2][1]
        if any(levels(c)["subclass"][3:] for c in codes) or not codes
        else DEPTH_VALUES[3][1]
    )


@dataclass
class Context:
    """Per-ranking state shared by the strategies: the lexicon, the clock, the text results."""

    lexicon: Lexicon | None = None
    now: dt.datetime | None = None
    cross_language: bool = True  # expand queries into the other language (needs a lexicon)
    cache: dict = field(default_factory=dict)


def levels(code: str) -> dict[str, str]:
    """A code's hierarchy prefixes ("H01M 10/0525" -> class H01, subclass H01M, ...)."""
    compact = code.replace(" ", "").upper()
    main = compact.split("/")[0]
    out = {"class": compact[:3], "subclass": compact[:4], "main_group": main if len(main) > 4 else ""}
    out["subgroup"] = compact if "/" in compact else ""
    return out


def display_code(code: str) -> str:
    """A prefix in the WIPO display form: subclass, a space, the group ("H01M 10/0525")."""
    return code if len(code) <= 4 else f"{code[:4]} {code[4:]}"


class TextRelevance:
    name, version = "text", "1.1.0"  # 1.1: absolute scale (was: relative to the pool's best)

    def candidate_tokens(self, candidates: list[Candidate], ctx: Context) -> list[list[str]]:
        key = ("text_tokens", id(candidates))
        if key not in ctx.cache:
            ctx.cache[key] = [tokens(c.text, ctx.lexicon) for c in candidates]
        return ctx.cache[key]

    def index(self, candidates: list[Candidate], ctx: Context) -> BM25Index:
        key = ("text_index", id(candidates))
        if key not in ctx.cache:
            ctx.cache[key] = BM25Index(self.candidate_tokens(candidates, ctx))
        return ctx.cache[key]

    def query(self, need: NeedProfile, ctx: Context) -> dict[str, float]:
        key = ("text_query", need.text)
        if key not in ctx.cache:
            ctx.cache[key] = query_terms(need.text, ctx.lexicon, cross_language=ctx.cross_language)
        return ctx.cache[key]

    def raw_scores(self, need: NeedProfile, candidates: list[Candidate], ctx: Context) -> np.ndarray:
        """BM25 of every candidate; the query is expanded into the other language when it helps."""
        key = ("text_scores", id(candidates), need.text)
        if key not in ctx.cache:
            ctx.cache[key] = self.index(candidates, ctx).scores(self.query(need, ctx))
        return ctx.cache[key]

    def ideal(self, need: NeedProfile, candidates: list[Candidate], ctx: Context) -> float:
        key = ("text_ideal", id(candidates), need.text)
        if key not in ctx.cache:
            ctx.cache[key] = self.index(candidates, ctx).ideal(self.query(need, ctx))
        return ctx.cache[key]

    def scale(self, need: NeedProfile, candidates: list[Candidate], ctx: Context) -> float:
        """What BM25 is divided by (``text.text_scale``): the same for every pool the need meets,
        so a poor pool's best candidate does not get full marks for sharing one common word."""
        key = ("text_scale", id(candidates), need.text)
        if key not in ctx.cache:
            raw = self.raw_scores(need, candidates, ctx)
            if need.exclude:  # a candidate never to match (the need's own patent) sets no scale
                raw = raw[[c.id not in need.exclude for c in candidates]]
            top = float(raw.max()) if raw.size else 0.0
            ctx.cache[key] = text_scale(top, self.ideal(need, candidates, ctx))
        return ctx.cache[key]

    def values(self, need: NeedProfile, candidates: list[Candidate], ctx: Context) -> np.ndarray:
        """Every candidate's text value in [0, 1]."""
        raw = self.raw_scores(need, candidates, ctx)
        scale = self.scale(need, candidates, ctx)
        return np.minimum(raw / scale, 1.0) if scale > 0 else np.zeros(len(raw))

    def telling(self, need: NeedProfile, candidates: list[Candidate], ctx: Context) -> dict[str, float]:
        """What each query term the pool holds can tell: weight x idf (the index hands the pool's in)."""
        key = ("text_telling", id(candidates), need.text)
        if key not in ctx.cache:
            index = self.index(candidates, ctx)
            ctx.cache[key] = {
                t: w * float(index.idf[index.vocab[t]])
                for t, w in self.query(need, ctx).items()
                if t in index.vocab
            }
        return ctx.cache[key]

    def coverage(self, need: NeedProfile, candidates: list[Candidate], ctx: Context) -> np.ndarray:
        """Every candidate's BM25 over the need's ideal score (not capped)."""
        raw, ideal = self.raw_scores(need, candidates, ctx), self.ideal(need, candidates, ctx)
        return raw / ideal if ideal > 0 else np.zeros(len(raw))

    def strong(self, need: NeedProfile, candidates: list[Candidate], ctx: Context) -> np.ndarray:
        """Which candidates cover at least ``WEAK_COVERAGE`` of the need's ideal score."""
        coverage = self.coverage(need, candidates, ctx)
        return (coverage > 0) & (coverage >= WEAK_COVERAGE)

    def score(self, need: NeedProfile, candidates: list[Candidate], ctx: Context) -> list[Value]:
        telling = self.telling(need, candidates, ctx)
        words = _Words(telling, set(tokens(need.text, ctx.lexicon)))
        parts = zip(
            self.values(need, candidates, ctx),
            self.coverage(need, candidates, ctx),
            self.candidate_tokens(candidates, ctx),
            strict=True,
        )
        return [words.reason(float(v), float(c), telling.keys() & set(toks)) for v, c, toks in parts]


class _Words:
    """Names the words that earned a text score, most telling first: the buyer's own, or the
    translations when those earned more (an English need met by a Chinese listing). Per-term facts
    are worked out once per need, so each candidate costs a few set operations."""

    LIMIT = 3

    def __init__(self, telling: dict[str, float], own: set[str]) -> None:
        self.telling, self.own = telling, own & telling.keys()
        # English words and Chinese dictionary words, never a bare character bigram ("池正" of
        # 电池正极 reads as nonsense); short English words ("non" of non-exclusive) last.
        self.named = {t for t in telling if t.startswith("w:") or t.isascii()}
        self.order = {t: (t.isascii() and len(t) <= 3, -telling[t], t) for t in self.named}

    def reason(self, value: float, coverage: float, shared: set[str]) -> Value:
        """The coverage goes with the words (``is_weak_text`` reads it)."""
        if value <= 0:
            return (0.0, "text_none", {})
        weak = "_weak" if coverage < FEW_COVERAGE else ""
        params = {"coverage": f"{coverage:.4f}"}
        mine, translated = shared & self.own, shared - self.own
        groups = [("text_shared", mine), ("text_translated_terms", translated)]
        if sum(map(self.telling.__getitem__, translated)) > sum(map(self.telling.__getitem__, mine)):
            groups.reverse()
        for key, terms in groups:
            if words := self.words(terms):
                return (value, key + weak, {"terms": ", ".join(words), **params})
        return (value, "text_similar" + weak, params)  # character pairs only: no word to name

    def words(self, terms: set[str]) -> list[str]:
        named = sorted(terms & self.named, key=self.order.__getitem__)
        return list(dict.fromkeys(t.removeprefix("w:") for t in named))[: self.LIMIT]


class ClassificationOverlap:
    name, version = "classification", "1.1.0"  # 1.1: weak text matches do not vote for the field

    def inferred_codes(self, need: NeedProfile, candidates: list[Candidate], ctx: Context) -> tuple[str, ...]:
        """Subclasses most of the best text matches share: the field of a need stated without codes."""
        text = TextRelevance()
        raw, strong = text.raw_scores(need, candidates, ctx), text.strong(need, candidates, ctx)
        votes: Counter[str] = Counter()
        for i in np.argsort(-raw, kind="stable")[:INFER_TOP]:
            if strong[i] and candidates[i].id not in need.exclude:
                for sub in {levels(c)["subclass"] for c in candidates[i].codes}:
                    votes[sub] += 1
        return tuple(s for s, n in votes.items() if n >= INFER_SHARE * INFER_TOP)

    def score(self, need: NeedProfile, candidates: list[Candidate], ctx: Context) -> list[Value]:
        codes, inferred = need.codes, False
        if not codes:
            codes, inferred = self.inferred_codes(need, candidates, ctx), True
        wanted = [levels(c) for c in codes]
        return [self._best(wanted, cand, inferred) for cand in candidates]

    @staticmethod
    def _best(wanted: list[dict[str, str]], cand: Candidate, inferred: bool) -> Value:
        best: Value = (0.0, "class_none", {})
        for have in (levels(c) for c in cand.codes):
            for w in wanted:
                for level, value in DEPTH_VALUES:
                    if w[level] and w[level] == have[level]:
                        if value > best[0]:
                            key = f"class_{level}" + ("_inferred" if inferred else "")
                            best = (value, key, {"code": display_code(have[level])})
                        break
        return best


class BudgetFit:
    name, version = "budget", "1.0.0"

    def score(self, need: NeedProfile, candidates: list[Candidate], ctx: Context) -> list[Value]:
        return [self._fit(need, c) for c in candidates]

    @staticmethod
    def _fit(need: NeedProfile, cand: Candidate) -> Value:
        if need.budget_max is None or cand.currency != need.currency:
            return (0.0, "budget_unknown", {})
        if cand.ask is not None:
            params = {"ask": str(cand.ask), "max": str(need.budget_max)}
            if cand.ask <= need.budget_max:
                return (1.0, "ask_within_budget", params)
            over = (cand.ask - need.budget_max) / need.budget_max
            return (max(0.0, 1.0 - float(over)), "ask_above_budget", params)
        low, high = cand.valuation_low, cand.valuation_high
        if low is not None and high is not None:
            params = {"low": str(low), "high": str(high)}
            floor = need.budget_min or Decimal(0)
            if low <= need.budget_max and high >= floor:
                return (0.7, "valuation_overlaps_budget", params)
            return (0.0, "valuation_outside_budget", params)
        return (0.0, "price_unknown", {})


class RightsFit:
    name, version = "rights", "1.0.0"
    RIGHT_SHARE = 0.6  # the right type matters more than the territory

    def score(self, need: NeedProfile, candidates: list[Candidate], ctx: Context) -> list[Value]:
        return [self._fit(need, c) for c in candidates]

    def _fit(self, need: NeedProfile, cand: Candidate) -> Value:
        if not need.rights or cand.right_type is None:
            return (0.0, "rights_unknown", {})
        territory_ok = not need.territory or not cand.territory or need.territory in cand.territory
        params = {"right": cand.right_type, "territory": cand.territory or ""}
        if cand.right_type in need.rights:
            value = self.RIGHT_SHARE + (1 - self.RIGHT_SHARE) * territory_ok
            key = "right_offered" if territory_ok else "right_offered_other_territory"
            if territory_ok and cand.right_type in EXCLUSIVE and cand.territory:
                key = "exclusive_in_territory"
            return (value, key, params)
        # An exclusive licence offered where a non-exclusive one is wanted still serves the buyer.
        if cand.right_type in EXCLUSIVE and any(r not in EXCLUSIVE for r in need.rights):
            return (0.5 * territory_ok, "right_stronger_than_asked", params)
        return (0.0, "right_not_offered", params)


class Freshness:
    name, version = "freshness", "1.0.0"
    HALF_LIFE_DAYS = 90

    def score(self, need: NeedProfile, candidates: list[Candidate], ctx: Context) -> list[Value]:
        out: list[Value] = []
        for cand in candidates:
            if cand.published_at is None or ctx.now is None:
                out.append((0.0, "age_unknown", {}))
                continue
            days = max(0, (ctx.now - cand.published_at).days)
            out.append((0.5 ** (days / self.HALF_LIFE_DAYS), "listed_days_ago", {"days": str(days)}))
        return out


class SellerResponsiveness:
    """Sellers who answer offers and enquiries, and answer fast, are worth a buyer's call."""

    name, version = "responsiveness", "1.0.0"
    SPEED_HALF_LIFE_DAYS = 3  # an answer after three days counts half as much as one the same day
    SHARE_PART = 0.5  # answering at all matters as much as answering fast

    def score(self, need: NeedProfile, candidates: list[Candidate], ctx: Context) -> list[Value]:
        return [self._value(c) for c in candidates]

    def _value(self, cand: Candidate) -> Value:
        share, hours = cand.seller_answer_share, cand.seller_median_hours
        if share is None:
            return (0.0, "responsiveness_unknown", {})
        percent = str(round(100 * share))
        if hours is None:  # nothing answered yet
            return (self.SHARE_PART * share, "seller_answers_share", {"share": percent})
        days = hours / 24
        speed = 0.5 ** (days / self.SPEED_HALF_LIFE_DAYS)
        value = self.SHARE_PART * share + (1 - self.SHARE_PART) * speed
        if hours <= 24:
            return (value, "seller_answers_within_a_day", {"share": percent})
        return (value, "seller_answers_within_days", {"days": str(math.ceil(days)), "share": percent})


BUILTINS = (
    TextRelevance(),
    ClassificationOverlap(),
    BudgetFit(),
    RightsFit(),
    Freshness(),
    SellerResponsiveness(),
)


def register_builtins() -> None:
    """Idempotent: the registry calls this before every lookup."""
    for strategy in BUILTINS:
        registry.register(strategy, replace=True)


def is_weak_text(value: Value) -> bool:
    """A text value that alone does not make a candidate about the need (below WEAK_COVERAGE)."""
    return value[0] <= 0 or float(value[2].get("coverage", "1")) < WEAK_COVERAGE
