"""Tables and charts with their downloads (CSV, semicolon CSV, XLSX; PNG, SVG) and the brief PDF button: every
file is made only when its button is clicked."""
from __future__ import annotations

import dataclasses
import importlib
from typing import Any, Callable, Sequence

import pandas as pd
import streamlit as st

from app import cached
from app.i18n import fmt_number, t
from app.ui.format import export_frame, fmt, labelled_frame
from app.ui.page import PLOTLY_CONFIG, build_row, is_demo, select_param, source_line, source_text


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
# number texts already made, per (kind, language), kept across reruns: babel formats one number in ~0.1 ms, and a
# rerun of a 1,000-row table would otherwise format the same few hundred counts again (bounded: cleared when full)
_FORMATTED: dict[tuple[str, str], dict[Any, str]] = {}
_FORMATTED_MAX = 50_000


def _column_formatter(kind: str, lang: str) -> Callable[[Any], str]:
    """fmt(v, kind, lang) for one table column, each distinct value formatted once (a column of 1,000 counts
    holds a few dozen distinct numbers; number formatting is the costly part of drawing a table), and remembered
    for the next rerun."""
    done = _FORMATTED.setdefault((kind, lang), {})
    if len(done) > _FORMATTED_MAX:
        done.clear()

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


def _page_of(df: pd.DataFrame, page_rows: int, param: str, lang: str, title: str | None) -> pd.DataFrame:
    """One page of `page_rows` rows of a long table, chosen with a selector kept in the URL as `param` (a table
    drawn a page at a time: labelling, formatting and sending 1,000 rows made every rerun slow). The selector's
    label names the table, so two paged tables on a page are told apart (also by a screen reader)."""
    n = len(df)
    if n <= page_rows:
        return df
    starts = list(range(0, n, page_rows))
    label = t("common.rows_page", lang) + (f": {title}" if title else "")
    start = select_param(param, label, starts,
                         format_func=lambda s: t("common.rows_range", lang, first=fmt_number(s + 1, lang),
                                                 last=fmt_number(min(s + page_rows, n), lang),
                                                 total=fmt_number(n, lang)))
    return df.iloc[start:start + page_rows]


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
                         key: str | None = None, meta: Any = None, page_rows: int | None = None,
                         page_param: str = "rows") -> pd.DataFrame:
    """A table with labelled headers and language-correct number formats (values stay numeric, so sorting works),
    plus CSV (comma, decimal point), CSV (semicolon, decimal comma: Finnish/Swedish Excel) and XLSX downloads when
    app.exports is available. Returns the labelled frame as shown (at most MAX_TABLE_ROWS rows). With `page_rows`,
    a longer table is shown a page of that many rows at a time (a selector, in the URL as `page_param`)."""
    kinds = {label: ("text" if kind.startswith(("label:", "labels:")) else kind) for c, label, kind in columns
             if c in df.columns}
    # the screen shows the first MAX_TABLE_ROWS rows, or one page (labelling, formatting and sending 70,000 rows
    # would make every rerun slow); the downloads below always carry the whole table, labelled when one is clicked
    on_screen = _page_of(df, page_rows, page_param, lang, title) if page_rows else df
    paged = len(on_screen) < len(df)
    shown = labelled_frame(on_screen.head(MAX_TABLE_ROWS), columns, lang)
    whole = (lambda: shown) if len(df) <= len(shown) else (lambda: labelled_frame(df, columns, lang))
    styler = shown.style.format({label: _column_formatter(kind, lang) for label, kind in kinds.items()})
    styler = styler.hide(axis="index")
    st.dataframe(styler, hide_index=True, width="stretch", height=height or "auto", key=key)
    if len(df) > len(shown) and not paged:
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
