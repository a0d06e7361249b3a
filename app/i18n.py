"""Finnish, Swedish and English strings for the dashboard.

Every `locales/<lang>/*.json` file is merged into one flat dictionary per language (dotted keys such as
"page.overview.title"). Finnish is the reference language: a key missing in sv/en falls back to fi, and a key
missing everywhere is shown as the key itself (so it is noticed, never a crash). No streamlit import.
"""
from __future__ import annotations

import json
import math
from functools import lru_cache
from pathlib import Path
from typing import Any

from etl import paths

LANGS = ("fi", "sv", "en")
DEFAULT_LANG = "fi"
LANG_NAMES = {"fi": "Suomi", "sv": "Svenska", "en": "English"}
_NBSP = "\u00a0"


def locales_dir() -> Path:
    return paths.LOCALES_DIR


@lru_cache(maxsize=8)
def _load(lang: str, stamp: float) -> dict[str, str]:
    merged: dict[str, str] = {}
    d = locales_dir() / lang
    for f in sorted(d.glob("*.json")):
        with open(f, encoding="utf-8") as fh:
            merged.update(json.load(fh))
    return merged


def _stamp(lang: str) -> float:
    # reload when a locale file changes (cheap: a handful of stat calls)
    d = locales_dir() / lang
    return max((f.stat().st_mtime for f in d.glob("*.json")), default=0.0)


def strings(lang: str) -> dict[str, str]:
    lang = normalise_lang(lang)
    return _load(lang, _stamp(lang))


def normalise_lang(lang: Any) -> str:
    return lang if lang in LANGS else DEFAULT_LANG


def t(key: str, lang: str = DEFAULT_LANG, **fmt: Any) -> str:
    """The string for `key` in `lang` (fi fallback), with `{name}` placeholders filled from `fmt`."""
    s = strings(lang).get(key)
    if s is None and lang != DEFAULT_LANG:
        s = strings(DEFAULT_LANG).get(key)
    if s is None:
        return key
    if fmt:
        try:
            return s.format(**fmt)
        except (KeyError, IndexError, ValueError):
            return s
    return s


def has(key: str, lang: str = DEFAULT_LANG) -> bool:
    return key in strings(lang) or key in strings(DEFAULT_LANG)


# -- numbers ----------------------------------------------------------------------------------------------------

def separators(lang: str) -> str:
    """Plotly `layout.separators`: decimal mark then thousands separator."""
    return ".," if lang == "en" else "," + _NBSP


def fmt_number(value: Any, lang: str, decimals: int = 0) -> str:
    """1234.5 -> '1 234,5' (fi/sv, no-break space) or '1,234.5' (en); '–' for missing values."""
    if value is None:
        return "–"
    try:
        v = float(value)
    except (TypeError, ValueError):
        return str(value)
    if math.isnan(v):
        return "–"
    s = f"{v:,.{decimals}f}"
    if lang == "en":
        return s
    return s.replace(",", "\u0000").replace(".", ",").replace("\u0000", _NBSP)


def fmt_percent(value: Any, lang: str, decimals: int = 0) -> str:
    if value is None:
        return "–"
    try:
        v = float(value) * 100
    except (TypeError, ValueError):
        return str(value)
    if math.isnan(v):
        return "–"
    return fmt_number(v, lang, decimals) + ("\u00a0%" if lang != "en" else "%")


def fmt_date(value: Any, lang: str, with_time: bool = False) -> str:
    """A date as 21.11.2025 (fi), 2025-11-21 (sv) or 21 Nov 2025 (en)."""
    if value is None or value == "":
        return "–"
    import pandas as pd

    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError):
        return str(value)
    if pd.isna(ts):
        return "–"
    if lang == "fi":
        s = f"{ts.day}.{ts.month}.{ts.year}"
        return s + (f" klo {ts:%H.%M}" if with_time else "")
    if lang == "sv":
        s = f"{ts:%Y-%m-%d}"
        return s + (f" kl. {ts:%H.%M}" if with_time else "")
    s = f"{ts.day} {ts:%b %Y}"
    return s + (f" {ts:%H:%M}" if with_time else "")
