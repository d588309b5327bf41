"""Valuation service benchmark: bulk revaluation end to end (load, value, combine, store) and one
interactive valuation with tornado charts, on a throwaway database.

.venv/bin/python bench/valuation_service.py [--patents 100000] [--database-url URL]
Default database: a SQLite file in a temp folder. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, insert, select  # noqa: E402

from app import create_app  # noqa: E402
from app.catalogue.models import Patent, PatentClassification  # noqa: E402
from app.extensions import db  # noqa: E402
from app.valuation import engine  # noqa: E402
from app.valuation.batch import patent_ids, revalue  # noqa: E402
from app.valuation.models import StoredValuation  # noqa: E402
from app.valuation.seed import seed_closed_deals, seed_parameter_sets  # noqa: E402
from app.valuation.services import load_config, value_patent  # noqa: E402
from config import TestingConfig  # noqa: E402

FIELDS = ("H01M", "G06N", "G06F", "H04L", "A61K", "B25J", "C12N", "G01N")


def make_patents(n: int) -> None:
    rng = random.Random(7)
    rows, codes = [], []
    now = dt.datetime.now(dt.UTC)
    for i in range(1, n + 1):
        filing = dt.date(2006 + rng.randint(0, 19), rng.randint(1, 12), 1)
        rows.append(
            {
                "id": i,
                "jurisdiction": "CN",
                "publication_number": f"CN{100000000 + i}",
                "patent_type": "invention",
                "title_zh": f"专利 {i}",
                "filing_date": filing,
                "expiry_date": filing.replace(year=filing.year + 20),
                "grant_date": filing + dt.timedelta(days=700),
                "legal_status": "granted",
                "family_countries": ["CN", "US", "EP", "JP"][: rng.randint(1, 4)],
                "family_size": rng.randint(1, 4),
                "claims_count": rng.randint(3, 40),
                "independent_claims_count": rng.randint(1, 4),
                "forward_citations": rng.randint(0, 30),
                "backward_citations": rng.randint(0, 20),
                "title_derived": False,
                "generated_fields": [],
                "moderation_status": "published",
                "created_at": now,
                "updated_at": now,
            }
        )
        field = rng.choice(FIELDS)
        codes.append(
            {
                "patent_id": i,
                "scheme": "ipc",
                "code": f"{field} 1/00",
                "search_key": f"{field}1/00",
                "subclass": field,
                "is_main": True,
                "position": 0,
            }
        )
    for start in range(0, n, 10_000):
        db.session.execute(insert(Patent), rows[start : start + 10_000])
        db.session.execute(insert(PatentClassification), codes[start : start + 10_000])
    db.session.commit()


def interactive(samples: int = 60) -> list[float]:
    """value_patent (stored) plus a tornado for every model row, as the report page does."""
    times = []
    for pid in range(1, samples + 1):
        patent = db.session.get(Patent, pid)
        t0 = time.perf_counter()
        outcome = value_patent(patent)
        for result in outcome.results.values():
            model = engine.get(result.model_id)
            engine.tornado(model, result.provenance.inputs, result.provenance.params)
        db.session.commit()
        times.append(time.perf_counter() - t0)
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--patents", type=int, default=100_000)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="ipex-bench-")
    url = args.database_url or f"sqlite:///{folder}/bench.db"
    config = type("BenchConfig", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": url, "REDIS_URL": ""})
    app = create_app(config)
    with app.app_context():
        db.drop_all()
        db.create_all()
        seed_parameter_sets(lambda _m: None)
        seed_closed_deals(lambda _m: None)
        db.session.commit()
        t0 = time.perf_counter()
        make_patents(args.patents)
        print(
            f"setup: {args.patents:,} patents inserted in {time.perf_counter() - t0:.1f} s ({url.split(':')[0]})"
        )

        ids = patent_ids()
        t0 = time.perf_counter()
        done = revalue(ids, load_config())
        bulk = time.perf_counter() - t0
        stored = db.session.scalar(select(func.count(StoredValuation.id)))
        print(
            f"bulk revalue: {done:,} patents (rfr 2,000 draws + market comps + CNIPA + cost floor + range), "
            f"{stored:,} rows stored, {bulk:.1f} s = {done / bulk:,.0f} patents/s  (target <= 60 s for 100,000)"
        )

        sample = 200
        t0 = time.perf_counter()
        config_now = load_config()
        for pid in range(1, sample + 1):
            value_patent(db.session.get(Patent, pid), config=config_now)
        db.session.commit()
        naive = (time.perf_counter() - t0) / sample
        print(
            f"naive loop (value_patent per patent, {sample} timed): {1 / naive:,.0f} patents/s, "
            f"{naive * len(ids):,.0f} s extrapolated to {len(ids):,}"
        )

        times = interactive()
        p95 = statistics.quantiles(times, n=20)[-1]
        print(
            f"interactive valuation + tornado (stored, 4 models, 60 runs): p50 {statistics.median(times) * 1000:.1f} ms, "
            f"p95 {p95 * 1000:.1f} ms  (target p95 <= 100 ms)"
        )


if __name__ == "__main__":
    main()
