"""Values inside a record: text fast paths over etl.text, cell parsing (whole numbers, euros, dates, timestamps,
lists, business ids) and the scrubbed quarantine copy of a record."""
from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any

from etl import text as _text
from etl.context import RAW_MAX_CHARS
from etl.bizid import normalise_business_id

# --- text (fast paths over etl.text; same results) ------------------------------------------------------------------

def plain_text(value: object, max_len: int | None = None) -> str | None:
    """etl.text.plain_text, skipped when it provably returns the text unchanged: a str with no markup (`<`), no
    entity (`&`), only printable characters (so no control/format characters and no whitespace but the ASCII space)
    and no leading, trailing or double spaces. Most source texts are like that; the rest go through plain_text."""
    if (type(value) is str and value and value.isprintable() and "<" not in value and "&" not in value
            and value[0] != " " and value[-1] != " " and "  " not in value
            and (max_len is None or len(value) <= max_len)):
        return value
    if type(value) is str and len(value) <= 4000:
        return _plain_text_cached(value, max_len)
    return _text.plain_text(value, max_len)


@lru_cache(maxsize=16384)
def _plain_text_cached(value: str, max_len: int | None) -> str | None:
    """plain_text is a pure function; listings repeat their (HTML) summaries and descriptions."""
    return _text.plain_text(value, max_len)


_DIGIT = re.compile(r"\d")


def scrub_personal(text: str | None) -> str | None:
    """etl.text.scrub_personal, skipped when there is nothing to find: an e-mail address needs `@`, a phone number
    digits."""
    if not text or ("@" not in text and not _DIGIT.search(text)):
        return text
    return _text.scrub_personal(text)

# --- value parsing ------------------------------------------------------------------------------------------------

class BadValue(ValueError):
    """A cell that cannot be parsed; the message names the column and the value."""


def parse_int(value: str | None, column: str, lo: int | None = None, hi: int | None = None) -> int | None:
    if value is None or not str(value).strip():
        return None
    s = str(value).strip().replace("\u00a0", "").replace(" ", "")
    if re.fullmatch(r"\d+(\.0+)?", s):
        n = int(float(s))
        if (lo is None or n >= lo) and (hi is None or n <= hi):
            return n
        raise BadValue(f"{column} {value!r} is outside {lo}..{hi}")
    raise BadValue(f"{column} {value!r} is not a whole number")


def parse_euros(value: str | None, column: str) -> float | None:
    """Finnish `1 234,50`, `1234.5`, `1.234,50`, `1,234.50`, with or without `€`."""
    if value is None or not str(value).strip():
        return None
    s = re.sub(r"[\s\u00a0\u202f€]|eur$", "", str(value).strip(), flags=re.I)
    neg = s.startswith("-")
    s = s.lstrip("-+")
    if re.fullmatch(r"\d+", s):
        n = float(s)
    elif re.fullmatch(r"\d+[.,]\d+", s) and not re.fullmatch(r"\d{1,3}[.,]\d{3}", s):
        n = float(s.replace(",", "."))
    elif re.fullmatch(r"\d{1,3}(\.\d{3})+(,\d+)?", s):          # 1.234,50
        n = float(s.replace(".", "").replace(",", "."))
    elif re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d+)?", s):          # 1,234.50
        n = float(s.replace(",", ""))
    elif re.fullmatch(r"\d{1,3}[.,]\d{3}", s):                  # 1.234 / 1,234: a thousands separator
        n = float(s.replace(",", "").replace(".", ""))
    else:
        raise BadValue(f"{column} {value!r} is not a euro amount")
    return -n if neg else n


def parse_date(value: str | None, column: str) -> datetime | None:
    """YYYY-MM-DD (optionally with a time) or D.M.YYYY."""
    if value is None or not str(value).strip():
        return None
    s = str(value).strip()
    m = re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", s)
    try:
        if m:
            return datetime(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", s):
            return datetime.fromisoformat(s)
    except ValueError as e:
        raise BadValue(f"{column} {value!r} is not a valid date") from e
    raise BadValue(f"{column} {value!r} is not a date (YYYY-MM-DD or D.M.YYYY)")


def parse_timestamp(value: Any) -> datetime | None:
    """ISO 8601 strings or epoch milliseconds, as naive UTC; None when absent or unreadable (metadata only)."""
    if value is None or value == "":
        return None
    try:
        if isinstance(value, (int, float)):
            return datetime.fromtimestamp(value / 1000, tz=timezone.utc).replace(tzinfo=None)
        s = str(value).strip().replace("Z", "+00:00")
        dt = datetime.fromisoformat(s)
        return dt.astimezone(timezone.utc).replace(tzinfo=None) if dt.tzinfo else dt
    except (ValueError, OverflowError, OSError):
        return None


def split_list(value: str | None) -> list[str]:
    return [p.strip() for p in re.split(r"[;|\n]", value or "") if p.strip()]


def business_id_fields(raw: Any) -> dict[str, Any]:
    """Invalid ids keep the raw text and load with business_id NULL: the org is then matched by name."""
    raw_s = str(raw).strip() if raw is not None and str(raw).strip() else None
    bid = normalise_business_id(raw_s) if raw_s else None
    return {"business_id": bid, "business_id_raw": raw_s, "business_id_valid": bid is not None}


def raw_text(record: Any) -> str:
    """The quarantine copy of a record, with e-mail addresses and phone numbers scrubbed (quarantine is stored)."""
    try:
        s = json.dumps(record, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        s = repr(record)
    return _text.clip(s, RAW_MAX_CHARS) or ""
