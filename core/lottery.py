"""A verifiable lottery that knows nothing about what it draws.

Why here, in core: the engine is needed by apps on both sides of the dependency diagram
(DESIGN.md §3) — the expert draw (experts/), tie-breaks between equal bids (bidding/, M4) and the
small-works contractor draw "阳光选取" (frameworks/ or bidding/). bidding may not import experts, so a
module inside experts could not serve it; core sits below every domain and imports nothing from them.

The algorithm (docs/draws.md gives it in full, with a worked example):

1. A fresh 32-byte seed is drawn from the operating system's CSPRNG.
2. Before anything is selected the caller commits, in the witness ledger, to SHA-256(seed), to the
   SHA-256 of the canonical snapshot (each bucket's key, count and sorted candidate ids) and to the
   SHA-256 of the canonical rules.
3. Each bucket's candidates are ranked by HMAC-SHA256(key=seed, message=ASCII decimal id), lowest
   hex digest first (ties, which do not happen in practice, by id).
4. Buckets are filled in their listed order, each taking the first `count` of its ranking that no
   earlier bucket took. A vacancy (a decline, a time-out, a declared conflict) in a bucket is filled by
   the first candidate of that bucket's ranking who was never taken before.

Canonical JSON: UTF-8, keys sorted, no whitespace (separators "," and ":"), non-ASCII kept as is.
"""

from __future__ import annotations

import hashlib
import heapq
import hmac
import json
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

SEED_BYTES = 32


@dataclass(frozen=True)
class Bucket:
    key: str
    count: int
    candidates: tuple[int, ...]

    @classmethod
    def of(cls, key: str, count: int, candidates: Iterable[int]) -> "Bucket":
        return cls(key=str(key), count=int(count), candidates=tuple(sorted(set(map(int, candidates)))))


class Rankings(Mapping):
    """Each bucket's full ranking (bucket key -> ids, first drawn first), sorted when first read. A draw takes
    the head of each ranking; only a replacement or a verifier needs the rest."""

    def __init__(self) -> None:
        self._orders: dict[str, list[int]] = {}
        self._scored: dict[str, tuple[list[bytes], Sequence[int]]] = {}

    def add(self, key: str, digests: list[bytes], candidates: Sequence[int]) -> None:
        self._scored[key] = (digests, candidates)
        self._orders.pop(key, None)

    def __getitem__(self, key: str) -> list[int]:
        if key not in self._orders:
            digests, candidates = self._scored[key]
            self._orders[key] = _order(digests, candidates)
        return self._orders[key]

    def __iter__(self):
        return iter(self._scored)

    def __len__(self) -> int:
        return len(self._scored)


@dataclass
class Selection:
    """The outcome of a draw: who was taken, in what order, and which buckets ran short."""

    taken: list[tuple[str, int]] = field(default_factory=list)  # (bucket key, id) in the order taken
    rankings: Rankings = field(default_factory=Rankings)
    short: dict[str, tuple[int, int]] = field(default_factory=dict)  # bucket -> (needed, available)
    heads: dict[str, list[int]] = field(default_factory=dict)  # the start of each ranking, as far as the draw read

    def ids(self, bucket: str | None = None) -> list[int]:
        return [i for b, i in self.taken if bucket is None or b == bucket]

    def rank(self, key: str, candidate: int) -> int:
        """1 for the first of the bucket's ranking."""
        head = self.heads.get(key, ())
        return (head.index(candidate) if candidate in head else self.rankings[key].index(candidate)) + 1


def new_seed() -> bytes:
    return secrets.token_bytes(SEED_BYTES)


def canonical(obj) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def digest(obj) -> str:
    return hashlib.sha256(canonical(obj)).hexdigest()


def seed_hash(seed: bytes) -> str:
    return hashlib.sha256(seed).hexdigest()


def snapshot(buckets: Sequence[Bucket]) -> list[dict]:
    """The committed form of the candidate sets: what SHA-256 is taken of."""
    return [{"key": b.key, "count": b.count, "candidates": list(b.candidates)} for b in buckets]


def snapshot_hash(buckets: Sequence[Bucket]) -> str:
    return digest(snapshot(buckets))


def score(seed: bytes, candidate: int) -> str:
    return hmac.new(seed, str(int(candidate)).encode("ascii"), hashlib.sha256).hexdigest()


def _keyed_states(seed: bytes):
    """HMAC-SHA256's two keyed SHA-256 states (RFC 2104): SHA-256 after the key XOR ipad, and after the key XOR
    opad. HMAC(seed, m) = SHA-256(opad-state + SHA-256(ipad-state + m)). Copying these two states per message is
    about twice as fast as copying OpenSSL's keyed HMAC (`hmac.new(...).copy()`) and gives the same digests
    (tests/experts/test_lottery.py checks them against `hmac`)."""
    key = (hashlib.sha256(seed).digest() if len(seed) > 64 else seed).ljust(64, b"\0")
    return hashlib.sha256(bytes(b ^ 0x36 for b in key)), hashlib.sha256(bytes(b ^ 0x5C for b in key))


def _digests(seed: bytes, candidates: Sequence[int]) -> list[bytes]:
    """HMAC-SHA256(seed, ASCII decimal id) of each candidate, in order: the raw form of `score`."""
    inner, outer = _keyed_states(seed)
    inner_copy, outer_copy = inner.copy, outer.copy
    out = []
    append = out.append
    for candidate in candidates:
        h = inner_copy()
        h.update(b"%d" % candidate)
        o = outer_copy()
        o.update(h.digest())
        append(o.digest())
    return out


def ranking(seed: bytes, candidates: Iterable[int]) -> list[int]:
    """Candidates in draw order: lowest HMAC-SHA256(seed, id) first. Also the tie-break order for bids.

    Raw digests sort exactly as their hex forms do."""
    return _ranked(seed, list({int(c) for c in candidates}))


def _ranked(seed: bytes, unique: Sequence[int]) -> list[int]:
    """`ranking` of ids already known to be distinct ints."""
    return _order(_digests(seed, unique), unique)


def _order(digests: list[bytes], unique: Sequence[int]) -> list[int]:
    """Distinct ids by (digest, id). The digests are sorted on their own (bytes compare faster than tuples);
    equal digests, which SHA-256 does not produce in practice, fall back to (digest, id)."""
    by_digest = dict(zip(digests, unique))
    if len(by_digest) == len(unique):
        return [by_digest[d] for d in sorted(by_digest)]
    return [candidate for _, candidate in sorted(zip(digests, unique))]


def next_in(order: Sequence[int], used: set[int]) -> int | None:
    return next((c for c in order if c not in used), None)


def draw(seed: bytes, buckets: Sequence[Bucket]) -> Selection:
    """Fill each bucket in order from its ranking, never taking one candidate twice."""
    result = Selection()
    used: set[int] = set()
    for bucket in buckets:
        candidates = bucket.candidates  # Bucket.of made them distinct ints
        digests = _digests(seed, candidates)
        result.rankings.add(bucket.key, digests, candidates)
        # The head of the ranking that can hold this bucket's count after the earlier buckets' takings: the
        # (digest, id) order, as the full ranking's, without sorting the rest.
        taken_here = len(used.intersection(candidates)) if used else 0
        head = [c for _, c in heapq.nsmallest(bucket.count + taken_here, zip(digests, candidates))]
        result.heads[bucket.key] = head
        available = [c for c in head if c not in used]
        if len(available) < bucket.count:
            result.short[bucket.key] = (bucket.count, len(available))
        for candidate in available[: bucket.count]:
            used.add(candidate)
            result.taken.append((bucket.key, candidate))
    return result


def replay(seed: bytes, buckets: Sequence[Bucket], vacancies: Sequence[str]) -> Selection:
    """The draw, then one replacement per vacated bucket key, in order: what a verifier recomputes."""
    result = draw(seed, buckets)
    used = {c for _, c in result.taken}
    for key in vacancies:
        candidate = next_in(result.rankings.get(key, []), used)
        if candidate is None:
            result.short[key] = (1, 0)
            break
        used.add(candidate)
        result.taken.append((key, candidate))
    return result


def result_hash(taken: Sequence[tuple[str, int]]) -> str:
    return digest([[key, int(candidate)] for key, candidate in taken])
