"""统一社会信用代码 (unified social credit code) as GB 32100-2015 defines it.

18 characters: registration authority (1), organisation type (1), administrative
division code (6 digits, GB/T 2260), organisation code body (9, GB 11714), check
character (1). The character set is the digits and the capital letters without
I, O, Z, S, V. The check character is C18 = 31 - (sum(Ci * Wi) mod 31), with
Wi = 3^(i-1) mod 31 and a result of 31 written as 0 (GB 32100-2015 §4.3, 附录 B).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
VALUES = {ch: i for i, ch in enumerate(CHARSET)}
WEIGHTS = [pow(3, i, 31) for i in range(17)]  # 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28
LENGTH = 18


class CreditCodeError(ValueError):
    def __init__(self, message: str, position: int | None = None):
        super().__init__(message)
        self.position = position


def check_character(first17: str) -> str:
    total = sum(VALUES[ch] * w for ch, w in zip(first17, WEIGHTS))
    return CHARSET[(31 - total % 31) % 31]


def normalise(code: str) -> str:
    return (code or "").strip().upper()


def validate(code: str) -> str:
    """Return the normalised code or raise CreditCodeError naming the wrong character."""
    code = normalise(code)
    if len(code) != LENGTH:
        raise CreditCodeError(
            _("A unified social credit code has 18 characters; this one has %(n)d.") % {"n": len(code)}
        )
    for index, ch in enumerate(code):
        if ch not in VALUES:
            raise CreditCodeError(
                _("Character %(pos)d (“%(ch)s”) is not allowed: a credit code uses digits and the capital "
                  "letters except I, O, Z, S and V.") % {"pos": index + 1, "ch": ch},
                position=index + 1,
            )
    for index in range(2, 8):
        if not code[index].isdigit():
            raise CreditCodeError(
                _("Character %(pos)d (“%(ch)s”) must be a digit: characters 3–8 are the administrative "
                  "division code.") % {"pos": index + 1, "ch": code[index]},
                position=index + 1,
            )
    expected = check_character(code[:17])
    if code[17] != expected:
        raise CreditCodeError(
            _("Character 18 (“%(got)s”) is the wrong check character: for the first 17 characters it "
              "must be “%(expected)s”. Check the code for a mistyped character.")
            % {"got": code[17], "expected": expected},
            position=18,
        )
    return code


def complete(first17: str) -> str:
    """Append the check character (used by the demo data and the tests)."""
    first17 = normalise(first17)
    return first17 + check_character(first17)
