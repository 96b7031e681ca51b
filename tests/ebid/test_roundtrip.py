"""Round trips: whatever is sealed comes back, for any summary, sizes around chunk edges, several keys."""

from __future__ import annotations

import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ebid import check_structure, read_header, unwrap_data_key
from ebid.commitments import verify_commitment
from ebid.unseal import read_summary
from tests.ebid.helpers import ALICE, BACKUP, BINDING, MALLORY, open_bytes, seal_bytes

CHUNK = 64
sizes = st.one_of(st.integers(0, 5 * CHUNK), st.sampled_from([0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK,
                                                               3 * CHUNK - 1, 3 * CHUNK + 1]))
names = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zs", "Zl", "Zp"), blacklist_characters="/\\"),
                min_size=1, max_size=20).filter(lambda n: n not in {".", "..", "summary.json"})
json_values = st.recursive(st.none() | st.booleans() | st.integers(-10**12, 10**12) | st.text(max_size=30),
                           lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                                         max_size=4),
                           max_leaves=12)
summaries = st.dictionaries(st.text(min_size=1, max_size=12), json_values, max_size=6)


@st.composite
def bids(draw):
    file_names = draw(st.lists(names, max_size=4, unique=True))
    files = [(name, draw(st.binary(min_size=size, max_size=size))) for name, size in
             zip(file_names, draw(st.lists(sizes, min_size=len(file_names), max_size=len(file_names))))]
    recipients = draw(st.sampled_from([(ALICE,), (ALICE, BACKUP), (BACKUP, MALLORY, ALICE)]))
    return draw(summaries), files, recipients


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bids())
def test_every_recipient_gets_back_exactly_what_was_sealed(bid):
    summary, files, recipients = bid
    envelope, result = seal_bytes(files, recipients=recipients, summary=summary, chunk_size=CHUNK)
    assert len(envelope) == result.envelope_size
    assert check_structure(io.BytesIO(envelope), expect=BINDING).header_hash == result.header.header_hash
    for key in recipients:
        opened = open_bytes(envelope, key)
        assert list(opened) == ["summary.json"] + [name for name, _ in files]
        assert all(opened[name] == data for name, data in files)
        stream = io.BytesIO(envelope)
        header = read_header(stream)
        assert read_summary(stream, header, unwrap_data_key(header, key))[1] == summary


@settings(max_examples=30, deadline=None)
@given(st.lists(sizes, min_size=1, max_size=3))
def test_each_kept_salt_proves_its_plaintext(file_sizes):
    files = [(f"f{i}.bin", bytes([i]) * size) for i, size in enumerate(file_sizes)]
    envelope, result = seal_bytes(files)
    header = read_header(io.BytesIO(envelope))
    for part, salt, (_, data) in zip(header.parts[1:], result.salts[1:], files):
        verify_commitment(header, part, salt, io.BytesIO(data))
