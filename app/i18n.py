"""Finnish, Swedish and English strings for the dashboard.

Every `locales/<lang>/*.json` file is merged into one flat dictionary per language (dotted keys such as
"page.overview.title"). Finnish is the reference language: a key missing in sv/en falls back to fi, and a key
missing everywhere is shown as the key itself (so it is noticed, never a crash). No streamlit import.
"""
from __future__ import annotations

import json
import time
from functools import lru_cache
from pathlib import Path
from typing import Any

from app.formatting import format_currency, format_date, format_number, format_percent, plotly_separators
from etl import paths

LANGS = ("fi", "sv", "en")
DEFAULT_LANG = "fi"
LANG_NAMES = {"fi": "Suomi", "sv": "Svenska", "en": "English"}


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


_STAMPS: dict[tuple[str, str], tuple[float, float]] = {}
STAMP_SECONDS = 1.0


def _stamp(lang: str) -> float:
    # reload when a locale file changes: the folder is listed and stat'ed at most once a second per language
    # (a page asks for a few hundred strings per run; a listing per string cost ~0.25 ms each)
    d = locales_dir() / lang
    now = time.monotonic()
    seen = _STAMPS.get((str(d), lang))
    if seen is not None and now - seen[0] < STAMP_SECONDS:
        return seen[1]
    stamp = max((f.stat().st_mtime for f in d.glob("*.json")), default=0.0)
    _STAMPS[(str(d), lang)] = (now, stamp)
    return stamp


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


# -- numbers and dates: one formatter (app.formatting, on Babel) for pages, figures, exports and PDFs ----------------

fmt_number = format_number          # (value, lang, decimals=0)
fmt_percent = format_percent        # (share, lang, decimals=0): 0.12 -> '12 %'
fmt_currency = format_currency      # (value, lang, decimals=0): '1 234 €' / '€1,234'
separators = plotly_separators      # plotly layout.separators


def fmt_date(value: Any, lang: str, with_time: bool = False) -> str:
    """A date (with_time: and time) as app.formatting.format_date writes it; '–' when missing."""
    return format_date(value, lang, with_time)
