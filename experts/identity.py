"""National ID numbers (居民身份证号码) of experts: validation, masking, encryption, blind index.

The 18-character number is GB 11643-1999: a 6-digit address code, an 8-digit birth date (YYYYMMDD),
a 3-digit sequence and a check character from ISO 7064 MOD 11-2: sum the first 17 digits times the
weights 2^(17-i) mod 11 (7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2), take the remainder mod 11 and map
0..10 to "1 0 X 9 8 7 6 5 4 3 2".

The number is stored encrypted with AES-256-GCM under a key derived from settings.EXPERT_ID_KEY, and
found again through a blind index, HMAC-SHA256 under a second derived key, so duplicates are caught
without decrypting anything. Pages show the masked form (first 4 and last 4 characters).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from dataclasses import dataclass
from datetime import date

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.utils.translation import gettext as _

WEIGHTS = [pow(2, 17 - i, 11) for i in range(17)]
CHECK = "10X98765432"


class IdNumberError(ValueError):
    pass


@dataclass(frozen=True)
class IdNumber:
    number: str
    birth_date: date

    @property
    def masked(self) -> str:
        return mask(self.number)


def check_character(first17: str) -> str:
    return CHECK[sum(int(ch) * w for ch, w in zip(first17, WEIGHTS)) % 11]


def complete(first17: str) -> str:
    """Append the check character (demo data and tests)."""
    return first17 + check_character(first17)


def mask(number: str) -> str:
    return number[:4] + "*" * (len(number) - 8) + number[-4:] if len(number) > 8 else "*" * len(number)


def validate(raw: str, *, today: date | None = None) -> IdNumber:
    number = (raw or "").strip().upper()
    if len(number) != 18:
        raise IdNumberError(_("A national ID number has 18 characters; this one has %(n)d.") % {"n": len(number)})
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise IdNumberError(_("A national ID number is 17 digits followed by a digit or X."))
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise IdNumberError(_("Characters 7–14 of the ID number must be a real birth date (YYYYMMDD); "
                              "“%(d)s” is not.") % {"d": number[6:14]}) from None
    if born.year < 1900 or (today is not None and born > today):
        raise IdNumberError(_("The birth date in the ID number (%(d)s) is not plausible.") % {"d": born.isoformat()})
    expected = check_character(number[:17])
    if number[17] != expected:
        raise IdNumberError(_("The last character of the ID number should be “%(e)s” for the first 17 digits: "
                              "check for a mistyped digit.") % {"e": expected})
    return IdNumber(number=number, birth_date=born)


def _master_key() -> bytes:
    raw = settings.EXPERT_ID_KEY.strip()
    for decode in (base64.b64decode, bytes.fromhex):
        try:
            key = decode(raw)
        except (binascii.Error, ValueError):
            continue
        if len(key) >= 32:
            return key
    return hashlib.sha256(raw.encode()).digest()


def _subkey(purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"ebid-experts/" + purpose).derive(_master_key())


def encrypt(plaintext: str, *, purpose: bytes = b"id") -> str:
    nonce = os.urandom(12)
    sealed = AESGCM(_subkey(purpose + b"/enc")).encrypt(nonce, plaintext.encode(), purpose)
    return base64.b64encode(nonce + sealed).decode()


def decrypt(token: str, *, purpose: bytes = b"id") -> str:
    blob = base64.b64decode(token)
    return AESGCM(_subkey(purpose + b"/enc")).decrypt(blob[:12], blob[12:], purpose).decode()


def blind_index(number: str) -> str:
    return hmac.new(_subkey(b"id/index"), number.encode(), hashlib.sha256).hexdigest()


def protect(id_number: IdNumber) -> dict:
    """The stored fields for one ID number."""
    return {"id_cipher": encrypt(id_number.number), "id_index": blind_index(id_number.number),
            "id_masked": id_number.masked, "birth_date": id_number.birth_date}
