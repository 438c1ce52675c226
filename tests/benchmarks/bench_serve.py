"""Benchmark: genuine verify pages, with scan logging, under load on 127.0.0.1.

Four servers, the same bounded load against each in the same run:
- ours: gunicorn as `make serve` runs it (a sync worker a core), the real app;
- naive: Flask's development server (`python -m trace run`);
- the ceiling: a constant-response Flask endpoint under the same gunicorn settings;
- the floor: the real app's verification work alone (lookups, signature, scan
  write and history) answered as plain text, same settings: the most any verify
  page could reach, so the share of the ceiling a page cannot go past.
The load: client processes with threads, each opening a connection per request
(gunicorn's sync workers close it) and asking for a genuine item page picked at
random, for a fixed time after a warm-up. Reported: requests/s, p50 and p99.
Budget (DESIGN §12): at least 1,000 verify pages/s, p99 under 50 ms, and at
least 60% of the ceiling. Every answer is checked (200, the genuine verdict).

    PYTHONPATH=.:tests/benchmarks python tests/benchmarks/bench_serve.py [--seconds 8]
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import io
import multiprocessing
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from budget import Budgets
from floor_app import PREFIX as floor_app_prefix

from trace.db import open_db
from trace.issuing import export_rows

ROOT = Path(__file__).resolve().parents[2]
BENCH = Path(__file__).resolve().parent
MIN_RATE, MAX_P99_MS, MIN_SHARE = 1000, 50.0, 0.60
GTIN, LOT = "09521234000013", "ZJ-2611-A"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def gunicorn(app: str, port: int, workers: int) -> list[str]:
    """The command `make serve` runs (access log off: it is a file write a request)."""
    return [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind",
            f"127.0.0.1:{port}", "--preload", "--no-control-socket", "--graceful-timeout", "20",
            "--log-level", "warning", app]


def prepare(folder: Path, port: int) -> tuple[dict, list[str]]:
    """A database with demo data and 2,000 more codes; the environment and the paths."""
    env = dict(os.environ, TRACE_DATABASE=str(folder / "trace.db"),
               TRACE_KEYS_DIR=str(folder / "keys"), TRACE_BASE_URL=f"http://127.0.0.1:{port}",
               PYTHONPATH=f"{ROOT}:{BENCH}")
    run = lambda *args: subprocess.run(  # noqa: E731
        [sys.executable, "-m", "trace", *args], cwd=ROOT, env=env, check=True,
        capture_output=True, text=True).stdout
    run("init-db")
    run("keys", "new")
    run("keys", "new", "--role", "ledger")
    run("seed-demo")
    run("batch", "issue", "--gtin", GTIN, "--lot", LOT, "--count", "2000", "--over-plan")
    base = env["TRACE_BASE_URL"]
    db = open_db(folder / "trace.db")
    # The fresh top-up only: the demo's own items include claimed and copied ones.
    paths = [row["url"][len(base):] for row in export_rows(db, GTIN, LOT, base)][-2000:]
    db.close()
    return env, paths


def start(command: list[str], env: dict, port: int) -> subprocess.Popen:
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    for _ in range(200):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return server
        except OSError:
            time.sleep(0.05)
    server.kill()
    raise SystemExit(f"server did not start: {command}")


def _client(port: int, paths: list[str], expect: str, until: float, warm: float,
            threads: int, queue) -> None:
    """One client process: threads asking until ``until``; latencies after ``warm``."""
    results: list[float] = []
    failures = [0]
    lock = threading.Lock()

    def loop() -> None:
        rng, mine, bad = random.Random(), [], 0
        while time.perf_counter() < until:
            began = time.perf_counter()
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                connection.request("GET", rng.choice(paths), headers={"Accept-Encoding": "gzip"})
                response = connection.getresponse()
                body = response.read()
                connection.close()
                if response.getheader("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                ok = response.status == 200 and expect.encode() in body
            except OSError:
                ok = False
            if began >= warm:
                mine.append(time.perf_counter() - began)
                bad += not ok
        with lock:
            results.extend(mine)
            failures[0] += bad
    workers = [threading.Thread(target=loop) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    queue.put((results, failures[0]))


def load(port: int, paths: list[str], seconds: float, expect: str = "",
         processes: int = 2, threads: int = 4) -> dict:
    warm = time.perf_counter() + 1.0
    until = warm + seconds
    queue: multiprocessing.Queue = multiprocessing.Queue()
    clients = [multiprocessing.Process(target=_client, args=(port, paths, expect, until, warm,
                                                             threads, queue))
               for _ in range(processes)]
    for client in clients:
        client.start()
    latencies, failed = [], 0
    for _ in clients:
        got, bad = queue.get()
        latencies += got
        failed += bad
    for client in clients:
        client.join()
    latencies.sort()
    return {"rate": len(latencies) / seconds, "failed": failed,
            "p50": statistics.median(latencies) * 1000,
            "p99": latencies[int(len(latencies) * 0.99)] * 1000}


def scan_writes(folder: Path, count: int = 5000) -> tuple[float, float]:
    """Microseconds a scan: one INSERT committed per request (ours) against a
    per-worker buffer flushed 100 at a time in one transaction. Each scan is a new
    browser on a random item, as under the load (and as the first look of a
    livestream's buyers): the same browser on one item again and again touches the
    same few pages and read 40 µs where this reads about 100."""
    from trace.scans import Observer, record_scan
    db = open_db(folder / "trace.db")
    items = [row[0] for row in db.execute("SELECT id FROM items")]
    rng = random.Random(13)

    def scans(n: int) -> list[tuple[int, Observer]]:
        return [(rng.choice(items), Observer(network=f"{rng.getrandbits(128):032x}",
                                             device=f"{rng.getrandbits(128):032x}",
                                             returning=False, visitor="v" * 32))
                for _ in range(n)]
    each_one = scans(count)
    start = time.perf_counter()
    for item, seen in each_one:
        record_scan(db, item, seen)
    each = (time.perf_counter() - start) / count
    buffers = [scans(100) for _ in range(count // 100)]
    start = time.perf_counter()
    for buffer in buffers:
        with db.atomic():
            for item, seen in buffer:
                record_scan(db, item, seen, at="2026-11-27T00:00:00+00:00")
    batched = (time.perf_counter() - start) / count
    db.close()
    return each * 1e6, batched * 1e6


def in_process(env: dict, paths: list[str], count: int = 2000) -> tuple[float, float]:
    """Microseconds of app time a request, called through WSGI in this process (no
    server, no client): a genuine verify page, and the ceiling's constant page."""
    import constant_app
    from trace import create_app
    app = create_app({key[len("TRACE_"):]: value for key, value in env.items()
                      if key in ("TRACE_DATABASE", "TRACE_KEYS_DIR", "TRACE_BASE_URL")})
    host = env["TRACE_BASE_URL"].split("//", 1)[1]

    def each(wsgi, chosen: list[str]) -> float:
        statuses: list[str] = []
        start = time.perf_counter()
        for path in chosen:
            target, _, query = path.partition("?")
            environ = {"REQUEST_METHOD": "GET", "PATH_INFO": target, "QUERY_STRING": query,
                       "SERVER_NAME": "127.0.0.1", "SERVER_PORT": host.rsplit(":", 1)[1],
                       "SERVER_PROTOCOL": "HTTP/1.1", "HTTP_HOST": host,
                       "HTTP_ACCEPT_ENCODING": "gzip", "HTTP_USER_AGENT": "bench",
                       "REMOTE_ADDR": "127.0.0.1", "wsgi.url_scheme": "http",
                       "wsgi.input": io.BytesIO(), "wsgi.errors": sys.stderr}
            b"".join(wsgi(environ, lambda status, headers, *_: statuses.append(status)))
        assert all(status.startswith("200") for status in statuses), set(statuses)
        return (time.perf_counter() - start) / len(chosen) * 1e6

    rng = random.Random(7)
    chosen = [rng.choice(paths) for _ in range(count)]
    each(app, chosen[:200])  # warm: caches, imports
    return each(app, chosen), each(constant_app.app, chosen)


def _scan_writer(database: str, item: int, until: float, queue) -> None:
    from trace.scans import Observer, record_scan
    db = open_db(database)
    seen = Observer(network="n" * 16, device="d" * 16, returning=True, visitor="v" * 16)
    done = 0
    while time.perf_counter() < until:
        record_scan(db, item, seen)
        done += 1
    db.close()
    queue.put(done)


def primary_capacity(database: str, writers: int = 2, seconds: float = 3.0) -> float:
    """Scans a second one SQLite primary takes from ``writers`` processes, each
    committing every scan on its own: what app nodes shipping scans to it share."""
    db = open_db(database)
    item = db.execute("SELECT id FROM items LIMIT 1").fetchone()[0]
    db.close()
    until = time.perf_counter() + seconds
    queue: multiprocessing.Queue = multiprocessing.Queue()
    processes = [multiprocessing.Process(target=_scan_writer, args=(database, item, until, queue))
                 for _ in range(writers)]
    for process in processes:
        process.start()
    total = sum(queue.get() for _ in processes)
    for process in processes:
        process.join()
    return total / seconds


def show(name: str, result: dict) -> None:
    print(f"  {name:<34} {result['rate']:8.0f} req/s   p50 {result['p50']:6.1f} ms   "
          f"p99 {result['p99']:6.1f} ms   failed {result['failed']}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    args = parser.parse_args()
    budgets = Budgets()
    with tempfile.TemporaryDirectory(prefix="bench-serve-") as folder:
        port = free_port()
        env, paths = prepare(Path(folder), port)
        print(f"genuine verify pages with scan logging, {args.workers} workers, "
              f"{args.seconds:.0f} s each")
        results = {}
        servers = {
            "ours (make serve: gunicorn)": gunicorn("trace:create_app()", port, args.workers),
            "floor (verification alone, no page)": gunicorn("floor_app:make_app()", port,
                                                            args.workers),
            "naive (Flask development server)": [
                sys.executable, "-m", "trace", "run", "--host", "127.0.0.1", "--port", str(port)],
            "ceiling (constant Flask endpoint)": gunicorn("constant_app:app", port,
                                                          args.workers)}
        for name, command in servers.items():
            server = start(command, env, port)
            try:
                asked = [floor_app_prefix + path for path in paths] if "floor" in name else paths
                results[name] = load(port, asked, args.seconds,
                                     expect="" if "ceiling" in name else "正品")
            finally:
                server.terminate()
                server.wait(timeout=30)
            show(name, results[name])
        ours, floor, naive, ceiling = results.values()
        print(f"  ours / naive: {ours['rate'] / naive['rate']:.1f}x   "
              f"ours / ceiling: {ours['rate'] / ceiling['rate']:.0%}   "
              f"floor / ceiling: {floor['rate'] / ceiling['rate']:.0%}")
        scans = subprocess.run([sys.executable, "-c", (
            "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("
            "'SELECT count(*) FROM scans').fetchone()[0])"), env["TRACE_DATABASE"]],
            capture_output=True, text=True).stdout.strip()
        print(f"  scans recorded during the run: {scans}")
        page_app_us, constant_app_us = in_process(env, paths)
        print(f"  in-process app time a request (no server, no client): verify page "
              f"{page_app_us:.0f} µs, constant page {constant_app_us:.0f} µs")
        capacity = primary_capacity(env["TRACE_DATABASE"])
        print(f"  one primary took {capacity:,.0f} scans/s from 2 writer processes (a commit "
              f"each): the scans of about {capacity / ours['rate']:.0f} nodes serving verify "
              f"pages at this node's rate")
        each, batched = scan_writes(Path(folder))
        page_us = 1e6 * args.workers / ours["rate"]
        print(f"scan writes: {each:.0f} µs a scan committed on its own, {batched:.1f} µs "
              f"batched 100 to a transaction; a verify page costs about {page_us:.0f} µs of "
              f"worker time, so batching would save at most {(each - batched) / page_us:.0%}")
    budgets.check(each < page_us / 5, "a scan's own commit is a small part of a page")
    budgets.check(ours["failed"] == 0, f"every verify page answered 200 and genuine "
                                       f"({ours['failed']} failed)")
    budgets.check(ours["rate"] >= MIN_RATE, f"{ours['rate']:.0f} verify pages/s "
                                            f"(budget {MIN_RATE})")
    budgets.check(ours["p99"] < MAX_P99_MS, f"p99 {ours['p99']:.1f} ms (budget 50 ms)")
    budgets.check(ours["rate"] >= MIN_SHARE * ceiling["rate"],
                  f"{ours['rate'] / ceiling['rate']:.0%} of the ceiling (budget 60%; the "
                  f"verification work alone reaches {floor['rate'] / ceiling['rate']:.0%})")
    budgets.finish()


if __name__ == "__main__":
    main()
