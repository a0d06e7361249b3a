"""One formatter (app/formatting.py, on Babel) for the screen, the figures, the exports and the PDFs.

Exact expected strings per language; the screen helpers (app.i18n) and the export helpers (app.exports) give the
same text for the same value; no module in app/ or pages/ formats numbers or dates by hand (f-string `:,`,
strftime, `%b`), which is what made the results depend on the C locale and let the screen and the exports disagree."""
from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd
import pytest

from app import exports as ex
from app import formatting as f
from app import i18n
from etl import paths

NB = "\u00a0"


@pytest.mark.parametrize(("lang", "expected"), [
    ("fi", ["1" + NB + "234" + NB + "567", "-1" + NB + "234,5", "2,67", "12,3", "5", "–"]),
    ("sv", ["1" + NB + "234" + NB + "567", "-1" + NB + "234,5", "2,67", "12,3", "5", "–"]),
    ("en", ["1,234,567", "-1,234.5", "2.67", "12.3", "5", "–"]),
])
def test_numbers(lang, expected):
    got = [f.format_number(1234567, lang), f.format_number(-1234.5, lang, 1), f.format_number(2.675, lang, 2),
           f.format_number(12.345, lang, None), f.format_number(np.int64(5), lang, None),
           f.format_number(pd.NA, lang)]
    assert got == expected


@pytest.mark.parametrize(("lang", "pct", "eur", "sep"), [
    ("fi", "12,3" + NB + "%", "12" + NB + "346" + NB + "€", "," + NB),
    ("sv", "12,3" + NB + "%", "12" + NB + "346" + NB + "€", "," + NB),
    ("en", "12.3%", "€12,346", ".,"),
])
def test_percent_currency_and_plotly_separators(lang, pct, eur, sep):
    assert f.format_percent(0.1234, lang, 1) == pct
    assert f.format_currency(12345.6, lang) == eur
    assert f.plotly_separators(lang) == i18n.separators(lang) == sep


@pytest.mark.parametrize(("lang", "day", "with_time"), [
    ("fi", "3.11.2026", "3.11.2026 8.05"),
    ("sv", "2026-11-03", "2026-11-03 08:05"),
    ("en", "3 Nov 2026", "3 Nov 2026, 08:05"),
])
def test_dates(lang, day, with_time):
    assert f.format_date("2026-11-03", lang) == day
    assert f.format_date(dt.date(2026, 11, 3), lang) == day
    assert f.format_date("2026-11-03T08:05:00Z", lang) == with_time           # wall clock, no zone conversion
    assert f.format_date(pd.Timestamp("2026-11-03 08:05"), lang, with_time=False) == day
    assert f.format_date(None, lang) == "–" and f.format_date("", lang, empty="") == ""


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_screen_and_exports_agree(lang):
    for value in ("2026-11-23T13:12:00", "2025-01-05T09:00:00", "2024-12-31T23:59:00"):
        assert i18n.fmt_date(value, lang, with_time=True) == ex.format_datetime(value, lang)
    for value, decimals in ((1234567, 0), (-0.5, 2), (12.345, 2), (999.5, 0), (1e6 + 0.25, 1)):
        assert i18n.fmt_number(value, lang, decimals) == ex.format_number(value, lang, decimals)


# f-string number/date specs ({x:,.2f}, {d:%b}) and strftime; plotly's %{y:,.0f} templates are not Python formats
_HAND_FORMAT = re.compile(r"(?<![%{])\{[^{}:]+:(,|%[a-zA-Z])|\.strftime\(")


def test_no_hand_formatting_outside_the_formatter():
    offenders = []
    for folder in ("app", "pages"):
        for path in sorted((paths.ROOT / folder).rglob("*.py")):
            if path.name == "formatting.py":
                continue
            for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                if _HAND_FORMAT.search(line):
                    offenders.append(f"{path.relative_to(paths.ROOT)}:{no}: {line.strip()}")
    assert offenders == []
