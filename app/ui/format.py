"""Numbers and tables for the pages: language-correct formats, labelled table frames and the export frame."""
from __future__ import annotations

from typing import Any, Sequence

import pandas as pd

from app.i18n import DEFAULT_LANG, fmt_currency, fmt_date, fmt_number, fmt_percent, separators, t


_MD_SPECIAL = set("\\`*_{}[]()#+-.!|<>~$:=")


def md_escape(value: Any) -> str:
    """Data shown through a Markdown element (header, caption, markdown) as literal text: every Markdown and
    Streamlit directive character backslash-escaped, so a name like `**x** [y](javascript:…)` stays text."""
    text = "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)
    return "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in text)


def text_or(value: Any, default: str) -> str:
    """A possibly missing (None / NA / NaN / '') database value as text."""
    if value is None or (not isinstance(value, str) and pd.isna(value)) or value == "":
        return default
    return str(value)


def is_true(value: Any) -> bool:
    """A database flag: missing (None / NA / NaN) counts as not done."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return False
    return bool(value)


def export_frame(table: pd.DataFrame, kinds: dict[str, str], lang: str) -> pd.DataFrame:
    """What a download carries: yes/no and uncertainty flags as words in the chosen language, decimals rounded as
    shown (numbers stay numbers)."""
    out = table.copy()
    for label, kind in kinds.items():
        if label not in out.columns:
            continue
        if kind in ("bool", "flag"):
            out[label] = [fmt(v, kind, lang).replace("⚠ ", "") for v in out[label]]
        elif kind.startswith("dec"):
            out[label] = pd.to_numeric(out[label], errors="coerce").round(int(kind[3:]))
    return out


def fmt(value: Any, kind: str, lang: str) -> str:
    """Display one value: kind is int, dec1, dec2, dec3, pct, eur, date, datetime, bool, flag or text."""
    if kind == "text":
        return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
    if kind == "int":
        return fmt_number(value, lang, 0)
    if kind.startswith("dec"):
        return fmt_number(value, lang, int(kind[3:]))
    if kind == "pct":
        return fmt_percent(value, lang, 0)
    if kind == "eur":
        return fmt_currency(value, lang, 0)
    if kind in ("date", "datetime"):
        return fmt_date(value, lang, with_time=kind == "datetime")
    if kind == "bool":
        return t("common.yes", lang) if bool(value) and not pd.isna(value) else t("common.no", lang)
    if kind == "flag":
        return "⚠ " + t("common.uncertain", lang) if bool(value) and not pd.isna(value) else ""
    return str(value)


def metric_kind(kind: str, decimals: int) -> str:
    """queries.METRICS entry -> fmt kind."""
    if kind == "share":
        return "pct"
    if kind == "count":
        return "int"
    return f"dec{decimals}"


def labelled_frame(df: pd.DataFrame, columns: Sequence[tuple[str, str, str]], lang: str = DEFAULT_LANG
                   ) -> pd.DataFrame:
    """Keep and rename the listed columns: [(column, header label, kind)]. Kind "label:<prefix>" turns codes
    into their translated labels (t(prefix + code)), so neither the screen nor an export shows a code."""
    seen: set[str] = set()
    kept = []
    for c, label, kind in columns:        # the chosen metric may also be a fixed column: show it once
        if c in df.columns and label not in seen:
            seen.add(label)
            kept.append((c, label, kind))
    columns = kept
    cols = [c for c, _, _ in columns]
    out = df[cols].copy()
    for c, _, kind in columns:
        if c in out.columns and kind.startswith(("label:", "labels:")):
            prefix = kind.split(":", 1)[1]
            one = kind.startswith("label:")
            done: dict[Any, str] = {}       # each distinct code (list) is translated once, not once per row
            col = []
            for v in out[c]:
                k = tuple(v) if isinstance(v, (list, tuple)) else v
                try:
                    text = done.get(k)
                except TypeError:           # an unhashable value: translated as it comes
                    k, text = None, None
                if text is None:
                    text = _label_text(v, prefix, lang) if one else _labels_text(v, prefix, lang)
                    if k is not None:
                        done[k] = text
                col.append(text)
            out[c] = col
    out.columns = [label for c, label, _ in columns if c in df.columns]
    return out


def _label_text(v: Any, prefix: str, lang: str) -> str:
    return t(prefix + str(v), lang) if v is not None and not pd.isna(v) else ""


def _labels_text(v: Any, prefix: str, lang: str) -> str:
    parts = v if isinstance(v, (list, tuple)) else str(v or "").split(",")
    return ", ".join(t(prefix + x.strip(), lang) for x in parts if str(x).strip())


def seps(lang: str) -> str:
    return separators(lang)
