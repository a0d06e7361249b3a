"""Export metadata (title, selection, source line, build, demo flag), the export strings and file names."""
from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from app import formatting
from etl import paths

LANGS = ("fi", "sv", "en")
DEMO_KEYWORD = "synthetic demo data"   # always present (in English) in the metadata of demo exports
APP_NAME = "Järjestökartta"


class ExportError(RuntimeError):
    """An export could not be produced (no browser, no font, render failure)."""


@dataclass
class ExportMeta:
    title: str
    subtitle: str
    lang: str  # 'fi' | 'sv' | 'en'
    source_line: str        # already localized, e.g. "Lähde: Tilastokeskus ... CC BY 4.0; ... Tiedot 23.11.2026"
    build_id: str
    built_at: str
    is_demo: bool
    definitions: list[tuple[str, str]] = field(default_factory=list)   # (term, definition)
    sources: list[dict] = field(default_factory=list)  # rows of _meta_sources


@lru_cache(maxsize=None)
def _strings(lang: str) -> dict[str, str]:
    # Until app/i18n.py merges every locales/<lang>/*.json, read our own file; keys stay "export.*".
    path = paths.LOCALES_DIR / lang / "exports.json"
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def _lang(lang: str) -> str:
    return lang if lang in LANGS else "fi"


def _t(key: str, lang: str, **kwargs: Any) -> str:
    lang = _lang(lang)
    try:   # the shared translator (merges every locales/<lang>/*.json) when it is there
        from app.i18n import t as shared_t
        text = shared_t(key, lang, **kwargs)
        if text != key:
            return text
    except Exception:  # noqa: BLE001 - fall back to reading our own locale file
        pass
    text = _strings(lang).get(key)
    if text is None:
        text = _strings("en").get(key, key)
    return text.format(**kwargs) if kwargs else text


def format_number(value: Any, lang: str, decimals: int | None = None) -> str:
    """The shared formatter (app.formatting); decimals=None picks them from the size of the number."""
    return formatting.format_number(value, lang, decimals)


def format_datetime(value: str, lang: str) -> str:
    """An ISO timestamp/date in the shared form (app.formatting.format_date); '' for no value."""
    return formatting.format_date(value, lang, empty="")


def _build_line(meta: ExportMeta) -> str:
    return _t("export.meta.build", meta.lang, build_id=meta.build_id, built_at=format_datetime(meta.built_at, meta.lang))


def _attribution(src: dict, lang: str) -> str:
    for key in (f"attribution_{_lang(lang)}", "attribution_fi", "attribution_en", "attribution"):
        if src.get(key):
            return str(src[key])
    return ""


def _keywords(meta: ExportMeta) -> list[str]:
    kw = [APP_NAME, meta.build_id]
    if meta.is_demo:
        kw = [DEMO_KEYWORD, _t("export.watermark", meta.lang)] + kw
    return [k for k in kw if k]


def export_filename(stem: str, ext: str, meta: ExportMeta) -> str:
    """A safe file name: `stem_<lang>[_DEMO].<ext>` (ASCII, no spaces)."""
    s = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    s = re.sub(r"[^A-Za-z0-9._-]+", "_", s).strip("_") or "export"
    return f"{s}_{_lang(meta.lang)}{'_DEMO' if meta.is_demo else ''}.{ext.lstrip('.')}"


def description(meta: ExportMeta) -> str:
    """One line for image metadata: demo notice, selection, source line, build."""
    parts = [meta.subtitle, meta.source_line, _build_line(meta)]
    if meta.is_demo:
        parts.insert(0, f"{_t('export.demo_notice', meta.lang)} [{DEMO_KEYWORD}]")
    return " | ".join(p for p in parts if p)
