"""The maps really draw in a browser (offline, rings oriented), and every page loads without an exception."""
from __future__ import annotations

import duckdb
import pytest

from tests.browser.conftest import PAGE_PATHS, goto_app, map_paths, page_url, screenshot

pytestmark = pytest.mark.browser


def _check_polygons(paths: list[dict], expected: int, where: str) -> None:
    assert len(paths) == expected, f"{where}: {len(paths)} choropleth paths drawn, expected {expected}"
    empty = [i for i, p in enumerate(paths) if not p["d"].strip() or p["d"].strip() in ("M0,0Z", "M0,0")]
    assert not empty, f"{where}: paths {empty} have an empty 'd' (polygon not projected)"
    fills = {p["fill"] for p in paths}
    # A ring with the wrong orientation covers the whole globe: every path then paints the frame and the
    # polygons (at least those with different values) are not told apart.
    assert len(fills) >= 2, f"{where}: every polygon has the same fill {fills} (rings oriented the wrong way?)"


def test_overview_map_draws_22_areas(app_server, page):
    goto_app(page, page_url(app_server, "yleiskuva"), selector=".js-plotly-plot .choroplethlocation")
    paths = map_paths(page)
    _check_polygons(paths, 22, "overview map")
    # no polygon may span the whole plot area (a wrong ring orientation fills the frame)
    geo_box = page.locator(".js-plotly-plot .geolayer .bg rect").first.bounding_box()
    boxes = page.eval_on_selector_all(".js-plotly-plot .choroplethlocation",
                                      "els => els.map(e => {const r = e.getBoundingClientRect();"
                                      " return [r.width, r.height];})")
    if geo_box:
        too_big = [b for b in boxes if b[0] >= geo_box["width"] * 0.98 and b[1] >= geo_box["height"] * 0.98]
        assert not too_big, f"{len(too_big)} polygons cover the whole map frame: {too_big}"
    screenshot(page, "yleiskuva.png")


def test_county_map_draws_its_municipalities(app_server, page, demo_warehouse):
    area = "08"  # Pirkanmaa
    con = duckdb.connect(str(demo_warehouse), read_only=True)
    try:
        expected = con.execute("select count(*) from municipality where area_code = ? and not coalesce(is_aland, "
                               "false)", [area]).fetchone()[0]
        name = con.execute("select name_fi from area where code = ?", [area]).fetchone()[0]
    finally:
        con.close()
    assert expected > 1
    goto_app(page, page_url(app_server, "aluekortti", area=area), selector=".js-plotly-plot .choroplethlocation")
    heading = page.locator('[data-testid="stMainBlockContainer"] h2').first.inner_text()
    assert name.split()[0] in heading, f"the county page shows {heading!r}, expected area {area} ({name})"
    paths = map_paths(page)
    _check_polygons(paths, expected, f"county map {area}")
    screenshot(page, "aluekortti.png")


@pytest.mark.parametrize("name", [p for p in PAGE_PATHS if p not in ("yleiskuva", "aluekortti")])
def test_page_loads_without_exception(app_server, page, name):
    """The overview and the county page are loaded (and screenshotted) by the two map tests above."""
    goto_app(page, page_url(app_server, name))
    title = page.locator('[data-testid="stMainBlockContainer"] h1').first.inner_text().strip()
    assert title, f"page {name} has no title"
    screenshot(page, f"{name}.png")
