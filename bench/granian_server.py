"""granian with daphne's command line, for bench/deadline_rush.py's BENCH_SERVER:

    BENCH_SERVER=".venv/bin/python bench/granian_server.py" BENCH_WORKERS=2 .venv/bin/python bench/deadline_rush.py

Takes `-b HOST -p PORT APP` (what the benchmark passes to daphne) and runs granian (HTTP in Rust, the
application in Python) as an ASGI server with BENCH_WORKERS processes (default: one per CPU), HTTP/1 and
WebSockets. A comparison with bench/uvicorn_server.py: where a request's body is read and buffered matters at
the deadline (bench/README.md). Needs `pip install granian` (the `bench` extra)."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-b", dest="host", default="127.0.0.1")
    parser.add_argument("-p", dest="port", default="8000")
    parser.add_argument("app")
    args = parser.parse_args()
    granian = shutil.which("granian", path=str(Path(sys.executable).parent)) or "granian"
    os.execv(granian, [granian, "--interface", "asgi", "--host", args.host, "--port", str(args.port),
                       "--workers", os.environ.get("BENCH_WORKERS", str(os.cpu_count())), "--http", "1", "--ws",
                       "--log-level", "warning", args.app])


if __name__ == "__main__":
    main()
