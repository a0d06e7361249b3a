"""Finnish business id (Y-tunnus): normalise and validate with python-stdnum (`stdnum.fi.ytunnus`).

The accepted shapes are ours: 7 digits, an optional hyphen (also U+2010 or U+2013, with spaces around it) and the
check digit; an old 6-digit id gets a leading zero (`123456-2` -> `0123456-2`). The check digit rule is stdnum's."""
from __future__ import annotations

import re

from stdnum.fi import alv, ytunnus

_PATTERN = re.compile(r"^\s*([0-9]{6,7})\s*-?\s*([0-9])\s*$")


def normalise_business_id(value: object) -> str | None:
    """Return '1234567-8' when `value` is a valid Y-tunnus (old 6-digit ids get a leading zero), else None."""
    if value is None:
        return None
    m = _PATTERN.match(str(value).replace("\u2010", "-").replace("\u2013", "-"))
    if not m:
        return None
    number = m.group(1).zfill(7) + m.group(2)
    return ytunnus.format(number) if ytunnus.is_valid(number) else None


def check_digit(body: str) -> int | None:
    """The check digit that makes the 7-digit `body` a valid Y-tunnus; None when there is none (a body whose
    weighted sum leaves remainder 1 has no valid id)."""
    digit = (11 - alv.checksum(f"{body}0")) % 11   # stdnum's weighted sum (ytunnus validates through alv)
    return None if digit == 10 else digit


def is_valid_business_id(value: object) -> bool:
    return normalise_business_id(value) is not None
