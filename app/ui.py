"""Shared render helpers for the pages: language, URL state, banner, source line, tables and charts with downloads.

Every selector goes through `select_param`, which reads its first value from the URL (st.query_params) and
writes the current choice back, so any view can be shared as a link. Widget keys are prefixed `jk_`.
"""
from __future__ import annotations

import dataclasses
import importlib
import json
import logging
from typing import Any, Callable, Sequence

import duckdb
import pandas as pd
import streamlit as st

from app import cached, db
from app.i18n import DEFAULT_LANG, LANG_NAMES, LANGS, fmt_currency, fmt_date, fmt_number, fmt_percent, separators, t

PLOTLY_CONFIG = {"topojsonURL": "/app/static/topojson/", "displaylogo": False, "responsive": True,
                 "modeBarButtonsToRemove": ["select2d", "lasso2d", "toImage"]}
LANG_KEY = "jk_lang"
log = logging.getLogger(__name__)


# -- language and URL state ---------------------------------------------------------------------------------------

def current_lang() -> str:
    v = st.session_state.get(LANG_KEY) or st.query_params.get("lang")
    return v if v in LANGS else DEFAULT_LANG


def language_switch() -> str:
    """The one language switch (sidebar). Kept in session state so it survives page changes, and in the URL."""
    qp = st.query_params.get("lang")
    start = st.session_state.get(LANG_KEY) or (qp if qp in LANGS else DEFAULT_LANG)
    lang = st.sidebar.selectbox("Kieli · Språk · Language", LANGS, index=LANGS.index(start),
                                format_func=LANG_NAMES.get, key=LANG_KEY)
    st.query_params["lang"] = lang
    return lang


def select_param(param: str, label: str, options: Sequence[Any], *, format_func: Callable[[Any], str] = str,
                 default: Any = None, widget: str = "selectbox", container: Any = None, help: str | None = None,
                 horizontal: bool = True) -> Any:
    """A selector whose value lives in the URL as `param` (shared links reopen the same view)."""
    options = list(options)
    if not options:
        return None
    key = f"jk_{param}"
    if key in st.session_state and st.session_state[key] not in options:
        del st.session_state[key]          # the options changed (e.g. another area): start again
    qp = st.query_params.get(param)
    if key in st.session_state:
        start = st.session_state[key]
    elif qp is not None and qp in [str(o) for o in options]:
        start = options[[str(o) for o in options].index(qp)]
    else:
        start = default if default in options else options[0]
    box = container or st
    if widget == "radio":
        value = box.radio(label, options, index=options.index(start), format_func=format_func, key=key,
                          help=help, horizontal=horizontal)
    else:
        value = box.selectbox(label, options, index=options.index(start), format_func=format_func, key=key,
                              help=help)
    st.query_params[param] = str(value)
    return value


def text_param(param: str, label: str, *, placeholder: str = "", container: Any = None,
               help: str | None = None) -> str:
    key = f"jk_{param}"
    start = st.session_state.get(key, st.query_params.get(param, ""))
    box = container or st
    value = box.text_input(label, value=start, placeholder=placeholder, key=key, help=help)
    if value:
        st.query_params[param] = value
    elif param in st.query_params:
        del st.query_params[param]
    return value


# -- warehouse guard, header, banner, sources ---------------------------------------------------------------------

def require_warehouse(lang: str) -> bool:
    """False (after a friendly message) when there is no warehouse to read."""
    if db.warehouse_exists():
        return True
    # the server path is for the operator's log, never for the page
    log.warning("no warehouse at %s", db.warehouse_path())
    st.error(t("app.no_warehouse.title", lang), icon=":material/database_off:")
    st.markdown(t("app.no_warehouse.body", lang))
    st.code("python -m etl all", language="bash")
    return False


def show_db_error(lang: str, err: Exception) -> None:
    st.error(t("app.db_error.title", lang), icon=":material/error:")
    st.markdown(t("app.db_error.body", lang))
    st.code("python -m etl all", language="bash")
    log.error("database error on a page: %s: %s", type(err).__name__, err)   # details in the server log only


def _make_build_row() -> dict[str, Any]:
    info = cached.build_info()
    return info.iloc[0].to_dict() if len(info) else {}


def build_row() -> dict[str, Any]:
    """The _meta_build row of the warehouse (looked up once per script run)."""
    return dict(cached.per_run("build_row", _make_build_row))


def is_demo() -> bool:
    return bool(build_row().get("is_demo", False))


def demo_banner(lang: str) -> None:
    if is_demo():
        st.warning(t("app.demo_banner", lang), icon=":material/science:")


def page_header(lang: str, key: str) -> None:
    """Demo banner (every page, when the build is demo), title and intro."""
    demo_banner(lang)
    st.title(t(f"page.{key}.title", lang))
    intro = t(f"page.{key}.intro", lang)
    if intro != f"page.{key}.intro":
        st.markdown(intro)


def _make_source_text(lang: str, source_ids: tuple[str, ...] | None) -> str:
    from app.brief import source_line_text

    src = cached.sources(lang=lang)
    if source_ids:
        src = src[src["source_id"].isin(list(source_ids))]
    return source_line_text(src, build_row(), lang)


def source_text(lang: str, source_ids: Sequence[str] | None = None) -> str:
    ids = tuple(source_ids) if source_ids else None
    return cached.per_run(f"source_text|{lang}|{ids}", lambda: _make_source_text(lang, ids))


def source_line(lang: str, source_ids: Sequence[str] | None = None, definition_key: str | None = None) -> None:
    text = source_text(lang, source_ids)
    if definition_key:
        text = t(definition_key, lang) + "  \n" + text
    st.caption(text)


# -- numbers and tables --------------------------------------------------------------------------------------------

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


def _export_meta(name: str, lang: str, title: str | None, subtitle: str = "",
                 definitions: Sequence[tuple[str, str]] = ()) -> Any | None:
    """An app.exports.ExportMeta for one chart or table (fields filled by name, so the class may grow)."""
    exports = _exports()
    meta_cls = getattr(exports, "ExportMeta", None) if exports else None
    if meta_cls is None:
        return None
    b = build_row()
    built = b.get("built_at")
    src = cached.sources(lang=lang)
    values = {"title": title or name, "subtitle": subtitle, "lang": lang, "source_line": source_text(lang),
              "build_id": str(b.get("build_id", "")),
              "built_at": pd.Timestamp(built).isoformat() if built is not None and not pd.isna(built) else "",
              "is_demo": bool(b.get("is_demo", False)), "definitions": list(definitions),
              "sources": src.to_dict("records")}
    try:
        if dataclasses.is_dataclass(meta_cls):
            names = {f.name for f in dataclasses.fields(meta_cls)}
            return meta_cls(**{k: v for k, v in values.items() if k in names})
        return meta_cls(**values)
    except TypeError:
        return None


def _exports():
    try:
        return importlib.import_module("app.exports")
    except ImportError:
        return None


MAX_TABLE_ROWS = 1000


def _column_formatter(kind: str, lang: str) -> Callable[[Any], str]:
    """fmt(v, kind, lang) for one table column, each distinct value formatted once (a column of 1,000 counts
    holds a few dozen distinct numbers; number formatting is the costly part of drawing a table)."""
    done: dict[Any, str] = {}

    def one(v: Any) -> str:
        key = (v.__class__, v)
        try:
            return done[key]
        except KeyError:
            text = done[key] = fmt(v, kind, lang)
            return text
        except TypeError:            # unhashable (a list cell): formatted as it comes
            return fmt(v, kind, lang)
    return one


def _on_click(make: Callable[[], Any]) -> Callable[[], Any]:
    """`make` run on the first call only (a download's data callable runs when the button is clicked, not while the
    page is drawn)."""
    box: list[Any] = []

    def get() -> Any:
        if not box:
            box.append(make())
        return box[0]
    return get


def table_with_downloads(df: pd.DataFrame, name: str, lang: str, columns: Sequence[tuple[str, str, str]],
                         *, title: str | None = None, subtitle: str = "", height: int | None = None,
                         key: str | None = None, meta: Any = None) -> pd.DataFrame:
    """A table with labelled headers and language-correct number formats (values stay numeric, so sorting works),
    plus CSV (comma, decimal point), CSV (semicolon, decimal comma: Finnish/Swedish Excel) and XLSX downloads when
    app.exports is available. Returns the labelled frame as shown (at most MAX_TABLE_ROWS rows)."""
    kinds = {label: ("text" if kind.startswith(("label:", "labels:")) else kind) for c, label, kind in columns
             if c in df.columns}
    # the screen shows the first MAX_TABLE_ROWS rows (labelling, formatting and sending 70,000 rows would make
    # every rerun slow); the downloads below always carry the whole table, labelled when one is clicked
    shown = labelled_frame(df.head(MAX_TABLE_ROWS), columns, lang)
    whole = (lambda: shown) if len(df) <= len(shown) else (lambda: labelled_frame(df, columns, lang))
    styler = shown.style.format({label: _column_formatter(kind, lang) for label, kind in kinds.items()})
    styler = styler.hide(axis="index")
    st.dataframe(styler, hide_index=True, width="stretch", height=height or "auto", key=key)
    if len(df) > len(shown):
        st.caption(t("common.rows_truncated", lang, shown=fmt_number(len(shown), lang),
                     total=fmt_number(len(df), lang)))
    exports = _exports()
    if exports is not None:
        # the export frame and its metadata are made only when a download is clicked (once for all three files)
        made = _on_click(lambda: (export_frame(whole(), kinds, lang),
                                  meta or _export_meta(name, lang, title, subtitle)))
        c1, c2, c3 = st.columns(3)
        if hasattr(exports, "to_csv_bytes"):
            c1.download_button(t("download.csv", lang), data=lambda: exports.to_csv_bytes(*made()),
                               file_name=f"{name}.csv", mime="text/csv", on_click="ignore",
                               key=f"jk_dl_csv_{name}", icon=":material/download:", help=t("download.csv.help", lang))
            c2.download_button(t("download.csv_semicolon", lang),
                               data=lambda: exports.to_csv_bytes(*made(), sep=";"),
                               file_name=f"{name}_semicolon.csv", mime="text/csv", on_click="ignore",
                               key=f"jk_dl_csvsc_{name}", icon=":material/download:",
                               help=t("download.csv_semicolon.help", lang))
        if hasattr(exports, "to_xlsx_bytes"):
            c3.download_button(t("download.xlsx", lang), data=lambda: exports.to_xlsx_bytes(*made()),
                               file_name=f"{name}.xlsx", on_click="ignore", key=f"jk_dl_xlsx_{name}",
                               mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                               icon=":material/download:")
    return shown


def lazy_expander(label: str, key: str, *, container: Any = None) -> Any:
    """An expander whose content the page draws only while it is open (`if box.open: with box: ...`): a closed
    one runs no queries and sends no table. Opening or closing it reruns the page."""
    return (container or st).expander(label, key=f"jk_exp_{key}", on_change="rerun")


def chart_with_downloads(fig: Any, name: str, lang: str, *, meta: Any = None, title: str | None = None,
                         subtitle: str = "", source_ids: Sequence[str] | None = None,
                         definition_key: str | None = None) -> None:
    """The chart, its source line with date, and PNG/SVG downloads (generated only on click)."""
    st.plotly_chart(fig, config=PLOTLY_CONFIG, width="stretch", key=f"jk_chart_{name}")
    source_line(lang, source_ids, definition_key)
    exports = _exports()
    if exports is None:
        return
    definitions = [(title or name, t(definition_key, lang))] if definition_key else []
    made = _on_click(lambda: meta or _export_meta(name, lang, title, subtitle, definitions))
    c1, c2, _ = st.columns([1, 1, 2])
    if hasattr(exports, "figure_to_png"):
        c1.download_button(t("download.png", lang), data=lambda: exports.figure_to_png(fig, made()),
                           file_name=f"{name}.png", mime="image/png", on_click="ignore",
                           key=f"jk_dl_png_{name}", icon=":material/image:")
    if hasattr(exports, "figure_to_svg"):
        c2.download_button(t("download.svg", lang), data=lambda: exports.figure_to_svg(fig, made()),
                           file_name=f"{name}.svg", mime="image/svg+xml", on_click="ignore",
                           key=f"jk_dl_svg_{name}", icon=":material/image:")


def brief_download(lang: str, *, name: str, area_code: str | None = None, container: Any = None) -> None:
    """One button that makes the area brief (area_code given) or the national brief as a PDF, only when clicked."""
    from app import brief

    national = area_code is None
    box = container or st
    box.download_button(
        t("brief.button_national" if national else "brief.button", lang),
        data=lambda: cached.brief_pdf("national" if national else "area", lang, area_code),
        file_name=brief.brief_filename(name, lang, is_demo(), national), mime="application/pdf",
        on_click="ignore", key=f"jk_dl_brief_{area_code or 'national'}", icon=":material/picture_as_pdf:",
        help=t("brief.help_national" if national else "brief.help", lang))


def seps(lang: str) -> str:
    return separators(lang)


# Captions (source lines, the footer) are drawn at opacity 0.6 by Streamlit, which gives 4.1:1 on the sidebar grey
# and 4.2:1 on white; full opacity in this grey gives 6.2:1 and 6.8:1 (WCAG 2.1 AA asks 4.5:1 for normal text).
CAPTION_COLOUR = "#555B66"
APP_CSS = f"""<style>
[data-testid="stCaptionContainer"] {{ opacity: 1; }}
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p {{ color: {CAPTION_COLOUR}; }}
@media (max-width: 640px) {{  /* a phone: page titles in a size where the long Finnish and Swedish words fit */
  [data-testid="stMainBlockContainer"] h1 {{ font-size: 2rem; }}
}}
</style>"""


def page_chrome(lang: str) -> None:
    """The app's CSS, and `<html lang>` set to the chosen language (WCAG 3.1.1: screen readers read Finnish as
    Finnish). Streamlit serves its page with lang="en" and has no setting for it, so a one-line script does it;
    `lang` is one of LANGS, never text from the URL."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}")
    st.html(APP_CSS)
    st.sidebar.html(f"<script>document.documentElement.lang = {json.dumps(lang)};</script>",
                    unsafe_allow_javascript=True)


def footer(lang: str) -> None:
    st.sidebar.caption(t("app.footer", lang))


def guarded(lang: str, body: Callable[[], None]) -> None:
    """Run a page body; a warehouse that lacks a table (old or partial build) gives a message, not a traceback."""
    try:
        body()
    except duckdb.Error as err:
        show_db_error(lang, err)
