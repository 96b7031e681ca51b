"""What can go wrong with an envelope, a key file or a receipt, as classes a caller can tell apart.

The platform maps these to its own messages (a malformed upload is the bidder's mistake; a rebound
envelope is an attempt to reuse a bid elsewhere); the CLI prints the message and exits non-zero.
"""

from __future__ import annotations


class EbidError(Exception):
    """Base of everything ebid raises on bad input; never raised for programming errors."""


class EnvelopeError(EbidError):
    """The envelope cannot be used as it is."""


class Malformed(EnvelopeError):
    """The bytes do not follow the format: wrong magic, unknown version or suite, bad header."""


class Truncated(EnvelopeError):
    """The envelope ends before the header says it should (an interrupted upload or copy)."""


class Tampered(EnvelopeError):
    """A chunk, the header or a wrapped key fails authentication: the bytes were altered,
    reordered, spliced from another envelope, or have extra bytes after the end."""


class WrongKey(EnvelopeError):
    """The envelope is not sealed for this private key."""


class Rebound(EnvelopeError):
    """The envelope is sealed for another tender, lot or bidder than the one it is presented for."""


class CommitmentMismatch(EnvelopeError):
    """A plaintext and salt do not match the commitment sealed in the envelope."""


class KeyFileError(EbidError):
    """A key file cannot be read: not a key, the wrong kind of key, or a wrong passphrase."""


class ReceiptError(EbidError):
    """A receipt is malformed, its signature does not verify, or it names another envelope."""
