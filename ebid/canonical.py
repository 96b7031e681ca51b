"""Canonical JSON: the one byte form of a JSON value that the header and receipts are hashed in.

Keys sorted, no whitespace, UTF-8 without \\u escapes for non-ASCII, integers only (floats print
differently in Python and JavaScript), so a JavaScript writer produces the same bytes with a sorted
JSON.stringify.
"""

from __future__ import annotations

import json
from typing import Any


def _reject_floats(value: Any) -> None:
    if isinstance(value, float):
        raise TypeError("canonical JSON holds no floating-point numbers; write decimals as strings")
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError("canonical JSON object keys are strings")
            _reject_floats(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _reject_floats(item)


def canonical_json(value: Any) -> bytes:
    """The canonical UTF-8 bytes of `value`."""
    _reject_floats(value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                      allow_nan=False).encode("utf-8")


def parse_canonical(data: bytes) -> Any:
    """Parse JSON and insist it was written canonically (so one meaning has one byte form).

    Raises ValueError (TypeError for a float) otherwise; duplicate keys show up as a non-canonical form.
    """
    value = json.loads(data.decode("utf-8"), parse_float=_no_float, parse_constant=_no_float)
    if canonical_json(value) != data:
        raise ValueError("not in canonical form (sorted keys, no whitespace, no escaped non-ASCII)")
    return value


def _no_float(text: str) -> Any:
    raise ValueError(f"floating-point number {text!r} in canonical JSON")
