"""Numbers, percents, euros and dates as a reader of fi, sv or en writes them: the one formatter for pages, figures,
exports and PDFs. Built on Babel (CLDR data), so no result depends on the C locale of the server.

Locales: fi -> fi_FI, sv -> sv_FI (Swedish as written in Finland), en -> en_GB (day before month, "23 Nov 2026").
Numbers are rounded from the exact binary value (half to even), as Python's own `format` does, so a value prints
the same on the screen, in a CSV footer and in a PDF. A missing value (None, NaN, NA, NaT) is "–".
"""
from __future__ import annotations

import datetime as _dt
import decimal
import math
from functools import lru_cache
from typing import Any

from babel import Locale, dates, numbers

LANGS = ("fi", "sv", "en")
LOCALES = {"fi": "fi_FI", "sv": "sv_FI", "en": "en_GB"}
MISSING = "–"


@lru_cache(maxsize=None)
def _locale(lang: str) -> Locale:
    return Locale.parse(LOCALES.get(lang, LOCALES["fi"]))


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        import pandas as pd
        if value is pd.NA or value is pd.NaT:
            return True
    except ImportError:  # pragma: no cover - pandas is a runtime dependency
        pass
    return isinstance(value, float) and math.isnan(value)


def _parse(value: Any) -> float | str:
    """The value as a float, or the text to show instead ('–' when missing, the value itself when not a number)."""
    if _is_missing(value):
        return MISSING
    if isinstance(value, bool):
        return str(value)
    try:
        x = float(value)
    except (TypeError, ValueError):
        return str(value)
    return MISSING if math.isnan(x) else x


def _auto_decimals(value: Any, x: float) -> int:
    """Integers without decimals; other numbers with 0 (>= 100), 1 (>= 10) or 2 decimals."""
    is_int = isinstance(value, int) or (hasattr(value, "dtype") and getattr(value.dtype, "kind", "") in "iu")
    if is_int:
        return 0
    a = abs(x)
    return 0 if a >= 100 else 1 if a >= 10 else 2


def format_number(value: Any, lang: str, decimals: int | None = 0) -> str:
    """1234.5 -> fi/sv '1 234,5' (no-break space), en '1,234.5'. decimals=None picks them from the size."""
    x = _parse(value)
    if isinstance(x, str):
        return x
    if math.isinf(x):
        return str(x)
    if decimals is None:
        decimals = _auto_decimals(value, x)
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    # Decimal(x) is the exact binary value: rounding it matches f"{x:.{decimals}f}" digit for digit
    return numbers.format_decimal(decimal.Decimal(x), format=pattern, locale=_locale(lang), group_separator=True)


def format_percent(share: Any, lang: str, decimals: int = 0) -> str:
    """A share (0.123) as fi/sv '12 %', en '12%'."""
    x = _parse(share)
    if isinstance(x, str):
        return x
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "") + "%"
    return numbers.format_percent(decimal.Decimal(x), format=_percent_pattern(lang, pattern), locale=_locale(lang))


@lru_cache(maxsize=None)
def _percent_pattern(lang: str, digits: str) -> str:
    """The locale's own percent pattern (its spacing and sign position) with our number of decimals."""
    standard = _locale(lang).percent_formats[None].pattern      # e.g. '#,##0\xa0%' (fi) or '#,##0%' (en)
    return standard.replace("#,##0", digits.rstrip("%"))


def format_currency(value: Any, lang: str, decimals: int = 0, currency: str = "EUR") -> str:
    """Euros: fi/sv '1 234 €', en '€1,234'."""
    x = _parse(value)
    if isinstance(x, str):
        return x
    loc = _locale(lang)
    standard = loc.currency_formats["standard"].pattern.split(";")[0]   # e.g. '#,##0.00\xa0¤' or '¤#,##0.00'
    digits = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    pattern = standard.replace("#,##0.00", digits)
    return numbers.format_currency(decimal.Decimal(x), currency, format=pattern, locale=loc,
                                   currency_digits=False)


def _to_datetime(value: Any) -> tuple[_dt.datetime | _dt.date, bool] | None:
    """(value, has a time part); None when it is not a date."""
    if isinstance(value, _dt.datetime):
        return value, True
    if isinstance(value, _dt.date):
        return value, False
    text = str(value).strip()
    try:
        d = _dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            import pandas as pd
            d = pd.Timestamp(text).to_pydatetime()
        except (TypeError, ValueError):
            return None
    return d, ("T" in text or " " in text)


def format_date(value: Any, lang: str, with_time: bool | None = None, *, empty: str = MISSING) -> str:
    """A date (and time) in the language's CLDR form: fi '23.11.2026 13.12', sv '2026-11-23 13:12',
    en '23 Nov 2026, 13:12'. with_time=None: the time is shown when the value has one (an ISO text with a time,
    a datetime). Wall-clock time as given: a time zone is not converted."""
    if value is None or value == "" or _is_missing(value):
        return empty
    parsed = _to_datetime(value)
    if parsed is None:
        return str(value)
    d, has_time = parsed
    if isinstance(d, _dt.datetime):
        d = d.replace(tzinfo=None)
    loc = _locale(lang)
    day = dates.format_date(d, format="medium" if lang == "en" else "short", locale=loc)
    if not (has_time if with_time is None else with_time) or not isinstance(d, _dt.datetime):
        return day
    time = dates.format_time(d, format="short", locale=loc)
    return str(loc.datetime_formats["short"]).replace("{1}", day).replace("{0}", time)


def plotly_separators(lang: str) -> str:
    """Plotly `layout.separators` (decimal mark, then thousands separator) from the same locale data."""
    loc = _locale(lang)
    return numbers.get_decimal_symbol(loc) + numbers.get_group_symbol(loc)


__all__ = ["LANGS", "LOCALES", "MISSING", "format_currency", "format_date", "format_number", "format_percent",
           "plotly_separators"]
