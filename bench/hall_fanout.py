"""The opening hall's readout reaching 500 WebSocket clients through the real ASGI server.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ebid REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python bench/hall_fanout.py [CLIENTS] [ROUNDS]

Needs `websockets` (pip install -e ".[bench]"). Creates its own database (BENCH_DATABASE, default
ebid_bench_hall) and, with the platform's clock run from the past, one-lot tenders whose bid deadline has
passed, each with three bids sealed by `ebid`; and CLIENTS (default 500) regulator users with a session
each. Every round starts daphne as a subprocess on a free port (bench/hall_asgi.py: config.asgi, on this
database and REDIS_URL's Redis), starts decryption at a fresh lot and releases two of its three data keys,
connects CLIENTS WebSocket clients (asyncio, this process) to the lot's hall (/ws/hall/<lot>/: each
authorised on connect from its session cookie), then releases the last key through
bidding.services.opening.key_release in this process: its commit reads the lot out, and the hall's state
is published to the channel layer after the commit. Measured per client: from that commit to receiving
the state whose status is "confirming". Printed per round and, pooled, per configuration: p50, p95, p99,
max and how many of the CLIENTS received it; the service call (commit to return is the state being built
and queued); daphne's CPU time from the call to the last receipt.

Four configurations, interleaved over ROUNDS rounds (default 3): the two channels_redis layers
(CHANNEL_LAYER_BACKEND: channels_redis.core.RedisChannelLayer, channels_redis.pubsub.RedisPubSubChannelLayer),
each with HallConsumer's dispatch override and without it (BENCH_HALL_DISPATCH=channels: Channels' own
dispatch, which hops to a thread to close old database connections before every message).

With BENCH_PROFILE=1, two more rounds (pubsub layer, with and without the override) run with cProfile on
daphne's event-loop thread from the call to the last receipt, and print where that thread's time went.

All of it runs on one machine: daphne, the clients, PostgreSQL and Redis share its CPUs."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("BENCH_DATABASE", "ebid_bench_hall")
SCRATCH = Path(tempfile.mkdtemp(prefix="ebid-bench-hall-"))
# Bid envelopes and the development keys (SECRET_KEY included, which daphne needs to read the sessions) go
# to a scratch directory both processes share, not var/.
os.environ["VAR_DIR"] = str(SCRATCH / "var")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.dummy.EmailBackend")
# Channel-layer keys of this run only, whatever else shares the Redis database.
os.environ["CHANNELS_PREFIX"] = f"hallbench{uuid.uuid4().hex[:8]}"

from bench._common import fresh_django_database, server_facts  # noqa: E402

LAYERS = {"core": "channels_redis.core.RedisChannelLayer", "pubsub": "channels_redis.pubsub.RedisPubSubChannelLayer"}
DISPATCH = {"override": "", "channels": "channels"}
CONFIGS = [(layer, dispatch) for layer in LAYERS for dispatch in DISPATCH]
TARGET_P99_MS = 500
CONNECTING = 8  # handshakes in flight at once: each is authorised in daphne's one database thread
ORIGIN = "http://127.0.0.1"
TICK = os.sysconf("SC_CLK_TCK")


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime + stime


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Daphne:
    """daphne serving bench.hall_asgi:application, started for one round and stopped after it."""

    def __init__(self, url: str, layer: str, dispatch: str, *, profile: Path | None = None) -> None:
        self.port = free_port()
        env = dict(os.environ, DATABASE_URL=url, CHANNEL_LAYER_BACKEND=LAYERS[layer],
                   BENCH_HALL_DISPATCH=DISPATCH[dispatch], LOG_LEVEL="WARNING", DJANGO_SETTINGS_MODULE="config.settings",
                   BENCH_HALL_PROFILE=str(profile or ""))
        self.log = SCRATCH / f"daphne-{layer}-{dispatch}.log"
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen([sys.executable, "-m", "daphne", "-v", "0", "-b", "127.0.0.1", "-p",
                                          str(self.port), "bench.hall_asgi:application"],
                                         cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    sys.exit(f"daphne did not start; its log:\n{self.log.read_text()[-3000:]}")
                time.sleep(0.2)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def sessions_for(actors) -> list[str]:
    """A signed-in session per user, as the sign-in page would leave (cookie values)."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    engine = import_module(settings.SESSION_ENGINE)
    keys = []
    for actor in actors:
        session = engine.SessionStore()
        session[SESSION_KEY] = str(actor.user.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        session[HASH_SESSION_KEY] = actor.user.get_session_auth_hash()
        session.create()
        keys.append(session.session_key)
    return keys


def layer_settings(layer: str) -> dict:
    from django.conf import settings

    return {"default": {**settings.CHANNEL_LAYERS["default"], "BACKEND": LAYERS[layer]}}


def release_timed(bidder, lot) -> tuple[float, float, float]:
    """key_release in this thread; returns (call started, its last COMMIT returned, call returned)."""
    from django.db import connection

    from bidding.services import opening as svc

    key = bidder.data_key(lot.pk)
    commits: list[float] = []
    real = connection._commit

    def timed_commit() -> None:
        real()
        commits.append(time.perf_counter())

    connection._commit = timed_commit
    try:
        started = time.perf_counter()
        svc.key_release(actor=bidder.actor, lot_id=lot.pk, data_key=key)
        returned = time.perf_counter()
    finally:
        del connection._commit
        connection.close()
    return started, commits[-1], returned


async def watch_round(port: int, lot, cookies: list[str], bidder, daphne_pid: int, *, profile: bool = False) -> dict:
    from websockets.asyncio.client import connect
    from websockets.exceptions import InvalidHandshake

    uri = f"ws://127.0.0.1:{port}/ws/hall/{lot.pk}/"
    gate = asyncio.Semaphore(CONNECTING)

    retried = 0

    async def open_one(cookie: str):
        nonlocal retried
        async with gate:
            for attempt in range(5):
                try:
                    ws = await connect(uri, origin=ORIGIN, additional_headers={"Cookie": f"sessionid={cookie}"},
                                       compression=None, open_timeout=120, ping_interval=None, max_size=None)
                    break
                except (OSError, InvalidHandshake):
                    # daphne drops a handshake its application has not accepted within 5 s (a loaded machine)
                    retried += 1
                    await asyncio.sleep(0.5 * (attempt + 1))
            else:
                raise RuntimeError("could not connect a client after 5 attempts")
            first = json.loads(await asyncio.wait_for(ws.recv(), 120))
        assert first["status"] == "decrypting" and first["counts"]["opened"] == 2, first["status"]
        return ws

    async def watch(ws) -> tuple[float, dict]:
        while True:
            raw = await ws.recv()
            received = time.perf_counter()
            state = json.loads(raw)
            if state["status"] == "confirming":
                return received, state

    started = time.perf_counter()
    sockets = await asyncio.gather(*(open_one(c) for c in cookies))
    connecting = time.perf_counter() - started
    watchers = [asyncio.create_task(watch(ws)) for ws in sockets]
    await asyncio.sleep(0.5)  # let the handshakes' last acks settle
    if profile:
        os.kill(daphne_pid, signal.SIGUSR1)
        await asyncio.sleep(0.2)
    cpu_before, own_before = cpu_seconds(daphne_pid), time.process_time()
    called, committed, returned = await asyncio.get_running_loop().run_in_executor(None, release_timed, bidder, lot)
    done, pending = await asyncio.wait(watchers, timeout=20)
    cpu_after, own_after = cpu_seconds(daphne_pid), time.process_time()
    if profile:
        os.kill(daphne_pid, signal.SIGUSR2)
    for task in pending:
        task.cancel()
    received = [task.result() for task in done if not task.cancelled() and task.exception() is None]
    for _, state in received[:1]:
        assert len(state["readout"]) == 3, state["readout"]
    await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
    return {"latencies": [(t - committed) * 1000 for t, _ in received], "connecting": connecting, "retried": retried,
            "call": (returned - called) * 1000, "after_commit": (returned - committed) * 1000,
            "daphne_cpu": (cpu_after - cpu_before) * 1000, "own_cpu": (own_after - own_before) * 1000}


def summary_line(latencies: list[float], clients: int) -> str:
    if not latencies:
        return f"received 0/{clients}"
    return (f"first {min(latencies):6.1f}  p50 {pct(latencies, 50):6.1f}  p95 {pct(latencies, 95):6.1f}  "
            f"p99 {pct(latencies, 99):6.1f}  max {max(latencies):6.1f} ms  received {len(latencies)}/{clients}")


def main() -> None:
    clients = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    if not os.environ.get("REDIS_URL", "").startswith("redis"):
        sys.exit("bench/hall_fanout.py needs REDIS_URL (for example redis://127.0.0.1:6379/0): the hall's state "
                 "goes from this process to daphne's consumers through the Redis channel layer.")
    try:
        import websockets  # noqa: F401
    except ImportError:
        sys.exit('bench/hall_fanout.py needs the websockets client: .venv/bin/pip install -e ".[bench]"')
    url = fresh_django_database()
    from django.conf import settings
    from django.test.utils import override_settings

    from bench._opening import bidders_make, history, members_make, past_tenders
    from bidding.services import opening as svc

    settings.DEBUG = False  # production keeps no query log
    print(f"hall_fanout: {clients} WebSocket clients, {rounds} rounds per configuration; {server_facts(url)}")
    started = time.perf_counter()
    profiled = os.environ.get("BENCH_PROFILE") == "1"
    with history():
        bidders = bidders_make(3)
        people, lots = past_tenders(rounds * len(CONFIGS) + (len(DISPATCH) if profiled else 0), bidders)
    cookies = sessions_for(members_make("regulator", clients, per_organisation=False, label="安吉县发展和改革局"))
    print(f"setup: {len(lots)} lots with 3 sealed bids each, {clients} regulators signed in "
          f"({time.perf_counter() - started:.0f} s)")

    pooled: dict[tuple[str, str], list[dict]] = {c: [] for c in CONFIGS}
    plan = [c for _ in range(rounds) for c in CONFIGS]
    for n, ((layer, dispatch), lot) in enumerate(zip(plan, lots[:len(plan)]), 1):
        with override_settings(CHANNEL_LAYERS=layer_settings(layer)):
            svc.decryption_start(actor=people["agency"], lot_id=lot.pk)
            for bidder in bidders[:2]:
                svc.key_release(actor=bidder.actor, lot_id=lot.pk, data_key=bidder.data_key(lot.pk))
            daphne = Daphne(url, layer, dispatch)
            try:
                load = os.getloadavg()[0]
                result = asyncio.run(watch_round(daphne.port, lot, cookies, bidders[2], daphne.proc.pid))
            finally:
                daphne.stop()
        result["load"] = load
        pooled[(layer, dispatch)].append(result)
        print(f"  round {n:2d} {layer:<6} {dispatch:<8} {summary_line(result['latencies'], clients)};  "
              f"call {result['call']:5.1f} ms (after commit {result['after_commit']:4.1f});  CPU daphne "
              f"{result['daphne_cpu']:4.0f} ms, clients+caller {result['own_cpu']:4.0f} ms;  connect "
              f"{result['connecting']:4.1f} s ({result['retried']} retried);  load {load:.1f}")

    if rounds:
        print(f"\npooled over {rounds} rounds (commit -> state received, ms):")
        verdicts = []
        for layer, dispatch in CONFIGS:
            results = pooled[(layer, dispatch)]
            latencies = [x for r in results for x in r["latencies"]]
            cpu = statistics.median(r["daphne_cpu"] for r in results)
            worst_p99 = max(pct(r["latencies"], 99) if r["latencies"] else float("inf") for r in results)
            complete = all(len(r["latencies"]) == clients for r in results)
            verdicts.append(complete and worst_p99 <= TARGET_P99_MS)
            print(f"  {LAYERS[layer].rsplit('.', 1)[1]:<24} dispatch {dispatch:<8} {summary_line(latencies, clients * len(results))}"
                  f";  worst round p99 {worst_p99:.1f};  daphne CPU median {cpu:.0f} ms")
        print(f"target p99 <= {TARGET_P99_MS} ms with all {clients} received, every round: "
              + ", ".join(f"{layer}/{dispatch} {'met' if ok else 'MISSED'}" for (layer, dispatch), ok in zip(CONFIGS, verdicts)))
    if profiled:
        print("\nprofiled rounds (cProfile of the CPU time of daphne's event-loop thread from the call to the last "
              "receipt; profiling slows it, so the latencies above are from unprofiled rounds):")
        for (layer, dispatch), lot in zip([("pubsub", d) for d in DISPATCH], lots[len(plan):]):
            with override_settings(CHANNEL_LAYERS=layer_settings(layer)):
                svc.decryption_start(actor=people["agency"], lot_id=lot.pk)
                for bidder in bidders[:2]:
                    svc.key_release(actor=bidder.actor, lot_id=lot.pk, data_key=bidder.data_key(lot.pk))
                stats = SCRATCH / f"profile-{dispatch}.pstats"
                daphne = Daphne(url, layer, dispatch, profile=stats)
                try:
                    result = asyncio.run(watch_round(daphne.port, lot, cookies, bidders[2], daphne.proc.pid, profile=True))
                    for _ in range(50):
                        if stats.exists():
                            break
                        time.sleep(0.1)
                finally:
                    daphne.stop()
            print(f"  {layer} {dispatch}: {summary_line(result['latencies'], clients)}")
            print(profile_summary(stats, clients))
    cleanup()


def profile_summary(path: Path, clients: int) -> str:
    import pstats

    rows = []
    for (filename, line, name), (cc, nc, tt, ct, callers) in pstats.Stats(str(path)).stats.items():
        where = filename.split("site-packages/")[-1].split(str(ROOT) + "/")[-1]
        rows.append((tt, ct, nc, f"{where}:{line}({name})" if line else name))
    busy = sum(tt for tt, *_ in rows)
    lines = [f"    event-loop thread CPU {busy * 1000:.0f} ms ({busy * 1e6 / clients:.0f} µs per client)"]
    for key in ("(dispatch)", "(aclose_old_connections)", "(send_json)", "(handle_reply)"):
        for tt, ct, nc, label in rows:
            if label.endswith(key) and "ws_protocol" not in label:
                lines.append(f"    {ct * 1000:8.1f} ms cumulative, {nc:5d} calls  {label}")
    lines.append("    most own time:")
    for tt, ct, nc, label in sorted(rows, reverse=True)[:8]:
        lines.append(f"    {tt * 1000:8.1f} ms own, {nc:6d} calls  {label}")
    return "\n".join(lines)


def cleanup() -> None:
    import redis
    from django.db import connections

    connections.close_all()
    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    for key in client.scan_iter(match=os.environ["CHANNELS_PREFIX"] + "*"):
        client.delete(key)
    shutil.rmtree(SCRATCH, ignore_errors=True)


if __name__ == "__main__":
    main()
