"""Hostile organisation data in a real browser: names, activity names, descriptions and websites carrying script,
event-handler, javascript: and markdown payloads must never run and never turn into markup.

The warehouse is built from one activity-register template file (docs/activity-template.md) in a temp folder,
served by its own app server."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest

from tests.browser.conftest import goto_app, page_url, screenshot, start_app, stop_app, wait_for_app

pytestmark = pytest.mark.browser

SCRIPT = "<script>window.__pwned=1</script>"
IMG = '<img src=x onerror="window.__pwned=1">'
MD_LINK = "[link](javascript:window.__pwned=1)"
JS_URL = "javascript:window.__pwned=1"
MARKDOWN = "**bold** # heading | a | b |"
SEARCH = "Pahantahtoinen"

COLUMNS = ["jarjesto", "y_tunnus", "toiminnan_nimi", "toimintamuoto", "kohderyhmat", "kunnat", "toimintatapa",
           "valtakunnallinen", "kielet", "kuvaus", "verkkosivu", "paivitetty"]
ROWS = [
    # organisation name with a script tag, activity name with an event handler, markdown + js link description
    [f"{SEARCH} {SCRIPT} ry", "1234567-1", f"{IMG} Vertaisryhmä", "vertaistuki", "mielenterveys", "Tampere;Helsinki",
     "lähi", "ei", "fi", f"{MD_LINK} {MARKDOWN} {SCRIPT}", JS_URL, "2025-03-01"],
    # organisation name that is pure markdown: bold, heading, table, javascript: link
    [f"{SEARCH} {MARKDOWN} {MD_LINK} yhdistys", "7654321-2", f"{MD_LINK} Kerho {MARKDOWN}", "kerho_ryhma", "nuoret",
     "Tampere", "lähi", "ei", "fi", f"{IMG} kuvaus", f'https://example.org/"><script>window.__pwned=1</script>',
     "2025-03-01"],
    # image tag in the name, javascript: website with odd case and whitespace
    [f"{SEARCH} {IMG} säätiö", "2345678-0", f"Ilta {SCRIPT}", "neuvonta_ohjaus", "ikaantyneet", "Tampere", "lähi", "ei",
     "fi", MARKDOWN, "  JavaScript:window.__pwned=1", "2025-03-01"],
]
# The business id is optional in the template; an organisation without one must open as well.
NO_ID = "Tunnukseton kerho ry"
ROWS_EXTRA = [[NO_ID, "", "Lukupiiri", "kerho_ryhma", "ikaantyneet", "Tampere", "lähi", "ei", "fi", "", "", ""]]


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory, offline_dir, reference_dir):
    from etl.build import build

    root = tmp_path_factory.mktemp("hostile")
    src = root / "orgs"
    (src / "template").mkdir(parents=True)
    with open(src / "template" / "hostile.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, delimiter=";")
        w.writerow(COLUMNS)
        w.writerows(ROWS + ROWS_EXTRA)
    db = root / "hostile.duckdb"
    build(db_path=db, offline_dir=offline_dir, reference_dir=reference_dir, org_dirs=[src], is_demo=False,
          force=True, progress=False, log=lambda *a, **k: None)
    server = start_app(db, "hostile")
    yield server
    stop_app(server)


def _assert_nothing_ran(page, where: str) -> None:
    assert page.evaluate("() => window.__pwned") is None, f"{where}: a hostile payload ran (window.__pwned set)"
    ours = page.evaluate("""() => Array.from(document.querySelectorAll('script'))
        .filter(s => (s.textContent || '').includes('__pwned') || (s.src || '').includes('__pwned')).length""")
    assert ours == 0, f"{where}: {ours} <script> elements from our data are in the DOM"
    handlers = page.evaluate("""() => Array.from(document.querySelectorAll('*')).filter(e =>
        Array.from(e.attributes).some(a => a.name.startsWith('on') && a.value.includes('__pwned'))).length""")
    assert handlers == 0, f"{where}: {handlers} elements carry an event handler from our data"
    js_links = page.evaluate("""() => Array.from(document.querySelectorAll('a[href], area[href], iframe[src]'))
        .map(e => (e.getAttribute('href') || e.getAttribute('src') || '').replace(/[\\s\\u0000-\\u001f]/g, '')
        .toLowerCase()).filter(h => h.startsWith('javascript:')).length""")
    assert js_links == 0, f"{where}: {js_links} javascript: links in the DOM"
    assert page.locator('a[href^="javascript:"]').count() == 0


def _literal_or_stripped(text: str, where: str) -> list[str]:
    """Markup from the data is shown as its literal text or removed; never rendered into other words.
    Returns the problems found."""
    problems = []
    for payload in (SCRIPT, IMG, MD_LINK, MARKDOWN):
        if payload in text:
            continue                     # shown literally: fine
        # stripped: no rendered leftover may remain, e.g. "bold" without its asterisks or "link" without its URL
        if payload == MARKDOWN:
            if "bold" in text and "**bold**" not in text:
                problems.append(f"{where}: markdown from the data was rendered (bold without asterisks): {text!r}")
            if "heading" in text and "# heading" not in text:
                problems.append(f"{where}: a markdown heading from the data was rendered: {text!r}")
        if payload == MD_LINK and "link" in text and "](javascript" not in text:
            problems.append(f"{where}: a markdown link from the data was rendered as link text: {text!r}")
    return problems


def test_hostile_organisation_data_is_inert(hostile_server, page):
    url = page_url(hostile_server, "jarjestot", q=SEARCH)
    goto_app(page, url)
    _assert_nothing_ran(page, "search results")
    pick = page.locator('[data-testid="stMain"] [data-testid="stSelectbox"] input[role="combobox"]').first
    # the search found our organisations; look at each one's detail view
    pick.click()
    options = page.locator('[role="listbox"] [role="option"]')
    options.first.wait_for()
    names = [t.strip() for t in options.all_inner_texts()]
    page.keyboard.press("Escape")
    wait_for_app(page)
    ours = [n for n in names if SEARCH in n]
    assert len(ours) == len(ROWS), f"the search for {SEARCH!r} offered {names}"
    problems: list[str] = []
    for i, name in enumerate(ours):
        if i:
            pick.click()
            page.locator('[role="listbox"] [role="option"]').filter(has_text=name).first.click()
            wait_for_app(page)
        page.wait_for_selector('[data-testid="stMainBlockContainer"] h2')
        _assert_nothing_ran(page, f"detail of {name!r}")
        h2 = page.locator('[data-testid="stMainBlockContainer"] h2').first
        # Streamlit's own anchor link sits beside the text; only the heading text span comes from our data
        heading = h2.locator("[data-heading-text]").first if h2.locator("[data-heading-text]").count() else h2
        text = heading.inner_text().strip()
        assert SEARCH in text, f"the detail heading {text!r} is not the organisation {name!r}"
        html = heading.inner_html()
        for tag in ("<strong", "<em", "<table", "<h1", "<img", "<a ", "<script"):
            if tag in html:
                problems.append(f"the organisation name {name!r} was rendered as markup ({tag}) in the detail "
                                f"heading: {html[:300]!r}")
        problems += _literal_or_stripped(text, f"detail heading of {name!r}")
        problems += _literal_or_stripped(pick.input_value(), "organisation picker")
        screenshot(page, f"hostile-org-{i + 1}.png")
    # the list of all organisations and the activities view of the county page show the same data
    goto_app(page, page_url(hostile_server, "aluekortti", area="08", list="activities"))
    _assert_nothing_ran(page, "county page, activities list")
    screenshot(page, "hostile-county.png")
    assert not problems, "hostile text was interpreted instead of shown:\n" + "\n".join(dict.fromkeys(problems))


def test_organisation_without_business_id_opens(hostile_server, page):
    """The template documents y_tunnus as optional: such an organisation's detail view must render."""
    goto_app(page, page_url(hostile_server, "jarjestot", q=NO_ID), check_errors=False)
    page.wait_for_selector('[data-testid="stMainBlockContainer"] h1')
    errors = [t.split("\n")[0] for t in page.locator('[data-testid="stException"]').all_inner_texts()]
    screenshot(page, "org-without-business-id.png")
    if errors:
        import re
        log = re.sub(r"\x1b\[[0-9;]*m", "", hostile_server.log_path.read_text(encoding="utf-8", errors="replace"))
        where = re.findall(r"(pages/\S+\.py|app/\S+\.py):(\d+)", log)
        cause = re.findall(r"^\s*(\w+(?:Error|Exception)): (.+)$", log, re.M)
        pytest.fail(f"the detail view of an organisation without a business id shows {len(errors)} exception "
                    f"box(es): {cause[-1] if cause else errors[0]} at {where[-1] if where else '?'} "
                    f"(server log: {hostile_server.log_path})")
    heading = page.locator('[data-testid="stMainBlockContainer"] h2').first.inner_text()
    assert NO_ID in heading
