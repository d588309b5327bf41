"""Time a need's match list (listings + catalogue patents not yet offered, with marks) and a
patent's expert recommendations on a seeded database; prints medians in milliseconds.

    DATABASE_URL=sqlite:////tmp/demo.db .venv/bin/flask db upgrade
    DATABASE_URL=sqlite:////tmp/demo.db .venv/bin/flask seed-demo
    DATABASE_URL=sqlite:////tmp/demo.db .venv/bin/python bench/matching_need_page.py [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app import create_app  # noqa: E402
from app.accounts.models import Role, User  # noqa: E402
from app.catalogue.models import Patent, PatentClassification  # noqa: E402
from app.extensions import db  # noqa: E402
from app.matching import experts, marks  # noqa: E402
from app.matching.models import Need  # noqa: E402


def _median_ms(call, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    app = create_app()
    with app.test_request_context():
        patents = db.session.scalar(db.select(db.func.count(Patent.id)))
        print(f"catalogue patents: {patents}")
        for need in db.session.scalars(db.select(Need).order_by(Need.id)):
            rows = marks.need_matches(need, need.buyer)
            ms = _median_ms(lambda need=need: marks.need_matches(need, need.buyer), args.runs)
            kinds = {k: sum(r.kind == k for r in rows) for k in ("listing", "patent")}
            print(f"need {need.id}: {kinds} shown, median {ms:.0f} ms")
        assessor = next(u for u in db.session.scalars(db.select(User)) if u.has_role(Role.ASSESSOR))
        h01m = db.select(PatentClassification.patent_id).where(PatentClassification.subclass == "H01M")
        for patent in db.session.scalars(db.select(Patent).where(Patent.id.in_(h01m)).limit(3)):
            found = experts.experts_for_patent(patent, assessor)
            ms = _median_ms(lambda patent=patent: experts.experts_for_patent(patent, assessor), args.runs)
            print(
                f"patent {patent.id}: {len(found.matches)} experts, {len(found.excluded)} excluded, "
                f"median {ms:.0f} ms"
            )


if __name__ == "__main__":
    main()
