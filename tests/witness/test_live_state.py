"""Coalesced live states (witness.feed): a burst of changes to one page costs a few rebuilds, the last change
is always published and after it was made, pages do not hold each other up, and a failing build stops nothing."""

from __future__ import annotations

import threading
import time

from witness.feed import _Coalescer


def started(interval: float) -> _Coalescer:
    coalescer = _Coalescer(interval)
    coalescer.start()
    return coalescer


def test_a_burst_is_built_a_few_times_and_the_last_change_is_always_built_after_it_was_made():
    coalescer = started(0.05)
    state = {"version": 0}
    built: list[int] = []

    def build() -> None:
        built.append(state["version"])  # reads "the database" when it runs
        time.sleep(0.005)

    end = time.monotonic() + 0.5
    while time.monotonic() < end:
        state["version"] += 1
        coalescer.submit("hall:1", build)
        time.sleep(0.001)
    assert coalescer.settle(5)
    last = state["version"]
    assert last > 200  # hundreds of changes ...
    assert 1 <= len(built) <= 12  # ... at most one build per 50 ms (and one after the last)
    assert built[-1] == last  # the final state went out
    assert built == sorted(built)


def test_a_change_after_a_quiet_spell_goes_out_at_once():
    coalescer = started(1.0)
    done = threading.Event()
    coalescer.submit("hall:1", lambda: None)
    assert coalescer.settle(5)
    time.sleep(1.05)
    submitted = time.monotonic()
    coalescer.submit("hall:1", done.set)
    assert done.wait(5)
    assert time.monotonic() - submitted < 0.9  # not held back for another interval


def test_keys_are_coalesced_separately():
    coalescer = started(1.0)
    built: list[str] = []
    other = threading.Event()
    coalescer.submit("hall:1", lambda: built.append("hall:1 first"))
    assert coalescer.settle(5)
    first = time.monotonic()
    coalescer.submit("hall:1", lambda: built.append("hall:1 second"))  # waits for its interval ...
    coalescer.submit("hall:2", lambda: (built.append("hall:2"), other.set()))  # ... which another page does not
    assert other.wait(5)
    if time.monotonic() - first < 0.9:
        assert built == ["hall:1 first", "hall:2"]
    assert coalescer.settle(5)
    assert built[-1] == "hall:1 second"
    assert built == ["hall:1 first", "hall:2", "hall:1 second"]


def test_a_failing_build_is_logged_and_the_next_still_runs(caplog):
    coalescer = started(0.01)
    done = threading.Event()

    def broken() -> None:
        raise RuntimeError("database gone")

    coalescer.submit("hall:1", broken)
    assert coalescer.settle(5)
    coalescer.submit("hall:1", done.set)
    assert done.wait(5)
    assert "live state hall:1 not published" in caplog.text
