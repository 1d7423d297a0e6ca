"""Card numbers and IBANs never come to rest in our stores.

A full payment card number (13-19 digits, spaces or dashes allowed, passing
Luhn) or an IBAN (valid mod 97) in free text is masked down to its last four
characters before it is stored, and therefore before it is indexed, audited or
logged. The checksums keep order numbers, phone numbers and dates intact.
"""

import re

_CARD = re.compile(r"(?<![\w-])\d(?:[ -]?\d){12,18}(?![\w-])")
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}\b")
MASK = "*"
CREDITOR_REFERENCE = "RF"


def _luhn(digits: str) -> bool:
    total = 0
    for i, char in enumerate(reversed(digits)):
        n = int(char)
        if i % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def _iban(text: str) -> bool:
    compact = text.replace(" ", "")
    # An ISO 11649 creditor reference (what a payment's reference often is) checks out mod 97 too.
    if not 15 <= len(compact) <= 34 or compact.startswith(CREDITOR_REFERENCE):
        return False
    moved = compact[4:] + compact[:4]
    return int("".join(str(int(c, 36)) for c in moved)) % 97 == 1


def _mask(match: str) -> str:
    """Every letter and digit but the last four becomes MASK; separators stay."""
    keep = 4
    out = []
    for char in reversed(match):
        if char.isalnum():
            out.append(char if keep > 0 else MASK)
            keep -= 1
        else:
            out.append(char)
    return "".join(reversed(out))


def redact(text: str | None) -> str | None:
    if not text:
        return text

    def card(m: re.Match) -> str:
        # A run of digits may carry neighbours ("... 4444 4a8b"): the card is the first
        # and longest 13-19 digit stretch in it that passes Luhn.
        found = m.group()
        starts = [i for i, c in enumerate(found) if c.isdigit() and (i == 0 or not found[i - 1].isdigit())]
        for start in starts:
            for end in range(len(found), start, -1):
                # a card ends where a group ends, never inside a neighbouring number
                if not found[end - 1].isdigit() or (end < len(found) and found[end].isdigit()):
                    continue
                digits = re.sub(r"[ -]", "", found[start:end])
                if 13 <= len(digits) <= 19 and _luhn(digits):
                    return found[:start] + _mask(found[start:end]) + found[end:]
        return found

    def iban(m: re.Match) -> str:
        # The pattern may run on into following capitals ("... 00 THANKS"): the IBAN is
        # the longest valid prefix.
        found = m.group()
        for end in range(len(found), 14, -1):
            if found[end - 1].isalnum() and _iban(found[:end]):
                return _mask(found[:end]) + found[end:]
        return found

    return _IBAN.sub(iban, _CARD.sub(card, text))
