"""Referral card (palveluohjauskortti / servicehandledningskort): one municipality and one service path on 1-2
A4 pages for a service counsellor, in fi/sv/en.

What it lists comes from the path marts through app.queries: the public services there, the organisations'
activities in the municipality by stage, the nearest ones in other municipalities with km, and national phone and
online services, each with name, organisation, languages and link. The PDF is fpdf2 + DejaVu with the header,
footer (build id, page) and DEMO watermark of the briefs (app.exports); the source line from app.brief. No
streamlit import: the page calls a cached wrapper (app.cached.referral_pdf) when the button is pressed.
"""
from __future__ import annotations

from typing import Any, Sequence

import duckdb
import pandas as pd

from app import queries
from app.exports import pdf as pdf_layout
from app.brief import source_line_text
from app.exports import APP_NAME, DEMO_KEYWORD, ExportMeta, export_filename
from app.i18n import fmt_number, t
from app.queries import CARD_SOURCES

MAX_ROWS = {"public": 8, "local": 18, "nearby": 9, "national": 6}
COLUMN_WIDTHS = (0.34, 0.27, 0.11, 0.28)        # name, organisation, languages, link (share of the text width)

# the card is denser than a brief: 1-2 pages for a counsellor's desk
CARD_STYLE = pdf_layout.DocumentStyle(margins=(15, 15, 15), page_break=16, title_size=16, title_height=7.5,
                                      line_size=10, line_height=5, notice_size=8.5, notice_height=4.5, gap=1)

def card_data(con: duckdb.DuckDBPyConnection, path_code: str, municipality_code: str,
              lang: str) -> dict[str, Any]:
    """Everything the card prints, as plain values and frames (also what the tests compare with the marts)."""
    path = queries.service_paths(con, lang=lang)
    path = path[path["code"] == path_code]
    munis = queries.municipalities(con, lang=lang)
    muni = munis[munis["code"] == municipality_code]
    if path.empty or muni.empty:
        raise ValueError(f"unknown path {path_code!r} or municipality {municipality_code!r}")
    row = queries.path_municipalities(con, path_code=path_code, area_code=str(muni["area_code"].iloc[0]),
                                            lang=lang)
    row = row[row["code"] == municipality_code]
    return {
        "path_label": str(path["label"].iloc[0]),
        "municipality": str(muni["name"].iloc[0]),
        "area_name": str(row["area_name"].iloc[0]) if len(row) else "",
        "status": str(row["status"].iloc[0]) if len(row) else "",
        "public": queries.path_public_services(con, path_code=path_code, municipality_code=municipality_code,
                                                     lang=lang),
        "local": queries.path_local_activities(con, path_code=path_code, municipality_code=municipality_code,
                                                     lang=lang),
        "nearby": queries.path_nearby_activities(con, path_code=path_code,
                                                       municipality_code=municipality_code, lang=lang),
        "national": queries.path_national_activities(con, path_code=path_code, lang=lang),
    }


def card_meta(con: duckdb.DuckDBPyConnection, lang: str, title: str, subtitle: str) -> ExportMeta:
    info = queries.build_info(con)
    build = info.iloc[0].to_dict() if len(info) else {}
    src = queries.sources(con, lang=lang)
    src = src[src["source_id"].isin(CARD_SOURCES)].drop_duplicates("source_id")
    src = src[~src["attribution"].duplicated() | src["attribution"].isna()]
    built = build.get("built_at")
    return ExportMeta(
        title=title, subtitle=subtitle, lang=lang, source_line=source_line_text(src, build, lang),
        build_id=str(build.get("build_id", "")),
        built_at=pd.Timestamp(built).isoformat() if built is not None and not pd.isna(built) else "",
        is_demo=bool(build.get("is_demo", False)),
        definitions=[(t("paths.status.label", lang), t("paths.status.def", lang)),
                     (t("paths.card.lists.label", lang), t("paths.card.lists.def", lang))],
        sources=src.to_dict("records"))


def referral_filename(municipality: str, path_label: str, lang: str, is_demo: bool) -> str:
    """`Palveluohjauskortti_Kuopio_Mielenterveys_fi[_DEMO].pdf` (the page needs it before the PDF exists)."""
    meta = ExportMeta(title="", subtitle="", lang=lang, source_line="", build_id="", built_at="", is_demo=is_demo)
    return export_filename(f"{t('paths.card.file', lang)} {municipality} {path_label}", "pdf", meta)


def _text(value: Any) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def _heading(pdf, text: str, size: float = 11.5) -> None:
    if pdf.will_page_break(18):
        pdf.add_page()
    pdf.ln(2)
    pdf.set_font("DejaVu", "B", size)
    pdf.set_text_color(20, 50, 90)
    pdf.multi_cell(0, 5.8, text, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)


def _note(pdf, text: str) -> None:
    pdf.set_font("DejaVu", "", 8)
    pdf.set_text_color(80, 80, 80)
    pdf.multi_cell(0, 4, text, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)


def _table(pdf, lang: str, heads: Sequence[str], rows: list[Sequence[str]], limit: int, empty: str) -> None:
    """A four-column list (name, organisation, languages, link), cut at `limit` rows with a note."""
    from fpdf.fonts import FontFace

    if not rows:
        _note(pdf, empty)
        return
    cw = pdf.w - pdf.l_margin - pdf.r_margin
    pdf.set_font("DejaVu", "", 7.5)
    with pdf.table(col_widths=[w * cw for w in COLUMN_WIDTHS], width=cw, align="LEFT", line_height=3.7,
                   text_align="LEFT",
                   headings_style=FontFace(emphasis="BOLD", fill_color=(232, 238, 244)),
                   borders_layout="HORIZONTAL_LINES", padding=(0.6, 1.0), repeat_headings=1) as table:
        head = table.row()
        for h in heads:
            head.cell(h)
        for r in rows[:limit]:
            tr = table.row()
            for v in r:
                tr.cell(v)
    if len(rows) > limit:
        _note(pdf, t("paths.card.more", lang, n=fmt_number(len(rows) - limit, lang)))


def referral_card_pdf(con: duckdb.DuckDBPyConnection, path_code: str, municipality_code: str, lang: str) -> bytes:
    """The card as PDF bytes (1-2 pages)."""
    data = card_data(con, path_code, municipality_code, lang)
    title = t("paths.card.title", lang, municipality=data["municipality"], path=data["path_label"])
    subtitle = " · ".join(x for x in (data["area_name"], t(f"paths.status.{data['status']}", lang)
                                       if data["status"] else "") if x)
    meta = card_meta(con, lang, title, subtitle)
    pdf, cw = pdf_layout.new_document(
        meta, header_text=f"{APP_NAME} · {t('paths.card.name', lang)} · {data['municipality']}", title=title,
        lines=(subtitle,), subject=t("paths.card.name", lang),
        keywords=[APP_NAME.replace(" ", "_"), meta.build_id, data["municipality"]]
        + ([DEMO_KEYWORD.replace(" ", "_")] if meta.is_demo else []),
        style=CARD_STYLE)
    pdf.ln(1)
    pdf.set_font("DejaVu", "", 8.5)
    pdf.multi_cell(cw, 4.3, t("paths.card.intro", lang), align="L", new_x="LMARGIN", new_y="NEXT")

    heads = [t("paths.card.col.name", lang), t("col.organisation", lang), t("col.languages", lang),
             t("col.url", lang)]
    empty = t("paths.card.none", lang)

    _heading(pdf, t("paths.card.public", lang, municipality=data["municipality"]))
    pub = data["public"]
    rows = [(_text(r.service) + (f" ({_text(r.address)})" if _text(r.address) else "")
             + ("" if r.via == "place" else f" · {t(f'paths.via.{r.via}', lang)}"),
             _text(r.organisation), _text(r.languages), _text(r.url)) for r in pub.itertuples()]
    _table(pdf, lang, heads, rows, MAX_ROWS["public"], empty)

    _heading(pdf, t("paths.card.local", lang, municipality=data["municipality"]))
    local = data["local"]
    rows = [(f"{_text(r.stage)}: {_text(r.activity)}" + (f" ({t('paths.open_to_all', lang)})" if r.open_to_all
                                                         else ""),
             _text(r.organisation), _text(r.languages), _text(r.url)) for r in local.itertuples()]
    _table(pdf, lang, heads, rows, MAX_ROWS["local"], empty)

    _heading(pdf, t("paths.card.nearby", lang))
    rows = [(f"{_text(r.stage)}: {_text(r.activity)} – {_text(r.municipality)} "
             f"{fmt_number(r.distance_km, lang, 1)} km", _text(r.organisation), _text(r.languages), _text(r.url))
            for r in data["nearby"].itertuples()]
    _table(pdf, lang, heads, rows, MAX_ROWS["nearby"], empty)

    _heading(pdf, t("paths.card.national", lang))
    rows = [(f"{_text(r.activity)} ({t('mode.' + _text(r.mode), lang)})", _text(r.organisation),
             _text(r.languages), _text(r.url)) for r in data["national"].itertuples()]
    _table(pdf, lang, heads, rows, MAX_ROWS["national"], empty)

    _heading(pdf, t("export.brief.definitions_sources", lang), size=10)
    pdf.set_font("DejaVu", "", 7.5)
    for term, definition in meta.definitions:
        pdf.multi_cell(cw, 3.7, f"{term}: {definition}", align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(cw, 3.7, meta.source_line, align="L", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


__all__ = ["card_data", "card_meta", "referral_filename", "referral_card_pdf", "CARD_SOURCES"]
