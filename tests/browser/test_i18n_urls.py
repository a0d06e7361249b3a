"""The language switch changes what is shown, and a copied URL reopens the same view (selections and map data)."""
from __future__ import annotations

import re

import duckdb
import pytest

from app import i18n
from tests.browser.conftest import (choose, goto_app, page_url, screenshot, selectbox_options,
                                    selectbox_value, wait_for_app)

pytestmark = pytest.mark.browser

LANG_LABEL = "Kieli · Språk · Language"
LANG_NAMES = {"fi": "Suomi", "sv": "Svenska", "en": "English"}


def locale(lang: str) -> dict[str, str]:
    """Every string of the language, from the locale files (the app's own loader)."""
    return i18n.strings(lang)


def title_text(page) -> str:
    return page.locator('[data-testid="stMainBlockContainer"] h1').first.inner_text().strip()


def choropleth_data(page) -> dict:
    """locations and z of the choropleth trace as plotly.js holds them (decoded typed arrays)."""
    page.wait_for_selector(".js-plotly-plot .choroplethlocation", state="attached")
    return page.evaluate("""() => {
        for (const gd of document.querySelectorAll('.js-plotly-plot')) {
            const t = (gd._fullData || []).find(t => t.type === 'choropleth');
            if (t) return {locations: Array.from(t.locations || []),
                           z: Array.from(t.z || []).map(v => v === null || Number.isNaN(v) ? null : Number(v))};
        }
        return null;
    }""")


def test_language_switch_changes_labels(app_server, page):
    key = "page.overview.title"
    expected = {lang: locale(lang)[key] for lang in LANG_NAMES}
    assert len(set(expected.values())) == 3, f"{key} is not translated: {expected}"
    goto_app(page, page_url(app_server, "yleiskuva"))
    assert title_text(page) == expected["fi"]
    assert selectbox_value(page, LANG_LABEL) == LANG_NAMES["fi"]
    fi_metric_label = page.locator('[data-testid="stSelectbox"] [data-testid="stWidgetLabel"]').all_inner_texts()
    for lang in ("sv", "en"):
        choose(page, LANG_LABEL, LANG_NAMES[lang])
        page.wait_for_function("t => document.querySelector('[data-testid=stMainBlockContainer] h1')"
                               "?.innerText.trim() === t", arg=expected[lang])
        wait_for_app(page)
        assert title_text(page) == expected[lang]
        assert re.search(rf"[?&]lang={lang}(&|$)", page.url), f"the URL does not carry lang={lang}: {page.url}"
        labels = page.locator('[data-testid="stSelectbox"] [data-testid="stWidgetLabel"]').all_inner_texts()
        assert locale(lang)["select.metric"] in labels, f"{lang}: selector labels {labels}"
        assert labels != fi_metric_label
        # the navigation follows the language too
        nav = page.locator('[data-testid="stSidebarNav"]').inner_text()
        assert locale(lang)["page.data.nav"] in nav, f"{lang}: sidebar navigation {nav!r}"
        screenshot(page, f"i18n-overview-{lang}.png")
    # the language survives a page change (session state + URL)
    page.locator('[data-testid="stSidebarNav"] a').filter(has_text=locale("en")["page.data.nav"]).click()
    page.wait_for_function("t => document.querySelector('[data-testid=stMainBlockContainer] h1')"
                           "?.innerText.trim() === t", arg=locale("en")["page.data.title"])
    wait_for_app(page)
    assert selectbox_value(page, LANG_LABEL) == "English"


def test_shared_url_reopens_same_view(app_server, make_page, demo_warehouse):
    page = make_page()
    goto_app(page, page_url(app_server, "yleiskuva", lang="sv"), selector=".js-plotly-plot .choroplethlocation")
    sv = locale("sv")
    metric_label, type_label = sv["select.metric"], sv["select.type"]
    # pick a non-default metric and activity type
    metrics = selectbox_options(page, metric_label)
    current_metric = selectbox_value(page, metric_label)
    new_metric = next(m for m in metrics if m != current_metric and m != sv.get("metric.lq.label"))
    choose(page, metric_label, new_metric)
    types = selectbox_options(page, type_label)
    new_type = next(t for t in types[1:] if t != selectbox_value(page, type_label))
    choose(page, type_label, new_type)
    page.wait_for_selector(".js-plotly-plot .choroplethlocation", state="attached")
    wait_for_app(page)
    shown = {label: selectbox_value(page, label) for label in (metric_label, type_label, LANG_LABEL)}
    assert shown[metric_label] == new_metric and shown[type_label] == new_type, shown
    data = choropleth_data(page)
    url = page.url
    assert "metric=" in url and "type=" in url and "lang=sv" in url, f"the URL does not hold the view: {url}"

    other = make_page()  # a new context: a new session, nothing carried over but the URL
    goto_app(other, url, selector=".js-plotly-plot .choroplethlocation")
    again = {label: selectbox_value(other, label) for label in (metric_label, type_label, LANG_LABEL)}
    assert again == shown, f"the shared URL {url} reopened {again}, expected {shown}"
    assert title_text(other) == sv["page.overview.title"]
    other_data = choropleth_data(other)
    assert data and other_data, "no choropleth trace found"
    assert other_data == data, "the map data differs between the original view and the shared URL"
    screenshot(other, "shared-url.png")
    # the county page reopens its area from the URL too
    goto_app(other, page_url(app_server, "aluekortti", area="08", lang="sv"))
    con = duckdb.connect(str(demo_warehouse), read_only=True)
    try:
        name_sv = con.execute("select name_sv from area where code = '08'").fetchone()[0]
    finally:
        con.close()
    assert re.search(r"[?&]area=08(&|$)", other.url), other.url
    assert selectbox_value(other, sv["select.area"]) == name_sv
