"""Measure the hash-chained audit log: appends per second and a full verification.

    .venv/bin/python bench/audit_chain.py [N] [DATABASE_URL]

Uses a temporary SQLite file unless a URL is given (it must be an empty database).
"""

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app import create_app  # noqa: E402
from app.core.actors import ensure_system_actor  # noqa: E402
from app.core.audit_chain import chain_append, verify_chain  # noqa: E402
from app.extensions import db  # noqa: E402
from config import TestingConfig  # noqa: E402


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    url = sys.argv[2] if len(sys.argv) > 2 else f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    config = type("BenchConfig", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": url})
    app = create_app(config)
    with app.app_context():
        db.create_all()
        actor = ensure_system_actor()
        db.session.commit()
        started = time.perf_counter()
        for i in range(n):
            chain_append("bench.step", "bench", i, actor, {"i": i, "price": "125000.00"})
            if i % 100 == 99:
                db.session.commit()
        db.session.commit()
        appended = time.perf_counter() - started
        started = time.perf_counter()
        broken = verify_chain()
        verified = time.perf_counter() - started
        print(
            f"{db.engine.dialect.name}: {n} appends in {appended:.2f} s ({n / appended:,.0f}/s, commits every 100)"
        )
        print(
            f"verify_chain over {n} entries: {verified:.2f} s ({n / verified:,.0f} entries/s), broken={broken}"
        )


if __name__ == "__main__":
    main()
