"""A phone (390 px wide): the sidebar starts collapsed so the page, not the navigation, is what one sees first; no
page scrolls sideways as a whole; maps and key figures fit the screen. A wide screen keeps the sidebar open."""
from __future__ import annotations

import pytest

from tests.browser.conftest import goto_app, screenshot

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3, "is_mobile": True,
         "has_touch": True}
NAV_LINKS = '[data-testid="stSidebarNav"] a[href]'

LAYOUT = """() => {
    const iw = window.innerWidth, box = e => e.getBoundingClientRect();
    const sb = document.querySelector('[data-testid="stSidebar"]');
    const fits = e => { const r = box(e); return r.width > 0 && r.left >= -0.5 && r.right <= iw + 0.5; };
    return {
        innerWidth: iw, scrollWidth: document.documentElement.scrollWidth,
        sidebarCollapsed: sb ? sb.getAttribute('data-collapsed') : null,
        sidebarRight: sb ? Math.round(box(sb).right) : null,
        title: (document.querySelector('[data-testid="stMainBlockContainer"] h1') || {}).innerText || null,
        plots: Array.from(document.querySelectorAll('[data-testid="stMain"] .js-plotly-plot')).map(e => ({
            fits: fits(e), width: Math.round(box(e).width), height: Math.round(box(e).height),
            shapes: e.querySelectorAll('.choroplethlocation').length})),
        metrics: Array.from(document.querySelectorAll('[data-testid="stMain"] [data-testid="stMetric"]')).map(e => {
            const v = e.querySelector('[data-testid="stMetricValue"]');
            const inner = v ? (v.querySelector('div') || v) : null;
            return {fits: fits(e), value: v ? v.innerText.trim() : '',
                    clipped: inner ? inner.scrollWidth > inner.clientWidth + 1 : true};
        }),
    };
}"""


def nav_paths(page, base: str) -> list[str]:
    hrefs = page.eval_on_selector_all(NAV_LINKS, "els => els.map(e => e.getAttribute('href'))")
    return list(dict.fromkeys(h.split("?")[0].replace(base, "").strip("/") for h in hrefs))


def test_wide_screen_keeps_the_sidebar_open(app_server, page):
    goto_app(page, f"{app_server.url}/")
    layout = page.evaluate(LAYOUT)
    assert layout["sidebarCollapsed"] == "false" and layout["sidebarRight"] > 200, layout


def test_every_page_fits_a_phone(app_server, make_page, page):
    goto_app(page, f"{app_server.url}/")                # the navigation as a wide screen offers it
    paths = nav_paths(page, app_server.url)
    assert len(paths) >= 6, paths
    phone = make_page(**PHONE)
    problems, maps, metrics = [], 0, 0
    for path in paths:
        goto_app(phone, f"{app_server.url}/{path}")
        phone.wait_for_timeout(500)                       # plotly resizes to the column after the first paint
        lay = phone.evaluate(LAYOUT)
        name = path or "(default)"
        screenshot(phone, f"phone-{name.strip('()')}.png")
        if lay["sidebarCollapsed"] != "true" or lay["sidebarRight"] > 0:
            problems.append(f"{name}: the sidebar is open over the page ({lay['sidebarCollapsed']}, "
                            f"right edge {lay['sidebarRight']} px)")
        if lay["scrollWidth"] > lay["innerWidth"]:
            problems.append(f"{name}: the page scrolls sideways ({lay['scrollWidth']} > {lay['innerWidth']} px)")
        for p in lay["plots"]:
            if not p["fits"] or p["width"] < 300 or p["height"] < 200:
                problems.append(f"{name}: a chart does not fit the screen: {p}")
            maps += p["shapes"] > 0
        for m in lay["metrics"]:
            if not m["fits"] or m["clipped"] or not m["value"]:
                problems.append(f"{name}: a key figure is cut off or empty: {m}")
        metrics += len(lay["metrics"])
    assert not problems, "\n".join(problems)
    assert maps >= 3 and metrics >= 5, f"maps {maps}, key figures {metrics}: the pages did not render them"
