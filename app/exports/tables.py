"""Tables: CSV (comma, or semicolon with decimal comma) and XLSX, each with its metadata block or sheet.

Spreadsheet formula injection (OWASP "CSV Injection"): a text cell that begins with `=`, `+`, `-`, `@`, a tab or a
carriage return would be run as a formula by a spreadsheet opening the CSV, so such a cell gets a leading `'`
(numbers stay numbers: only text cells are touched). In the XLSX every text cell is stored as a string, never a
formula, and a text longer than Excel's cell limit (32,767 characters) is cut with a visible, localized marker.
"""
from __future__ import annotations

import csv
import datetime as _dt
import io
import math
from typing import Any

import pandas as pd

from app.exports.meta import (APP_NAME, DEMO_KEYWORD, ExportMeta, _attribution, _build_line, _keywords, _lang, _t,
                              format_datetime, format_number)

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
XLSX_CELL_LIMIT = 32_767


def neutralise_text(value: Any) -> Any:
    """A text that a spreadsheet would read as a formula gets a leading `'`; anything else is returned as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def _neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The text cells and headers of `frame` neutralised (a copy only when something changes)."""
    masks = {}
    for j, c in enumerate(frame.columns):
        col = frame.iloc[:, j]
        if col.dtype == object or pd.api.types.is_string_dtype(col.dtype):
            mask = col.str.startswith(FORMULA_TRIGGERS, na=False)   # non-text cells in the column give NA
            if mask.any():
                masks[j] = mask.to_numpy(dtype=bool)
    headers = [neutralise_text(c) for c in frame.columns]
    if not masks and headers == list(frame.columns):
        return frame
    out = frame.copy()
    for j, mask in masks.items():
        out.iloc[mask, j] = "'" + out.iloc[mask, j].astype(str)
    out.columns = headers
    return out


def _xlsx_text(value: str, lang: str) -> str:
    """A text within the XLSX cell limit; a longer one is cut and ends with the localized marker."""
    if len(value) <= XLSX_CELL_LIMIT:
        return value
    marker = _t("export.truncated", lang)
    return value[:XLSX_CELL_LIMIT - len(marker)] + marker


def _xlsx_cell(ws, row: int, column: int, value: Any, lang: str):
    """ws.cell() for any value; a text is stored as a string (openpyxl would make `=...` a formula)."""
    if isinstance(value, str):
        c = ws.cell(row=row, column=column)
        c.value = _xlsx_text(value, lang)
        c.data_type = "s"
        return c
    return ws.cell(row=row, column=column, value=value)


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
    frame = _neutralise_frame(_flat_frame(df))
    buf = io.StringIO()
    frame.to_csv(buf, sep=sep, decimal=decimal, index=False, lineterminator="\r\n")
    buf.write("\r\n")
    writer = csv.writer(buf, delimiter=sep, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    for line in _footer_lines(meta):
        writer.writerow([neutralise_text(" ".join(line.split()))])   # one physical line per value
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
        c = _xlsx_cell(ws, header_row, j, str(col), lang)
        c.font, c.fill = bold, header_fill
        c.border = Border(bottom=thin)
        c.alignment = Alignment(wrap_text=True, vertical="top")
        widths.append(len(str(col)))

    for i, row in enumerate(frame.itertuples(index=False, name=None), start=header_row + 1):
        for j, v in enumerate(row, start=1):
            val = _xlsx_value(v)
            c = _xlsx_cell(ws, i, j, val, lang)
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
    _xlsx_cell(ws, r, 1, meta.title, lang).font = Font(bold=True, size=14)
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
        c = _xlsx_cell(ws, r, 2, value, lang)
        c.alignment = wrap
        r += 1
    if meta.sources:
        rows = [[None if v is None else str(v)
                 for v in (src.get("title"), src.get("publisher"), src.get("licence"), _attribution(src, lang),
                           src.get("url"), format_datetime(str(src.get("retrieved_at") or ""), lang))]
                for src in meta.sources]
        r = _xlsx_table(ws, r, "export.meta.sources",
                        ["export.source.title", "export.source.publisher", "export.source.licence",
                         "export.source.attribution", "export.source.url", "export.source.retrieved_at"],
                        rows, lang, Font, wrap)
    if meta.definitions:
        r = _xlsx_table(ws, r, "export.meta.definitions", ["export.meta.term", "export.meta.definition"],
                        meta.definitions, lang, Font, wrap)
    r += 1
    ws.cell(row=r, column=1, value=_t("export.meta.generated_by", lang)).font = Font(italic=True, color="555555")
    for col, w in zip("ABCDEF", (28, 60, 18, 50, 40, 18)):
        ws.column_dimensions[col].width = w


def _xlsx_table(ws, r: int, heading: str, heads: list[str], rows, lang: str, Font, wrap) -> int:
    """One titled table on the sources sheet, after row `r`: a blank row, the heading, a bold row of column names
    (locale keys), then a row of wrapped cells per record. Returns the row after the table."""
    r += 1
    ws.cell(row=r, column=1, value=_t(heading, lang)).font = Font(bold=True, size=12)
    r += 1
    bold = Font(bold=True)
    for j, key in enumerate(heads, start=1):
        ws.cell(row=r, column=j, value=_t(key, lang)).font = bold
    r += 1
    for vals in rows:
        for j, v in enumerate(vals, start=1):
            _xlsx_cell(ws, r, j, v, lang).alignment = wrap
        r += 1
    return r
