"""The downloadable activity register template (XLSX and CSV) in fi/sv/en, from the loader's own column definition
(etl.load.template.HEADERS and its value labels), so the file and the loader cannot drift apart.

XLSX layout: sheet 1 = the data sheet (the loader reads the first sheet): the header in the chosen language and one
example row (its organisation cell starts with the example marker, so the loader skips it); sheet 2 = instructions;
sheet 3 = the hidden lists the drop-downs (data validation) refer to by range. No streamlit import: bytes out."""
from __future__ import annotations

import csv
import io
from functools import lru_cache
from pathlib import Path
from typing import Any, Sequence

from app.i18n import normalise_lang, t
from etl import paths
from etl.classify import Taxonomy, load_taxonomy
from etl.load import template

LANG_INDEX = {"fi": 0, "sv": 1, "en": 2}
COLUMNS = list(template.HEADERS)          # canonical names in the template's column order
FIRST_ROW, LAST_ROW = 2, 5001             # drop-downs cover the example row and the row limit (5,000 data rows)
LISTS_SHEET = "lists"
# canonical column -> (list name on the lists sheet, strict): strict lists stop other values; the others warn and
# let a value outside the list (several values separated by `;`, a code) through, as the loader accepts them.
VALIDATED = {
    "toimintamuoto": ("activity_types", False), "kohderyhmat": ("target_groups", False),
    "kunnat": ("municipalities", False), "toimintatapa": ("modes", True), "valtakunnallinen": ("national", True),
    "kielet": ("languages", False),
}
EXAMPLE_MARKER = dict(zip(("fi", "sv", "en"), template.EXAMPLE_MARKERS))


def headers(lang: str) -> list[str]:
    i = LANG_INDEX[normalise_lang(lang)]
    return [template.HEADERS[c][i] for c in COLUMNS]


def value_lists(lang: str, taxonomy: Taxonomy, municipalities: Sequence[dict[str, Any]]) -> dict[str, list[str]]:
    """The drop-down values in `lang`. Municipalities: the 2025 mainland names in Finnish and Swedish (Åland is
    outside the frame), one entry per distinct name, sorted."""
    lang = normalise_lang(lang)
    i = LANG_INDEX[lang]
    names = {str(m[k]).strip() for m in municipalities if not m.get("is_aland")
             for k in ("name_fi", "name_sv") if m.get(k)}
    return {
        "activity_types": [r[f"label_{lang}"] for r in taxonomy.activity_types],
        "target_groups": [r[f"label_{lang}"] for r in taxonomy.target_groups],
        "municipalities": sorted(names, key=lambda s: (s.casefold(), s)),
        "modes": [labels[i] for labels in template.MODE_LABELS.values()],
        "national": [template.BOOL_LABELS[True][i], template.BOOL_LABELS[False][i]],
        "languages": [labels[i] for labels in template.LANGUAGE_LABELS.values()],
    }


def example_row(lang: str, taxonomy: Taxonomy) -> list[str]:
    """The one example row, in the column order; values from the taxonomy and the loader's labels."""
    lang = normalise_lang(lang)
    i = LANG_INDEX[lang]
    type_label = {r["code"]: r[f"label_{lang}"] for r in taxonomy.activity_types}
    group_label = {r["code"]: r[f"label_{lang}"] for r in taxonomy.target_groups}
    values = {
        "jarjesto": f"{EXAMPLE_MARKER[lang]} {t('template.example.organisation', lang)}",
        "y_tunnus": "", "toiminnan_nimi": t("template.example.activity", lang),
        "toimintamuoto": type_label["vertaistuki"], "kohderyhmat": group_label["omaiset"],
        "kunnat": "Kuopio;Siilinjärvi", "toimintatapa": template.MODE_LABELS["in_person"][i],
        "valtakunnallinen": template.BOOL_LABELS[False][i],
        "kielet": ";".join(template.LANGUAGE_LABELS[c][i] for c in ("fi", "sv")),
        "kuvaus": t("template.example.description", lang), "verkkosivu": "https://example.org/",
        "paivitetty": "2025-03-01", "yhteyshenkilo": "", "sahkoposti": "",
    }
    return [values[c] for c in COLUMNS]


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter
    return get_column_letter(index)


def template_xlsx(lang: str, taxonomy: Taxonomy, municipalities: Sequence[dict[str, Any]]) -> bytes:
    """The XLSX template in `lang` (see the module docstring)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    lang = normalise_lang(lang)
    wb = Workbook()
    ws = wb.active
    ws.title = t("template.sheet.data", lang)
    ws.append(headers(lang))
    ws.append(example_row(lang, taxonomy))
    bold = Font(bold=True)
    for cell in ws[1]:
        cell.font = bold
        cell.fill = PatternFill("solid", fgColor="DCE6F1")
    for cell in ws[2]:
        cell.font = Font(italic=True, color="666666")
    ws.freeze_panes = "A2"
    for i, canon in enumerate(COLUMNS, start=1):
        ws.column_dimensions[_column_letter(i)].width = 40 if canon in ("kuvaus", "jarjesto", "toiminnan_nimi") else 20

    info = wb.create_sheet(t("template.sheet.instructions", lang))
    info.column_dimensions["A"].width = 26
    info.column_dimensions["B"].width = 110
    info.append([t("template.instructions.title", lang)])
    info["A1"].font = Font(bold=True, size=14)
    for key in ("intro", "example", "lists", "check", "send"):
        info.append([t(f"template.instructions.{key}", lang)])
    info.append([])
    info.append([t("template.instructions.column", lang), t("template.instructions.content", lang)])
    for cell in info[info.max_row]:
        cell.font = bold
    for canon, header in zip(COLUMNS, headers(lang)):
        info.append([header, t(f"template.column.{canon}", lang)])
    for row in info.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")

    lists = wb.create_sheet(LISTS_SHEET)
    values = value_lists(lang, taxonomy, municipalities)
    ranges: dict[str, str] = {}
    for col, (name, items) in enumerate(values.items(), start=1):
        letter = _column_letter(col)
        lists.cell(row=1, column=col, value=name).font = bold
        for r, item in enumerate(items, start=2):
            lists.cell(row=r, column=col, value=item)
        ranges[name] = f"{LISTS_SHEET}!${letter}$2:${letter}${len(items) + 1}"
    lists.sheet_state = "hidden"

    for col, canon in enumerate(COLUMNS, start=1):
        if canon not in VALIDATED:
            continue
        name, strict = VALIDATED[canon]
        dv = DataValidation(type="list", formula1=f"={ranges[name]}", allow_blank=True, showDropDown=False,
                            showErrorMessage=True, errorStyle="stop" if strict else "warning",
                            errorTitle=t("template.validation.title", lang),
                            error=t("template.validation.strict" if strict else "template.validation.warning", lang),
                            promptTitle=headers(lang)[col - 1], prompt=t(f"template.column.{canon}", lang)[:250],
                            showInputMessage=True)
        letter = _column_letter(col)
        dv.add(f"{letter}{FIRST_ROW}:{letter}{LAST_ROW}")
        ws.add_data_validation(dv)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def template_csv(lang: str, taxonomy: Taxonomy) -> bytes:
    """The same header and example row as CSV: `;`-delimited UTF-8 with a BOM (what Excel opens correctly)."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(headers(lang))
    writer.writerow(example_row(lang, taxonomy))
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def template_filename(lang: str, ext: str) -> str:
    return f"{t('template.filename', lang)}.{ext}"


def taxonomy(reference_dir: Path | None = None) -> Taxonomy:
    """The build's vocabulary (<reference_dir>/taxonomy), read once per process and folder."""
    return _taxonomy(str(reference_dir or paths.reference_dir()))


@lru_cache(maxsize=2)
def _taxonomy(reference_dir: str) -> Taxonomy:
    return load_taxonomy(Path(reference_dir))
