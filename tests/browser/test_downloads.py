"""Real downloads from the overview page: the CSV (BOM, header, one row per area, blank line, metadata) and XLSX."""
from __future__ import annotations

import csv
import io

import duckdb
import pytest

from app import i18n
from tests.browser.conftest import artifact, goto_app, page_url, wait_for_app

pytestmark = pytest.mark.browser


def _locale(lang: str) -> dict[str, str]:
    """Every string of the language, from the locale files (the app's own loader)."""
    return i18n.strings(lang)


def _download(page, label: str, name: str):
    buttons = page.locator('[data-testid="stDownloadButton"]').filter(has_text=label)
    if buttons.count() == 0:
        shown = [t.strip() for t in page.locator('[data-testid="stDownloadButton"]').all_inner_texts()]
        pytest.fail(f"no '{label}' download button on the overview page (download buttons shown: {shown})")
    button = buttons.first
    button.scroll_into_view_if_needed()
    with page.expect_download(timeout=30_000) as info:
        button.locator("button").first.click()
    download = info.value
    assert download.failure() is None, f"download failed: {download.failure()}"
    path = artifact(name)
    download.save_as(str(path))
    return download, path.read_bytes()


def _area_names(db) -> set[str]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {r[0] for r in con.execute("select name_fi from area where code in "
                                          "(select distinct area_code from mart_area_metrics)").fetchall()}
    finally:
        con.close()


def test_overview_csv_and_xlsx_downloads(app_server, page, demo_warehouse):
    fi = _locale("fi")
    goto_app(page, page_url(app_server, "yleiskuva", lang="fi"), selector=".js-plotly-plot .choroplethlocation")
    areas = _area_names(demo_warehouse)
    assert len(areas) == 22

    download, data = _download(page, fi["download.csv"], "download-overview.csv")
    assert download.suggested_filename.endswith(".csv"), download.suggested_filename
    assert data.startswith(b"\xef\xbb\xbf"), f"the CSV has no UTF-8 BOM (Excel shows ä/ö wrong): {data[:20]!r}"
    text = data.decode("utf-8-sig")
    head, sep, tail = text.partition("\r\n\r\n")
    if not sep:
        head, sep, tail = text.partition("\n\n")
    assert sep, "no blank line between the data rows and the metadata block"
    rows = list(csv.reader(io.StringIO(head)))
    header, body = rows[0], [r for r in rows[1:] if r]
    assert fi["col.area"] in header, f"header {header} lacks the area column {fi['col.area']!r}"
    assert len(body) == 22, f"{len(body)} data rows before the blank line, expected 22"
    col = header.index(fi["col.area"])
    assert {r[col] for r in body} == areas, "the CSV rows are not the 22 areas"
    assert all(len(r) == len(header) for r in body), "ragged CSV rows"
    assert tail.strip(), "the metadata block after the blank line is empty"
    assert "DEMO" in tail.upper(), "a demo build's CSV must say so in its metadata block"
    wait_for_app(page)

    xlsx_label = fi["download.xlsx"]
    if page.locator('[data-testid="stDownloadButton"]').filter(has_text=xlsx_label).count() == 0:
        return  # XLSX is optional
    download, data = _download(page, xlsx_label, "download-overview.xlsx")
    assert download.suggested_filename.endswith(".xlsx"), download.suggested_filename
    assert data[:2] == b"PK", "the XLSX is not a zip file"
    import openpyxl
    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    ws = wb.worksheets[0]
    values = [list(r) for r in ws.iter_rows(values_only=True)]
    header_at = next((i for i, r in enumerate(values) if fi["col.area"] in [str(v) for v in r if v is not None]),
                     None)
    assert header_at is not None, f"no header row with {fi['col.area']!r} in the first sheet: {values[:3]}"
    header = [str(v) if v is not None else "" for v in values[header_at]]
    col = header.index(fi["col.area"])
    names = []
    for r in values[header_at + 1:]:
        if r[col] in (None, ""):
            break
        names.append(r[col])
    assert len(names) == 22, f"{len(names)} area rows in the XLSX, expected 22"
    assert set(names) == areas
    assert len(wb.worksheets) >= 2, "the XLSX has no sources sheet"
    wait_for_app(page)
