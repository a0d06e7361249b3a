"""Export builders: tables to CSV/XLSX, figures to PNG/SVG, area briefs to PDF.

Plain functions, data in and bytes out; importable without Streamlit. Every file is meant to be correct on its own
when pasted into a county strategy: title, selection, source line (with licence and data date), build id and time, in
the chosen language (fi, sv, en), and a visible notice when the build uses synthetic demo data.

Decisions (documented here and in docs/exports.md when that exists):

* CSV: UTF-8 with a BOM (Excel detects the encoding), CRLF line ends, header row, then the data rows exactly as in the
  frame. The metadata comes as a *trailing block* after one blank line, one value per line (demo notice first when
  demo, title, selection, source line, definitions, build id and time), as statistical agencies do. The data part
  stays a clean rectangle: read it with ``pd.read_csv`` on the text before the first blank line (see
  :func:`split_csv_export`). No extra column and no leading comment line. ``sep=";"`` gives the Finnish-Excel variant
  with decimal comma.
* XLSX: a data sheet with typed cells, bold frozen header, autofilter and column widths; a second sheet
  "Lähteet"/"Källor"/"Sources" with title, selection, sources (licence, attribution in the chosen language),
  definitions, build id and time. Demo builds get the notice as row 1 of the data sheet (header then on row 2), on top
  of the sources sheet, in the print header, in the workbook properties, and a red sheet tab.
* PNG/SVG: rendered by kaleido in a persistent headless Chromium (:func:`start_export_server`), the caller's figure is
  copied and gets title + subtitle, a source annotation at the bottom and, for demo, a diagonal watermark. Chromium
  runs with a dead proxy so nothing can be fetched from the network; plotly.js comes from the plotly package,
  MathJax is off and geo figures use the local topojson stub. PNG carries iTXt metadata and 300 dpi; SVG carries
  <title> and <desc>.
* PDF: fpdf2 with DejaVuSans; watermark on every page and subject/keywords "synthetic demo data" when demo.
"""
from __future__ import annotations

import asyncio
import atexit
import binascii
import csv
import datetime as _dt
import html
import io
import json
import math
import os
import re
import struct
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Sequence

import pandas as pd

from etl import paths

LANGS = ("fi", "sv", "en")
DEMO_KEYWORD = "synthetic demo data"   # always present (in English) in the metadata of demo exports
APP_NAME = "Järjestökartta"
TOPOJSON_STUB = {"type": "Topology", "objects": {}, "arcs": []}
PNG_DPI = 300
RENDER_TIMEOUT_S = 90.0
# Chromium sends every http(s) request to this proxy, which does not exist: no third-party request can leave the
# export browser even if a figure asks for one. file:// URLs (plotly.js, topojson stub) are unaffected.
_DEAD_PROXY = "http://127.0.0.1:9"


class ExportError(RuntimeError):
    """An export could not be produced (no browser, no font, render failure)."""


# --------------------------------------------------------------------------------------------------------------------
# Metadata and localisation
# --------------------------------------------------------------------------------------------------------------------

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
    """A number as a reader of `lang` writes it: fi/sv `12 345,6` (no-break space), en `12,345.6`.

    decimals=None: integers without decimals; other floats with 0 (>= 100), 1 (>= 10) or 2 decimals."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return "–"
    if isinstance(value, bool):
        return str(value)
    try:
        x = float(value)
    except (TypeError, ValueError):
        return str(value)
    if math.isnan(x):
        return "–"
    if decimals is None:
        is_int = isinstance(value, int) or (hasattr(value, "dtype") and getattr(value.dtype, "kind", "") in "iu")
        if is_int:
            decimals = 0
        else:
            a = abs(x)
            decimals = 0 if a >= 100 else 1 if a >= 10 else 2
    s = f"{x:,.{decimals}f}"
    if _lang(lang) in ("fi", "sv"):
        s = s.replace(",", "\u00a0").replace(".", ",")
    return s


def format_datetime(value: str, lang: str) -> str:
    """An ISO timestamp/date as fi `23.11.2026 klo 13.12`, sv `23.11.2026 kl. 13.12`, en `23 Nov 2026 13:12`."""
    if not value:
        return ""
    try:
        d = _dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return str(value)
    has_time = "T" in str(value) or " " in str(value).strip()
    lang = _lang(lang)
    if lang == "en":
        s = f"{d.day} {d:%b} {d.year}"
        return f"{s} {d:%H:%M}" if has_time else s
    s = f"{d.day}.{d.month}.{d.year}"
    if not has_time:
        return s
    return f"{s} {'klo' if lang == 'fi' else 'kl.'} {d:%H.%M}"


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
    import unicodedata
    s = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    s = re.sub(r"[^A-Za-z0-9._-]+", "_", s).strip("_") or "export"
    return f"{s}_{_lang(meta.lang)}{'_DEMO' if meta.is_demo else ''}.{ext.lstrip('.')}"


# --------------------------------------------------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------------------------------------------------

def _flat_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Named index levels become columns; an unnamed index (row numbers) is dropped; column levels are joined."""
    out = df
    if any(n is not None for n in df.index.names):
        out = df.reset_index()
    elif not isinstance(df.index, pd.RangeIndex):
        out = df.reset_index(drop=True)
    if isinstance(out.columns, pd.MultiIndex):
        out = out.copy()
        out.columns = [" – ".join(str(p) for p in c if str(p) != "") for c in out.columns]
    return out


def _footer_lines(meta: ExportMeta) -> list[str]:
    lines: list[str] = []
    if meta.is_demo:
        lines.append(_t("export.demo_notice", meta.lang))
    if meta.title:
        lines.append(meta.title)
    if meta.subtitle:
        lines.append(f"{_t('export.meta.selection', meta.lang)}: {meta.subtitle}")
    if meta.source_line:
        lines.append(meta.source_line)
    for term, definition in meta.definitions:
        lines.append(f"{term}: {definition}")
    lines.append(_build_line(meta))
    return lines


def to_csv_bytes(df: pd.DataFrame, meta: ExportMeta, *, sep: str = ",") -> bytes:
    """CSV, UTF-8 with BOM. sep=";" also switches to decimal comma (Finnish/Swedish Excel).

    Layout: header, data rows, one blank line, then the metadata block (one value per line)."""
    if sep not in (",", ";", "\t"):
        raise ValueError(f"unsupported separator {sep!r}")
    decimal = "," if sep == ";" else "."
    frame = _flat_frame(df)
    buf = io.StringIO()
    frame.to_csv(buf, sep=sep, decimal=decimal, index=False, lineterminator="\r\n")
    buf.write("\r\n")
    writer = csv.writer(buf, delimiter=sep, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    for line in _footer_lines(meta):
        writer.writerow([" ".join(line.split())])   # one physical line per value
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def split_csv_export(data: bytes) -> tuple[str, list[str]]:
    """(CSV text of the data part, metadata lines) of a file made by :func:`to_csv_bytes`."""
    text = data.decode("utf-8-sig")
    head, _, tail = text.partition("\r\n\r\n")
    return head + "\r\n", [_unquote_csv_line(ln) for ln in tail.split("\r\n") if ln]


def _unquote_csv_line(line: str) -> str:
    if len(line) >= 2 and line[0] == '"' and line[-1] == '"':
        return line[1:-1].replace('""', '"')
    return line


def _xlsx_value(v: Any) -> Any:
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, float) and math.isnan(v):
        return None
    if hasattr(v, "item") and not isinstance(v, (str, bytes)):   # numpy scalars
        try:
            v = v.item()
        except (ValueError, AttributeError):
            pass
    if isinstance(v, float) and math.isnan(v):
        return None
    if isinstance(v, pd.Timestamp):
        v = v.to_pydatetime()
    if isinstance(v, _dt.datetime) and v.tzinfo is not None:
        v = v.replace(tzinfo=None)
    if isinstance(v, (bool, int, float, str, _dt.date, _dt.datetime)):
        return v
    if isinstance(v, (list, tuple, set)) or type(v).__name__ == "ndarray":
        return ", ".join(str(x) for x in v)
    return str(v)


def to_xlsx_bytes(df: pd.DataFrame, meta: ExportMeta) -> bytes:
    """XLSX with a typed data sheet (frozen header) and a sources sheet in the chosen language."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    lang = _lang(meta.lang)
    frame = _flat_frame(df)
    wb = Workbook()
    ws = wb.active
    ws.title = _t("export.sheet.data", lang)[:31]
    ncols = max(len(frame.columns), 1)
    bold = Font(bold=True)
    demo_font = Font(bold=True, color="B00000", size=12)
    demo_fill = PatternFill("solid", fgColor="FFE4E4")
    header_fill = PatternFill("solid", fgColor="E8EEF4")
    thin = Side(style="thin", color="7F8C99")

    header_row = 1
    if meta.is_demo:
        c = ws.cell(row=1, column=1, value=_t("export.demo_notice", lang))
        c.font, c.fill = demo_font, demo_fill
        if ncols > 1:
            ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncols)
        ws.row_dimensions[1].height = 30
        c.alignment = Alignment(wrap_text=True, vertical="center")
        ws.sheet_properties.tabColor = "C00000"
        header_row = 2

    widths = []
    for j, col in enumerate(frame.columns, start=1):
        c = ws.cell(row=header_row, column=j, value=str(col))
        c.font, c.fill = bold, header_fill
        c.border = Border(bottom=thin)
        c.alignment = Alignment(wrap_text=True, vertical="top")
        widths.append(len(str(col)))

    for i, row in enumerate(frame.itertuples(index=False, name=None), start=header_row + 1):
        for j, v in enumerate(row, start=1):
            val = _xlsx_value(v)
            c = ws.cell(row=i, column=j, value=val)
            if isinstance(val, bool):
                pass
            elif isinstance(val, int):
                c.number_format = "#,##0"
            elif isinstance(val, float):
                c.number_format = "#,##0.0##" if abs(val) < 1e15 else "General"
            elif isinstance(val, _dt.datetime):
                c.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(val, _dt.date):
                c.number_format = "yyyy-mm-dd"
            if i - header_row <= 500 and val is not None:
                shown = format_number(val, "en") if isinstance(val, (int, float)) and not isinstance(val, bool) \
                    else str(val)
                widths[j - 1] = max(widths[j - 1], len(shown))
    for j, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = min(max(w + 2, 8), 60)
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    last_row = header_row + len(frame)
    if len(frame.columns):
        ws.auto_filter.ref = f"A{header_row}:{get_column_letter(ncols)}{max(last_row, header_row)}"
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.oddFooter.left.text = (meta.source_line or "")[:250]
    ws.oddFooter.right.text = "&P / &N"
    if meta.is_demo:
        ws.oddHeader.center.text = _t("export.watermark", lang)
        ws.oddHeader.center.color = "C00000"

    _xlsx_sources_sheet(wb, meta, Font, Alignment, PatternFill)

    props = wb.properties
    props.title = meta.title[:250]
    props.subject = (meta.subtitle or "")[:250]
    props.creator = APP_NAME
    props.keywords = "; ".join(_keywords(meta))
    desc = [meta.source_line, _build_line(meta)]
    if meta.is_demo:
        desc.insert(0, _t("export.demo_notice", lang))
    props.description = "\n".join(d for d in desc if d)
    props.language = lang
    if meta.is_demo:
        props.category = DEMO_KEYWORD
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _xlsx_sources_sheet(wb, meta: ExportMeta, Font, Alignment, PatternFill) -> None:
    lang = _lang(meta.lang)
    ws = wb.create_sheet(_t("export.sheet.sources", lang)[:31])
    wrap = Alignment(wrap_text=True, vertical="top")
    bold = Font(bold=True)
    r = 1
    ws.cell(row=r, column=1, value=meta.title).font = Font(bold=True, size=14)
    r += 1
    if meta.is_demo:
        c = ws.cell(row=r, column=1, value=_t("export.demo_notice", lang))
        c.font = Font(bold=True, color="B00000")
        c.fill = PatternFill("solid", fgColor="FFE4E4")
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=6)
        ws.row_dimensions[r].height = 30
        c.alignment = wrap
        r += 1
    r += 1
    for key, value in (("export.meta.title", meta.title), ("export.meta.selection", meta.subtitle),
                       ("export.meta.source_line", meta.source_line), ("export.meta.build_id", meta.build_id),
                       ("export.meta.built_at", format_datetime(meta.built_at, lang))):
        ws.cell(row=r, column=1, value=_t(key, lang)).font = bold
        c = ws.cell(row=r, column=2, value=value)
        c.alignment = wrap
        r += 1
    if meta.sources:
        r += 1
        ws.cell(row=r, column=1, value=_t("export.meta.sources", lang)).font = Font(bold=True, size=12)
        r += 1
        heads = ["export.source.title", "export.source.publisher", "export.source.licence",
                 "export.source.attribution", "export.source.url", "export.source.retrieved_at"]
        for j, k in enumerate(heads, start=1):
            ws.cell(row=r, column=j, value=_t(k, lang)).font = bold
        r += 1
        for src in meta.sources:
            vals = [src.get("title"), src.get("publisher"), src.get("licence"), _attribution(src, lang),
                    src.get("url"), format_datetime(str(src.get("retrieved_at") or ""), lang)]
            for j, v in enumerate(vals, start=1):
                c = ws.cell(row=r, column=j, value=None if v is None else str(v))
                c.alignment = wrap
            r += 1
    if meta.definitions:
        r += 1
        ws.cell(row=r, column=1, value=_t("export.meta.definitions", lang)).font = Font(bold=True, size=12)
        r += 1
        ws.cell(row=r, column=1, value=_t("export.meta.term", lang)).font = bold
        ws.cell(row=r, column=2, value=_t("export.meta.definition", lang)).font = bold
        r += 1
        for term, definition in meta.definitions:
            ws.cell(row=r, column=1, value=term).alignment = wrap
            ws.cell(row=r, column=2, value=definition).alignment = wrap
            r += 1
    r += 1
    ws.cell(row=r, column=1, value=_t("export.meta.generated_by", lang)).font = Font(italic=True, color="555555")
    for col, w in zip("ABCDEF", (28, 60, 18, 50, 40, 18)):
        ws.column_dimensions[col].width = w


# --------------------------------------------------------------------------------------------------------------------
# Export server (kaleido + headless Chromium, started once and reused)
# --------------------------------------------------------------------------------------------------------------------

def ensure_topojson_stub() -> Path:
    """static/topojson/world_110m.json (an empty topology) so geo figures never reach for the CDN."""
    target = paths.TOPOJSON_DIR / "world_110m.json"
    if not target.is_file():
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".world_110m.{os.getpid()}.{threading.get_ident()}.tmp")
        tmp.write_text(json.dumps(TOPOJSON_STUB), encoding="utf-8")
        os.replace(tmp, target)   # atomic: another process may create the same file with the same content
    return target


def _topojson_url() -> str:
    return ensure_topojson_stub().parent.as_uri() + "/"


class _ExportServer:
    """One kaleido browser in a background event-loop thread. Calls are serialised by a lock (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._kaleido: Any = None
        self.starts = 0

    @property
    def running(self) -> bool:
        return self._kaleido is not None

    def start(self) -> None:
        with self._lock:
            if self._kaleido is not None:
                return
            import kaleido
            from kaleido.errors import ChromeNotFoundError

            loop = asyncio.new_event_loop()
            thread = threading.Thread(target=loop.run_forever, name="export-server", daemon=True)
            thread.start()

            async def _open():
                kw: dict[str, Any] = {"n": 1, "mathjax": False, "timeout": RENDER_TIMEOUT_S,
                                      "proxy_server": _DEAD_PROXY}
                browser = os.environ.get("JARJESTOKARTTA_CHROMIUM")
                if browser:
                    kw["path"] = browser
                k = kaleido.Kaleido(**kw)
                await k.__aenter__()
                return k

            try:
                self._kaleido = asyncio.run_coroutine_threadsafe(_open(), loop).result(RENDER_TIMEOUT_S)
            except ChromeNotFoundError as e:
                loop.call_soon_threadsafe(loop.stop)
                thread.join(5)
                raise ExportError(f"{_t('export.error.no_browser', 'en')} ({e})") from e
            except BaseException:
                loop.call_soon_threadsafe(loop.stop)
                thread.join(5)
                raise
            self._loop, self._thread = loop, thread
            self.starts += 1

    def stop(self) -> None:
        with self._lock:
            if self._kaleido is None:
                return
            k, loop, thread = self._kaleido, self._loop, self._thread
            self._kaleido = self._loop = self._thread = None
            try:
                asyncio.run_coroutine_threadsafe(k.__aexit__(None, None, None), loop).result(30)
            except Exception:  # noqa: BLE001 - the browser may already be gone
                pass
            finally:
                loop.call_soon_threadsafe(loop.stop)
                thread.join(10)

    def render(self, fig_dict: dict, opts: dict, topojson: str | None) -> bytes:
        from kaleido.errors import BrowserClosedError, BrowserFailedError
        with self._lock:
            for attempt in (1, 2):
                self.start()
                fut = asyncio.run_coroutine_threadsafe(
                    self._kaleido.calc_fig(fig_dict, opts, topojson=topojson), self._loop)
                try:
                    return fut.result(RENDER_TIMEOUT_S + 10)
                except (BrowserClosedError, BrowserFailedError, TimeoutError, asyncio.TimeoutError) as e:
                    fut.cancel()
                    self.stop()   # a dead or stuck browser: restart once
                    if attempt == 2:
                        raise ExportError(f"image export failed: {e!r}") from e
        raise AssertionError("unreachable")


_SERVER = _ExportServer()
atexit.register(_SERVER.stop)


def start_export_server() -> None:
    """Start the persistent export browser (idempotent; exports also start it on first use)."""
    ensure_topojson_stub()
    _SERVER.start()


def stop_export_server() -> None:
    """Stop the export browser (idempotent)."""
    _SERVER.stop()


def export_server_running() -> bool:
    return _SERVER.running


# --------------------------------------------------------------------------------------------------------------------
# Figures
# --------------------------------------------------------------------------------------------------------------------

def _wrap(text: str, max_chars: int) -> str:
    """Wrap plain text with <br> for plotly (which does not wrap)."""
    if len(text) <= max_chars:
        return text
    lines, cur = [], ""
    for word in text.split(" "):
        if cur and len(cur) + 1 + len(word) > max_chars:
            lines.append(cur)
            cur = word
        else:
            cur = f"{cur} {word}" if cur else word
    if cur:
        lines.append(cur)
    return "<br>".join(lines)


def _plain(text: str) -> str:
    """Escape characters plotly's pseudo-HTML would treat as markup."""
    return (text or "").replace("<", "‹").replace(">", "›")


def _to_dict(fig: Any) -> dict:
    if isinstance(fig, dict):
        import copy
        return copy.deepcopy(fig)
    return fig.to_dict()   # a deep copy: the caller's figure is never touched


_WEBGL_MAP_TRACES = {"scattermap", "choroplethmap", "densitymap", "scattermapbox", "choroplethmapbox",
                     "densitymapbox"}


def _sanitize_offline(d: dict) -> None:
    """No third-party requests: remote layout images are dropped. MapLibre (`*_map`) traces draw into a WebGL
    canvas that headless Chromium leaves blank (and their basemaps are remote): refuse them instead of writing an
    empty map. Export maps as plotly geo figures (px.choropleth with the area GeoJSON)."""
    layout = d.setdefault("layout", {})
    bad = sorted({t.get("type") for t in d.get("data") or [] if t.get("type") in _WEBGL_MAP_TRACES})
    if bad:
        raise ExportError(f"cannot export {', '.join(bad)} traces as images (WebGL tile map); "
                          "use a geo figure (px.choropleth / go.Choropleth with geojson) for exports")
    if layout.get("images"):
        layout["images"] = [im for im in layout["images"]
                            if not str(im.get("source", "")).startswith(("http:", "https:", "//"))]


def decorate_figure(fig: Any, meta: ExportMeta, *, width: int = 1000, height: int = 700) -> dict:
    """A copy of `fig` (as a figure dict) with title, subtitle, source line, build note and demo watermark."""
    d = _to_dict(fig)
    _sanitize_offline(d)
    layout = d.setdefault("layout", {})
    layout["width"], layout["height"] = width, height
    k = width / 1000.0
    title_size, sub_size, src_size = round(20 * max(k, 0.8)), round(14 * max(k, 0.8)), round(11 * max(k, 0.8))
    title_chars = int(width / (title_size * 0.58))
    title = _wrap(_plain(meta.title), title_chars)
    subtitle = _wrap(_plain(meta.subtitle), int(width / (sub_size * 0.55)))
    n_title = title.count("<br>") + 1
    n_sub = subtitle.count("<br>") + 1 if subtitle else 0
    layout["title"] = {
        "text": f"<b>{title}</b>", "x": 0.015, "xanchor": "left", "xref": "container",
        "y": 1.0, "yanchor": "top", "yref": "container", "pad": {"t": 14},
        "font": {"size": title_size, "color": "#1a1a1a"},
        "subtitle": {"text": subtitle, "font": {"size": sub_size, "color": "#444444"}},
    }
    margin = dict(layout.get("margin") or {})
    top_needed = 22 + n_title * title_size * 1.25 + n_sub * sub_size * 1.3 + 14
    margin["t"] = max(int(margin.get("t", 0) or 0), int(top_needed))
    source = _wrap(_plain(meta.source_line), int(width / (src_size * 0.52)))
    n_src = source.count("<br>") + 2   # + the build line
    footer_h = int(n_src * src_size * 1.35 + 10)
    b_orig = margin.get("b")
    b_orig = 80 if b_orig is None else int(b_orig)
    margin["b"] = b_orig + footer_h
    margin.setdefault("l", 60 if b_orig else 10)
    margin.setdefault("r", 30)
    layout["margin"] = margin
    anns = list(layout.get("annotations") or [])
    build = _plain(f"{_t('export.meta.generated_by', meta.lang)} · {_build_line(meta)}")
    anns.append({
        "name": "source", "text": f"{source}<br><span style='color:#666666'>{build}</span>",
        "xref": "paper", "yref": "paper", "x": 0, "y": 0, "xanchor": "left", "yanchor": "top",
        "xshift": -(int(margin["l"]) - 15), "yshift": -(margin["b"] - footer_h), "showarrow": False,
        "align": "left",
        "font": {"size": src_size, "color": "#333333"},
    })
    if meta.is_demo:
        mark = _t("export.watermark", meta.lang)
        plot_w = max(width - int(margin["l"]) - int(margin["r"]), 100)
        plot_h = max(height - margin["t"] - margin["b"], 100)
        diag = math.hypot(plot_w, plot_h)
        anns.append({
            "name": "watermark", "text": mark,
            "xref": "paper", "yref": "paper", "x": 0.5, "y": 0.5, "xanchor": "center", "yanchor": "middle",
            "showarrow": False, "textangle": -round(math.degrees(math.atan2(plot_h, plot_w))),
            "font": {"size": max(14, min(int(0.8 * diag / (0.66 * len(mark))), 90)),
                     "color": "rgba(190,0,0,0.25)"},
        })
    layout["annotations"] = anns
    layout.setdefault("paper_bgcolor", "white")
    layout["meta"] = {"source_line": meta.source_line, "build_id": meta.build_id, "demo": bool(meta.is_demo)}
    return d


def _render(fig_dict: dict, fmt: str, width: int, height: int, scale: float = 1) -> bytes:
    opts = {"format": fmt, "width": width, "height": height, "scale": scale}
    ensure_topojson_stub()
    return _SERVER.render(fig_dict, opts, _topojson_url())


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", binascii.crc32(kind + data) & 0xFFFFFFFF)


def _png_add_metadata(png: bytes, texts: dict[str, str], dpi: int = PNG_DPI) -> bytes:
    """Insert pHYs (dpi) and iTXt (UTF-8) chunks after IHDR."""
    if png[:8] != b"\x89PNG\r\n\x1a\n":
        raise ExportError("renderer did not return a PNG")
    pos, chunks = 8, []
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos:pos + 4])
        kind = png[pos + 4:pos + 8]
        chunks.append((kind, png[pos:pos + 12 + length]))
        pos += 12 + length
    ppm = round(dpi / 0.0254)
    extra = [_png_chunk(b"pHYs", struct.pack(">IIB", ppm, ppm, 1))]
    for key, text in texts.items():
        if text:
            extra.append(_png_chunk(b"iTXt", key.encode("latin-1") + b"\0\0\0" + b"\0" + b"\0" + text.encode()))
    out = [png[:8]]
    for kind, raw in chunks:
        if kind == b"pHYs":
            continue
        out.append(raw)
        if kind == b"IHDR":
            out.extend(extra)
    return b"".join(out)


def _description(meta: ExportMeta) -> str:
    parts = [meta.subtitle, meta.source_line, _build_line(meta)]
    if meta.is_demo:
        parts.insert(0, f"{_t('export.demo_notice', meta.lang)} [{DEMO_KEYWORD}]")
    return " | ".join(p for p in parts if p)


def figure_to_png(fig: Any, meta: ExportMeta, *, width: int = 1000, height: int = 700, scale: float = 3) -> bytes:
    """PNG (width*scale x height*scale pixels, 300 dpi) with title, selection, source line and demo watermark."""
    png = _render(decorate_figure(fig, meta, width=width, height=height), "png", width, height, scale)
    texts = {"Title": meta.title, "Description": _description(meta), "Source": meta.source_line,
             "Software": f"{APP_NAME} {meta.build_id}", "Creation Time": meta.built_at}
    if meta.is_demo:
        texts["Warning"] = f"{_t('export.watermark', meta.lang)} ({DEMO_KEYWORD})"
    return _png_add_metadata(png, texts)


def figure_to_svg(fig: Any, meta: ExportMeta, *, width: int = 1000, height: int = 700) -> bytes:
    """SVG with title, selection, source line and demo watermark; <title> and <desc> for screen readers."""
    svg = _render(decorate_figure(fig, meta, width=width, height=height), "svg", width, height, 1)
    text = svg.decode("utf-8") if isinstance(svg, (bytes, bytearray)) else str(svg)
    m = re.search(r"<svg\b[^>]*>", text)
    if m:
        head = (f"<title>{html.escape(meta.title, quote=False)}</title>"
                f"<desc>{html.escape(_description(meta), quote=False)}</desc>")
        text = text[:m.end()] + head + text[m.end():]
    return text.encode("utf-8")


# --------------------------------------------------------------------------------------------------------------------
# PDF brief
# --------------------------------------------------------------------------------------------------------------------

@dataclass
class KeyFigure:
    label: str
    value: Any                      # number (formatted in the brief's language) or text
    unit: str = ""
    decimals: int | None = None
    note: str = ""


@dataclass
class BriefSection:
    """One block of the brief: a heading, optional text, an optional chart and an optional table."""
    title: str
    text: str = ""
    figure: Any = None              # plotly Figure or figure dict
    figure_width: int = 900         # px of the rendered chart; its aspect ratio is kept on the page
    figure_height: int = 620
    table: pd.DataFrame | None = None
    table_title: str = ""
    max_rows: int = 25              # longer tables are cut with a "... and N more rows" note
    decimals: dict[str, int] = field(default_factory=dict)   # column -> decimals for numbers
    new_page: bool = False


@dataclass
class BriefData:
    area_name: str
    area_code: str = ""
    is_national: bool = False
    intro: str = ""
    key_figures: list[KeyFigure | tuple] = field(default_factory=list)
    sections: list[BriefSection] = field(default_factory=list)


_FONT_DIRS = [Path("/usr/share/fonts/truetype/dejavu")]


def _font_paths() -> tuple[Path, Path | None]:
    env = os.environ.get("JARJESTOKARTTA_FONT_DIR")
    dirs = ([Path(env)] if env else []) + _FONT_DIRS
    try:
        import matplotlib  # noqa: F401
        dirs.append(Path(matplotlib.__file__).parent / "mpl-data" / "fonts" / "ttf")
    except ImportError:
        pass
    for d in dirs:
        regular = d / "DejaVuSans.ttf"
        if regular.is_file():
            bold = d / "DejaVuSans-Bold.ttf"
            return regular, bold if bold.is_file() else None
    raise ExportError(_t("export.error.no_font", "en") + f" (searched: {', '.join(str(d) for d in dirs)})")


def _make_pdf_class():
    from fpdf import FPDF

    class _BriefPDF(FPDF):
        meta: ExportMeta
        header_text: str = ""

        def header(self) -> None:
            self.set_font("DejaVu", "", 7.5)
            self.set_text_color(90, 90, 90)
            self.set_xy(self.l_margin, 8)
            self.cell(0, 4, self.header_text, align="L")
            if self.meta.is_demo:
                self.set_text_color(176, 0, 0)
                self.set_font("DejaVu", "B", 7.5)
                self.set_xy(self.l_margin, 8)
                self.cell(0, 4, _t("export.watermark", self.meta.lang), align="R")
            self.set_text_color(0, 0, 0)
            self.set_y(self.t_margin)

        def footer(self) -> None:
            lang = self.meta.lang
            self.set_font("DejaVu", "", 7)
            self.set_text_color(90, 90, 90)
            self.set_xy(self.l_margin, -12)
            self.cell(0, 4, _build_line(self.meta), align="L")
            self.set_xy(self.l_margin, -12)
            self.cell(0, 4, _t("export.brief.page", lang, page=self.page_no(), pages="{nb}"), align="R")
            if self.meta.is_demo:   # drawn last, so it lies over images and tables
                text = _t("export.watermark", lang)
                with self.local_context(fill_opacity=0.22):
                    self.set_font("DejaVu", "B", 46)
                    self.set_text_color(200, 0, 0)
                    w = self.get_string_width(text)
                    cx, cy = self.w / 2, self.h / 2
                    with self.rotation(angle=52, x=cx, y=cy):
                        self.text(cx - w / 2, cy + 6, text)
            self.set_text_color(0, 0, 0)

    return _BriefPDF


def _is_number(v: Any) -> bool:
    if isinstance(v, bool) or v is None:
        return False
    if isinstance(v, (int, float)):
        return True
    return hasattr(v, "dtype") and getattr(v.dtype, "kind", "") in "iuf"


def brief_pdf(brief: BriefData, meta: ExportMeta) -> bytes:
    """County (or national) brief as a PDF: key figures, charts, tables, definitions, sources, build id."""
    lang = _lang(meta.lang)
    regular, bold = _font_paths()
    pdf = _make_pdf_class()(orientation="P", unit="mm", format="A4")
    pdf.meta = meta
    pdf.header_text = f"{APP_NAME} · {brief.area_name}"
    pdf.add_font("DejaVu", "", str(regular))
    pdf.add_font("DejaVu", "B", str(bold or regular))
    pdf.set_margins(15, 16, 15)
    pdf.set_auto_page_break(True, margin=18)
    pdf.alias_nb_pages()
    title_key = "export.brief.title_national" if brief.is_national else "export.brief.title_area"
    doc_title = _t(title_key, lang, area=brief.area_name)
    pdf.set_title(doc_title)
    pdf.set_author(APP_NAME)
    pdf.set_creator(APP_NAME)
    subject = _t("export.brief.subject", lang)
    if meta.is_demo:
        subject = f"{_t('export.watermark', lang)} ({DEMO_KEYWORD}) – {subject}"
    pdf.set_subject(subject)
    pdf.set_keywords(" ".join(f'"{k}"' if " " in k else k for k in _keywords(meta) + [brief.area_name]))
    pdf.set_lang({"fi": "fi-FI", "sv": "sv-FI", "en": "en"}[lang])
    try:
        pdf.set_creation_date(_dt.datetime.fromisoformat(meta.built_at.replace("Z", "+00:00")))
    except (ValueError, AttributeError):
        pass
    pdf.add_page()
    cw = pdf.w - pdf.l_margin - pdf.r_margin

    # Title block
    pdf.set_font("DejaVu", "B", 18)
    pdf.multi_cell(cw, 8.5, doc_title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10.5)
    pdf.set_text_color(60, 60, 60)
    for line in (meta.title if meta.title and meta.title != doc_title else "", meta.subtitle):
        if line:
            pdf.multi_cell(cw, 5.2, line, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    if meta.is_demo:
        pdf.ln(1.5)
        pdf.set_fill_color(255, 228, 228)
        pdf.set_text_color(160, 0, 0)
        pdf.set_font("DejaVu", "B", 9.5)
        pdf.multi_cell(cw, 5, _t("export.demo_notice", lang), fill=True, new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0, 0, 0)
    if brief.intro:
        pdf.ln(1.5)
        pdf.set_font("DejaVu", "", 10)
        pdf.multi_cell(cw, 5, brief.intro, new_x="LMARGIN", new_y="NEXT")

    if brief.key_figures:
        _pdf_heading(pdf, _t("export.brief.key_figures", lang))
        _pdf_key_figures(pdf, brief.key_figures, lang, cw)

    for sec in brief.sections:
        _pdf_section(pdf, sec, lang, cw, meta)

    # Definitions and sources
    if pdf.will_page_break(60):
        pdf.add_page()
    _pdf_heading(pdf, _t("export.brief.definitions_sources", lang))
    if meta.definitions:
        pdf.set_font("DejaVu", "B", 10)
        pdf.cell(cw, 6, _t("export.meta.definitions", lang), new_x="LMARGIN", new_y="NEXT")
        for term, definition in meta.definitions:
            pdf.set_font("DejaVu", "B", 8.5)
            pdf.multi_cell(cw, 4.3, term, new_x="LMARGIN", new_y="NEXT")
            pdf.set_font("DejaVu", "", 8.5)
            pdf.multi_cell(cw, 4.3, definition, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(0.8)
    pdf.ln(1.5)
    pdf.set_font("DejaVu", "B", 10)
    pdf.cell(cw, 6, _t("export.meta.sources", lang), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 8.5)
    if meta.source_line:
        pdf.multi_cell(cw, 4.3, meta.source_line, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
    for src in meta.sources:
        pdf.set_font("DejaVu", "B", 8.5)
        head = " – ".join(str(x) for x in (src.get("title"), src.get("publisher")) if x)
        pdf.multi_cell(cw, 4.3, head, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", 8.5)
        bits = []
        if _attribution(src, lang):
            bits.append(f"{_t('export.source.attribution', lang)}: {_attribution(src, lang)}")
        if src.get("licence"):
            bits.append(f"{_t('export.source.licence', lang)}: {src['licence']}")
        if src.get("url"):
            bits.append(f"{_t('export.source.url', lang)}: {src['url']}")
        if src.get("retrieved_at"):
            bits.append(f"{_t('export.source.retrieved_at', lang)}: "
                        f"{format_datetime(str(src['retrieved_at']), lang)}")
        for b in bits:
            pdf.multi_cell(cw, 4.3, b, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
    pdf.ln(1.5)
    pdf.set_font("DejaVu", "", 8.5)
    pdf.set_text_color(70, 70, 70)
    pdf.multi_cell(cw, 4.3, f"{_t('export.meta.generated_by', lang)}. {_build_line(meta)}.",
                   new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    return bytes(pdf.output())


def _pdf_heading(pdf, text: str) -> None:
    if pdf.will_page_break(22):
        pdf.add_page()
    pdf.ln(3)
    pdf.set_font("DejaVu", "B", 12.5)
    pdf.set_text_color(20, 50, 90)
    pdf.multi_cell(0, 6.5, text, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.ln(0.8)


def _pdf_key_figures(pdf, figures: Sequence[KeyFigure | tuple], lang: str, cw: float) -> None:
    items = [f if isinstance(f, KeyFigure) else KeyFigure(*f) for f in figures]
    cols = 3 if len(items) > 4 else max(len(items), 1)
    box_w = cw / cols
    for i in range(0, len(items), cols):
        row = items[i:i + cols]
        if pdf.will_page_break(17):
            pdf.add_page()
        y0 = pdf.get_y()
        for j, kf in enumerate(row):
            x = pdf.l_margin + j * box_w
            value = format_number(kf.value, lang, kf.decimals) if _is_number(kf.value) else str(kf.value)
            if kf.unit:
                value = f"{value} {kf.unit}"
            pdf.set_fill_color(240, 244, 248)
            pdf.rect(x + 0.8, y0, box_w - 1.6, 15.5, style="F")
            pdf.set_xy(x + 2.5, y0 + 1.2)
            pdf.set_font("DejaVu", "B", 13)
            pdf.cell(box_w - 5, 7, value)
            pdf.set_xy(x + 2.5, y0 + 8.3)
            pdf.set_font("DejaVu", "", 7.8)
            label = kf.label if not kf.note else f"{kf.label} ({kf.note})"
            pdf.cell(box_w - 5, 4, _fit(pdf, label, box_w - 5))
        pdf.set_xy(pdf.l_margin, y0 + 17)


def _fit(pdf, text: str, width: float) -> str:
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + "…") > width:
        text = text[:-1]
    return text + "…"


def _pdf_section(pdf, sec: BriefSection, lang: str, cw: float, meta: ExportMeta) -> None:
    img_w = img_h = 0.0
    if sec.figure is not None:
        img_w, img_h = cw, cw * sec.figure_height / sec.figure_width
        if img_h > 150.0:
            img_h, img_w = 150.0, 150.0 * sec.figure_width / sec.figure_height
    # keep the heading with what follows: the chart, or the table heading and its first rows
    first_block = img_h + 2 if sec.figure is not None else (30 if sec.table is not None else 10)
    if sec.new_page or pdf.will_page_break(14 + first_block + (10 if sec.text else 0)):
        pdf.add_page()
    _pdf_heading(pdf, sec.title)
    if sec.text:
        pdf.set_font("DejaVu", "", 9.5)
        pdf.multi_cell(cw, 4.8, sec.text, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
    if sec.figure is not None:
        d = _to_dict(sec.figure)
        _sanitize_offline(d)
        lay = d.setdefault("layout", {})
        lay.pop("title", None)   # the section heading is the title on the page
        lay["width"], lay["height"] = sec.figure_width, sec.figure_height
        lay.setdefault("paper_bgcolor", "white")
        png = _render(d, "png", sec.figure_width, sec.figure_height, 2)
        w, h = img_w, img_h
        if pdf.will_page_break(h + 2):
            pdf.add_page()
        x = pdf.l_margin + (cw - w) / 2
        pdf.image(io.BytesIO(png), x=x, y=pdf.get_y(), w=w, h=h, alt_text=sec.title)
        pdf.set_y(pdf.get_y() + h + 2)
    if sec.table is not None:
        _pdf_table(pdf, sec, lang, cw)


def _is_year_column(name: Any, series: pd.Series) -> bool:
    """Years are printed without a thousands separator (2024, not 2 024)."""
    if not re.search(r"(vuosi|vuodet|year|\bår\b|^år)", str(name).lower()):
        return False
    vals = pd.to_numeric(series, errors="coerce").dropna()
    return len(vals) > 0 and bool(((vals >= 1800) & (vals <= 2200) & (vals == vals.round())).all())


def _pdf_table(pdf, sec: BriefSection, lang: str, cw: float) -> None:
    from fpdf.fonts import FontFace

    df = _flat_frame(sec.table)
    if sec.table_title:
        if pdf.will_page_break(20):
            pdf.add_page()
        pdf.set_font("DejaVu", "B", 9.5)
        pdf.multi_cell(cw, 5, sec.table_title, new_x="LMARGIN", new_y="NEXT")
    if df.empty or not len(df.columns):
        pdf.set_font("DejaVu", "", 9)
        pdf.multi_cell(cw, 5, _t("export.brief.no_rows", lang), new_x="LMARGIN", new_y="NEXT")
        return
    shown = df.head(sec.max_rows)
    numeric = [pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c]) for c in df.columns]
    years = [_is_year_column(c, df[c]) for c in df.columns]
    cells = []
    for row in shown.itertuples(index=False, name=None):
        out = []
        for c, v, is_num, is_year in zip(df.columns, row, numeric, years):
            if is_year and _is_number(v):
                out.append(str(int(v)))
            elif is_num or _is_number(v):
                out.append(format_number(v, lang, sec.decimals.get(str(c))))
            else:
                out.append("–" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v))
        cells.append(out)
    heads = [str(c) for c in df.columns]
    pdf.set_font("DejaVu", "", 8)
    value_w = [max([0.0] + [pdf.get_string_width(r[j]) for r in cells]) for j in range(len(heads))]
    # headings on one line when everything fits, else wrapped at word boundaries, else squeezed
    for head_w in ([pdf.get_string_width(h) * 1.12 for h in heads],
                   [max(pdf.get_string_width(w) for w in (h.split() or [""])) * 1.12 for h in heads]):
        widths = [min(max(hw, vw) + 3.5, 90) for hw, vw in zip(head_w, value_w)]
        if sum(widths) <= cw:
            break
    total = sum(widths)
    if total > cw:
        widths = [w * cw / total for w in widths]
    width = min(sum(widths), cw)
    if pdf.will_page_break(8 + 5 * min(len(cells), 3)):
        pdf.add_page()
    with pdf.table(col_widths=widths, width=width, align="LEFT", line_height=4.4,
                   text_align=tuple("RIGHT" if n else "LEFT" for n in numeric),
                   headings_style=FontFace(emphasis="BOLD", fill_color=(232, 238, 244)),
                   borders_layout="HORIZONTAL_LINES", padding=(0.8, 1.2), repeat_headings=1) as table:
        hr = table.row()
        for h in heads:
            hr.cell(h)
        for r in cells:
            tr = table.row()
            for v in r:
                tr.cell(v)
    if len(df) > len(shown):
        pdf.set_font("DejaVu", "", 8)
        pdf.set_text_color(80, 80, 80)
        pdf.multi_cell(cw, 4.5, _t("export.brief.more_rows", lang, n=format_number(len(df) - len(shown), lang)),
                       new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0, 0, 0)
    pdf.ln(1.5)
