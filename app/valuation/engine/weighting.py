"""Weighting tools for the indicator models: AHP, entropy weights, fuzzy comprehensive evaluation."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.special import xlogy

from .errors import InconsistentMatrixError, ParameterError
from .tables import SAATY_RI

MAX_CR = 0.10
RECIPROCITY_TOLERANCE = 0.01


@dataclass(frozen=True)
class AhpResult:
    """Weights from a pairwise comparison matrix, with its consistency figures."""

    weights: tuple[float, ...]
    lambda_max: float
    ci: float
    cr: float
    ri: float


def _check_matrix(a: np.ndarray) -> None:
    n = a.shape[0] if a.ndim == 2 else 0
    if a.ndim != 2 or a.shape != (n, n) or not 1 <= n <= 10:
        raise ParameterError.single(
            "matrix", "must be a square matrix of size 1 to 10", "必须是 1 到 10 阶方阵"
        )
    if not np.isfinite(a).all() or (a <= 0).any():
        raise ParameterError.single("matrix", "entries must be finite and positive", "元素必须是有限正数")
    if not np.allclose(np.diag(a), 1.0):
        raise ParameterError.single("matrix", "the diagonal must be 1", "对角线必须为 1")
    bad = np.argwhere(np.abs(a * a.T - 1.0) > RECIPROCITY_TOLERANCE)
    if bad.size:
        i, j = bad[0]
        raise ParameterError.single(
            "matrix",
            f"not reciprocal at ({i},{j}): a[{i},{j}] x a[{j},{i}] must be 1",
            f"在 ({i},{j}) 处不互反：a[{i},{j}] × a[{j},{i}] 必须为 1",
        )


def ahp(
    matrix: Sequence[Sequence[float]], labels: Sequence[str] | None = None, max_cr: float = MAX_CR
) -> AhpResult:
    """Principal-eigenvector weights; refuses judgements with CR above max_cr, naming the worst pair."""
    a = np.asarray(matrix, dtype=float)
    _check_matrix(a)
    n = a.shape[0]
    values, vectors = np.linalg.eig(a)
    k = int(np.argmax(values.real))
    w = np.abs(vectors[:, k].real)
    w = w / w.sum()
    lam = float(values[k].real)
    ci = (lam - n) / (n - 1) if n > 2 else 0.0
    ri = SAATY_RI[n]
    cr = ci / ri if ri > 0 else 0.0
    if cr > max_cr:
        # |ln(a_ij w_j / w_i)| treats a judgement 4x too high and 4x too low alike; |ratio - 1| is
        # bounded by 1 for judgements that are too low, and so missed reversed judgements.
        deviation = np.abs(np.log(a * w[None, :] / w[:, None]))
        deviation[np.tril_indices(n)] = -1.0
        i, j = (int(x) for x in np.unravel_index(np.argmax(deviation), deviation.shape))
        raise InconsistentMatrixError(cr, (i, j), (labels[i], labels[j]) if labels else None)
    return AhpResult(tuple(float(x) for x in w), lam, max(ci, 0.0), max(cr, 0.0), ri)


def entropy_weights(data: Sequence[Sequence[float]], benefit: Sequence[bool] | None = None) -> np.ndarray:
    """Objective weights: criteria whose values spread more across alternatives weigh more."""
    x = np.asarray(data, dtype=float)
    if x.ndim != 2 or x.shape[0] < 2 or x.shape[1] < 1 or not np.isfinite(x).all():
        raise ParameterError.single(
            "data",
            "needs a finite matrix with at least 2 alternatives (rows)",
            "需要至少含 2 个备选方案（行）的有限矩阵",
        )
    lo, hi = x.min(axis=0), x.max(axis=0)
    span = np.where(hi > lo, hi - lo, 1.0)
    norm = (x - lo) / span
    if benefit is not None:
        norm = np.where(np.asarray(benefit, dtype=bool)[None, :], norm, 1.0 - norm)
    col = norm.sum(axis=0)
    p = np.where(col > 0, norm / np.where(col > 0, col, 1.0), 1.0 / x.shape[0])
    entropy = -xlogy(p, p).sum(axis=0) / np.log(x.shape[0])
    d = np.where(hi > lo, np.clip(1.0 - entropy, 0.0, None), 0.0)
    return d / d.sum() if d.sum() > 0 else np.full(x.shape[1], 1.0 / x.shape[1])


def combine_weights(
    subjective: Sequence[float], objective: Sequence[float], alpha: float = 0.5
) -> np.ndarray:
    """Blend subjective (AHP) and objective (entropy) weights: alpha*s + (1-alpha)*o, normalised."""
    s, o = np.asarray(subjective, dtype=float), np.asarray(objective, dtype=float)
    if s.shape != o.shape or not 0.0 <= alpha <= 1.0:
        raise ParameterError.single(
            "weights",
            "weight vectors must match and alpha lie in [0, 1]",
            "权重向量长度必须一致，alpha 必须在 [0, 1] 之内",
        )
    w = alpha * s / s.sum() + (1.0 - alpha) * o / o.sum()
    return w / w.sum()


@dataclass(frozen=True)
class FuzzyResult:
    """Membership of the object in each grade, and an optional crisp score."""

    membership: tuple[float, ...]
    score: float | None


def fuzzy_evaluate(
    weights: Sequence[float],
    membership: Sequence[Sequence[float]],
    grade_scores: Sequence[float] | None = None,
    operator: str = "weighted_average",
) -> FuzzyResult:
    """B = W o R with the weighted-average operator M(., +) (or max-min M(^, v)), normalised."""
    w = np.asarray(weights, dtype=float)
    r = np.asarray(membership, dtype=float)
    if r.ndim != 2 or w.shape != (r.shape[0],) or (w < 0).any() or (r < 0).any() or not w.sum() > 0:
        raise ParameterError.single(
            "membership",
            "needs one row of non-negative grade memberships per weighted factor",
            "每个加权因素需要一行非负的等级隶属度",
        )
    w = w / w.sum()
    if operator == "weighted_average":
        b = w @ r
    elif operator == "max_min":
        b = np.minimum(w[:, None], r).max(axis=0)
    else:
        raise ParameterError.single(
            "operator", "must be weighted_average or max_min", "必须是 weighted_average 或 max_min"
        )
    b = b / b.sum() if b.sum() > 0 else b
    score = None
    if grade_scores is not None:
        g = np.asarray(grade_scores, dtype=float)
        if g.shape != b.shape:
            raise ParameterError.single("grade_scores", "needs one score per grade", "每个等级需要一个分值")
        score = float(b @ g)
    return FuzzyResult(tuple(float(x) for x in b), score)


SAATY_VALUES = tuple(1.0 / k for k in range(9, 1, -1)) + tuple(float(k) for k in range(1, 10))


def judgements_from_weights(weights: Sequence[float]) -> dict[tuple[int, int], float]:
    """Saaty-scale judgements (1/9 ... 9) nearest, on a log scale, to w_i / w_j for every pair i < j:
    a starting point for an AHP form from other weights (e.g. entropy weights)."""
    w = np.asarray(weights, dtype=float)
    if w.ndim != 1 or len(w) < 2 or not np.isfinite(w).all() or (w < 0).any():
        raise ParameterError.single(
            "weights", "needs at least two finite weights >= 0", "至少需要两个不小于 0 的有限权重"
        )
    w = np.maximum(w, 1e-9)
    scale = np.log(np.asarray(SAATY_VALUES))
    out = {}
    for i in range(len(w)):
        for j in range(i + 1, len(w)):
            ratio = np.clip(np.log(w[i] / w[j]), scale[0], scale[-1])
            out[(i, j)] = SAATY_VALUES[int(np.argmin(np.abs(scale - ratio)))]
    return out
