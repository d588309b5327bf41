"""Matching quality: P@10, MRR@10, nDCG@10 per language for each strategy, the combination and
plain BM25 / TF-IDF baselines, on real patents with CPC labels (no database).

A patent's text is the need, the patent is hidden, relevant = same CPC subclass (the Chinese sample
is all G06F, so same-language Chinese is judged by main group). ``--tune`` grid-searches the
text/classification weights on the training split (Chinese: validation split); report on test.

    .venv/bin/python bench/matching_quality.py [--data /work/shared/data] [--tune]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.matching import evaluation  # noqa: E402
from app.matching.engine import DEFAULT_WEIGHTS  # noqa: E402

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=DEFAULT_DATA)
    parser.add_argument("--tune", action="store_true")
    args = parser.parse_args()
    data = Path(args.data)
    if args.tune:
        tune(data)
        return
    print(f"weights: {dict(DEFAULT_WEIGHTS)} (budget, rights, freshness score 0 here: no prices in the data)")
    print(evaluation.format_rows(evaluation.run(data, "test")))


if __name__ == "__main__":
    main()
