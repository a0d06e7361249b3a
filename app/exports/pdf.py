"""The area and national briefs as PDF (fpdf2, DejaVuSans): title block, key figures, chart and table sections,
definitions, sources and build. A demo build gets a watermark on every page and "synthetic demo data" in the
subject and keywords. The content (BriefData) is assembled from the warehouse by app/brief.py.
"""
from __future__ import annotations

import datetime as _dt
import io
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import pandas as pd

from app.exports.meta import (APP_NAME, DEMO_KEYWORD, ExportError, ExportMeta, _attribution, _build_line, _keywords,
                              _lang, _t, format_datetime, format_number)
from app.exports.render import _render, _sanitize_offline, _to_dict
from app.exports.tables import _flat_frame

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

@dataclass(frozen=True)
class DocumentStyle:
    """Sizes of a document's opening: the brief's, or the denser referral card's."""
    margins: tuple[float, float, float] = (15, 16, 15)
    page_break: float = 18
    title_size: float = 18
    title_height: float = 8.5
    line_size: float = 10.5
    line_height: float = 5.2
    notice_size: float = 9.5
    notice_height: float = 5
    gap: float = 1.5


def new_document(meta: ExportMeta, *, header_text: str, title: str, lines: Sequence[str], subject: str,
                 keywords: Sequence[str], style: DocumentStyle = DocumentStyle()) -> tuple[Any, float]:
    """An A4 PDF opened the way every document of ours opens: DejaVu fonts, the running header and footer (with the
    demo watermark), document properties (title, subject, keywords, language, creation time), and on the first page
    the title, its lines and, in a demo build, the demo notice. Returns (pdf, content width in mm)."""
    lang = _lang(meta.lang)
    regular, bold = _font_paths()
    pdf = _make_pdf_class()(orientation="P", unit="mm", format="A4")
    pdf.meta = meta
    pdf.header_text = header_text
    pdf.add_font("DejaVu", "", str(regular))
    pdf.add_font("DejaVu", "B", str(bold or regular))
    pdf.set_margins(*style.margins)
    pdf.set_auto_page_break(True, margin=style.page_break)
    pdf.alias_nb_pages()
    pdf.set_title(title)
    pdf.set_author(APP_NAME)
    pdf.set_creator(APP_NAME)
    pdf.set_subject(f"{_t('export.watermark', lang)} ({DEMO_KEYWORD}) – {subject}" if meta.is_demo else subject)
    pdf.set_keywords(" ".join(f'"{k}"' if " " in k else k for k in keywords if k))
    pdf.set_lang({"fi": "fi-FI", "sv": "sv-FI", "en": "en"}[lang])
    try:
        pdf.set_creation_date(_dt.datetime.fromisoformat(meta.built_at.replace("Z", "+00:00")))
    except (ValueError, AttributeError, TypeError):
        pass
    pdf.add_page()
    cw = pdf.w - pdf.l_margin - pdf.r_margin
    pdf.set_font("DejaVu", "B", style.title_size)
    pdf.multi_cell(cw, style.title_height, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", style.line_size)
    pdf.set_text_color(60, 60, 60)
    for line in lines:
        if line:
            pdf.multi_cell(cw, style.line_height, line, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    if meta.is_demo:
        pdf.ln(style.gap)
        pdf.set_fill_color(255, 228, 228)
        pdf.set_text_color(160, 0, 0)
        pdf.set_font("DejaVu", "B", style.notice_size)
        pdf.multi_cell(cw, style.notice_height, _t("export.demo_notice", lang), fill=True, new_x="LMARGIN",
                       new_y="NEXT")
        pdf.set_text_color(0, 0, 0)
    return pdf, cw


def brief_pdf(brief: BriefData, meta: ExportMeta) -> bytes:
    """County (or national) brief as a PDF: key figures, charts, tables, definitions, sources, build id."""
    lang = _lang(meta.lang)
    title_key = "export.brief.title_national" if brief.is_national else "export.brief.title_area"
    doc_title = _t(title_key, lang, area=brief.area_name)
    pdf, cw = new_document(meta, header_text=f"{APP_NAME} · {brief.area_name}", title=doc_title,
                           lines=(meta.title if meta.title and meta.title != doc_title else "", meta.subtitle),
                           subject=_t("export.brief.subject", lang),
                           keywords=_keywords(meta) + [brief.area_name])
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
