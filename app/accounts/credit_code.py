"""统一社会信用代码 (unified social credit code, GB 32100-2015): format and check digits.

Eighteen characters from a 31-symbol alphabet (digits and capitals without I, O, Z, S, V):
registration authority (1), organisation type (1), administrative division (6), the nine-character
organisation code of GB 11714 (with its own check character) and a final check character.
"""

import re

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
LENGTH = 18
# Weight of position i (0-based) is 3**i mod 31.
WEIGHTS = tuple(pow(3, i, 31) for i in range(LENGTH - 1))
ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_SHAPE = re.compile(rf"[{ALPHABET}]{{2}}\d{{6}}[{ALPHABET}]{{10}}")


def normalise_credit_code(text: str) -> str:
    """Upper case without spaces or hyphens, as people type and print it."""
    return re.sub(r"[\s\-]", "", text).upper()


def check_character(first17: str) -> str:
    """The 18th character for these 17."""
    total = sum(ALPHABET.index(char) * weight for char, weight in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def _organisation_code_valid(code: str) -> bool:
    """GB 11714 check character of the embedded nine-character organisation code."""
    body, check = code[:8], code[8]
    total = sum(ALPHABET.index(char) * weight for char, weight in zip(body, ORG_CODE_WEIGHTS, strict=True))
    expected = (11 - total % 11) % 11
    return check == ("X" if expected == 10 else str(expected))


def is_valid_credit_code(code: str) -> bool:
    """True for a well-formed code whose check characters match (input already normalised)."""
    if len(code) != LENGTH or not _SHAPE.fullmatch(code):
        return False
    return code[-1] == check_character(code[:-1]) and _organisation_code_valid(code[8:17])
