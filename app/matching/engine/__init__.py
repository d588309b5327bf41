"""Matching engine: PURE scoring (stdlib, numpy, scipy). No Flask, no SQLAlchemy, nothing from ``app``.

The web side gathers needs and candidates into the dataclasses of ``types`` and passes the
cross-language dictionary in as a ``Lexicon``; strategies score, ``combine.rank`` adds them up.
"""

from .combine import DEFAULT_WEIGHTS, rank
from .registry import ENTRY_POINT_GROUP, UnknownStrategyError, available, discover, get, register
from .types import Candidate, Contribution, Lexicon, Match, NeedProfile

__all__ = [
    "DEFAULT_WEIGHTS",
    "ENTRY_POINT_GROUP",
    "Candidate",
    "Contribution",
    "Lexicon",
    "Match",
    "NeedProfile",
    "UnknownStrategyError",
    "available",
    "discover",
    "get",
    "rank",
    "register",
]
