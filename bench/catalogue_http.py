"""Catalogue search page requests/s under gunicorn (2 workers) beside a hello-world Flask app.

Both servers run on free loopback ports with the same gunicorn settings; wrk (Debian package
`wrk`: apt-get install -y wrk) drives each for a fixed time. The search page is requested with a
rotating set of real queries (English and Chinese, with and without filters) over the generated
catalogue.

    .venv/bin/python bench/catalogue_http.py                      # bench/data/catalogue_1000000.sqlite
    .venv/bin/python bench/catalogue_http.py --duration 10 --connections 16
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HELLO = "from flask import Flask\napp = Flask(__name__)\n\n@app.get('/')\ndef hello():\n    return 'Hello, World!'\n"
QUERIES = [
    "/catalogue/search?q=battery&jurisdiction=US&status=granted",
    "/catalogue/search?q=%E7%94%B5%E6%B1%A0",  # 电池
    "/catalogue/search?q=%E6%95%B0%E6%8D%AE%E5%A4%84%E7%90%86&status=granted",  # 数据处理
    "/catalogue/search?q=%22fuel+cell%22&ipc=H01M",
    "/catalogue/search?q=image+sensor&type=patent&sort=newest",
    "/catalogue/search?q=semiconductor&main_class=H01",
]
LUA = """
local paths = {%s}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1])
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(app: str, env: dict, cwd: str) -> tuple[subprocess.Popen, int]:
    port = free_port()
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "--workers",
        "2",
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        app,
    ]
    process = subprocess.Popen(command, cwd=cwd, env=env)  # noqa: S603
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1)  # noqa: S310
            return process, port
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError(f"{app} did not start")


def wrk(url: str, duration: int, connections: int, script: str | None = None) -> float:
    command = (
        ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency"]
        + (["-s", script] if script else [])
        + [url]
    )
    output = subprocess.run(command, capture_output=True, text=True, check=True, timeout=duration + 30).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if errors:
        print(f"  warning: {errors.group(1)} non-2xx responses")
    p99 = re.search(r"99%\s+(\S+)", output)
    print(f"  {url}: {output.split('Requests/sec:')[1].split()[0]} req/s, p99 {p99.group(1) if p99 else '?'}")
    return float(output.split("Requests/sec:")[1].split()[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sqlite", type=Path, default=ROOT / "bench" / "data" / "catalogue_1000000.sqlite")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install -y wrk")
    workdir = tempfile.mkdtemp(prefix="ipex-http-bench-")
    Path(workdir, "hello.py").write_text(HELLO)
    Path(workdir, "paths.lua").write_text(LUA % ", ".join(f'"{q}"' for q in QUERIES))
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{args.sqlite}",
        "PYTHONPATH": str(ROOT),
        "TMPDIR": workdir,
    }
    servers = []
    try:
        hello, hello_port = serve("hello:app", env, workdir)
        servers.append(hello)
        app, app_port = serve("wsgi:app", env, str(ROOT))
        servers.append(app)
        for q in QUERIES:  # warm the page cache and the templates
            urllib.request.urlopen(f"http://127.0.0.1:{app_port}{q}", timeout=30).read()  # noqa: S310
        print(f"gunicorn 2 sync workers, wrk -t2 -c{args.connections} -d{args.duration}s, {args.sqlite.name}")
        hello_rate = wrk(f"http://127.0.0.1:{hello_port}/", args.duration, args.connections)
        page_rate = wrk(
            f"http://127.0.0.1:{app_port}/", args.duration, args.connections, str(Path(workdir, "paths.lua"))
        )
        print(
            f"catalogue search page: {page_rate:,.0f} req/s = {page_rate / hello_rate:.1%} of hello world ({hello_rate:,.0f} req/s)"
        )
    finally:
        for process in servers:
            process.terminate()
            process.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
