"""Every alteration is caught, and caught as what it is (docs/sealing.md §7)."""

from __future__ import annotations

import dataclasses
import io
import json
from pathlib import Path

import pytest

from ebid import (
    EnvelopeError,
    Malformed,
    Randomness,
    Rebound,
    Tampered,
    Truncated,
    WrongKey,
    check_structure,
    read_header,
    unseal_to_directory,
)
from ebid.errors import CommitmentMismatch
from ebid.keys import fingerprint
from tests.ebid.helpers import ALICE, BACKUP, BINDING, MALLORY, open_bytes, seal_bytes

FILES = [("empty.txt", b""), ("技术标.pdf", bytes(range(128))), ("商务标.pdf", bytes(range(100, 200)) * 2)]
RANDOMNESS = Randomness(data_key=bytes(range(32)), salts=tuple(bytes([i]) * 32 for i in range(4)),
                        ephemeral_scalars=(0xE1, 0xE2))


def sealed(binding=BINDING, randomness=RANDOMNESS) -> bytes:
    return seal_bytes(FILES, recipients=(ALICE, BACKUP), binding=binding, randomness=randomness)[0]


ENVELOPE = sealed()
HEADER = read_header(io.BytesIO(ENVELOPE))
BODY_END = 16 + HEADER.length - 16 - (2 + 2 * (2 + 145))
RECORDS = BODY_END + 2


def chunk_spans() -> list[tuple[int, int, int, int]]:
    """(part, counter, start, end) of every chunk in ENVELOPE."""
    spans, at = [], HEADER.length
    for part in HEADER.parts:
        for counter in range(HEADER.chunk_count(part)):
            plain = min(HEADER.chunk_size, part.size - counter * HEADER.chunk_size)
            spans.append((part.index, counter, at, at + plain + 16))
            at += plain + 16
    assert at == len(ENVELOPE)
    return spans


def region(offset: int) -> str:
    if offset < 8:
        return "magic"
    if offset < 12:
        return "version/suite"
    if offset < 16:
        return "body length"
    if offset < BODY_END:
        return "body"
    if offset < RECORDS:
        return "recipient count"
    if offset < HEADER.length:
        within = (offset - RECORDS) % 147
        return "record length" if within < 2 else "fingerprint" if within < 34 else "ephemeral key" if within < 99 \
            else "wrapped key"
    return "chunk"


# A body length grown past the end of the data cannot be told from a cut-off envelope: Truncated.
EXPECTED = {"magic": {Malformed}, "version/suite": {Malformed}, "body length": {Malformed, Truncated},
            "body": {Malformed, Tampered}, "recipient count": {Malformed}, "record length": {Malformed},
            "fingerprint": {Tampered}, "ephemeral key": {Tampered}, "wrapped key": {Tampered}, "chunk": {Tampered}}


def flipped(data: bytes, offset: int, bit: int = 0) -> bytes:
    return data[:offset] + bytes([data[offset] ^ (1 << bit)]) + data[offset + 1:]


def error_of(envelope: bytes, key=ALICE) -> type:
    with pytest.raises(EnvelopeError) as caught:
        open_bytes(envelope, key)
    return type(caught.value)


def test_the_untouched_envelope_opens_for_both_recipients():
    assert open_bytes(ENVELOPE, ALICE) == open_bytes(ENVELOPE, BACKUP) == {"summary.json": open_bytes(
        ENVELOPE)["summary.json"], **dict(FILES)}


@pytest.mark.parametrize("bit", [0, 7])
def test_flipping_any_bit_of_any_byte_is_detected_as_the_error_of_its_region(bit):
    # given the envelope; when each byte in turn has one bit flipped; then opening fails, with the error
    # the region calls for (never a silent success, never an unexpected exception)
    wrong = {}
    for offset in range(len(ENVELOPE)):
        kind = error_of(flipped(ENVELOPE, offset, bit))
        if kind not in EXPECTED[region(offset)]:
            wrong[offset] = (region(offset), kind.__name__)
    assert wrong == {}


def test_a_body_edit_that_stays_valid_json_is_tampering():
    edited = ENVELOPE.replace(BINDING.bidder_credit_code.encode(), b"91331127MA2XYZ0124", 1)
    assert edited != ENVELOPE
    assert error_of(edited) is Tampered


def test_dropping_the_last_chunk_or_byte_is_truncation():
    last = chunk_spans()[-1]
    assert error_of(ENVELOPE[:last[2]]) is Truncated
    assert error_of(ENVELOPE[:-1]) is Truncated
    assert error_of(ENVELOPE[:HEADER.length - 5]) is Truncated
    with pytest.raises(Truncated):
        check_structure(io.BytesIO(ENVELOPE[:last[2]]))


def test_bytes_after_the_final_chunk_are_tampering():
    assert error_of(ENVELOPE + b"\x00") is Tampered
    with pytest.raises(Tampered):
        check_structure(io.BytesIO(ENVELOPE + b"\x00"))


def test_swapping_two_chunks_of_a_part_or_of_two_parts_is_tampering():
    spans = {(p, c): (a, b) for p, c, a, b in chunk_spans()}

    def swap(x, y):
        (a1, b1), (a2, b2) = spans[x], spans[y]
        assert b1 - a1 == b2 - a2 and b1 <= a2
        return ENVELOPE[:a1] + ENVELOPE[a2:b2] + ENVELOPE[b1:a2] + ENVELOPE[a1:b1] + ENVELOPE[b2:]

    assert error_of(swap((2, 0), (2, 1))) is Tampered
    assert error_of(swap((2, 1), (3, 0))) is Tampered


def test_a_chunk_spliced_from_an_envelope_with_the_same_key_for_another_lot_is_tampering():
    # given the same data key and nonces, sealed for lot 35: only the associated data differs
    other = sealed(binding=dataclasses.replace(BINDING, lot_id=35))
    other_header = read_header(io.BytesIO(other))
    shift = other_header.length - HEADER.length
    _, _, start, end = chunk_spans()[-1]
    spliced = ENVELOPE[:start] + other[start + shift:end + shift] + ENVELOPE[end:]
    assert spliced != ENVELOPE and len(spliced) == len(ENVELOPE)
    assert error_of(spliced) is Tampered


def test_a_chunk_spliced_from_another_bid_is_tampering():
    other = sealed(randomness=Randomness.fresh(4, 2))
    _, _, start, end = chunk_spans()[2]
    assert error_of(ENVELOPE[:start] + other[start:end] + ENVELOPE[end:]) is Tampered


def test_an_envelope_presented_for_another_lot_is_rebound():
    # given an intact envelope for lot 34; when the platform checks it for lot 35; then it is refused
    with pytest.raises(Rebound, match="lot 34"):
        check_structure(io.BytesIO(ENVELOPE), expect=dataclasses.replace(BINDING, lot_id=35))
    with pytest.raises(Rebound, match="bidder"):
        check_structure(io.BytesIO(ENVELOPE), expect=dataclasses.replace(BINDING, bidder_id=57))


def test_changing_the_lot_id_in_the_header_passes_the_keyless_check_for_the_new_lot_but_never_opens():
    edited = ENVELOPE.replace(b'"lot":{"id":34}', b'"lot":{"id":35}', 1)
    assert edited != ENVELOPE
    target = dataclasses.replace(BINDING, lot_id=35)
    assert check_structure(io.BytesIO(edited), expect=target).binding == target
    with pytest.raises(Rebound):
        check_structure(io.BytesIO(edited), expect=BINDING)
    assert error_of(edited) is Tampered
    assert error_of(edited, BACKUP) is Tampered


def test_a_key_that_is_not_a_recipient_is_the_wrong_key():
    with pytest.raises(WrongKey, match="not sealed for key"):
        open_bytes(ENVELOPE, MALLORY)


def test_recipients_outside_the_bidders_registered_keys_are_refused():
    registered = {fingerprint(ALICE.public_key()), fingerprint(BACKUP.public_key())}
    assert check_structure(io.BytesIO(ENVELOPE), fingerprints=registered)
    with pytest.raises(Rebound, match="registered"):
        check_structure(io.BytesIO(ENVELOPE), fingerprints={fingerprint(ALICE.public_key())})


def test_unsealing_a_tampered_envelope_leaves_no_file_behind(tmp_path: Path):
    bad = flipped(ENVELOPE, len(ENVELOPE) - 3)
    with pytest.raises(Tampered):
        unseal_to_directory(io.BytesIO(bad), ALICE, tmp_path / "out")
    assert list((tmp_path / "out").iterdir()) == []


def test_unsealing_with_salts_checks_every_commitment(tmp_path: Path):
    envelope, result = seal_bytes(FILES, recipients=(ALICE,))
    salts = result.salts_document()
    done = unseal_to_directory(io.BytesIO(envelope), ALICE, tmp_path / "ok", salts=salts)
    assert [p.read_bytes() for p in done.paths[1:]] == [d for _, d in FILES]
    salts["parts"][2]["salt"] = "00" * 32
    with pytest.raises(CommitmentMismatch):
        unseal_to_directory(io.BytesIO(envelope), ALICE, tmp_path / "bad", salts=salts)
    assert list((tmp_path / "bad").iterdir()) == []


def test_a_salts_file_for_another_envelope_is_refused(tmp_path: Path):
    envelope, _ = seal_bytes(FILES)
    _, other = seal_bytes(FILES)
    with pytest.raises(CommitmentMismatch, match="another envelope"):
        unseal_to_directory(io.BytesIO(envelope), ALICE, tmp_path, salts=json.loads(json.dumps(
            other.salts_document())))


def test_part_names_that_would_escape_the_output_folder_are_refused():
    for name in ["../evil", "a/b", "..", "c:\\x", "x\n"]:
        with pytest.raises(Malformed):
            seal_bytes([(name, b"x")])
