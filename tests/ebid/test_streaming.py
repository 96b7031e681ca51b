"""A 2 GiB file goes through sealing and unsealing in bounded memory.

The bid is generated, never stored: sealing writes into a pipe and unsealing reads from it at the same
time, in a fresh interpreter whose peak resident size (VmHWM) is compared with its size before.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SIZE = 2 * 1024**3 + 12345
LIMIT = 64 * 1024**2


def test_a_2_gib_file_seals_and_unseals_through_a_pipe_in_under_64_mib():
    run = subprocess.run([sys.executable, "-m", "tests.ebid.stream_probe", str(SIZE)], check=False, cwd=ROOT,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    figures = json.loads(run.stdout)
    assert figures["plaintext_bytes"] == SIZE
    assert figures["digest_in"] == figures["digest_out"]
    assert figures["peak_growth_bytes"] < LIMIT, figures
