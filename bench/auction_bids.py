"""Accepted bids per second on one English auction with 32 concurrent bidders, with anomaly counts.

Two paths, each on SQLite (a file, WAL) and PostgreSQL, each on a fresh database:
- service: 32 bidder threads in P spawned processes (``--processes 1,4``: each is run; 4x8 is how
  gunicorn's workers share the bidders), each with its own app context and session, call
  ``place_bid`` and commit; the row lock's wait and hold are printed;
- http: gunicorn (gthread, 4 workers x 8 threads) serving the app; 32 client threads POST
  /api/v1/auctions/<id>/bids with bearer tokens (keep-alive sessions).
Every bidder sets a maximum some increments above the last minimum it saw (``--workloads``: race,
2 to 12, the hard case where most attempts lose the race; proxy, 10 to 100, maximums spread like
valuations), so some bids lose races and are refused (422): those are counted, not anomalies. After each run the bid log is checked against
what was acknowledged and replayed through a plain proxy-bidding reference; anomalies are: an
acknowledged bid missing (lost), a logged bid never acknowledged (phantom), a gap or duplicate in
the bid order, a bid accepted against a state it did not see, a stored price or leader the proxy
rule would not give, a final state that differs, a broken audit chain.

Outbox events (notifications) are left for the periodic dispatcher (OUTBOX_DISPATCH off), so the
figure is the bid path itself: lock, validate, write bid + row + audit entry + outbox event, commit.
Besides accepted bids/s the line shows answered bids/s (accepted + refused): with 32 bidders racing
for the same next price most attempts lose, and a refusal costs nearly what an acceptance does. On
PostgreSQL the backends' CPU is read from /proc too, so the CPU per accepted bid covers both sides.

    .venv/bin/python bench/auction_bids.py
    .venv/bin/python bench/auction_bids.py --backends sqlite --modes service --bids-per-bidder 20
    .venv/bin/python bench/auction_bids.py --backends postgresql --modes service --processes 1,4,32
    .venv/bin/python bench/auction_bids.py --backends postgresql --modes service --switch-interval 0.0005
    .venv/bin/python bench/auction_bids.py --sequential 300 [--profile]   # CPU per bid, no contention
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import bindparam, create_engine, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.exc import OperationalError  # noqa: E402

from config import DevelopmentConfig  # noqa: E402

BIDDERS = int(os.environ.get("BENCH_BIDDERS", "32"))
START = Decimal("10000")


class BenchConfig(DevelopmentConfig):
    SQLALCHEMY_DATABASE_URI = os.environ.get("BENCH_DATABASE_URL", "")
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True, "pool_size": BIDDERS + 2, "max_overflow": 8}
    MARKET_TICK_SECONDS = 0
    OUTBOX_DISPATCH = False
    PASSWORD_HASH_FAST = True
    RATELIMIT_ENABLED = False


def http_app():
    """gunicorn 'bench.auction_bids:http_app()' (the database comes from BENCH_DATABASE_URL)."""
    from app import create_app

    return create_app(BenchConfig)


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU of these processes so far (Linux /proc): a figure the machine's load does
    not inflate the way it inflates wall time."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (clock ticks)
    return total / os.sysconf("SC_CLK_TCK")


def database_cpu(url: str) -> dict[int, float]:
    """CPU seconds so far of each PostgreSQL backend serving this database (same machine, /proc)."""
    name = make_url(url).database if url.startswith("postgresql") else None
    found: dict[int, float] = {}
    for entry in Path("/proc").iterdir() if name else ():
        if not entry.name.isdigit():
            continue
        try:
            if f" {name} " not in (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode():
                continue
        except OSError:
            continue
        found[int(entry.name)] = cpu_seconds([int(entry.name)])
    return found


def database_cpu_since(url: str, before: dict[int, float]) -> float:
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in database_cpu(url).items())


def worker_pids(server_pid: int) -> list[int]:
    try:
        return [
            int(pid) for pid in Path(f"/proc/{server_pid}/task/{server_pid}/children").read_text().split()
        ]
    except OSError:
        return []


@dataclass
class Run:
    acknowledged: list[tuple[int, int, Decimal]] = field(default_factory=list)  # (seq, bidder, amount)
    refused: int = 0
    retried: int = 0
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    cpu: float = 0.0  # CPU seconds of the process(es) serving the bids during the run
    db_cpu: float = 0.0  # CPU seconds of the PostgreSQL backends during the run
    lock_waits: list[float] = field(default_factory=list)  # service: seconds waiting for the row lock
    lock_holds: list[float] = field(default_factory=list)  # service: seconds from granted to released


# ---- databases -------------------------------------------------------------------------------------


def fresh_database(backend: str, pg_url: str, workdir: Path) -> tuple[str, Callable[[], None]]:
    if backend == "sqlite":
        return f"sqlite:///{workdir / 'auction_bench.db'}", lambda: None
    admin_url = make_url(pg_url)
    name = f"ipex_bench_auction_{os.getpid()}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return admin_url.set(database=name).render_as_string(hide_password=False), drop


def build_market(url: str, with_tokens: bool) -> tuple[int, list[int], list[str]]:
    """Schema, a seller, a published listing with an English auction, 32 qualified bidders."""
    os.environ["BENCH_DATABASE_URL"] = url
    BenchConfig.SQLALCHEMY_DATABASE_URI = url
    from app import create_app
    from app.accounts.models import Organisation, Role, User, UserRole
    from app.accounts.passwords import hash_password
    from app.accounts.services import create_api_token
    from app.core.actors import ensure_system_actor
    from app.core.money import Money
    from app.extensions import db
    from app.market import auction_services as services
    from app.market.listing_models import Listing, NdaAcceptance

    app = create_app(BenchConfig)
    with app.app_context():
        if url.startswith("postgresql"):
            db.session.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
            db.session.commit()
        db.create_all()
        ensure_system_actor()

        def user(name: str, role: Role) -> User:
            org = Organisation(name=f"{name} Ltd", verified_at=datetime.now(UTC))
            person = User(
                email=f"{name}@bench.example",
                password_hash=hash_password("bench-password-1"),
                display_name=name,
            )
            person.organisation = org
            person.role_grants = [UserRole(role=role.value)]
            db.session.add(person)
            db.session.flush()
            return person

        seller = user("seller", Role.RIGHTS_HOLDER)
        listing = Listing(
            seller_id=seller.id,
            organisation_id=seller.organisation_id,
            status="published",
            right_type="assignment",
            price_mechanism="english_auction",
            title_zh="基准拍卖",
        )
        db.session.add(listing)
        db.session.flush()
        now = datetime.now(UTC)
        settings = services.AuctionSettings(
            kind="english",
            start_price=Money(START),
            starts_at=now - timedelta(minutes=1),
            ends_at=now + timedelta(days=1),
        )
        auction = services.configure_auction(listing, seller, settings)
        bidders, tokens = [], []
        for index in range(BIDDERS):
            bidder = user(f"bidder{index}", Role.BUYER)
            db.session.add(NdaAcceptance(listing_id=listing.id, user_id=bidder.id, text_sha256="0" * 64))
            bidders.append(bidder.id)
            if with_tokens:
                tokens.append(create_api_token(bidder, "bench")[1])
        db.session.commit()
        auction_id = auction.id
        db.engine.dispose()
    return auction_id, bidders, tokens


# ---- bidding -------------------------------------------------------------------------------------


# How far above the last minimum it saw a bidder puts its maximum, in increments (others may have
# moved the price meanwhile). race: 2-12, the hard case kept from the start (32 bidders bid just
# above the same next price, so most attempts lose the race and are refused). proxy: 10-100, how
# proxy bidding is meant to be used (a bidder sends its maximum, spread like valuations, not the
# next step), so a bid that waited while the price moved is still usually above it.
WORKLOADS = {"race": (2, 12), "proxy": (10, 100)}


def next_amount(rng: random.Random, minimum: Decimal, step: Decimal, spread: tuple[int, int]) -> Decimal:
    """A proxy maximum some increments above the last minimum seen."""
    return minimum + step * rng.randint(*spread)


def service_bidders(
    url: str,
    auction_id: int,
    bidder_ids: list[int],
    per_bidder: int,
    run: Run,
    processes: int,
    switch: float,
    spread: tuple[int, int],
) -> float:
    """``processes`` processes (spawned, each its own GIL, as gunicorn's workers are) share the 32
    bidders as threads; with 1 it is the original one-process run. Wall time from the go signal to
    the last bidder's end; CPU is the bidder processes' own."""
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    go, results, release = context.Event(), context.Queue(), context.Event()
    children = [
        context.Process(
            target=_service_process,
            args=(url, auction_id, bidder_ids, list(range(p, len(bidder_ids), processes)), per_bidder),
            kwargs={"switch": switch, "spread": spread, "go": go, "results": results, "release": release},
        )
        for p in range(processes)
    ]
    for child in children:
        child.start()
    for _ in children:
        if results.get(timeout=300) != "ready":
            raise RuntimeError("a bidder process failed to start")
    database_before = database_cpu(url)
    started = time.perf_counter()
    go.set()
    ended = started
    for _ in children:
        answer = results.get(timeout=600)
        if isinstance(answer, str):
            raise RuntimeError(answer)
        run.acknowledged += answer["acknowledged"]
        run.refused += answer["refused"]
        run.retried += answer["retried"]
        run.cpu += answer["cpu"]
        run.lock_waits += answer["lock_waits"]
        run.lock_holds += answer["lock_holds"]
        ended = max(ended, answer["ended"])
    run.db_cpu = database_cpu_since(url, database_before)  # before the bidders close their connections
    release.set()
    for child in children:
        child.join()
    return ended - started


def _lock_timing(engine, waits: list[float], holds: list[float]) -> None:
    """Per thread: the wait for the row lock (the FOR UPDATE's round trip; SQLite: BEGIN IMMEDIATE,
    after the in-process gate) and its hold (from its answer to the end of the transaction, as this
    process sees it)."""
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    local = threading.local()

    def locking(statement: str) -> bool:
        return "FOR UPDATE" in statement or statement.startswith("BEGIN IMMEDIATE")

    @event.listens_for(engine, "before_cursor_execute")
    def _asked(conn, cursor, statement, *_args) -> None:
        if locking(statement):
            local.asked = time.perf_counter()

    @event.listens_for(engine, "after_cursor_execute")
    def _granted(conn, cursor, statement, *_args) -> None:
        if locking(statement):
            local.granted = time.perf_counter()
            waits.append(local.granted - local.asked)

    @event.listens_for(Session, "after_transaction_end")
    def _released(session, transaction) -> None:
        granted = getattr(local, "granted", None)
        if transaction.parent is None and granted is not None:
            holds.append(time.perf_counter() - granted)
            local.granted = None


def _service_process(
    url, auction_id, bidder_ids, indices, per_bidder, switch, spread, go, results, release
) -> None:
    try:
        sys.setswitchinterval(switch)
        os.environ["BENCH_DATABASE_URL"] = url
        BenchConfig.SQLALCHEMY_DATABASE_URI = url
        BenchConfig.SQLALCHEMY_ENGINE_OPTIONS = {
            **BenchConfig.SQLALCHEMY_ENGINE_OPTIONS,
            "pool_size": len(indices) + 2,
        }
        from sqlalchemy.orm import joinedload

        from app import create_app
        from app.accounts.models import User
        from app.core.money import Money
        from app.extensions import db
        from app.market import auction_engine as engine
        from app.market import auction_services as services
        from app.market.auction_models import Auction

        app = create_app(BenchConfig)
        run, waits, holds = Run(), [], []
        with app.app_context():
            _lock_timing(db.engine, waits, holds)
        users = (
            select(User)
            .where(User.id == bindparam("user_id"))
            .options(joinedload(User.organisation), joinedload(User.role_grants))
        )

        def bidder(index: int) -> User:
            """As a request has its user: with organisation and roles, in one statement."""
            return db.session.execute(users, {"user_id": bidder_ids[index]}).unique().scalar_one()

        table = engine.DEFAULT_INCREMENTS
        barrier = threading.Barrier(len(indices) + 1)
        ended = [0.0]

        def bidder_main(index: int) -> None:
            rng = random.Random(index)
            barrier.wait()
            for _ in range(per_bidder):
                with app.app_context():
                    price, leader = db.session.execute(
                        select(Auction.current_price, Auction.leader_id).where(Auction.id == auction_id)
                    ).one()
                    if leader == bidder_ids[index]:
                        continue  # leading already: a real bidder waits to be outbid
                    minimum = table.round_up(price + table.step_at(price)) if price else START
                    amount = next_amount(rng, minimum, table.step_at(minimum), spread)
                    while True:
                        try:
                            result = services.place_bid(auction_id, bidder(index), Money(amount))
                            db.session.commit()
                            with run.lock:
                                run.acknowledged.append((result.bid.seq, bidder_ids[index], amount))
                            break
                        except services.BidRefused:
                            db.session.rollback()
                            with run.lock:
                                run.refused += 1
                            break
                        except OperationalError as error:
                            db.session.rollback()
                            if "locked" not in str(error):
                                raise
                            with run.lock:
                                run.retried += 1
            with run.lock:
                ended[0] = max(ended[0], time.perf_counter())

        threads = [threading.Thread(target=bidder_main, args=(i,)) for i in indices]
        for thread in threads:
            thread.start()
        with app.app_context():  # a connection per thread, opened before the clock starts
            connections = [db.engine.connect() for _ in indices]
            for connection in connections:
                connection.close()
            try:  # warm up (imports, compiled statements): a bid every state refuses
                services.place_bid(auction_id, bidder(indices[0]), Money(Decimal(1)))
            except services.BidRefused:
                db.session.rollback()
        results.put("ready")
        go.wait()
        cpu_started = time.process_time()
        barrier.wait()
        for thread in threads:
            thread.join()
        cpu = time.process_time() - cpu_started
        results.put(
            {
                "acknowledged": run.acknowledged,
                "refused": run.refused,
                "retried": run.retried,
                "cpu": cpu,
                "lock_waits": waits,
                "lock_holds": holds,
                "ended": ended[0],
            }
        )
        release.wait(timeout=300)
        with app.app_context():
            db.engine.dispose()
    except Exception as error:  # noqa: BLE001 - reported to the parent, which raises it
        import traceback

        results.put(f"bidder process failed: {error!r}\n{traceback.format_exc()}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(url: str) -> tuple[subprocess.Popen, int]:
    port = free_port()
    env = {**os.environ, "BENCH_DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "--workers=4",
        "--threads=8",
        "--worker-class=gthread",
        f"--bind=127.0.0.1:{port}",
        "--log-level=warning",
        "bench.auction_bids:http_app()",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=env)  # noqa: S603
    import requests

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/api/v1/auctions", timeout=30).status_code == 200:
                return server, port
        except requests.RequestException:
            time.sleep(0.5)
    server.kill()
    raise RuntimeError("gunicorn did not start")


def http_bidders(
    port: int,
    auction_id: int,
    bidder_ids: list[int],
    tokens: list[str],
    per_bidder: int,
    run: Run,
    server_pid: int,
    database_url: str,
    spread: tuple[int, int],
) -> float:
    import requests

    url = f"http://127.0.0.1:{port}/api/v1/auctions/{auction_id}/bids"
    barrier = threading.Barrier(len(tokens) + 1)

    def bidder_main(index: int) -> None:
        rng = random.Random(index)
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {tokens[index]}"
        minimum, step = START, Decimal(1000)
        barrier.wait()
        for _ in range(per_bidder):
            amount = next_amount(rng, minimum, step, spread)
            while True:
                response = session.post(url, json={"amount": str(amount)}, timeout=60)
                if response.status_code != 503:
                    break
                with run.lock:
                    run.retried += 1
            body = response.json()
            if response.status_code == 201:
                state = body["auction"]
                with run.lock:
                    run.acknowledged.append((body["bid"]["seq"], bidder_ids[index], amount))
            elif response.status_code == 422 and "next_minimum" in body["error"]:
                state = {"next_minimum": body["error"]["next_minimum"], "increment": None}
                with run.lock:
                    run.refused += 1
            else:
                with run.lock:
                    run.errors.append(f"{response.status_code}: {body}")
                continue
            minimum = Decimal(state["next_minimum"]["amount"])
            if state.get("increment"):
                step = Decimal(state["increment"]["amount"])

    threads = [threading.Thread(target=bidder_main, args=(i,)) for i in range(len(tokens))]
    for thread in threads:
        thread.start()
    workers = worker_pids(server_pid)
    cpu_started, database_before = cpu_seconds(workers), database_cpu(database_url)
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    run.cpu = cpu_seconds(workers) - cpu_started  # the gunicorn workers only
    run.db_cpu = database_cpu_since(database_url, database_before)
    return elapsed


# ---- anomalies -----------------------------------------------------------------------------------


class Reference:
    """Plain incremental proxy bidding (no engine code): the leader defends up to their maximum."""

    def __init__(self, start: Decimal, bands: list[tuple[Decimal, Decimal]]) -> None:
        self.start, self.bands = start, bands
        self.leader = self.leader_max = self.second = self.price = None

    def step(self, price: Decimal) -> Decimal:
        return [step for lower, step in self.bands if lower <= price][-1]

    def minimum(self, bidder: int) -> Decimal:
        if self.leader is None:
            return self.start
        floor = self.price + self.step(self.price)
        return max(floor, self.leader_max + Decimal("0.01")) if bidder == self.leader else floor

    def bid(self, bidder: int, amount: Decimal) -> bool:
        if amount < self.minimum(bidder) or amount % self.step(amount):
            return False
        if self.leader is None:
            self.leader, self.leader_max, self.price = bidder, amount, self.start
        elif bidder == self.leader:
            capped = self.price == self.leader_max
            self.leader_max = amount
            if capped and self.second is not None:
                self.price = min(amount, self.second + self.step(self.second))
        elif amount > self.leader_max:
            self.second, self.price = (
                self.leader_max,
                min(amount, self.leader_max + self.step(self.leader_max)),
            )
            self.leader, self.leader_max = bidder, amount
        else:
            self.second, self.price = amount, min(self.leader_max, amount + self.step(amount))
        return True


def anomalies(url: str, auction_id: int, run: Run) -> dict[str, int]:
    from app import create_app
    from app.core.audit_chain import verify_chain
    from app.extensions import db
    from app.market.auction_models import Auction, AuctionBid

    app = create_app(BenchConfig)
    with app.app_context():
        auction = db.session.get(Auction, auction_id)
        log = db.session.scalars(
            select(AuctionBid).where(AuctionBid.auction_id == auction_id).order_by(AuctionBid.seq)
        ).all()
        logged = {(bid.seq, bid.bidder_id, bid.amount) for bid in log}
        acked = set(run.acknowledged)
        bands = [(Decimal(lower), Decimal(step)) for lower, step in auction.increments]
        reference = Reference(auction.start_price, bands)
        stale = wrong_price = 0
        for bid in log:
            if not reference.bid(bid.bidder_id, bid.amount):
                stale += 1
            elif (bid.leader_after_id, bid.price_after) != (reference.leader, reference.price):
                wrong_price += 1
        counts = {
            "lost": len(acked - logged),
            "phantom": len(logged - acked),
            "order_gaps_or_duplicates": int([bid.seq for bid in log] != list(range(1, len(log) + 1))),
            "stale_accepts": stale,
            "wrong_price_or_leader": wrong_price,
            "final_state_differs": int(
                (auction.leader_id, auction.current_price, auction.bid_count)
                != (reference.leader, reference.price, len(log))
            ),
            "audit_chain_broken": int(verify_chain() is not None),
            "client_errors": len(run.errors),
        }
        db.engine.dispose()
    return counts


# ---- main ----------------------------------------------------------------------------------------


def bench(
    backend: str,
    mode: str,
    pg_url: str,
    per_bidder: int,
    processes: int = 1,
    switch: float = 0.005,
    workload: str = "race",
) -> None:
    spread = WORKLOADS[workload]
    with tempfile.TemporaryDirectory() as workdir:
        url, drop = fresh_database(backend, pg_url, Path(workdir))
        try:
            auction_id, bidder_ids, tokens = build_market(url, with_tokens=(mode == "http"))
            run = Run()
            if mode == "service":
                elapsed = service_bidders(
                    url, auction_id, bidder_ids, per_bidder, run, processes, switch, spread
                )
            else:
                server, port = start_gunicorn(url)
                try:
                    elapsed = http_bidders(
                        port, auction_id, bidder_ids, tokens, per_bidder, run, server.pid, url, spread
                    )
                finally:
                    server.send_signal(signal.SIGTERM)
                    try:
                        server.wait(timeout=30)
                    except subprocess.TimeoutExpired:
                        server.kill()
            found = anomalies(url, auction_id, run)
        finally:
            drop()
    accepted = len(run.acknowledged)
    total = sum(found.values())
    answered = accepted + run.refused
    label = f"{workload} " + (mode if mode == "http" else f"service {processes}x{-(-BIDDERS // processes)}")
    if mode == "service" and switch != 0.005:
        label += f" switch {1000 * switch:g} ms"
    print(
        f"{backend:10} {label:7} accepted {accepted:5d} in {elapsed:6.2f} s = {accepted / elapsed:7.1f} bids/s"
        f"  (refused {run.refused}, busy retries {run.retried}; {answered / elapsed:.1f} answered bids/s;"
        f" {1000 * run.cpu / max(answered, 1):.1f} ms CPU per answer)"
        f"  anomalies {total}" + ("" if not total else f" {found}")
    )
    if run.db_cpu and accepted:
        per_accepted = (run.cpu + run.db_cpu) / accepted
        print(
            f"  PostgreSQL backends {1000 * run.db_cpu / answered:.1f} ms CPU per answer; CPU per accepted bid"
            f" (bidders' or workers' + PostgreSQL's) {1000 * per_accepted:.1f} ms ="
            f" {1 / per_accepted:.0f} accepted bids/s per core if CPU were the only limit"
        )
    if run.lock_holds:
        print(
            f"  row lock: wait {_quantiles(run.lock_waits)}; held {_quantiles(run.lock_holds)}"
            f" ({len(run.lock_holds)} holds, {sum(run.lock_holds) / elapsed:.0%} of the run)"
        )
    if run.errors:
        print("  first client errors:", run.errors[:3])


def _quantiles(seconds: list[float]) -> str:
    ordered = sorted(seconds)
    pick = lambda q: 1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))]  # noqa: E731
    return f"median {pick(0.5):.1f} ms, p90 {pick(0.9):.1f} ms, max {1000 * ordered[-1]:.1f} ms"


def sequential(backend: str, pg_url: str, count: int, profile: bool) -> None:
    """One process, no contention: ``count`` accepted bids in a row (bidders take turns outbidding
    each other), CPU per bid (``time.process_time``: ``place_bid`` + commit only) and statements per bid."""
    import cProfile
    import pstats

    from sqlalchemy import event

    from app import create_app
    from app.accounts.models import User
    from app.core.money import Money
    from app.extensions import db
    from app.market import auction_engine as engine
    from app.market import auction_services as services
    from app.market.auction_models import Auction

    with tempfile.TemporaryDirectory() as workdir:
        url, drop = fresh_database(backend, pg_url, Path(workdir))
        try:
            auction_id, bidder_ids, _ = build_market(url, with_tokens=False)
            app = create_app(BenchConfig)
            table = engine.DEFAULT_INCREMENTS
            statements = [0]

            last: list[str] = []

            def counter(conn, cursor, statement, *_args) -> None:
                statements[0] += 1
                last.append(statement)

            profiler = cProfile.Profile(time.process_time) if profile else None
            cpu = 0.0
            with app.app_context():
                event.listen(db.engine, "before_cursor_execute", counter)
                for index in range(count):
                    price = db.session.scalar(select(Auction.current_price).where(Auction.id == auction_id))
                    minimum = table.round_up(price + table.step_at(price)) if price else START
                    bidder = db.session.get(User, bidder_ids[index % 2])
                    amount = minimum + table.step_at(minimum) * 3
                    last.clear()
                    before, started = statements[0], time.process_time()
                    if profiler:
                        profiler.enable()
                    services.place_bid(auction_id, bidder, Money(amount))
                    db.session.commit()
                    if profiler:
                        profiler.disable()
                    cpu += time.process_time() - started
                    per_bid = statements[0] - before
                event.remove(db.engine, "before_cursor_execute", counter)
                db.engine.dispose()
            found = anomalies(url, auction_id, Run())
        finally:
            drop()
    print(
        f"{backend:10} sequential {count} accepted bids: {1000 * cpu / count:.2f} ms CPU per bid"
        f" (place_bid + commit), {per_bid} statements per bid (COMMIT not counted);"
        f" anomalies other than unacknowledged bids: {sum(found.values()) - found['phantom']}"
    )
    if os.environ.get("BENCH_SHOW_SQL"):
        print("\n".join(f"  {statement[:150]!r}" for statement in last))
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--modes", default="service,http")
    parser.add_argument("--bids-per-bidder", type=int, default=30)
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"),
    )
    parser.add_argument(
        "--sequential",
        type=int,
        default=0,
        metavar="N",
        help="instead: N accepted bids in a row in one process, CPU ms and statements per bid",
    )
    parser.add_argument("--profile", action="store_true", help="with --sequential: cProfile of the bids")
    parser.add_argument(
        "--workloads",
        default="race,proxy",
        help="race: maximums 2-12 increments above the last minimum seen (most attempts refused);"
        " proxy: 10-100 (maximums spread like valuations); each is run",
    )
    parser.add_argument(
        "--processes",
        default="1",
        help="service: bidder processes sharing the 32 bidders as threads, e.g. 1,4,32 (each is run)",
    )
    parser.add_argument(
        "--switch-interval", type=float, default=0.005, help="service: sys.setswitchinterval in the bidders"
    )
    args = parser.parse_args()
    if args.sequential:
        for backend in args.backends.split(","):
            sequential(backend, args.pg_url, args.sequential, args.profile)
        return
    print(
        f"{BIDDERS} bidders x {args.bids_per_bidder} attempts each, one English auction; load average"
        f" {' '.join(f'{load:.1f}' for load in os.getloadavg())}"
    )
    for workload in args.workloads.split(","):
        for backend in args.backends.split(","):
            for mode in args.modes.split(","):
                for processes in args.processes.split(",") if mode == "service" else ["1"]:
                    bench(
                        backend,
                        mode,
                        args.pg_url,
                        args.bids_per_bidder,
                        int(processes),
                        args.switch_interval,
                        workload,
                    )


if __name__ == "__main__":
    main()
