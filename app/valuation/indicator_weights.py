"""Indicator weights of the CNIPA value degree per dimension (legal, technical, economic): the
assessors' AHP judgements, entropy weights over the catalogue's indicator data as a suggestion, and
saving into a draft parameter set through the parameter-set lifecycle."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from sqlalchemy import select

from app.accounts.models import User
from app.catalogue.models import Patent
from app.extensions import db
from app.valuation import engine, paramsets, states
from app.valuation.batch import fact_columns
from app.valuation.engine import indicators
from app.valuation.loading import facts_by_id
from app.valuation.models import ParameterSet

MODEL_ID = "cnipa_pvd"
DIMENSIONS = ("legal", "technical", "economic")
ENTROPY_SAMPLE = 5000  # patents read for the entropy suggestion (the first by id)


def _params() -> dict[str, Any]:
    active = paramsets.active_set(MODEL_ID)
    return paramsets.current_params(active) if active else engine.validate_params(engine.get(MODEL_ID), {})


def leaves(dimension: str, params: Mapping[str, Any] | None = None) -> list[indicators.Leaf]:
    """The indicators of one dimension, in tree order."""
    tree = engine.get(MODEL_ID).tree(params if params is not None else _params())
    return [leaf for leaf in tree.leaves if leaf.path[0] == dimension]


def current_weights(dimension: str, params: Mapping[str, Any] | None = None) -> list[float]:
    """The active relative weights of a dimension's indicators, normalised to sum to 1."""
    params = params if params is not None else _params()
    tree = engine.get(MODEL_ID).tree(params)
    overrides = params.get("indicator_weights") or {}
    group = next(c for c in tree.data["children"] if c["key"] == dimension)
    raw = {c["key"]: float(overrides.get(c["key"], c.get("weight", 1.0))) for c in group.get("children", ())}
    found = [raw.get(leaf.key, 1.0) for leaf in leaves(dimension, params)]
    total = sum(found)
    return [w / total if total > 0 else 1.0 / len(found) for w in found]


def entropy_suggestion(dimension: str, on: Any) -> tuple[list[float], int, list[str]]:
    """Entropy weights of a dimension's indicators over the catalogue's patents (scored as the model
    scores them); also the number of patents read and the indicators without any spread."""
    model = engine.get(MODEL_ID)
    params = _params()
    tree = model.tree(params)
    ids = list(db.session.scalars(select(Patent.id).order_by(Patent.id).limit(ENTROPY_SAMPLE)))
    keys = [leaf.key for leaf in leaves(dimension, params)]
    if len(ids) < 2:
        return [1.0 / len(keys)] * len(keys), len(ids), keys
    facts = [f for _pid, f in facts_by_id(ids, on)]
    scores, _status = indicators.score_matrix(
        tree, fact_columns(model, facts), len(facts), model.entered(params), model.default_score(tree, params)
    )
    columns = [tree.keys.index(k) for k in keys]
    data = scores[:, columns]
    flat = [k for k, col in zip(keys, data.T, strict=True) if np.ptp(col) == 0]
    return [float(w) for w in engine.entropy_weights(data)], len(ids), flat


def _own_draft(actor: User) -> ParameterSet | None:
    return db.session.scalar(
        select(ParameterSet)
        .where(
            ParameterSet.model_id == MODEL_ID,
            ParameterSet.status == states.DRAFT,
            ParameterSet.created_by_id == actor.id,
        )
        .order_by(ParameterSet.version.desc())
        .limit(1)
    )


def save_weights(dimension: str, weights: Sequence[float], actor: User, reason: str) -> ParameterSet:
    """Put one dimension's AHP weights into the assessor's own draft (created from the active version
    when there is none); the draft still needs submitting and a second assessor's approval."""
    draft = _own_draft(actor)
    params = dict(paramsets.current_params(draft) if draft else _params())
    keys = [leaf.key for leaf in leaves(dimension, params)]
    merged = dict(params.get("indicator_weights") or {})
    merged |= {k: round(float(w), 6) for k, w in zip(keys, weights, strict=True)}
    params["indicator_weights"] = merged
    if draft is None:
        return paramsets.create_draft(MODEL_ID, actor, reason, params=params)
    return paramsets.update_draft(draft, params, actor, reason)
