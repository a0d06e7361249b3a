"""The bring-your-own-data path in a real browser: download the XLSX template from the Data & methods page, fill it
in, upload it on the Check a file page (a real st.file_uploader upload), read the counts and download the report;
a ZIP bomb gives a plain message and the app goes on serving."""
from __future__ import annotations

import io
import zipfile

import pytest
from app import i18n
from openpyxl import load_workbook

from tests.browser.conftest import artifact, goto_app, page_url, wait_for_app

pytestmark = pytest.mark.browser
UPLOAD_INPUT = '[data-testid="stFileUploaderDropzoneInput"]'


def _locale(lang: str) -> dict[str, str]:
    """Every string of the language, from the locale files (the app's own loader)."""
    return i18n.strings(lang)


def _download(page, label: str, name: str) -> tuple[str, bytes]:
    button = page.locator('[data-testid="stDownloadButton"]').filter(has_text=label).first
    button.scroll_into_view_if_needed()
    with page.expect_download(timeout=30_000) as info:
        button.locator("button").first.click()
    download = info.value
    assert download.failure() is None, download.failure()
    path = artifact(name)
    download.save_as(str(path))
    return download.suggested_filename, path.read_bytes()


def _metric(page, label: str) -> str:
    box = page.locator('[data-testid="stMetric"]').filter(has_text=label).first
    return box.locator('[data-testid="stMetricValue"]').inner_text().strip()


def test_template_download_fill_upload_and_report(app_server, page):
    s = _locale("en")
    goto_app(page, page_url(app_server, "tiedot", lang="en", section="template"),
             selector='[data-testid="stDownloadButton"]')
    name, data = _download(page, s["data.template.xlsx"], "check-template.xlsx")
    assert name == "activity-register-template.xlsx"
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames[2] == "lists" and len(wb.worksheets[0].data_validations.dataValidation) == 6
    ws = wb.worksheets[0]
    ws.append(["Browser Test Association ry", "", "Peer group", "Peer support", "Older people", "Tampere", "online",
               "no", "Finnish", "", "", "", "", ""])
    ws.append(["Browser Test Association ry", "", "Club", "", "", "Tampree", "", "", "", "", "", "", "", ""])
    ws.append(["<img src=x onerror=alert(1)>", "", "Group", "", "", "Oulu", "", "", "", "", "", "", "", ""])
    buf = io.BytesIO()
    wb.save(buf)

    goto_app(page, f"{app_server.url}/tarkista_aineisto?lang=en")
    assert page.locator("h1").first.inner_text().strip() == s["page.check.title"]
    page.set_input_files(UPLOAD_INPUT, files=[{
        "name": "filled.xlsx", "buffer": buf.getvalue(),
        "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}])
    wait_for_app(page, selector='[data-testid="stDownloadButton"]')
    assert _metric(page, s["check.summary.load"]) == "1"
    assert _metric(page, s["check.summary.set_aside"]) == "2"
    assert _metric(page, s["check.summary.example"]) == "1"
    assert page.evaluate("() => document.querySelectorAll('img[src=\"x\"]').length") == 0

    name, report = _download(page, s["check.report.download"], "check-report.xlsx")
    assert name == "check-report.xlsx"
    rb = load_workbook(io.BytesIO(report))
    assert rb.sheetnames == ["Rows", "Set aside"]
    aside = list(rb["Set aside"].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[1]) for r in aside] == [(4, s["reason.unknown_municipality"]), (5, s["reason.missing_field"])]
    assert aside[0][2].startswith("Municipality 'Tampree' was not recognised. Closest: Tampere (837)")
    status = [r[:2] for r in rb["Rows"].iter_rows(min_row=2, values_only=True)]
    assert status == [(2, s["check.status.example"]), (3, s["check.status.load"]), (4, s["check.status.set_aside"]),
                      (5, s["check.status.set_aside"])]


def test_zip_bomb_upload_gives_a_message_and_the_app_keeps_serving(app_server, page):
    s = _locale("fi")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/worksheets/sheet1.xml", b"\0" * (60 * 1024 * 1024))
    goto_app(page, f"{app_server.url}/tarkista_aineisto?lang=fi")
    page.set_input_files(UPLOAD_INPUT, files=[{"name": "pommi.xlsx", "buffer": buf.getvalue(),
                                               "mimeType": "application/octet-stream"}])
    wait_for_app(page, selector='[data-testid="stAlertContentError"]', check_errors=False)
    errors = page.locator('[data-testid="stAlertContentError"]').all_inner_texts()
    assert [e.strip().splitlines()[-1] for e in errors] == [s["check.error.zip_bomb"].format(mb=50)]  # after the icon
    assert page.locator('[data-testid="stException"]').count() == 0
    goto_app(page, page_url(app_server, "tiedot", lang="fi"))   # the server goes on serving
