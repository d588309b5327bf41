"""Benchmark of the pure valuation engine: batch throughput vs a naive per-patent loop, interactive latency.

Run: .venv/bin/python bench/valuation_engine.py   (about two minutes on 2 cores)
The naive loop (model.value() per patent) is timed on a small sample and extrapolated; each line says so.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.valuation.engine import get, tornado  # noqa: E402

RNG = np.random.default_rng(2024)
OFFICES = np.array(["CN", "US", "EP", "JP", "KR", "DE", "GB"])
STATUSES = np.array(["valid", "valid", "valid", "valid_after_invalidation", "pending", "lapsed"])
IPCS = np.array(["H04L", "H04W", "G06F", "G06N", "A61K", "C12N", "H01M", "B60L", "F16H", "G01N"])
RFR_PARAMS = {
    "revenue": 2_000_000.0,
    "growth": 0.03,
    "royalty_rate": 0.04,
    "discount_rate": 0.12,
    "years": 10.0,
    # offsets around the points (rfr 2.0.0): royalty 2-7 %, discount 9-18 %, growth -2 to 8 %
    "royalty_rate_dist": {"dist": "pert", "low": -0.02, "mode": 0.0, "high": 0.03},
    "discount_rate_dist": {"dist": "triangular", "low": -0.03, "mode": 0.0, "high": 0.06},
    "revenue_dist": {"dist": "lognormal", "median": 1.0, "sigma": 0.35},
    "growth_dist": {"dist": "uniform", "low": -0.05, "high": 0.05},
}


def patents(n: int) -> dict[str, object]:
    """Synthetic columnar patent facts."""
    fam_sizes = RNG.integers(1, 4, n)
    return {
        "remaining_years": RNG.uniform(10, 20, n),
        "claims_count": RNG.integers(1, 40, n).astype(float),
        "independent_claims_count": RNG.integers(1, 5, n).astype(float),
        "forward_citations": RNG.poisson(4, n).astype(float),
        "backward_citations": RNG.poisson(10, n).astype(float),
        "filing_year": RNG.integers(2008, 2020, n).astype(float),
        "legal_status": STATUSES[RNG.integers(0, len(STATUSES), n)].tolist(),
        "ipc_main": IPCS[RNG.integers(0, len(IPCS), n)].tolist(),
        "family_countries": [OFFICES[:k].tolist() for k in fam_sizes],
        "revenue": RNG.lognormal(14, 1, n),
    }


def rows(cols: dict[str, object], n: int) -> list[dict[str, object]]:
    """The first n patents as per-patent dicts for the naive loop."""
    return [
        {k: (v[i].item() if isinstance(v, np.ndarray) else v[i]) for k, v in cols.items()} for i in range(n)
    ]


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def naive_rate(model_id: str, cols: dict[str, object], params: dict[str, object], sample: int) -> float:
    """Patents per second of a Python loop calling model.value() once per patent."""
    model = get(model_id)
    inputs = [
        {k: v for k, v in r.items() if k in {s.name for s in model.input_schema}} for r in rows(cols, sample)
    ]
    return sample / timed(lambda: [model.value(x, params, 1) for x in inputs])


def line(label: str, batch: float, naive: float, target: str, sample: int) -> None:
    print(
        f"{label:<46} batch {batch:>12,.0f}/s   naive loop {naive:>9,.0f}/s (sampled {sample}, extrapolated)"
        f"   x{batch / naive:,.0f}   target {target}"
    )


def bench_indicators(cols: dict[str, object], n: int) -> None:
    oecd_cols = {
        k: cols[k]
        for k in ("filing_year", "ipc_main", "forward_citations", "backward_citations", "claims_count")
    }
    for model_id, columns, params in (
        ("cnipa_pvd", cols, {}),
        ("gbt42748", cols, {"scenario": "finance_pledge"}),
        ("oecd_indicators", oecd_cols, {}),
    ):
        model = get(model_id)
        model.value_batch({k: v[:1000] for k, v in columns.items()}, params)  # warm-up
        rate = n / timed(lambda m=model, c=columns, p=params: m.value_batch(c, p, 1))
        if model_id == "oecd_indicators":
            peers = rows(oecd_cols, 200)
            one = rows(oecd_cols, 100)
            naive = 100 / timed(
                lambda m=model, o=one, pe=peers, p=params: [m.value(r | {"cohort": pe}, p, 1) for r in o]
            )
        else:
            naive = naive_rate(model_id, columns, params, 500)
        line(
            f"{model_id} ({n:,} patents)",
            rate,
            naive,
            ">= 200,000/s",
            100 if model_id == "oecd_indicators" else 500,
        )


def bench_rfr(cols: dict[str, object]) -> None:
    model = get("rfr")
    params = RFR_PARAMS | {"draws": 10_000}
    n = 3000
    sub = {"remaining_years": np.full(n, 10.0), "revenue": cols["revenue"][:n], "ask_price": np.full(n, 1e6)}
    rate = n / timed(lambda: model.value_batch(sub, params, 1))
    naive = naive_rate("rfr", sub, params, 20)
    line(f"rfr MC 10,000 draws x 10 yr ({n:,} patents)", rate, naive, ">= 1,000/s", 20)


def bench_revalue(cols: dict[str, object]) -> None:
    model = get("rfr")
    params = RFR_PARAMS | {"draws": 2000}
    n = 100_000
    sub = {
        "remaining_years": cols["remaining_years"][:n],
        "revenue": cols["revenue"][:n],
        "ask_price": np.full(n, 1e6),
    }
    seconds = timed(lambda: model.value_batch(sub, params, 1))
    naive = naive_rate("rfr", sub, params, 50)
    print(
        f"{'re-value 100,000 listings, rfr 2,000 draws':<46} batch {seconds:>10.1f} s    naive loop {n / naive:>9,.0f} s "
        f"(sampled 50, extrapolated)   target <= 60 s"
    )


def bench_interactive() -> None:
    model = get("rfr")
    params = RFR_PARAMS | {"draws": 10_000}
    inputs = {"remaining_years": 12.0, "ask_price": 1_500_000.0}
    samples = []
    for _ in range(60):
        start = time.perf_counter()
        model.value(inputs, params, 7)
        tornado(model, inputs, params, 7)
        samples.append((time.perf_counter() - start) * 1000)
    p95 = statistics.quantiles(samples, n=20)[18]
    print(
        f"{'interactive rfr (10,000 draws) + tornado':<46} p50 {statistics.median(samples):6.1f} ms   "
        f"p95 {p95:6.1f} ms   (60 runs)   target p95 <= 100 ms"
    )


def main() -> None:
    """Print every figure beside its naive-loop baseline."""
    n = 200_000
    cols = patents(n)
    print(f"valuation engine benchmark (numpy {np.__version__}, python {sys.version.split()[0]})")
    bench_indicators(cols, n)
    bench_rfr(cols)
    bench_revalue(cols)
    bench_interactive()


if __name__ == "__main__":
    main()
