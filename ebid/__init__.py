"""ebid: the sealed-bid envelope (docs/sealing.md), written and read on the bidder's own machine.

Pure Python on `cryptography`; no Django import, so bidders can install and audit it alone.
"""

from ebid.errors import (
                         CommitmentMismatch,
                         EbidError,
                         EnvelopeError,
                         KeyFileError,
                         Malformed,
                         Rebound,
                         ReceiptError,
                         Tampered,
                         Truncated,
                         WrongKey,
)
from ebid.header import Binding, Header, Part, Recipient, read_header
from ebid.seal import Randomness, SealResult, seal
from ebid.unseal import (
                         check_structure,
                         decrypt_parts,
                         read_summary,
                         unseal_to_directory,
                         unwrap_data_key,
)

__all__ = [
                         "Binding",
                         "CommitmentMismatch",
                         "EbidError",
                         "EnvelopeError",
                         "Header",
                         "KeyFileError",
                         "Malformed",
                         "Part",
                         "Randomness",
                         "Rebound",
                         "ReceiptError",
                         "Recipient",
                         "SealResult",
                         "Tampered",
                         "Truncated",
                         "WrongKey",
                         "check_structure",
                         "decrypt_parts",
                         "read_header",
                         "read_summary",
                         "seal",
                         "unseal_to_directory",
                         "unwrap_data_key",
]
