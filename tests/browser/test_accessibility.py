"""Accessibility: axe-core (pinned in tests/browser/package.json, `npm ci` there) on every page of the navigation
in Finnish, Swedish and English; no serious or critical violation, and `<html lang>` is the chosen language
(WCAG 2.1, 3.1.1). The counts per page and language go to tests/artifacts/axe-<lang>.json."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.browser.conftest import artifact, choose, goto_app, wait_for_app

pytestmark = pytest.mark.browser

AXE_JS = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
LANGS = ("fi", "sv", "en")
FAILING_IMPACTS = {"serious", "critical"}
NAV_LINKS = '[data-testid="stSidebarNav"] a[href]'
LANG_LABEL = "Kieli · Språk · Language"


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE_JS.is_file():
        pytest.fail(f"{AXE_JS} is missing: run `npm ci` in tests/browser (axe-core is pinned there)")
    return AXE_JS.read_text(encoding="utf-8")


def nav_urls(page, base: str) -> list[str]:
    """Every page the sidebar navigation offers (so a page added later is checked too), in its order."""
    hrefs = page.eval_on_selector_all(NAV_LINKS, "els => els.map(e => e.getAttribute('href'))")
    urls = []
    for href in hrefs:
        path = href.split("?")[0].replace(base, "").strip("/")
        urls.append(f"{base}/{path}")
    return list(dict.fromkeys(urls))


def run_axe(page, axe_source: str) -> list[dict]:
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=axe_source)
    return page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: (n.failureSummary || '').slice(0, 300)}))}));
    }""")


def html_lang(page) -> str:
    return page.evaluate("() => document.documentElement.lang")


@pytest.mark.parametrize("lang", LANGS)
def test_every_page_has_no_serious_axe_violation_and_html_lang(app_server, make_page, axe_source, lang):
    page = make_page()
    goto_app(page, f"{app_server.url}/?lang={lang}")
    urls = nav_urls(page, app_server.url)
    assert len(urls) >= 6, f"the navigation offers {urls}"
    report, failures, wrong_lang = {}, [], {}
    for url in urls:
        goto_app(page, f"{url}?lang={lang}")
        try:   # the language is set by a script the page runs once it has rendered
            page.wait_for_function("l => document.documentElement.lang === l", arg=lang, timeout=5_000)
        except PlaywrightTimeout:
            pass
        if html_lang(page) != lang:
            wrong_lang[url] = html_lang(page)
        violations = run_axe(page, axe_source)
        name = url.replace(app_server.url, "").strip("/") or "(default)"
        report[name] = {"html_lang": html_lang(page),
                        "by_impact": {i: sum(len(v["nodes"]) for v in violations if v["impact"] == i)
                                      for i in ("minor", "moderate", "serious", "critical")},
                        "violations": violations}
        failures += [f"{name}: {v['impact']} {v['id']} ({v['help']}) at {[n['target'] for n in v['nodes']][:5]}"
                     for v in violations if v["impact"] in FAILING_IMPACTS]
    artifact(f"axe-{lang}.json").write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    assert not wrong_lang, f"<html lang> is not {lang!r} on: {wrong_lang}"
    assert not failures, "axe-core serious/critical violations:\n" + "\n".join(failures)


def test_html_lang_follows_the_language_switch(app_server, page):
    """Switching in the sidebar (no new page load) changes `<html lang>` too, and it stays after a page change."""
    goto_app(page, f"{app_server.url}/")
    page.wait_for_function("() => document.documentElement.lang === 'fi'", timeout=10_000)
    for lang, name in (("sv", "Svenska"), ("en", "English"), ("fi", "Suomi")):
        choose(page, LANG_LABEL, name)
        page.wait_for_function("l => document.documentElement.lang === l", arg=lang, timeout=10_000)
    page.locator(NAV_LINKS).nth(1).click()
    wait_for_app(page)
    assert "aluekortti" in page.url and html_lang(page) == "fi"
