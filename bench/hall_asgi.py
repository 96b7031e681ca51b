"""The ASGI application bench/hall_fanout.py runs under daphne: the platform's own (config.asgi), and with
BENCH_HALL_DISPATCH=channels the opening hall's consumer without its dispatch override, so every relayed
state takes Channels' per-message hop to a thread (aclose_old_connections), as a stock consumer does.
With BENCH_HALL_PROFILE=<file>, SIGUSR1 starts cProfile on the event loop's thread and SIGUSR2 stops it and
writes the statistics to <file>. It counts that thread's CPU time (time.thread_time), not the wall clock, so
time the thread spends preempted or waiting for the GIL on a loaded machine is not charged to a function.

    daphne bench.hall_asgi:application      (from the project root)
"""

import os

from config.asgi import application  # noqa: F401

if os.environ.get("BENCH_HALL_DISPATCH") == "channels":
    from bidding.consumers import HallConsumer

    del HallConsumer.dispatch  # back to channels.consumer.AsyncConsumer.dispatch

if os.environ.get("BENCH_HALL_PROFILE"):
    import cProfile
    import signal
    import time

    _profiler = cProfile.Profile(time.thread_time)

    def _start(signum, frame):
        _profiler.enable()

    def _stop(signum, frame):
        _profiler.disable()
        _profiler.dump_stats(os.environ["BENCH_HALL_PROFILE"])

    signal.signal(signal.SIGUSR1, _start)  # daphne imports the application in the main thread, which runs the loop
    signal.signal(signal.SIGUSR2, _stop)
