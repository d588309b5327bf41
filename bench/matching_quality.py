"""Matching quality: P@10, MRR@10, nDCG@10 per language for each strategy, the combination and
plain BM25 / TF-IDF baselines, on real patents with CPC labels (no database).

A patent's text is the need, the patent is hidden, relevant = same CPC subclass (the Chinese sample
is all G06F, so same-language Chinese is judged by main group). ``--tune`` grid-searches the
text/classification weights on the training split (Chinese: train and val files as one pool);
``--tune-alpha`` the
text scale's ideal share (``engine.text.IDEAL_SHARE``) the same way; report on test.

    .venv/bin/python bench/matching_quality.py [--data /work/shared/data] [--split train] [--tune | --tune-alpha]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.matching import evaluation  # noqa: E402
from app.matching.engine import DEFAULT_WEIGHTS, text  # noqa: E402

DEFAULT_DATA = os.environ.get(
    "IPEX_SHARED_DATA", str(Path(__file__).resolve().parents[1].parent / "shared" / "data")
)


def tune(data: Path) -> None:
    """The text share of the text + classification weight, on the training split only."""
    for text_share in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 1.0):
        weights = {"text": text_share, "classification": round(1 - text_share, 2)}
        rows = evaluation.run(data, "train", {"combination": evaluation.combination_ranker(weights)})
        cells = "  ".join(f"{r['lang']} nDCG {r['nDCG@10']:.3f}" for r in rows)
        print(f"text {text_share:.1f}: {cells}")


def tune_alpha(data: Path, shares: list[float]) -> None:
    """The share of the ideal text score that earns full text marks, on the training split only."""
    for share in shares:
        text.IDEAL_SHARE = share  # 0: relative to the pool's best, as before 1.1
        rows = evaluation.run(data, "train", {"combination": evaluation.combination_ranker(DEFAULT_WEIGHTS)})
        cells = "  ".join(f"{r['lang']} nDCG {r['nDCG@10']:.3f}" for r in rows)
        print(f"ideal share {share:.2f}: {cells}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=DEFAULT_DATA)
    parser.add_argument(
        "--split",
        choices=("train", "test"),
        default="test",
        help="train: the files to tune on (zh: train + val)",
    )
    parser.add_argument("--tune", action="store_true")
    parser.add_argument(
        "--tune-alpha", type=float, nargs="*", help="the text scale's ideal shares to try (0: relative)"
    )
    args = parser.parse_args()
    data = Path(args.data)
    if args.tune:
        tune(data)
        return
    if args.tune_alpha is not None:
        tune_alpha(data, args.tune_alpha or [0.0, 0.1, 0.2, 0.3, 0.5, 1.0])
        return
    print(f"weights: {dict(DEFAULT_WEIGHTS)} (budget, rights, freshness score 0 here: no prices in the data)")
    print(evaluation.format_rows(evaluation.run(data, args.split)))
    print("combination against BM25, needs better / equal / worse (nDCG@10):")
    for row in evaluation.wins(data, args.split):
        print(f"  {row['lang']:6} {row['better']} / {row['equal']} / {row['worse']}")


if __name__ == "__main__":
    main()
