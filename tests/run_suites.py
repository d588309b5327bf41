"""Run the whole test suite on SQLite, then on PostgreSQL.

Outside CI a missing PostgreSQL skips that run with a one-line reason; with CI=true it fails.
Usage: python tests/run_suites.py [pytest args...]
"""

import os
import subprocess
import sys

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def postgres_reachable(url: str) -> str | None:
    """None when we can connect, else the reason we cannot."""
    try:
        import psycopg

        conninfo = url.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(conninfo, connect_timeout=3):
            return None
    except Exception as error:  # any failure means: not usable for this run
        return str(error).strip().splitlines()[0]


def run_pytest(label: str, args: list[str], extra_env: dict[str, str]) -> int:
    print(f"\n===== test suite on {label} =====", flush=True)
    env = {**os.environ, **extra_env}
    return subprocess.call([sys.executable, "-m", "pytest", *args], env=env)


def main() -> int:
    args = sys.argv[1:]
    in_ci = os.environ.get("CI", "").lower() == "true"
    results = {"SQLite": run_pytest("SQLite", args, {"TEST_DATABASE_URL": "sqlite://"})}
    postgres_url = os.environ.get("TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)
    reason = postgres_reachable(postgres_url)
    if reason is None:
        results["PostgreSQL"] = run_pytest("PostgreSQL", args, {"TEST_DATABASE_URL": postgres_url})
    elif in_ci:
        print(f"PostgreSQL is required in CI but not reachable at {postgres_url}: {reason}")
        results["PostgreSQL"] = 1
    else:
        print(
            f"SKIPPED the PostgreSQL run: not reachable at {postgres_url} ({reason}); start it or set TEST_POSTGRES_URL."
        )
    print("\n===== summary =====")
    for label, code in results.items():
        print(f"{label}: {'passed' if code == 0 else f'FAILED (pytest exit {code})'}")
    return 0 if all(code == 0 for code in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
