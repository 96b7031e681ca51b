"""Deadline rush: 200 bidders upload 20 MiB sealed bids at once to the ASGI server, against the disk itself.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ebid REDIS_URL=redis://127.0.0.1:6379/5 \\
        DATABASE_POOL_MAX_SIZE=20 .venv/bin/python bench/deadline_rush.py [BIDDERS] [MiB]   # 200 and 20

Sets up, untimed, on a fresh database of its own (BENCH_DATABASE, default ebid_bench_rush): an open tender
with one lot, BIDDERS approved bidder organisations each with a registered sealing key and an API token, and
one envelope per bidder sealed with `ebid` for that bidder (≈ MiB each, kept in memory). MEDIA_ROOT and
BID_UPLOAD_DIR are made under one temporary directory (TMPDIR), so the chunks and the stored envelopes share
a disk; everything is removed afterwards. Then daphne is started on a free loopback port with the same
environment and production's settings (DEBUG off, this process's keys: bench/_common.production_environment;
BENCH_SERVER replaces the daphne command line, e.g. to try another ASGI server).

Timed, "platform": every bidder at once (asyncio + aiohttp, a connection each) runs the upload API of
docs/sealing.md §11 — start, PUT chunks of BENCH_CHUNK bytes (4 MiB), finish — with `Authorization: Token`
(the chunks with the upload's `X-Upload-Token` instead, as the bid page sends them).
A failed request is resumed as the bidder tool would (GET the upload, go on from `received`; finish again),
at most 5 times, and counted. Printed: wall time from the first request to the last receipt, MiB/s, each
bidder's latency (start to receipt) and the finish and chunk requests' latency, p50/p95/p99/max; CPU seconds
of the server (its event-loop thread and its request threads), the clients and the whole machine — 2 CPUs
here, shared by the clients, the server and PostgreSQL.

Checked: every receipt's signature with ebid.receipt.verify_receipt under the key the platform publishes,
and that it names the envelope's SHA-256, size, bidder and lot; then in the database one submitted bid per
bidder with the right hash, its stored file re-hashed, no upload unfinished and no partial file left.

In the same run, for comparison:
  * "daphne alone": the same requests from the same clients to `bare_app` below, an ASGI app that answers
    the upload API with nothing behind it but each chunk written at its offset and fsynced (in a worker
    thread, as a Django view runs): what the ASGI server itself carries on this machine;
  * the disk, before and after the rush: the same envelopes written to files in the same tree, in the same
    chunks, fsync per file (and, for reference, fsync per chunk, as the upload path does).
Target: the platform's MiB/s ≥ 0.5 × the disk's (fsync per file, the better of the two runs).
"""

from __future__ import annotations

import asyncio
import collections
import dataclasses
import hashlib
import io
import itertools
import json
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("BENCH_DATABASE", "ebid_bench_rush")

from bench._common import ROOT, fresh_django_database, server_facts  # noqa: E402

MIB = 1 << 20
CHUNK = int(os.environ.get("BENCH_CHUNK", 4 * MIB))
TARGET_RATIO = 0.5
RETRIES = 5


@dataclasses.dataclass
class Bidder:
    organisation_id: int
    token: str
    envelope: bytes = b""
    sha256: str = ""
    done: bool = False
    receipt: dict | None = None
    latency: float = 0.0
    finish_latency: float = 0.0
    chunk_latencies: list[float] = dataclasses.field(default_factory=list)
    retries: int = 0
    error: str = ""

    def fresh(self) -> Bidder:
        return Bidder(organisation_id=self.organisation_id, token=self.token, envelope=self.envelope,
                      sha256=self.sha256)


# --- set-up (not timed) ---------------------------------------------------------------------------------------


def make_parties(count: int):
    """An open tender with one lot, and `count` approved bidders with a sealing key and an API token each.
    Returns the lot and (Bidder, private key, organisation) triples."""
    from cryptography.hazmat.primitives.asymmetric import ec
    from django.conf import settings
    from rest_framework.authtoken.models import Token

    from accounts.services import key_register
    from bidding.services import tender_review, tender_submit
    from core import clock
    from ebid.keys import public_pem
    from tests.factories import actor_of, make_tender

    # Users are made with a password; at production strength that costs 0.3 s each and is not what is measured.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    real_now = clock.now
    frozen = real_now().replace(microsecond=0)
    clock.now = lambda: frozen
    try:  # published an hour ago, as tests/bidding/conftest.py's open_tender; the deadline is weeks away
        agency, tenderer, centre = actor_of("agency"), actor_of("tenderer"), actor_of("centre")
        tender = make_tender(agency=agency, tenderer=tenderer.organisation, start=frozen - timedelta(hours=1))
        tender_submit(actor=agency, tender=tender)
        tender_review(actor=centre, tender=tender, approve=True)
    finally:
        clock.now = real_now
    lot = tender.lots.get()
    parties = []
    for _ in range(count):
        actor = actor_of("bidder")
        key = ec.generate_private_key(ec.SECP256R1())
        key_register(actor=actor, organisation=actor.organisation, purpose="sealing", label="main key",
                     pem=public_pem(key.public_key()).decode())
        token = Token.objects.create(user=actor.user)
        parties.append((Bidder(organisation_id=actor.organisation.pk, token=token.key), key, actor.organisation))
    return lot, parties


def seal_envelopes(lot, parties, size: int) -> None:
    """One envelope per bidder, bound to it and sealed for its key, of just under `size` bytes."""
    from ebid import Binding, seal
    from tests.ebid.stream_probe import GeneratedFile

    for n, (bidder, key, org) in enumerate(parties):
        binding = Binding(tender_id=lot.tender_id, tender_reference=lot.tender.reference, lot_id=lot.pk,
                          bidder_id=org.pk, bidder_credit_code=org.credit_code)
        out = io.BytesIO()
        seal(binding=binding, summary={"bidder": org.name, "price": f"{2_000_000 + n}.00", "duration_days": 180},
             files=[("技术标.pdf", GeneratedFile(size - 4096, seed=f"bid-{n}".encode()))],
             recipients=[key.public_key()], out=out)
        bidder.envelope = out.getvalue()
        bidder.sha256 = hashlib.sha256(bidder.envelope).hexdigest()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(app: str, port: int, log: Path) -> subprocess.Popen:
    import urllib.request

    command = shlex.split(os.environ.get("BENCH_SERVER", str(ROOT / ".venv" / "bin" / "daphne")))
    from bench._common import production_environment

    # As production runs it: DEBUG off (no debug cursor, no query log), with this process's keys
    proc = subprocess.Popen([*command, "-b", "127.0.0.1", "-p", str(port), app], cwd=ROOT,
                            env={**os.environ, **production_environment()},
                            stdout=log.open("wb"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"the server exited ({proc.returncode}):\n{log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/platform/receipt-key/", timeout=2) as r:
                if r.status == 200:
                    return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    sys.exit(f"the server did not answer within 60 s:\n{log.read_text()[-2000:]}")


def stop_server(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


# --- daphne alone: the upload API's requests with nothing behind them but the writes ----------------------------

_bare_ids = itertools.count(1)


def _bare_write(upload: str, offset: int, data: bytes) -> None:
    fd = os.open(Path(os.environ["BENCH_BARE_DIR"]) / f"{upload}.part", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        view = memoryview(data)
        while view:
            view = view[os.pwrite(fd, view, offset + len(data) - len(view)):]
        os.fsync(fd)
    finally:
        os.close(fd)


async def bare_app(scope, receive, send) -> None:
    """ASGI app answering start, chunk and finish (and the readiness probe); a chunk is written and fsynced."""
    if scope["type"] != "http":
        return
    body = bytearray()
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    parts = scope["path"].strip("/").split("/")
    status, answer = 200, {}
    if scope["method"] == "POST" and parts[-1] == "uploads":
        status, answer = 201, {"id": next(_bare_ids), "received": 0}
    elif parts[-1] == "chunk":
        offset = int(parse_qs(scope["query_string"].decode())["offset"][0])
        await asyncio.to_thread(_bare_write, parts[-2], offset, bytes(body))
        answer = {"received": offset + len(body)}
    elif parts[-1] == "finish":
        status, answer = 201, {"receipt": None}
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": json.dumps(answer).encode()})


# --- the rush (timed) -----------------------------------------------------------------------------------------


async def _call(session, method: str, url: str, expect: int, **kwargs) -> dict:
    async with session.request(method, url, **kwargs) as response:
        body = await response.read()
        if response.status != expect:
            text = body.decode("utf-8", "replace")
            if "<title>" in text:  # Django's error page: its title names the exception
                text = " ".join(text.split("<title>", 1)[1].split("</title>", 1)[0].split())
            raise RuntimeError(f"{method} /api/{url.split('/api/')[-1]} answered {response.status}: {text[:200]}")
        return json.loads(body)


async def one_bidder(session, base: str, lot_id: int, bidder: Bidder) -> None:
    """start → PUT every chunk → finish, resuming after a failed request as a bidder tool would."""
    auth = {"Authorization": f"Token {bidder.token}"}
    envelope = memoryview(bidder.envelope)
    started = time.perf_counter()
    resume = False

    async def retrying(action):
        nonlocal resume
        while True:
            try:
                return await action()
            except Exception as exc:  # noqa: BLE001 - any failure is retried, then reported
                bidder.retries += 1
                bidder.error = f"{type(exc).__name__}: {exc}"[:300]
                if bidder.retries > RETRIES:
                    raise
                resume = True
                await asyncio.sleep(0.5 * bidder.retries)

    key = uuid.uuid4().hex
    upload = await retrying(lambda: _call(session, "POST", f"{base}/api/bids/uploads/", 201, headers=auth, json={
        "lot_id": lot_id, "size": len(envelope), "sha256": bidder.sha256, "idempotency_key": key}))
    url = f"{base}/api/bids/uploads/{upload['id']}/"
    received = upload["received"]

    async def send_chunk():
        nonlocal received, resume
        if resume:
            received = (await _call(session, "GET", url, 200, headers=auth))["received"]
            resume = False
            if received >= len(envelope):
                return
        sent = time.perf_counter()
        answer = await _call(session, "PUT", f"{url}chunk/?offset={received}", 200,
                             data=envelope[received:received + CHUNK],
                             headers={"X-Upload-Token": upload.get("upload_token", ""),
                                      "Content-Type": "application/octet-stream"})
        bidder.chunk_latencies.append(time.perf_counter() - sent)
        received = answer["received"]

    while received < len(envelope):
        await retrying(send_chunk)

    async def finish():
        sent = time.perf_counter()
        bid = await _call(session, "POST", f"{url}finish/", 201, headers=auth)
        bidder.finish_latency = time.perf_counter() - sent
        return bid

    bidder.receipt = (await retrying(finish))["receipt"]
    bidder.done, bidder.latency = True, time.perf_counter() - started


async def rush(base: str, lot_id: int, bidders: list[Bidder]) -> tuple[float, list]:
    import aiohttp

    timeout = aiohttp.ClientTimeout(total=None, sock_connect=30, sock_read=600)
    async with aiohttp.ClientSession(timeout=timeout, connector=aiohttp.TCPConnector(limit=0)) as session:
        started = time.perf_counter()
        outcomes = await asyncio.gather(*(one_bidder(session, base, lot_id, b) for b in bidders),
                                        return_exceptions=True)
        return time.perf_counter() - started, outcomes


def cpu_seconds(pid: int, thread: int | None = None) -> tuple[float, float]:
    """(user, system) CPU seconds of a process (its ended threads included) and its live child processes (a
    server's workers), or of one of its threads."""
    stat = Path(f"/proc/{pid}/task/{thread}/stat" if thread else f"/proc/{pid}/stat")
    fields = stat.read_text().rsplit(")", 1)[1].split()
    user, system = int(fields[11]) / os.sysconf("SC_CLK_TCK"), int(fields[12]) / os.sysconf("SC_CLK_TCK")
    if thread is None:
        for children in Path(f"/proc/{pid}/task").glob("*/children"):
            for child in children.read_text().split():
                try:
                    more = cpu_seconds(int(child))
                except OSError:  # ended meanwhile
                    continue
                user, system = user + more[0], system + more[1]
    return user, system


def database_cpu() -> float:
    """User + system CPU seconds of the PostgreSQL server's processes on this machine (those alive when read:
    the servers' pooled connections live through a rush), or 0 where it runs elsewhere."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        if text.split("(", 1)[1].split(")", 1)[0] == "postgres":
            fields = text.rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def machine_cpu() -> tuple[int, int, int]:
    """(busy, iowait, total) jiffies since boot, all CPUs."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    total = sum(values[:8])
    return total - values[3] - values[4], values[4], total


def timed_rush(app: str, lot_id: int, bidders: list[Bidder], log: Path) -> dict:
    """Start the server with `app`, run the rush against it, stop it. Returns the figures."""
    server = start_server(app, free_port(), log)
    base = f"http://127.0.0.1:{server.args[server.args.index('-p') + 1]}"
    profiler = None
    if os.environ.get("BENCH_PROFILE") and not app.startswith("bench."):
        # py-spy's collapsed stacks of the server while it holds the GIL (PY_SPY: the py-spy command)
        profiler = subprocess.Popen([os.environ.get("PY_SPY", "py-spy"), "record", "--format", "raw", "--gil",
                                     "--threads", "--subprocesses", "--rate", "50", "--pid", str(server.pid), "--output",
                                     os.environ["BENCH_PROFILE"]], stdout=subprocess.DEVNULL)
        time.sleep(1)
    try:
        before = (cpu_seconds(server.pid), cpu_seconds(server.pid, server.pid), time.process_time(), machine_cpu(),
                  database_cpu())
        wall, outcomes = asyncio.run(rush(base, lot_id, bidders))
        after = (cpu_seconds(server.pid), cpu_seconds(server.pid, server.pid), time.process_time(), machine_cpu(),
                 database_cpu())
        if profiler is not None:
            profiler.send_signal(signal.SIGINT)
            profiler.wait(60)
        published = None
        if not app.startswith("bench."):  # the platform (BENCH_APP may name its Django app alone)
            import urllib.request

            with urllib.request.urlopen(f"{base}/api/platform/receipt-key/") as response:
                published = json.loads(response.read())["public_key_pem"]
    finally:
        stop_server(server)
    busy, iowait, jiffies = (b - a for a, b in zip(before[3], after[3]))
    return {"wall": wall, "outcomes": outcomes, "published": published,
            "server": tuple(b - a for a, b in zip(before[0], after[0])),
            "loop": tuple(b - a for a, b in zip(before[1], after[1])), "clients": after[2] - before[2],
            "database": after[4] - before[4],
            "busy": busy / jiffies, "iowait": iowait / jiffies, "log": log.read_text(errors="replace")}


# --- the disk -------------------------------------------------------------------------------------------------


def disk_baseline(directory: Path, bidders: list[Bidder], *, per_chunk: bool) -> float:
    """Seconds to write every envelope to its own file in CHUNK writes, fsync per file (or per chunk)."""
    directory.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    for n, bidder in enumerate(bidders):
        view = memoryview(bidder.envelope)
        fd = os.open(directory / f"{n}.ebid", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            for offset in range(0, len(view), CHUNK):
                chunk = view[offset:offset + CHUNK]
                while chunk:
                    chunk = chunk[os.write(fd, chunk):]
                if per_chunk:
                    os.fsync(fd)
            if not per_chunk:
                os.fsync(fd)
        finally:
            os.close(fd)
    elapsed = time.perf_counter() - started
    shutil.rmtree(directory)
    return elapsed


# --- checks after the rush ------------------------------------------------------------------------------------


def check_receipts(lot, bidders: list[Bidder], public_pem: str) -> tuple[int, list[str]]:
    """How many receipts verify and name the right envelope, bidder and lot; and what is wrong with the rest."""
    from cryptography.hazmat.primitives import serialization

    from bidding.receipts import public_key_pem
    from ebid.errors import ReceiptError
    from ebid.receipt import verify_receipt

    problems = []
    if public_pem.strip() != public_key_pem().strip():
        problems.append("the key the server publishes is not the platform's configured signing key")
    public = serialization.load_pem_public_key(public_pem.encode("ascii"))
    verified = 0
    for bidder in bidders:
        if bidder.receipt is None:
            problems.append(f"bidder {bidder.organisation_id}: no receipt ({bidder.error})")
            continue
        try:
            receipt = verify_receipt(bidder.receipt, public)
        except ReceiptError as exc:
            problems.append(f"bidder {bidder.organisation_id}: the receipt does not verify: {exc}")
            continue
        if (receipt["envelope"] != {"sha256": bidder.sha256, "size": len(bidder.envelope)}
                or receipt["bidder"]["id"] != bidder.organisation_id or receipt["lot"]["id"] != lot.pk):
            problems.append(f"bidder {bidder.organisation_id}: the receipt names {receipt['envelope']}, bidder "
                            f"{receipt['bidder']['id']}, lot {receipt['lot']['id']}")
            continue
        verified += 1
    return verified, problems


def check_database(lot, bidders: list[Bidder]) -> list[str]:
    from bidding.models import Bid, BidStatus, BidUpload
    from bidding.services.envelopes import partial_file

    problems = []
    stored = collections.defaultdict(list)
    for bid in Bid.objects.filter(lot=lot):
        if bid.status != BidStatus.SUBMITTED:
            problems.append(f"bid {bid.pk} is {bid.status}")
        stored[bid.bidder_id].append(bid)
    for bidder in bidders:
        bids = stored.get(bidder.organisation_id, [])
        if len(bids) != 1:
            problems.append(f"bidder {bidder.organisation_id}: {len(bids)} bids in the database")
            continue
        bid = bids[0]
        if (bid.sha256, bid.size) != (bidder.sha256, len(bidder.envelope)):
            problems.append(f"bidder {bidder.organisation_id}: the database holds {bid.sha256} ({bid.size} bytes)")
        digest = hashlib.sha256()
        with bid.envelope.open("rb") as fh:
            while data := fh.read(MIB):
                digest.update(data)
        if digest.hexdigest() != bidder.sha256:
            problems.append(f"bidder {bidder.organisation_id}: the stored envelope hashes to {digest.hexdigest()}")
    unfinished = BidUpload.objects.filter(lot=lot, finished_at__isnull=True).count()
    if unfinished:
        problems.append(f"{unfinished} uploads unfinished")
    left = sum(1 for name in BidUpload.objects.filter(lot=lot).values_list("partial_path", flat=True)
               if partial_file(name).exists())
    if left:
        problems.append(f"{left} partial files left behind")
    return problems


# --- report ---------------------------------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def spread(values: list[float]) -> str:
    return "  ".join(f"{label} {value:6.2f} s" for label, value in (
        ("p50", percentile(values, 50)), ("p95", percentile(values, 95)), ("p99", percentile(values, 99)),
        ("max", max(values))))


def report(label: str, figures: dict, bidders: list[Bidder], total: int) -> float:
    done = [b for b in bidders if b.done]
    rate = total / MIB / figures["wall"]
    print(f"  {label}: {len(done)} of {len(bidders)} finished in {figures['wall']:.1f} s: {rate:,.0f} MiB/s "
          f"({len(done) / figures['wall']:.1f} bids/s)")
    if done:
        print(f"    per bidder, start to receipt: {spread([b.latency for b in done])}")
        print(f"    finish request:               {spread([b.finish_latency for b in done])}")
        print(f"    chunk PUT request:            {spread([t for b in done for t in b.chunk_latencies])}")
    retried = sum(b.retries for b in bidders)
    last = next((b.error for b in bidders if b.error), "")
    print(f"    retried requests: {retried}" + (f" (last: {last})" if last else ""))
    server, loop = figures["server"], figures["loop"]
    print(f"    CPU seconds, user + system: server {sum(server):.1f} (event loop thread {loop[0]:.1f} + {loop[1]:.1f},"
          f" request threads {server[0] - loop[0]:.1f} + {server[1] - loop[1]:.1f}), clients {figures['clients']:.1f},"
          f" PostgreSQL {figures['database']:.1f};"
          f" machine busy {figures['busy'] * 100:.0f} % of {os.cpu_count()} CPUs,"
          f" iowait {figures['iowait'] * 100:.0f} %")
    for bidder, outcome in [(b, o) for b, o in zip(bidders, figures["outcomes"]) if isinstance(o, BaseException)][:5]:
        print(f"    FAILED bidder {bidder.organisation_id}: {outcome}")
    if retried:
        errors = [line for line in figures["log"].splitlines() if "Error:" in line]
        for line, times in collections.Counter(errors).most_common(3):
            print(f"    server log, {times} ×: {line[:200]}")
    return rate


def main(count: int, mib: int) -> None:
    work = Path(tempfile.mkdtemp(prefix="deadline-rush-"))
    os.environ["MEDIA_ROOT"] = str(work / "media")
    os.environ["BID_UPLOAD_DIR"] = str(work / "bid-uploads")
    os.environ["BENCH_BARE_DIR"] = str(work / "bare")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    try:
        url = fresh_django_database()
        from django.conf import settings
        from django.db import connections

        pool = settings.DATABASES["default"].get("OPTIONS", {}).get("pool")
        print(f"deadline_rush: {count} bidders × {mib} MiB envelopes, {CHUNK / MIB:g} MiB chunks; {server_facts(url)}")
        connections_used = f"a pool of at most {pool['max_size']}" if pool else "one per request"
        print(f"  database connections: {connections_used}; "
              f"channel layer {settings.CHANNEL_LAYERS['default']['BACKEND'].rsplit('.', 1)[-1]}; files under {work}; "
              f"load average before: {os.getloadavg()[0]:.1f}")
        started = time.perf_counter()
        lot, parties = make_parties(count)
        seal_envelopes(lot, parties, mib * MIB)
        bidders = [bidder for bidder, _, _ in parties]
        del parties
        total = sum(len(b.envelope) for b in bidders)
        print(f"  set-up: tender, lot, {count} bidders with keys and tokens, {total / MIB:,.0f} MiB of envelopes "
              f"sealed, in {time.perf_counter() - started:.0f} s")
        connections.close_all()

        floor = [disk_baseline(work / "floor", bidders, per_chunk=False)]
        # BENCH_APP=config.asgi:django_asgi_app: the platform without the chunk receiver in front (every chunk
        # through Django), for comparison
        app = os.environ.get("BENCH_APP", "config.asgi:application")
        platform = timed_rush(app, lot.pk, bidders, work / "daphne.log")
        bare_bidders = [b.fresh() for b in bidders]
        (work / "bare").mkdir()
        bare = timed_rush("bench.deadline_rush:bare_app", lot.pk, bare_bidders, work / "bare.log")
        shutil.rmtree(work / "bare")
        floor.append(disk_baseline(work / "floor", bidders, per_chunk=False))
        per_chunk = disk_baseline(work / "floor", bidders, per_chunk=True)

        for label, seconds in (("before", floor[0]), ("after", floor[1])):
            print(f"  disk, fsync per file ({label}): {total / MIB / seconds:,.0f} MiB/s ({seconds:.1f} s)")
        print(f"  disk, fsync per chunk: {total / MIB / per_chunk:,.0f} MiB/s ({per_chunk:.1f} s)")
        rate = report("platform (daphne + Django + PostgreSQL)", platform, bidders, total)
        bare_rate = report("daphne alone (write + fsync per chunk, nothing else)", bare, bare_bidders, total)

        verified, problems = check_receipts(lot, bidders, platform["published"])
        stored = check_database(lot, bidders)
        print(f"  receipts verified (signature; SHA-256, size, bidder, lot): {verified} of {count}; database: "
              + ("one submitted bid per bidder, hash and stored bytes right, zero lost" if not stored else "PROBLEMS"))
        for problem in (problems + stored)[:20]:
            print(f"    {problem}")
        disk = total / MIB / min(floor)
        ratio = rate / disk
        print(f"  platform ÷ disk (fsync per file, better run): {ratio:.2f}; platform ÷ daphne alone: "
              f"{rate / bare_rate:.2f}; daphne alone ÷ disk: {bare_rate / disk:.2f}")
        lost = count - verified
        verdict = "met" if ratio >= TARGET_RATIO else "MISSED"
        print(f"target ≥ {TARGET_RATIO} of the disk's rate: {verdict} ({ratio:.2f}); lost: {lost}")
        if problems or stored:
            sys.exit(1)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200, int(sys.argv[2]) if len(sys.argv) > 2 else 20)
