"""The committed vectors are the format's specification: the code must reproduce every byte of them."""

from __future__ import annotations

import hashlib
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from ebid import Binding, Randomness, read_header, seal
from ebid.keys import fingerprint, load_public_key
from tests.ebid.helpers import open_bytes

VECTORS = sorted((Path(__file__).parent / "vectors").glob("*.json"))


def load(path: Path) -> dict:
    return json.loads(path.read_text("utf-8"))


def seal_from(vector: dict) -> bytes:
    given, rnd = vector["input"], vector["randomness"]
    out = io.BytesIO()
    seal(binding=Binding(**given["binding"]), summary=given["summary_json"].encode("utf-8"),
         files=[(f["name"], io.BytesIO(bytes.fromhex(f["content"]))) for f in given["files"]],
         recipients=[load_public_key(r["public_pem"].encode()) for r in vector["recipients"]], out=out,
         chunk_size=given["chunk_size"],
         created_at=datetime.strptime(given["created_at"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC),
         randomness=Randomness(data_key=bytes.fromhex(rnd["data_key"]),
                               salts=tuple(bytes.fromhex(s) for s in rnd["salts"]),
                               ephemeral_scalars=tuple(int(s, 16) for s in rnd["ephemeral_scalars"])))
    return out.getvalue()


def test_there_are_vectors_to_check():
    assert len(VECTORS) >= 2


@pytest.mark.parametrize("path", VECTORS, ids=lambda p: p.stem)
def test_sealing_the_vector_inputs_reproduces_the_envelope_byte_for_byte(path):
    # given the inputs and randomness of a committed vector
    vector = load(path)
    # when sealed
    envelope = seal_from(vector)
    # then every byte is the committed one
    assert envelope.hex() == vector["expected"]["envelope_hex"]
    assert len(envelope) == vector["expected"]["envelope_length"]


@pytest.mark.parametrize("path", VECTORS, ids=lambda p: p.stem)
def test_the_vector_header_hashes_and_commitments_are_as_documented(path):
    vector = load(path)
    envelope = bytes.fromhex(vector["expected"]["envelope_hex"])
    header = read_header(io.BytesIO(envelope))
    assert header.length == vector["expected"]["header_length"]
    assert header.context_hash.hex() == vector["expected"]["context_hash"]
    assert header.header_hash.hex() == vector["expected"]["header_hash"]
    assert header.header_hash == hashlib.sha256(envelope[:header.length]).digest()
    plaintexts = [vector["input"]["summary_json"].encode()] + [bytes.fromhex(f["content"])
                                                               for f in vector["input"]["files"]]
    for part, salt, plain, expected in zip(header.parts, vector["randomness"]["salts"], plaintexts,
                                           vector["expected"]["commitments"]):
        assert part.commitment.hex() == expected == hashlib.sha256(bytes.fromhex(salt) + plain).hexdigest()
    assert [r.fingerprint.hex() for r in header.recipients] == [r["fingerprint"] for r in vector["recipients"]]


@pytest.mark.parametrize("path", VECTORS, ids=lambda p: p.stem)
def test_every_vector_recipient_opens_the_vector_envelope(path):
    vector = load(path)
    envelope = bytes.fromhex(vector["expected"]["envelope_hex"])
    for recipient in vector["recipients"]:
        private = serialization.load_pem_private_key(recipient["private_pkcs8_pem"].encode(), password=None)
        assert f"{private.private_numbers().private_value:064x}" == recipient["private_scalar"]
        assert fingerprint(private.public_key()) == recipient["fingerprint"]
        opened = open_bytes(envelope, private)
        assert opened["summary.json"] == vector["input"]["summary_json"].encode()
        for f in vector["input"]["files"]:
            assert opened[f["name"]] == bytes.fromhex(f["content"])
