"""Page speed under gunicorn (2 sync workers) as ratios to a hello-world Flask app in the same run.

Builds (or reuses) the demo database in bench/data/pages/ (`flask db upgrade`, `flask catalogue
reindex --if-stale`, `flask seed-demo`), starts gunicorn for the app and for a hello-world Flask
anchor with the same settings, then drives every page with wrk (Debian package `wrk`:
`apt-get install -y wrk`), or with a small Python load generator when wrk is missing. Each page is
requested anonymously and signed in (a session cookie from a real login), in zh and in en.

Printed per page and variant: req/s, p50/p95 client latency, the ratio to the anchor (measured
before and after the pages; the mean is the denominator) and the p95 of the server time (gunicorn's
access log `%(D)s`: request read to response written, without the queue in front of the workers).

    .venv/bin/python bench/pages.py                         # every page, 5 s each, 16 connections
    .venv/bin/python bench/pages.py --duration 3 --only home,search-battery --variants anon-zh
    .venv/bin/python bench/pages.py --rebuild               # a fresh demo database first
    git archive main | tar -x -C /tmp/before && ln -s $PWD/.venv /tmp/before/.venv   # and its .mo files
    .venv/bin/python bench/pages.py --compare /tmp/before   # both trees, page by page, same anchor
"""

from __future__ import annotations

import argparse
import http.client
import http.cookiejar
import os
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data" / "pages"
HELLO = "from flask import Flask\napp = Flask(__name__)\n\n@app.get('/')\ndef hello():\n    return 'Hello, World!'\n"
LUA = """
done = function(summary, latency, requests)
  io.write(string.format("PCTL %d %d %d\\n", latency:percentile(50), latency:percentile(95),
    latency:percentile(99)))
end
"""
USER = "buyer@ipex.demo"
PASSWORD = "demo-pass-2026"  # noqa: S105  (the public demo login printed by seed-demo)
VARIANTS = ("anon-zh", "anon-en", "user-zh", "user-en")
# Flask-Login's "strong" session protection ties a session to the browser: log in and load with one agent.
AGENT = "ipex-pages-bench"


@dataclass
class Result:
    rate: float  # requests/s
    p50_ms: float
    p95_ms: float
    errors: int  # non-2xx/3xx responses and socket errors


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def flask_env() -> dict[str, str]:
    return {
        **os.environ,
        "FLASK_APP": "wsgi",
        "IPEX_INSTANCE_PATH": str(DATA),
        "PYTHONPATH": str(ROOT),
        "MARKET_TICK_SECONDS": "0",  # no background ticks writing while we measure
    }


def build_database(rebuild: bool) -> None:
    database = DATA / "ipex.db"
    if rebuild and database.exists():
        database.unlink()
    if database.exists():
        return
    DATA.mkdir(parents=True, exist_ok=True)
    flask = str(ROOT / ".venv" / "bin" / "flask")
    for step in (["db", "upgrade"], ["catalogue", "reindex", "--if-stale"], ["seed-demo"]):
        print("flask", " ".join(step), flush=True)
        subprocess.run([flask, *step], cwd=ROOT, env=flask_env(), check=True, capture_output=True)  # noqa: S603


def pick_pages() -> list[tuple[str, str]]:
    """Real ids from the demo database: a listed patent (the richest pages), its listing, an auction."""
    db = sqlite3.connect(DATA / "ipex.db")
    one = lambda sql, *args: db.execute(sql, args).fetchone()[0]  # noqa: E731
    listing = one("SELECT id FROM listings WHERE status = 'published' ORDER BY id LIMIT 1")
    patent = one(
        "SELECT patent_id FROM listing_patents WHERE listing_id = ? ORDER BY patent_id LIMIT 1", listing
    )
    auction = one("SELECT id FROM auctions WHERE status = 'open' ORDER BY id LIMIT 1")
    project = one("SELECT id FROM innovation_projects ORDER BY id LIMIT 1")
    expert = one("SELECT id FROM experts ORDER BY id LIMIT 1")
    need = one("SELECT id FROM needs WHERE status = 'open' ORDER BY id LIMIT 1")
    db.close()
    return [
        ("home", "/"),
        ("search-battery", "/catalogue/search?q=battery"),
        ("search-电池", "/catalogue/search?q=" + urllib.parse.quote("电池")),
        ("patent", f"/patents/{patent}"),
        ("listing", f"/market/listings/{listing}"),
        ("auction", f"/market/auctions/{auction}"),
        ("valuation-report", f"/valuation/patents/{patent}"),
        ("chart-svg", f"/valuation/patents/{patent}/charts/range.svg"),
        ("needs-board", "/needs/"),
        ("need", f"/needs/{need}"),
        ("expert", f"/experts/{expert}"),
        ("project", f"/projects/{project}"),
    ]


def serve(app: str, cwd: str, env: dict, log: Path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "--workers",
        "2",
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        "--access-logfile",
        str(log),
        "--access-logformat",
        "%(s)s %(D)s",
        app,
    ]
    process = subprocess.Popen(command, cwd=cwd, env=env)  # noqa: S603
    for _ in range(150):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).read()  # noqa: S310
            return process, port
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError(f"{app} did not start")


def login(port: int, lang: str) -> str:
    """A signed-in session cookie for the demo user, with the language chosen in the session."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.addheaders = [("User-Agent", AGENT)]
    base = f"http://127.0.0.1:{port}"

    def token(path: str) -> str:
        page = opener.open(base + path, timeout=30).read().decode()
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)

    form = {"csrf_token": token("/login"), "email": USER, "password": PASSWORD}
    opener.open(base + "/login", urllib.parse.urlencode(form).encode(), timeout=30).read()
    opener.open(
        base + f"/lang/{lang}", urllib.parse.urlencode({"csrf_token": token("/")}).encode(), timeout=30
    )
    page = opener.open(base + "/", timeout=30).read().decode()
    if 'action="/logout"' not in page:
        raise RuntimeError("login failed")
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def headers_for(variant: str, cookies: dict[str, str] | None) -> dict[str, str]:
    who, lang = variant.split("-")
    headers = {"Accept-Language": lang, "User-Agent": AGENT}
    if who == "user":
        headers["Cookie"] = cookies[lang]
    return headers


def run_wrk(url: str, headers: dict[str, str], duration: float, connections: int, lua: Path) -> Result:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{duration:g}s", "-s", str(lua)]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run(  # noqa: S603
        [*command, url], capture_output=True, text=True, check=True, timeout=duration + 60
    ).stdout
    p50, p95, _ = (int(x) / 1000 for x in re.search(r"PCTL (\d+) (\d+) (\d+)", output).groups())
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", output))
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    if socket_errors:
        errors += sum(int(n) for n in socket_errors.groups())
    return Result(float(output.split("Requests/sec:")[1].split()[0]), p50, p95, errors)


def run_python(url: str, headers: dict[str, str], duration: float, connections: int) -> Result:
    """The fallback load generator: one keep-alive connection per thread (slower than wrk)."""
    parts = urllib.parse.urlsplit(url)
    path = parts.path + ("?" + parts.query if parts.query else "")
    latencies: list[float] = []
    errors = [0]
    stop = time.monotonic() + duration

    def worker() -> None:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        while time.monotonic() < stop:
            start = time.perf_counter()
            try:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
                if response.status >= 400:
                    errors[0] += 1
            except OSError:
                errors[0] += 1
                connection.close()
                connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
                continue
            latencies.append(time.perf_counter() - start)
        connection.close()

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    begin = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - begin
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return Result(len(latencies) / elapsed, cuts[49] * 1000, cuts[94] * 1000, errors[0])


def drain(port: int) -> None:
    """Wait until the server has worked off the requests wrk left queued when it stopped, so a slow
    page does not steal the next measurement's CPU (one request answered = the queue is empty)."""
    urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=120).read()  # noqa: S310


def server_p95(log: Path, offset: int) -> tuple[float, int]:
    """p95 of the server time (ms) of the requests logged since `offset`, and the new offset."""
    with log.open() as handle:
        handle.seek(offset)
        text = handle.read()
        end = handle.tell()
    times = [int(line.split()[1]) / 1000 for line in text.splitlines() if line.strip()]
    if len(times) < 2:
        return (times[0] if times else 0.0), end
    return statistics.quantiles(times, n=100)[94], end


@dataclass
class Target:
    """One app server under test: this tree, or another checkout given with --compare."""

    label: str
    root: Path
    port: int = 0
    log: Path | None = None
    offset: int = 0
    cookies: dict[str, str] | None = None


def warm(target: Target, pages: list[tuple[str, str]], variants: list[str]) -> None:
    """Fill both workers' caches and templates, and check each variant is what it claims to be."""
    base = f"http://127.0.0.1:{target.port}"
    for _name, path in pages:
        for variant in variants:
            for _ in range(4):
                request = urllib.request.Request(base + path, headers=headers_for(variant, target.cookies))  # noqa: S310
                with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
                    body = response.read()
            signed_in = variant.startswith("user") if path.endswith(".svg") else b'action="/logout"' in body
            if signed_in != variant.startswith("user"):
                raise RuntimeError(f"{target.label} {path} ({variant}) is not what it should be")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=float, default=5)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--only", default="", help="comma-separated page names (default: all)")
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--rebuild", action="store_true", help="build a fresh demo database first")
    parser.add_argument("--python-load", action="store_true", help="use the Python load generator, not wrk")
    parser.add_argument(
        "--compare",
        type=Path,
        help="another checkout of the app (e.g. `git archive main`) measured alongside",
    )
    args = parser.parse_args()
    use_wrk = bool(shutil.which("wrk")) and not args.python_load
    build_database(args.rebuild)
    pages = pick_pages()
    if args.only:
        wanted = set(args.only.split(","))
        pages = [p for p in pages if p[0] in wanted]
    variants = [v for v in args.variants.split(",") if v]
    workdir = Path(tempfile.mkdtemp(prefix="ipex-pages-bench-"))
    (workdir / "hello.py").write_text(HELLO)
    lua = workdir / "report.lua"
    lua.write_text(LUA)
    env = {**flask_env(), "TMPDIR": str(workdir)}
    targets = [Target("this tree", ROOT)]
    if args.compare:
        targets.append(Target("compared", args.compare.resolve()))
    servers: list[subprocess.Popen] = []

    def load(url: str, headers: dict[str, str]) -> Result:
        if use_wrk:
            return run_wrk(url, headers, args.duration, args.connections, lua)
        return run_python(url, headers, args.duration, args.connections)

    try:
        hello, hello_port = serve("hello:app", str(workdir), env, workdir / "hello.log")
        servers.append(hello)
        for number, target in enumerate(targets):
            target.log = workdir / f"app{number}.log"
            process, target.port = serve(
                "wsgi:app", str(target.root), {**env, "PYTHONPATH": str(target.root)}, target.log
            )
            servers.append(process)
            target.cookies = {
                lang: login(target.port, lang) for lang in ("zh", "en") if f"user-{lang}" in variants
            }
            warm(target, pages, variants)
        tool = f"wrk -t2 -c{args.connections} -d{args.duration:g}s" if use_wrk else "python load generator"
        print(f"gunicorn 2 sync workers, {tool}; load average {os.getloadavg()[0]:.1f} at start")
        anchors = [load(f"http://127.0.0.1:{hello_port}/", {})]
        for target in targets:
            target.offset = target.log.stat().st_size
        rows = []
        for number, (name, path) in enumerate(pages):
            if number == len(pages) // 2:
                anchors.append(load(f"http://127.0.0.1:{hello_port}/", {}))
            for variant in variants:
                for target in targets:
                    result = load(
                        f"http://127.0.0.1:{target.port}{path}", headers_for(variant, target.cookies)
                    )
                    drain(target.port)
                    p95_server, target.offset = server_p95(target.log, target.offset)
                    rows.append((name, variant, target.label, result, p95_server))
        anchors.append(load(f"http://127.0.0.1:{hello_port}/", {}))
        anchor = statistics.mean(a.rate for a in anchors)
        spread = ", ".join(f"{a.rate:,.0f}" for a in anchors)
        print(f"hello world (start, middle, end): {spread} req/s; anchor = mean {anchor:,.0f} req/s")
        print(
            f"{'page':<18}{'variant':<9}{'tree':<11}{'req/s':>8}{'ratio':>8}{'p50 ms':>8}{'p95 ms':>8}"
            f"{'server p95':>12}"
        )
        for name, variant, label, result, p95_server in rows:
            flag = f"  ({result.errors} errors)" if result.errors else ""
            print(
                f"{name:<18}{variant:<9}{label:<11}{result.rate:>8,.0f}{result.rate / anchor:>8.1%}"
                f"{result.p50_ms:>8.1f}{result.p95_ms:>8.1f}{p95_server:>12.1f}{flag}"
            )
        print(f"load average {os.getloadavg()[0]:.1f} at end")
    finally:
        for process in servers:
            process.terminate()
            process.wait(timeout=20)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
