"""Browser fixtures: a real `streamlit run dashboard.py` on a free loopback port and Debian Chromium via Playwright.

- `app_server` (session): the dashboard over the `demo_warehouse` build. Other modules start their own server on
  their own warehouse with `start_app(db_path)` / `stop_app(server)`.
- `browser` (session): one Chromium for the whole run.
- `make_page` / `page` (function): a fresh context (own Streamlit session) per page. Every request whose host is
  not 127.0.0.1/localhost (data: and blob: aside) is recorded and asserted empty at teardown.
- `wait_for_app(page)`: Streamlit finished its run and shows no exception.

Never the Playwright browser download: the Debian Chromium at /usr/bin/chromium is used.
"""
from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
VIEWPORT = {"width": 1400, "height": 1300}
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}

APP = '[data-testid="stApp"]'
APP_IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
# Anything that means "the page broke": an uncaught exception, or an st.error box (db error, missing warehouse).
ERROR_SELECTOR = '[data-testid="stException"], [data-testid="stAlertContentError"]'

# url path of every page (dashboard.py PAGES); the first one is the default page at "/"
PAGE_PATHS = {"yleiskuva": "", "aluekortti": "aluekortti", "toimintamuodot": "toimintamuodot",
              "katvealueet": "katvealueet", "jarjestot": "jarjestot", "tiedot": "tiedot",
              "palvelupolut": "palvelupolut", "tarkista_aineisto": "tarkista_aineisto"}


def artifact(name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS / name


# -- the app server ------------------------------------------------------------------------------------------------

@dataclass
class AppServer:
    url: str
    port: int
    db_path: Path
    proc: subprocess.Popen
    log_path: Path

    def log_tail(self, n: int = 60) -> str:
        try:
            return "\n".join(self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-n:])
        except OSError:
            return "(no log)"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(db_path: Path, name: str = "app", timeout: float = 45.0) -> AppServer:
    """The dashboard from the repo root on a free port with JARJESTOKARTTA_DB=db_path; waits for /_stcore/health."""
    port = free_port()
    env = os.environ.copy()
    env["JARJESTOKARTTA_DB"] = str(db_path)
    env["JARJESTOKARTTA_FETCH_LOOPBACK_ONLY"] = "1"
    env["STREAMLIT_BROWSER_GATHER_USAGE_STATS"] = "false"
    log_path = artifact(f"server-{name}.log")
    log = open(log_path, "w", encoding="utf-8")
    options = ["--server.port", str(port), "--server.headless", "true", "--server.address", "127.0.0.1",
               "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"]
    if (ROOT / "app" / "serve.py").is_file():
        # the project's launcher (`make run`): `streamlit run dashboard.py` plus the switch that stops Streamlit's
        # v1 pages/ detection from serving a deep link opened first without dashboard.py
        cmd = [sys.executable, "-m", "app.serve", *options]
    else:
        cmd = [sys.executable, "-m", "streamlit", "run", "dashboard.py", *options]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    log.close()
    server = AppServer(f"http://127.0.0.1:{port}", port, Path(db_path), proc, log_path)
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode}:\n{server.log_tail()}")
        try:
            if httpx.get(f"{server.url}/_stcore/health", timeout=2).text.strip() == "ok":
                return server
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            stop_app(server)
            raise RuntimeError(f"streamlit not healthy after {timeout} s:\n{server.log_tail()}")
        time.sleep(0.2)


def stop_app(server: AppServer) -> None:
    if server.proc.poll() is None:
        server.proc.terminate()
        try:
            server.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.proc.kill()
            server.proc.wait(timeout=10)


@pytest.fixture(scope="session")
def app_server(demo_warehouse) -> AppServer:
    server = start_app(demo_warehouse, "main")
    yield server
    stop_app(server)


# -- the browser ---------------------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def playwright_instance():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright_instance):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium (never the Playwright browser download)")
    b = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield b
    b.close()


def _is_external(url: str) -> bool:
    if url.startswith(("data:", "blob:", "about:")):
        return False
    host = urlsplit(url).hostname or ""
    return host not in LOCAL_HOSTS


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    if rep.when == "call":
        item.jk_failed = rep.failed


@pytest.fixture()
def make_page(browser, request):
    """Factory: a page in a new browser context (= a new Streamlit session). External requests of every page
    made here are collected and must be none when the test ends."""
    contexts = []
    external: list[str] = []

    def _make(**context_kwargs):
        kw = {"viewport": VIEWPORT, "accept_downloads": True, "locale": "fi-FI"}
        kw.update(context_kwargs)
        ctx = browser.new_context(**kw)
        ctx.set_default_timeout(30_000)
        contexts.append(ctx)
        pg = ctx.new_page()
        pg.on("request", lambda req: external.append(req.url) if _is_external(req.url) else None)
        return pg

    _make.external = external
    yield _make
    if getattr(request.node, "jk_failed", False):   # keep what each page showed when the test failed
        name = re.sub(r"[^\w.-]+", "_", request.node.name)
        for i, ctx in enumerate(contexts):
            for j, pg in enumerate(ctx.pages):
                try:
                    pg.screenshot(path=str(artifact(f"FAILED-{name}-{i}-{j}.png")))
                except Exception:  # noqa: BLE001
                    pass
    for ctx in contexts:
        try:
            ctx.close()
        except Exception:  # noqa: BLE001 - the browser may be gone after a crash; the assertion below still counts
            pass
    assert not external, f"requests left 127.0.0.1: {sorted(set(external))}"


@pytest.fixture()
def page(make_page):
    return make_page()


# -- helpers -------------------------------------------------------------------------------------------------------

def page_url(server: AppServer, page_name: str, **params: str) -> str:
    from urllib.parse import urlencode
    url = f"{server.url}/{PAGE_PATHS[page_name]}"
    return url + ("?" + urlencode(params) if params else "")


def app_errors(page) -> list[str]:
    """Texts of the exception / error boxes shown; an st.error box gets the text of the expanders beside it
    (the app puts the technical details of a database error there)."""
    errors = [t.strip()[:500] for t in page.locator(ERROR_SELECTOR).all_inner_texts()]
    if errors and page.locator('[data-testid="stAlertContentError"]').count():
        details = page.evaluate("""() => Array.from(document.querySelectorAll(
            '[data-testid="stMain"] [data-testid="stExpander"]')).map(e => e.textContent.trim()).join(' | ')""")
        if details:
            errors.append("details: " + details[:800])
    return errors


def wait_for_app(page, selector: str | None = None, timeout: float = 45.0, settle: float = 0.35,
                 check_errors: bool = True) -> None:
    """Wait until Streamlit has finished running the script (stApp data-test-script-state=notRunning, no status
    widget, no stale elements) and stays so for `settle` seconds; optionally until `selector` is visible too.
    Then assert that no exception / error box is shown."""
    deadline = time.monotonic() + timeout

    def remaining_ms() -> float:
        return max(1.0, (deadline - time.monotonic()) * 1000)

    while True:
        page.wait_for_selector(APP_IDLE, state="attached", timeout=remaining_ms())
        if selector:   # the expected element, or an error box (then fail at once with its text)
            page.wait_for_selector(f"{selector}, {ERROR_SELECTOR}", timeout=remaining_ms())
            if check_errors and page.locator(ERROR_SELECTOR).count():
                page.wait_for_timeout(settle * 1000)
                break
        page.wait_for_timeout(settle * 1000)
        idle = page.locator(APP_IDLE).count() == 1
        running = page.locator('[data-testid="stStatusWidget"]').filter(has_text="Running").count()
        stale = page.locator('[data-testid="stElementContainer"][data-stale="true"]').count()
        if idle and not running and not stale:
            break
        if time.monotonic() > deadline:
            raise TimeoutError(f"app still running after {timeout} s (idle={idle}, stale={stale})")
    if check_errors:
        errors = app_errors(page)
        assert not errors, f"the app shows an error on {page.url}: {errors}"


def goto_app(page, url: str, selector: str | None = None, **kw) -> None:
    page.goto(url, wait_until="domcontentloaded")
    wait_for_app(page, selector=selector or '[data-testid="stMainBlockContainer"] h1', **kw)


def screenshot(page, name: str) -> Path:
    """The visible viewport (Streamlit scrolls inside its own container, so full_page adds nothing; the
    viewport is tall enough for the header, selectors and the map)."""
    path = artifact(name)
    page.screenshot(path=str(path))
    return path


def selectbox(page, label: str):
    """The combobox input of the selectbox whose (visible) label is `label`."""
    return page.locator('[data-testid="stSelectbox"]').filter(
        has=page.locator('[data-testid="stWidgetLabel"]', has_text=label)).locator('input[role="combobox"]').first


def selectbox_value(page, label: str) -> str:
    return selectbox(page, label).input_value()


def selectbox_options(page, label: str) -> list[str]:
    box = selectbox(page, label)
    box.click()
    opts = page.locator('[role="listbox"] [role="option"]')
    opts.first.wait_for()
    texts = [t.strip() for t in opts.all_inner_texts()]
    page.keyboard.press("Escape")
    return texts


def choose(page, label: str, option: str, *, wait: bool = True) -> None:
    """Pick `option` (its displayed text) in the selectbox labelled `label`, then wait for the rerun."""
    box = selectbox(page, label)
    box.click()
    page.locator('[role="listbox"] [role="option"]').filter(has_text=option).first.click()
    if wait:
        wait_for_app(page)


def map_paths(page) -> list[dict]:
    """d and computed fill of every choropleth polygon in the first map on the page."""
    page.wait_for_selector(".js-plotly-plot .choroplethlocation", state="attached")
    return page.eval_on_selector_all(
        ".js-plotly-plot .choroplethlocation",
        "els => els.map(e => ({d: e.getAttribute('d') || '', fill: getComputedStyle(e).fill}))")
