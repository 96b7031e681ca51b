"""uvicorn with daphne's command line, for bench/deadline_rush.py's BENCH_SERVER:

    BENCH_SERVER=".venv/bin/python bench/uvicorn_server.py" BENCH_WORKERS=2 .venv/bin/python bench/deadline_rush.py

Takes `-b HOST -p PORT APP` (what the benchmark passes to daphne) and runs uvicorn with httptools and uvloop
and BENCH_WORKERS processes (default: one per CPU), as README's "ASGI server" paragraph suggests for
production. Needs `pip install "uvicorn[standard]"` (the `bench` extra)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-b", dest="host", default="127.0.0.1")
    parser.add_argument("-p", dest="port", type=int, default=8000)
    parser.add_argument("app")
    args = parser.parse_args()
    import uvicorn

    uvicorn.run(args.app, host=args.host, port=args.port, workers=int(os.environ.get("BENCH_WORKERS", os.cpu_count())),
                http="httptools", loop="uvloop", lifespan="off", log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
