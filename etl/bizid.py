"""Finnish business id (Y-tunnus): normalise and validate the check digit."""
from __future__ import annotations

import re

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2)
_PATTERN = re.compile(r"^\s*(\d{6,7})\s*-?\s*(\d)\s*$")


def normalise_business_id(value: object) -> str | None:
    """Return '1234567-8' when `value` is a valid Y-tunnus (old 6-digit ids get a leading zero), else None."""
    if value is None:
        return None
    m = _PATTERN.match(str(value).replace("\u2010", "-").replace("\u2013", "-"))
    if not m:
        return None
    body, check = m.group(1).zfill(7), int(m.group(2))
    return f"{body}-{check}" if check_digit(body) == check else None


def check_digit(body: str) -> int | None:
    total = sum(int(d) * w for d, w in zip(body, _WEIGHTS))
    rem = total % 11
    if rem == 0:
        return 0
    if rem == 1:
        return None  # no valid id has remainder 1
    return 11 - rem


def is_valid_business_id(value: object) -> bool:
    return normalise_business_id(value) is not None
