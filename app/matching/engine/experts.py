"""Experts for a subject (a patent to assess, or a buyer's need): PURE scoring, like the strategies.

The web side gathers experts and their recorded conflicts into ``ExpertCandidate``; an expert with
a conflict is never scored: it is returned as an ``Exclusion`` so the page can say why it is missing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from .strategies import DEPTH_VALUES, display_code, levels
from .text import BM25Index, query_terms, tokens
from .types import Contribution, Lexicon, Match

# Classification overlap says most about who can judge a patent; the rest separate close experts.
EXPERT_WEIGHTS: Mapping[str, float] = {
    "specialty": 0.5,
    "expertise_text": 0.2,
    "qualifications": 0.15,
    "availability": 0.15,
}
AVAILABILITY_VALUES = {"available": 1.0, "limited": 0.5, "unavailable": 0.0}
QUALIFICATIONS_FOR_FULL_MARKS = 2


@dataclass(frozen=True)
class Subject:
    """What needs an expert: a patent's or a need's text and IPC/CPC codes."""

    text: str
    codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ExpertCandidate:
    """An expert as the engine sees it; ``conflict`` is (reason key, params) when one is recorded."""

    id: int
    text: str  # biography, title and industries, both languages
    specialties: tuple[str, ...] = ()  # IPC/CPC subclasses or groups ("H01M")
    qualifications: tuple[str, ...] = ()
    availability: str | None = None
    conflict: tuple[str, dict[str, str]] | None = None


@dataclass(frozen=True)
class Exclusion:
    """An expert left out of the ranking, with the reason as a template key and its parameters."""

    expert_id: int
    reason: str
    params: dict[str, str] = field(default_factory=dict)


def _specialty(subject: Subject, expert: ExpertCandidate) -> tuple[float, str, dict[str, str]]:
    best: tuple[float, str, dict[str, str]] = (0.0, "specialty_none", {})
    wanted = [levels(c) for c in subject.codes]
    for have in (levels(s) for s in expert.specialties):
        for w in wanted:
            for level, value in DEPTH_VALUES:
                if w[level] and w[level] == have[level]:
                    if value > best[0]:
                        best = (value, f"specialty_{level}", {"code": display_code(have[level])})
                    break
    return best


def _qualifications(expert: ExpertCandidate) -> tuple[float, str, dict[str, str]]:
    if not expert.qualifications:
        return (0.0, "qualifications_none", {})
    value = min(1.0, len(expert.qualifications) / QUALIFICATIONS_FOR_FULL_MARKS)
    return (value, "qualified", {"qualifications": ",".join(expert.qualifications)})


def _availability(expert: ExpertCandidate) -> tuple[float, str, dict[str, str]]:
    if expert.availability not in AVAILABILITY_VALUES:
        return (0.0, "availability_unknown", {})
    return (AVAILABILITY_VALUES[expert.availability], f"availability_{expert.availability}", {})


def _texts(subject: Subject, experts: list[ExpertCandidate], lexicon: Lexicon | None) -> list[tuple]:
    docs = [tokens(e.text, lexicon) for e in experts]
    raw = BM25Index(docs).scores(query_terms(subject.text, lexicon, cross_language=lexicon is not None))
    top = float(raw.max()) if raw.size else 0.0
    own = set(tokens(subject.text, lexicon))
    out = []
    for value, doc in zip(raw, docs, strict=True):
        if value <= 0 or top <= 0:
            out.append((0.0, "expertise_text_none", {}))
            continue
        shared = [t.removeprefix("w:") for t in doc if t in own]
        words = ", ".join(list(dict.fromkeys(t for t in shared if len(t) > 2 or t.isascii()))[:3])
        out.append(
            (float(value) / top, "expertise_text" if words else "expertise_translated", {"terms": words})
        )
    return out


def rank_experts(
    subject: Subject,
    experts: list[ExpertCandidate],
    *,
    weights: Mapping[str, float] = EXPERT_WEIGHTS,
    lexicon: Lexicon | None = None,
    limit: int | None = 5,
) -> tuple[list[Match], list[Exclusion]]:
    """Experts best first (contributions sum to the score) and the conflicted ones left out, with why.

    An expert with a conflict is listed as excluded only when they would otherwise fit the subject
    (shared field or terms): an unrelated expert's conflicts are nobody's business here."""
    if not experts:
        return [], []
    texts = _texts(subject, experts, lexicon)
    matches, excluded = [], []
    for expert, text in zip(experts, texts, strict=True):
        values = {
            "specialty": _specialty(subject, expert),
            "expertise_text": text,
            "qualifications": _qualifications(expert),
            "availability": _availability(expert),
        }
        if values["specialty"][0] <= 0 and values["expertise_text"][0] <= 0:
            continue  # availability alone does not make an expert fit the subject
        if expert.conflict:
            excluded.append(Exclusion(expert.id, expert.conflict[0], dict(expert.conflict[1])))
            continue
        parts = tuple(
            Contribution(name, weights.get(name, 0.0) * v[0], v[1], v[2]) for name, v in values.items()
        )
        matches.append(Match(expert.id, sum(p.points for p in parts), parts))
    matches.sort(key=lambda m: (-m.score, m.candidate_id))
    return (matches[:limit] if limit else matches), excluded
