"""Throughput of an authenticated API read against a bare Django view, same server, same run.

``GET /api/v1/me`` with a bearer token (token lookup, user, memberships, JSON schema) is
compared with ``GET /healthz`` (returns "ok", touches nothing but the middleware stack).
Both go through the same ``sciport serve`` (granian, WSGI), the same load generator, the
same concurrency and the same duration; the goal is ``me / hello >= 0.4``.

Method: a fresh var dir (SQLite unless ``SCIPORT_DATABASE_URL`` is set), migrate, a
verified user who administers one organisation and a read token made through the
accounts services; the server on a free loopback port. Each endpoint is warmed up, then
measured in rounds whose order alternates (me, hello / hello, me, ...); the best round of
each endpoint is reported (the least disturbed by the rest of the machine) and every
round is kept in ``bench/results/api_throughput.json``. Any non-200 answer or socket
error makes the run invalid (exit 1).

The load generator is plain Python: a few processes, each driving several keep-alive
connections through one ``selectors`` loop with pre-built request bytes, so that it
spends as little of the shared CPU as possible.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import selectors
import shutil
import socket
import sys
import time
from array import array
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench._common import (
    HOST,
    ROOT,
    fresh_var_dir,
    granian_version,
    machine_facts,
    percentile,
    print_server_log_tail,
    serving,
    setup_django,
    write_results,
)

RESULTS = ROOT / "bench" / "results" / "api_throughput.json"
GOAL_RATIO = 0.4


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def _env_float(name: str, default: float) -> float:
    return float(os.environ.get(name, default))


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.api_throughput", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--workers",
        type=int,
        default=_env_int("SCIPORT_WORKERS", 2),
        help="granian worker processes (env SCIPORT_WORKERS, default 2)",
    )
    parser.add_argument(
        "--clients", type=int, default=_env_int("BENCH_CLIENTS", 1), help="load generator processes (env BENCH_CLIENTS)"
    )
    parser.add_argument(
        "--connections",
        type=int,
        default=_env_int("BENCH_CONNECTIONS", 8),
        help="keep-alive connections per client process (env BENCH_CONNECTIONS)",
    )
    parser.add_argument(
        "--warmup", type=float, default=_env_float("BENCH_WARMUP", 2.0), help="seconds of warm-up per endpoint (env BENCH_WARMUP)"
    )
    parser.add_argument(
        "--duration",
        type=float,
        default=_env_float("BENCH_DURATION", 10.0),
        help="seconds per measured round (env BENCH_DURATION)",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=_env_int("BENCH_ROUNDS", 2),
        help="measured rounds per endpoint, order alternating (env BENCH_ROUNDS)",
    )
    parser.add_argument(
        "--max-requests", type=int, default=_env_int("BENCH_MAX_REQUESTS", 500_000), help="upper bound of requests per round"
    )
    parser.add_argument("--output", type=Path, default=RESULTS)
    return parser.parse_args(argv)


# --- load generator -------------------------------------------------------------------------


@dataclass
class RoundResult:
    endpoint: str
    requests: int
    errors: int
    seconds: float
    requests_per_second: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    error_samples: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Load:
    """What one load process sends, over how many connections, for how long."""

    port: int
    request: bytes
    connections: int
    duration: float
    max_requests: int


def _response_length(buffer: bytearray) -> tuple[int, int, bool] | None:
    """(status, total bytes of the first complete response, keep-alive) or None while incomplete."""
    header_end = buffer.find(b"\r\n\r\n")
    if header_end < 0:
        return None
    head = bytes(buffer[:header_end]).lower()
    status = int(head[9:12])
    keep_alive = b"\r\nconnection: close" not in head
    marker = head.find(b"\r\ncontent-length:")
    if marker >= 0:
        line_end = head.find(b"\r\n", marker + 2)
        length = int(head[marker + 17 : line_end if line_end >= 0 else len(head)])
        total = header_end + 4 + length
        return (status, total, keep_alive) if len(buffer) >= total else None
    if b"\r\ntransfer-encoding: chunked" in head:
        position = header_end + 4
        while True:
            line_end = buffer.find(b"\r\n", position)
            if line_end < 0:
                return None
            size = int(bytes(buffer[position:line_end]).split(b";")[0], 16)
            if size == 0:
                trailer_end = buffer.find(b"\r\n\r\n", line_end)
                return (status, trailer_end + 4, keep_alive) if trailer_end >= 0 else None
            position = line_end + 2 + size + 2
            if len(buffer) < position:
                return None
    return (status, header_end + 4, keep_alive)


class _Driver:
    """One load process: keeps every connection busy with the next request until time or budget runs out."""

    def __init__(self, load: Load) -> None:
        self.load = load
        self.selector = selectors.DefaultSelector()
        self.latencies = array("d")
        self.errors = 0
        self.samples: list[str] = []
        self.sent = 0
        self.open = 0
        self.started = self.finished = time.perf_counter()
        self.deadline = self.started + load.duration

    def error(self, sample: str) -> None:
        self.errors += 1
        if len(self.samples) < 5:
            self.samples.append(sample)

    def send(self, sock: socket.socket, buffer: bytearray) -> None:
        self.selector.modify(sock, selectors.EVENT_READ, (buffer, time.perf_counter()))
        sock.sendall(self.load.request)
        self.sent += 1

    def close(self, sock: socket.socket) -> None:
        self.selector.unregister(sock)
        sock.close()
        self.open -= 1

    def receive(self, sock: socket.socket, buffer: bytearray, sent_at: float) -> None:
        try:
            chunk = sock.recv(65536)
        except OSError as exc:
            chunk = b""
            self.error(f"socket error: {exc}")
        if not chunk:
            self.error("connection closed by the server")
            self.close(sock)
            return
        buffer += chunk
        parsed = _response_length(buffer)
        if parsed is None:
            return
        status, total, keep_alive = parsed
        now = self.finished = time.perf_counter()
        self.latencies.append(now - sent_at)
        if status != 200:
            self.error(bytes(buffer[: min(total, 600)]).decode("latin-1"))
        del buffer[:total]
        if keep_alive and now < self.deadline and self.sent < self.load.max_requests:
            self.send(sock, buffer)
        else:
            self.close(sock)

    def run(self) -> dict[str, Any]:
        for _ in range(self.load.connections):
            sock = socket.create_connection((HOST, self.load.port), timeout=10)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.selector.register(sock, selectors.EVENT_READ, (bytearray(), 0.0))
            self.open += 1
            self.send(sock, bytearray())
        while self.open:
            events = self.selector.select(timeout=10)
            if not events:
                self.error(f"timeout: {self.open} connection(s) without an answer for 10 s")
                break
            for key, _mask in events:
                buffer, sent_at = key.data
                self.receive(key.fileobj, buffer, sent_at)  # type: ignore[arg-type]
        self.selector.close()
        return {
            "latencies": self.latencies.tobytes(),
            "errors": self.errors,
            "samples": self.samples,
            "seconds": self.finished - self.started,
        }


def _drive(load: Load, start_at: float, results: Any) -> None:
    while time.time() < start_at:
        time.sleep(min(0.01, max(0.0, start_at - time.time())))
    results.put(_Driver(load).run())


def measure(endpoint: str, path: str, token: str | None, args: argparse.Namespace, *, port: int, duration: float) -> RoundResult:
    """Run the load processes against one path and merge what they saw."""
    headers = [f"GET {path} HTTP/1.1", f"Host: {HOST}:{port}", "Accept: */*", "User-Agent: sciport-bench"]
    if token:
        headers.append(f"Authorization: Bearer {token}")
    load = Load(
        port=port,
        request=("\r\n".join(headers) + "\r\n\r\n").encode(),
        connections=args.connections,
        duration=duration,
        max_requests=max(1, args.max_requests // args.clients),
    )
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    start_at = time.time() + 0.2
    processes = [context.Process(target=_drive, args=(load, start_at, queue), daemon=True) for _ in range(args.clients)]
    for process in processes:
        process.start()
    outcomes = [queue.get(timeout=duration + 60) for _ in processes]
    for process in processes:
        process.join(timeout=10)
    latencies: list[float] = []
    for outcome in outcomes:
        values = array("d")
        values.frombytes(outcome["latencies"])
        latencies.extend(values)
    latencies.sort()
    seconds = max(outcome["seconds"] for outcome in outcomes)
    return RoundResult(
        endpoint=endpoint,
        requests=len(latencies),
        errors=sum(outcome["errors"] for outcome in outcomes),
        seconds=round(seconds, 3),
        requests_per_second=round(len(latencies) / seconds, 1) if seconds > 0 else 0.0,
        p50_ms=round(percentile(latencies, 0.50) * 1000, 2),
        p90_ms=round(percentile(latencies, 0.90) * 1000, 2),
        p99_ms=round(percentile(latencies, 0.99) * 1000, 2),
        max_ms=round(latencies[-1] * 1000, 2) if latencies else float("nan"),
        error_samples=[sample for outcome in outcomes for sample in outcome["samples"]][:5],
    )


# --- the system under test --------------------------------------------------------------------


def prepare() -> tuple[str, str]:
    """Migrate the fresh var dir and make a verified user with one organisation and a read token."""
    vendor = setup_django(cache_table=True)
    from django.db import connections

    from sciport.accounts import services

    suffix = os.urandom(4).hex()
    user = services.user_create_verified(
        email=f"bench-{suffix}@example.org", password="bench-password-not-secret-7", display_name="Bench Person", language="en"
    )
    services.organisation_create(
        actor=user, fields={"kind": "institution", "name_en": f"Bench Institute {suffix}", "name_zh": "基准研究所"}
    )
    issued = services.token_create(actor=user, name="bench", scopes=["read"], expires_in_days=1)
    connections.close_all()
    return issued.secret, vendor


def run(args: argparse.Namespace) -> int:
    var_dir = fresh_var_dir("sciport-bench-")
    log_path = var_dir / "server.log"
    try:
        token, vendor = prepare()
        with serving(args.workers, log_path) as port:
            targets = {"me": ("/api/v1/me", token), "hello": ("/healthz", None)}
            for name, (path, secret) in targets.items():
                warm = measure(name, path, secret, args, port=port, duration=args.warmup)
                if warm.errors:
                    return report_invalid(warm, log_path)
            rounds: list[RoundResult] = []
            for number in range(args.rounds):
                order = ["me", "hello"] if number % 2 == 0 else ["hello", "me"]
                for name in order:
                    path, secret = targets[name]
                    result = measure(name, path, secret, args, port=port, duration=args.duration)
                    print(
                        f"  round {number + 1} {name:5}  {result.requests_per_second:9.1f} req/s  p50 {result.p50_ms:6.2f} ms  p99 {result.p99_ms:6.2f} ms  errors {result.errors}",
                        flush=True,
                    )
                    rounds.append(result)
                    if result.errors:
                        return report_invalid(result, log_path)
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)
    best = {name: max((r for r in rounds if r.endpoint == name), key=lambda r: r.requests_per_second) for name in targets}
    ratio = best["me"].requests_per_second / best["hello"].requests_per_second
    summary = {
        "benchmark": "api_throughput",
        "output": str(args.output),
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
        "goal": f"me / hello >= {GOAL_RATIO}",
        "ratio_me_over_hello": round(ratio, 3),
        "goal_met": ratio >= GOAL_RATIO,
        "selection": f"best of {args.rounds} alternating rounds per endpoint",
        "best": {name: asdict(result) for name, result in best.items()},
        "rounds": [asdict(result) for result in rounds],
        "settings": {
            "workers": args.workers,
            "client_processes": args.clients,
            "connections_per_client": args.connections,
            "concurrency": args.clients * args.connections,
            "warmup_seconds": args.warmup,
            "round_seconds": args.duration,
            "rounds": args.rounds,
            "max_requests_per_round": args.max_requests,
            "keep_alive": True,
        },
        "machine": machine_facts(vendor, server=f"granian {granian_version()} (WSGI) via sciport serve"),
    }
    write_results(args.output, summary)
    print_table(summary)
    return 0


def report_invalid(result: RoundResult, log_path: Path) -> int:
    print(f"api_throughput: INVALID, {result.errors} error(s) on {result.endpoint}; first answers:", file=sys.stderr)
    for sample in result.error_samples:
        print("  " + sample.replace("\n", "\n  "), file=sys.stderr)
    print_server_log_tail(log_path)
    return 1


def print_table(summary: dict[str, Any]) -> None:
    settings, machine = summary["settings"], summary["machine"]
    print()
    print(
        f"api_throughput — {machine['server']}, {settings['workers']} workers, {machine['database']}, "
        f"{machine['cpu_count']} CPUs, concurrency {settings['concurrency']} ({settings['client_processes']}×{settings['connections_per_client']}), "
        f"{settings['round_seconds']:.0f} s rounds, {summary['selection']}"
    )
    print(f"{'endpoint':<22} {'req/s':>10} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'requests':>9} {'errors':>7}")
    labels = {"me": "GET /api/v1/me", "hello": "GET /healthz (hello)"}
    for name, result in summary["best"].items():
        print(
            f"{labels[name]:<22} {result['requests_per_second']:>10.1f} {result['p50_ms']:>8.2f} {result['p90_ms']:>8.2f} "
            f"{result['p99_ms']:>8.2f} {result['requests']:>9} {result['errors']:>7}"
        )
    verdict = "meets" if summary["goal_met"] else "BELOW"
    print(f"ratio me/hello = {summary['ratio_me_over_hello']:.3f} ({verdict} the goal {GOAL_RATIO})")
    print(f"results: {summary['output']}")


def main(argv: list[str] | None = None) -> int:
    return run(parse_args(sys.argv[1:] if argv is None else argv))


if __name__ == "__main__":
    sys.exit(main())
