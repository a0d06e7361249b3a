"""Parts drawn only when opened (issue 14) work in a real browser: a closed expander opens to its table, the
region profile's parts switch, and a download built on click from a part that was not drawn at first is the
whole table."""
from __future__ import annotations

import csv
import io

import duckdb
import pytest

from app import i18n
from tests.browser.conftest import goto_app, page_url, wait_for_app

pytestmark = pytest.mark.browser


def _fi() -> dict[str, str]:
    return i18n.strings("fi")


TABLES = '[data-testid="stMain"] [data-testid="stDataFrame"]'


def test_overview_expander_opens_to_its_table(app_server, page):
    goto_app(page, page_url(app_server, "yleiskuva", lang="fi"), selector=".js-plotly-plot .choroplethlocation")
    before = page.locator(TABLES).count()
    expander = page.locator('[data-testid="stExpander"]').last
    expander.locator("summary").click()
    wait_for_app(page)
    page.wait_for_function(f"() => document.querySelectorAll('{TABLES}').length > {before}", timeout=30_000)
    assert expander.locator('[data-testid="stDataFrame"]').count() == 1


def test_profile_parts_switch_and_the_organisation_list_downloads_whole(app_server, page, demo_warehouse):
    fi = _fi()
    goto_app(page, page_url(app_server, "aluekortti", area="08", lang="fi"),
             selector=".js-plotly-plot .choroplethlocation")
    assert page.locator(TABLES).count() == 1               # the municipalities; the other parts are not drawn
    page.get_by_text(fi["profile.section.orgs"], exact=True).click()
    wait_for_app(page)
    page.wait_for_function(f"() => document.querySelectorAll('{TABLES}').length == 2", timeout=30_000)
    assert "section=orgs" in page.url
    con = duckdb.connect(str(demo_warehouse), read_only=True)
    try:
        n = con.execute("select count(distinct org_id) from mart_activity_list where area_code = '08' "
                        "and org_name is not null").fetchone()[0]
    finally:
        con.close()
    button = page.locator('[data-testid="stDownloadButton"]').filter(has_text=fi["download.csv_semicolon"]).last
    button.scroll_into_view_if_needed()
    with page.expect_download(timeout=30_000) as info:
        button.locator("button").first.click()
    text = open(info.value.path(), "rb").read().decode("utf-8-sig")
    head = text.partition("\r\n\r\n")[0] if "\r\n\r\n" in text else text.partition("\n\n")[0]
    rows = list(csv.reader(io.StringIO(head), delimiter=";"))     # the Finnish-Excel CSV
    assert fi["col.organisation"] in rows[0]
    body = [r for r in rows[1:] if r]
    assert info.value.suggested_filename == "aluekortti_08_jarjestot_semicolon.csv"
    assert len(body) == n, f"{len(body)} organisations in the CSV, {n} in the warehouse"
