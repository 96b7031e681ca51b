"""统一社会信用代码 (GB 32100-2015): the check character and the messages that name the wrong character."""

from __future__ import annotations

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from accounts.credit_code import CHARSET, CreditCodeError, check_character, complete, validate

DIGITS = "0123456789"
LETTERS = "".join(ch for ch in CHARSET if not ch.isdigit())

# Characters 3–8 are the administrative division code (digits); the rest use the whole charset.
first17s = st.builds(
    lambda head, division, body: head + division + body,
    st.text(alphabet=CHARSET, min_size=2, max_size=2),
    st.text(alphabet=DIGITS, min_size=6, max_size=6),
    st.text(alphabet=CHARSET, min_size=9, max_size=9),
)


@pytest.fixture(autouse=True, scope="module")
def _english():
    with translation.override("en"):
        yield


@pytest.mark.parametrize("code", [
    pytest.param("91350100M000100Y43", id="the-standard's-example"),
    pytest.param("91440300708461136T", id="a-Shenzhen-company"),
])
def test_real_codes_validate(code):
    # given a code issued under GB 32100-2015
    # when it is validated, then it comes back unchanged
    assert validate(code) == code


def test_the_weights_are_powers_of_three_mod_31():
    # given the first 17 characters of the standard's example, then the check character is 3
    assert check_character("91350100M000100Y4") == "3"


@given(first17s)
def test_complete_always_validates(first17):
    # given any 17 characters from the charset with a numeric division code
    # when the check character is appended, then the code validates
    code = complete(first17)
    assert len(code) == 18
    assert validate(code) == code


@given(first17s, st.integers(min_value=0, max_value=17), st.sampled_from(CHARSET))
def test_changing_one_character_is_detected(first17, index, replacement):
    # given a valid code
    code = complete(first17)
    if code[index] == replacement:
        replacement = CHARSET[(CHARSET.index(replacement) + 1) % len(CHARSET)]
    # when any one character is changed to another allowed character
    changed = code[:index] + replacement + code[index + 1:]
    # then validation fails, naming the changed character when it breaks the digit rule, else the check character
    with pytest.raises(CreditCodeError) as caught:
        validate(changed)
    position = index + 1
    expected = position if (3 <= position <= 8 and replacement in LETTERS) else 18
    assert caught.value.position == expected
    assert f"Character {expected} " in str(caught.value)


@pytest.mark.parametrize("letter", list("IOZSV"))
@pytest.mark.parametrize("position", [1, 10, 18])
def test_disallowed_letters_are_named_by_position(letter, position):
    # given a valid code with a letter GB 32100 excludes (I O Z S V) put at one position
    code = complete("91350100M000100Y4")
    bad = code[:position - 1] + letter + code[position:]
    # when validated, then the message names that position and the letter
    with pytest.raises(CreditCodeError) as caught:
        validate(bad)
    assert caught.value.position == position
    assert f"Character {position} (“{letter}”) is not allowed" in str(caught.value)


def test_a_letter_in_the_division_code_is_named():
    # given a letter where the administrative division code needs digits (character 5)
    with pytest.raises(CreditCodeError) as caught:
        validate("9135A100M000100Y43")
    # then the message names character 5 and says it must be a digit
    assert caught.value.position == 5
    assert "must be a digit" in str(caught.value)


def test_wrong_check_character_names_position_18_and_the_right_one():
    with pytest.raises(CreditCodeError) as caught:
        validate("91350100M000100Y44")
    assert caught.value.position == 18
    assert "“3”" in str(caught.value)


def test_lowercase_and_spaces_are_normalised():
    # given the standard's example typed in lower case with spaces around it
    # then it validates as the upper-case code
    assert validate("  91350100m000100y43 ") == "91350100M000100Y43"


@pytest.mark.parametrize("code, length", [
    pytest.param("91350100M000100Y4", 17, id="one-short"),
    pytest.param("91350100M000100Y433", 19, id="one-long"),
    pytest.param("", 0, id="empty"),
])
def test_wrong_length_is_refused_with_the_length(code, length):
    with pytest.raises(CreditCodeError) as caught:
        validate(code)
    assert caught.value.position is None
    assert f"has 18 characters; this one has {length}" in str(caught.value)
