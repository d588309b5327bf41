"""In-process CPU per page view (time.process_time), page cache off, on the demo data of bench/pages.py.

One process and the Flask test client, so no sockets and no contention between workers: the figure is
the app's own CPU per request, after warm-up, with the statements each request sent. Run it in another
tree (`--root /tmp/before`) to compare. `--profile PAGE` prints a cProfile of that page instead.

    .venv/bin/python bench/pages_cpu.py                        # every page, signed in and not, zh
    .venv/bin/python bench/pages_cpu.py --variants user-zh,user-en --repeat 20
    .venv/bin/python bench/pages_cpu.py --root /tmp/before     # the same for another checkout
    .venv/bin/python bench/pages_cpu.py --stat min --repeat 40 # the fastest view: steadier under load
    .venv/bin/python bench/pages_cpu.py --stat calls           # Python calls per view: independent of load
    .venv/bin/python bench/pages_cpu.py --profile listing --variants user-zh
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import re
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(HERE / "bench"))
import pages  # noqa: E402  (the demo database and the page list)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--root", type=Path, default=HERE, help="the app checkout to measure")
    parser.add_argument("--variants", default="anon-zh,user-zh")
    parser.add_argument("--only", default="")
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--warm", type=int, default=3)
    parser.add_argument(
        "--stat",
        choices=("median", "min", "calls"),
        default="median",
        help="min is steadier on a busy machine; calls: Python function calls per view (cProfile), "
        "which do not depend on the load at all",
    )
    parser.add_argument("--profile", default="", help="a page name: print its cProfile")
    args = parser.parse_args()
    pages.build_database(False)
    os.environ.update(
        {"IPEX_INSTANCE_PATH": str(pages.DATA), "PAGE_CACHE_SECONDS": "0", "MARKET_TICK_SECONDS": "0"}
    )
    sys.path.insert(0, str(args.root.resolve()))
    from sqlalchemy import event

    from app import create_app
    from app.extensions import db

    app = create_app()
    statements = [0]
    with app.app_context():
        event.listen(
            db.engine, "before_cursor_execute", lambda *a: statements.__setitem__(0, statements[0] + 1)
        )
    listed = pages.pick_pages()
    if args.only or args.profile:
        wanted = set((args.only or args.profile).split(","))
        listed = [p for p in listed if p[0] in wanted]
    clients = {}
    for variant in args.variants.split(","):
        who, lang = variant.split("-")
        client = app.test_client()
        client.environ_base.update({"HTTP_USER_AGENT": pages.AGENT, "HTTP_ACCEPT_LANGUAGE": lang})

        def token(client, path: str) -> str:
            page = client.get(path).get_data(as_text=True)
            return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)

        if who == "user":
            form = {"csrf_token": token(client, "/login"), "email": pages.USER, "password": pages.PASSWORD}
            client.post("/login", data=form)
            client.post(f"/lang/{lang}", data={"csrf_token": token(client, "/")})
            if 'action="/logout"' not in client.get("/").get_data(as_text=True):
                raise RuntimeError("login failed")
        clients[variant] = client
    print(f"{args.root}: load average {os.getloadavg()[0]:.1f}, {args.stat} of {args.repeat} views")
    unit = "calls" if args.stat == "calls" else "ms"
    print(f"{'page':<18}" + "".join(f"{v + ' ' + unit:>14}{'stmts':>6}" for v in clients))
    for name, path in listed:
        cells = []
        for variant, client in clients.items():
            for _ in range(args.warm):
                response = client.get(path)
                if response.status_code != 200:
                    raise RuntimeError(f"{path} ({variant}): {response.status_code}")
            if args.profile:
                profile = cProfile.Profile()
                profile.enable()
                for _ in range(args.repeat):
                    client.get(path)
                profile.disable()
                print(f"--- {name} {variant}")
                pstats.Stats(profile).sort_stats("cumulative").print_stats(60)
                pstats.Stats(profile).sort_stats("tottime").print_stats(30)
                continue
            if args.stat == "calls":
                profile = cProfile.Profile()
                profile.enable()
                for _ in range(args.repeat):
                    statements[0] = 0
                    client.get(path)
                profile.disable()
                calls = pstats.Stats(profile).total_calls / args.repeat
                cells.append(f"{calls:>14,.0f}{statements[0]:>6}")
                continue
            times = []
            for _ in range(args.repeat):
                statements[0] = 0
                start = time.process_time()
                client.get(path)
                times.append((time.process_time() - start) * 1000)
            figure = min(times) if args.stat == "min" else statistics.median(times)
            cells.append(f"{figure:>14.2f}{statements[0]:>6}")
        if cells:
            print(f"{name:<18}" + "".join(cells))


if __name__ == "__main__":
    main()
