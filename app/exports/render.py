"""Charts to PNG/SVG: kaleido in one persistent headless Chromium, and the decoration every exported chart gets.

The caller's figure is copied and gets title + selection, a source annotation at the bottom and, for demo, a diagonal
watermark. Chromium runs with a dead proxy so nothing can be fetched from the network; plotly.js comes from the
plotly package, MathJax is off and geo figures use the local topojson stub. PNG carries iTXt metadata and 300 dpi
(written by Pillow); SVG carries <title> and <desc>.
"""
from __future__ import annotations

import asyncio
import atexit
import html
import io
import json
import math
import os
import re
import struct
import textwrap
import threading
from pathlib import Path
from typing import Any

from app.exports.meta import APP_NAME, DEMO_KEYWORD, ExportError, ExportMeta, _build_line, _t, description
from etl import paths

TOPOJSON_STUB = {"type": "Topology", "objects": {}, "arcs": []}
PNG_DPI = 300
RENDER_TIMEOUT_S = 90.0
# Chromium sends every http(s) request to this proxy, which does not exist: no third-party request can leave the
# export browser even if a figure asks for one. file:// URLs (plotly.js, topojson stub) are unaffected.
_DEAD_PROXY = "http://127.0.0.1:9"


# -- the export server (started once, reused) -----------------------------------------------------------------------

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


# -- decoration and the two image formats ---------------------------------------------------------------------------

def _wrap(text: str, max_chars: int) -> str:
    """Wrap plain text with <br> for plotly (which does not wrap): textwrap, at spaces only, long words kept."""
    if len(text) <= max_chars:
        return text
    return "<br>".join(textwrap.wrap(text, max_chars, break_long_words=False, break_on_hyphens=False))


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


def _png_add_metadata(png: bytes, texts: dict[str, str], dpi: int = PNG_DPI) -> bytes:
    """The renderer's PNG with pHYs (dpi) and UTF-8 iTXt chunks after IHDR. Pillow reads and writes the chunks
    (framing, CRC check, iTXt encoding); the image data is copied as it is. Pillow's Image.save would write the
    same metadata but re-encode the pixels: ~0.9 s more per 3000 x 2100 export and different bytes."""
    from PIL import PngImagePlugin

    if png[:8] != b"\x89PNG\r\n\x1a\n":
        raise ExportError("renderer did not return a PNG")
    ppm = round(dpi / 0.0254)
    extra = PngImagePlugin.PngInfo()
    extra.add(b"pHYs", struct.pack(">IIB", ppm, ppm, 1))
    for key, text in texts.items():
        if text:
            extra.add_itxt(key, text)
    stream = PngImagePlugin.ChunkStream(io.BytesIO(png[8:]))
    out = io.BytesIO(png[:8])
    out.seek(8)
    try:
        while True:
            cid, _pos, length = stream.read()
            body = stream.fp.read(length)
            stream.crc(cid, body)            # raises on a damaged chunk
            if cid != b"pHYs":               # the renderer's own resolution is replaced by ours
                PngImagePlugin.putchunk(out, cid, body)
            if cid == b"IHDR":
                for chunk in extra.chunks:
                    PngImagePlugin.putchunk(out, chunk[0], chunk[1])
            if cid == b"IEND":
                return out.getvalue()
    except (SyntaxError, ValueError, OSError, struct.error) as e:
        raise ExportError(f"renderer returned a damaged PNG: {e}") from e


def figure_to_png(fig: Any, meta: ExportMeta, *, width: int = 1000, height: int = 700, scale: float = 3) -> bytes:
    """PNG (width*scale x height*scale pixels, 300 dpi) with title, selection, source line and demo watermark."""
    png = _render(decorate_figure(fig, meta, width=width, height=height), "png", width, height, scale)
    texts = {"Title": meta.title, "Description": description(meta), "Source": meta.source_line,
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
                f"<desc>{html.escape(description(meta), quote=False)}</desc>")
        text = text[:m.end()] + head + text[m.end():]
    return text.encode("utf-8")
