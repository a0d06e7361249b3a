"""Page 7 (Palvelupolut) in a real browser: the status map of an area draws one shape per municipality of the
area, the referral card (in the page's referral part, opened by a shared link) downloads as a PDF whose text
names the municipality and an activity of the mart, and the map's municipality table, closed under the map at
first, opens to a table whose CSV has one row per municipality of the area.

Two runs of the same check: over the hand-made contract warehouse of tests/paths_fixture.py, and over the browser
suite's own demo build (the real path marts)."""
from __future__ import annotations

import csv
import io
from pathlib import Path
from urllib.parse import urlencode

import duckdb
import pytest
from pypdf import PdfReader

from tests.browser.conftest import artifact, goto_app, map_paths, screenshot, start_app, stop_app, wait_for_app
from tests.paths_fixture import paths_warehouse  # noqa: F401 - the fixture
from tests.test_paths_page import locale

pytestmark = pytest.mark.browser


def _has_path_marts(db: Path) -> bool:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return bool(con.execute("select count(*) from information_schema.tables "
                                "where table_name = 'mart_path_municipality'").fetchone()[0])
    finally:
        con.close()


def _choice(db: Path) -> tuple[str, str, str, str, int, list[str]]:
    """(path, area, municipality code, its Finnish name, municipalities in the area, activity names there):
    the municipality with the most in-person organisation activities of a path, in an area of several municipalities
    (Helsinki is one)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        path, area, muni, name = con.execute("""
            select p.path_code, p.area_code, p.municipality_code, m.name_fi
            from mart_path_municipality p join municipality m on m.code = p.municipality_code
            join dim_service_path d using (path_code)
            where p.area_code in (select area_code from municipality where not is_aland group by 1 having count(*) > 1)
            order by p.org_in_person desc, d.sort_order, p.municipality_code limit 1""").fetchone()
        n = con.execute("select count(*) from mart_path_municipality where path_code = ? and area_code = ?",
                        [path, area]).fetchone()[0]
        acts = [r[0] for r in con.execute("""
            select distinct coalesce(l.name_fi, l.name_sv, l.name_en) from mart_path_activity pa
            join mart_activity_list l using (activity_id)
            where pa.path_code = ? and pa.is_in_person and l.municipality_code = ?""", [path, muni]).fetchall()]
    finally:
        con.close()
    return path, area, muni, name, n, acts


def _check_page(server, page, db: Path, tag: str) -> None:
    path, area, muni, name, n, acts = _choice(db)
    assert n > 1 and acts
    # the referral card sits with the referral lists, the part of the page shown when chosen (here by the link)
    url = f"{server.url}/palvelupolut?" + urlencode({"lang": "fi", "path": path, "area": area, "muni": muni,
                                                      "section": "refer"})
    goto_app(page, url, selector=".js-plotly-plot .choroplethlocation")
    shapes = map_paths(page)
    assert len(shapes) == n, f"{len(shapes)} municipality shapes drawn, expected {n} (area {area})"
    assert len({s["fill"] for s in shapes}) >= 2, "the status map is one colour"
    screenshot(page, f"palvelupolut-{tag}.png")

    label = locale("fi")["paths.card.button"]
    button = page.locator('[data-testid="stDownloadButton"]').filter(has_text=label).first
    button.scroll_into_view_if_needed()
    with page.expect_download(timeout=60_000) as info:
        button.locator("button").first.click()
    download = info.value
    assert download.failure() is None, download.failure()
    assert download.suggested_filename.endswith(".pdf")
    target = artifact(f"palveluohjauskortti-{tag}.pdf")
    download.save_as(str(target))
    reader = PdfReader(io.BytesIO(target.read_bytes()))
    text = " ".join(" ".join(p.extract_text() or "" for p in reader.pages).split())
    assert 1 <= len(reader.pages) <= 2
    assert name in text, f"the card does not name {name}"
    assert any(a in text for a in acts), f"the card names none of the mart's activities in {name}: {acts[:5]}"

    # the municipality table: closed under the map (not drawn), opened it draws the table and its downloads
    fi = locale("fi")
    expander = page.locator('[data-testid="stExpander"]').filter(has_text=fi["paths.table.open"])
    assert expander.count() == 1
    assert expander.locator('[data-testid="stDataFrame"]').count() == 0
    expander.locator("summary").click()
    wait_for_app(page)
    expander.locator('[data-testid="stDataFrame"]').wait_for(timeout=30_000)
    csv_button = expander.locator('[data-testid="stDownloadButton"]').filter(has_text=fi["download.csv_semicolon"])
    with page.expect_download(timeout=30_000) as info:
        csv_button.locator("button").first.click()
    assert info.value.suggested_filename == f"palvelupolut_{path}_{area}_kunnat_semicolon.csv"
    data = open(info.value.path(), "rb").read().decode("utf-8-sig").replace("\r\n", "\n")
    table = [r for r in csv.reader(io.StringIO(data.partition("\n\n")[0]), delimiter=";") if r]
    assert table[0][0] == fi["col.municipality"] and len(table) == 1 + n, f"{len(table) - 1} rows, expected {n}"
    assert name in {r[0] for r in table[1:]}


def test_paths_page_map_and_card_on_the_contract_fixture(paths_warehouse, page):  # noqa: F811
    server = start_app(paths_warehouse, "paths")
    try:
        _check_page(server, page, paths_warehouse, "fixture")
    finally:
        stop_app(server)


def test_paths_page_map_and_card_on_the_demo_build(app_server, page, demo_warehouse):
    assert _has_path_marts(demo_warehouse)
    _check_page(app_server, page, demo_warehouse, "demo")
