"""Load benchmark: the dashboard with concurrent browser sessions (one Chromium, one context per session).

Each session opens the overview and waits for the map; when every session has loaded, all of them, for the given
number of seconds, change one of the main-area selectboxes to another option and waits until the browser sees the script run finish (`stApp`'s
data-test-script-state goes `running` -> `notRunning`), with a short pause between changes.

Measured: rerun time as the browser sees it (p50/p95), errors (Playwright failures, timeouts, page errors, Streamlit
exception elements), and the streamlit process RSS (/proc VmRSS) idle, after the sessions and its peak (sampled
every 0.5 s).

REFERENCE, same server, same run, just before: ONE session doing the same for a quarter of the time. Its p95 and
the RSS after it are printed beside the N-session figures.
"""
from __future__ import annotations

import asyncio
import random
import threading
import time
from pathlib import Path

from bench.common import CHROMIUM, CHROMIUM_ARGS, ROOT, Results, app_server, percentile, tree_rss_mb

MAP_SELECTOR = ".js-plotly-plot .choroplethlocation"
OBSERVE_JS = """() => {
  window.__benchSawRunning = false;
  if (window.__benchObserver) return;
  // the callback runs after the DOM changes: a fast rerun may have gone running -> notRunning by then, so the
  // records' old values are read too (reading only the current value missed such reruns and timed out)
  window.__benchObserver = new MutationObserver((records) => {
    for (const r of records) {
      if (r.oldValue === 'running' || r.target.getAttribute('data-test-script-state') === 'running')
        window.__benchSawRunning = true;
    }
  });
  window.__benchObserver.observe(document.documentElement,
    {subtree: true, attributes: true, attributeOldValue: true, attributeFilter: ['data-test-script-state']});
}"""
# what a selectbox shows as its value (the label is text; the value sits in the baseweb select / its input)
SHOWN_JS = """(el) => {
  const sel = el.querySelector('[data-baseweb="select"]');
  const input = el.querySelector('input');
  return [(sel && sel.innerText) || '', (input && input.value) || ''].join(' | ').trim();
}"""
# A rerun is done when the script state is back to notRunning after it was seen running, or after the URL changed:
# the app writes every selection to the URL from inside the script run, so a changed URL proves the run happened even
# when a fast rerun's running state never reached the DOM (seen under load: the state attribute did not toggle).
DONE_JS = """(urlBefore) => {
  const app = document.querySelector('[data-testid="stApp"]');
  const idle = app && app.getAttribute('data-test-script-state') === 'notRunning';
  return idle && (window.__benchSawRunning || window.location.href !== urlBefore);
}"""


class RssSampler(threading.Thread):
    def __init__(self, pid: int, every: float = 0.5):
        super().__init__(daemon=True)
        self.pid, self.every, self.peak = pid, every, 0.0
        self._stop_evt = threading.Event()

    def run(self) -> None:
        while not self._stop_evt.is_set():
            v = tree_rss_mb(self.pid)
            if v:
                self.peak = max(self.peak, v)
            self._stop_evt.wait(self.every)

    def stop(self) -> float:
        self._stop_evt.set()
        self.join(5)
        return self.peak


class Start:
    """All sessions load first; the timed selector phase starts for everyone when the last one has loaded."""

    def __init__(self, sessions: int, seconds: float):
        self.waiting, self.seconds = sessions, seconds
        self.event = asyncio.Event()
        self.deadline = 0.0

    def arrive(self) -> None:
        self.waiting -= 1
        if self.waiting <= 0 and not self.event.is_set():
            self.deadline = time.perf_counter() + self.seconds
            self.event.set()


async def session(browser, url: str, start: Start, seed: int, out: dict, max_changes: int = 60) -> None:
    rng = random.Random(seed)
    arrived = False
    stage = "first load"
    ctx = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await ctx.new_page()
    page.on("pageerror", lambda e: out["errors"].append(f"pageerror: {str(e)[:200]}"))
    try:
        t0 = time.perf_counter()
        await page.goto(url, wait_until="commit")
        await page.wait_for_function(f"() => document.querySelectorAll('{MAP_SELECTOR}').length >= 22",
                                     timeout=120_000, polling=100)
        out["load_s"].append(time.perf_counter() - t0)
        arrived = True
        start.arrive()
        await start.event.wait()
        deadline = start.deadline
        stage = "selector change"
        boxes = page.locator('[data-testid="stMain"] [data-testid="stSelectbox"]')
        changes = 0
        while time.perf_counter() < deadline and changes < max_changes:
            n = await boxes.count()  # counted each time: a rerun may change the page
            if n == 0:
                exc = await page.locator('[data-testid="stException"]').all_inner_texts()
                out["errors"].append(f"no selectbox in the main area at {page.url}: {' '.join(exc)[:300]}")
                return
            box = boxes.nth(rng.randrange(n))
            before = await box.evaluate(SHOWN_JS)
            await page.evaluate(OBSERVE_JS)
            await box.click()
            options = page.locator('[role="listbox"] [role="option"]')
            await options.first.wait_for(timeout=15_000)
            k = await options.count()
            selected = [i for i in range(k) if await options.nth(i).get_attribute("aria-selected") == "true"]
            choices = [i for i in range(min(k, 8)) if i not in selected] or list(range(k))
            t0 = time.perf_counter()
            target = options.nth(rng.choice(choices))
            wanted = (await target.inner_text()).strip()
            url_before = page.url
            await target.click()
            try:
                await page.wait_for_function(DONE_JS, arg=url_before, timeout=120_000, polling=25)
            except Exception:
                # say what the page shows, to tell a lost click (the box still shows the old value, the script never
                # ran) from a rerun that started and never finished
                shown = await box.evaluate(SHOWN_JS)
                state = await page.evaluate("() => document.querySelector('[data-testid=\"stApp\"]')"
                                            "?.getAttribute('data-test-script-state')")
                saw = await page.evaluate("() => window.__benchSawRunning")
                out["diagnostics"].append({"url_after": page.url, "wanted": wanted, "box_before": before,
                                           "box_after": shown,
                                           "script_state": state, "saw_running": saw})
                raise
            out["reruns_s"].append(time.perf_counter() - t0)
            changes += 1
            await asyncio.sleep(rng.uniform(0.3, 1.0))
        out["exceptions"] += await page.locator('[data-testid="stException"]').count()
    except Exception as e:
        lines = [ln.strip() for ln in str(e).splitlines() if ln.strip()]
        out["errors"].append(f"{stage}: {type(e).__name__}: {' | '.join(lines[:1] + lines[-2:])[:400]}")
    finally:
        if not arrived:
            start.arrive()
        await ctx.close()


async def drive(url: str, sessions: int, seconds: float, seed: int) -> dict:
    from playwright.async_api import async_playwright

    out = {"reruns_s": [], "load_s": [], "errors": [], "exceptions": 0, "diagnostics": []}
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            start = Start(sessions, seconds)
            t0 = time.perf_counter()
            await asyncio.gather(*(session(browser, url, start, seed + i, out) for i in range(sessions)))
            out["phase_s"] = time.perf_counter() - (start.deadline - seconds) if start.event.is_set() else None
            out["all_loaded_s"] = start.deadline - seconds - t0 if start.event.is_set() else None
        finally:
            await browser.close()
    return out


def _summary(out: dict) -> dict:
    r = out["reruns_s"]
    return {"reruns": len(r), "p50": percentile(r, 50), "p95": percentile(r, 95), "max": max(r) if r else None,
            "load_p50": percentile(out["load_s"], 50), "load_max": max(out["load_s"]) if out["load_s"] else None,
            "phase_s": out.get("phase_s"), "errors": out["errors"][:20],
            "error_count": len(out["errors"]) + out["exceptions"], "diagnostics": out.get("diagnostics", [])[:20]}


def run(db: Path, scale: float, res: Results, *, sessions: int = 10, seconds: float = 60, seed: int = 7) -> None:
    detail = res.details.setdefault("load", {})
    with app_server(ROOT / "dashboard.py", db=db) as srv:
        idle = tree_rss_mb(srv.pid)
        one = asyncio.run(drive(srv.url + "/", 1, max(15.0, seconds / 4), seed))
        after_one = tree_rss_mb(srv.pid)
        sampler = RssSampler(srv.pid)
        sampler.start()
        t0 = time.perf_counter()
        many = asyncio.run(drive(srv.url + "/", sessions, seconds, seed + 100))
        wall = time.perf_counter() - t0
        peak = sampler.stop()
        after = tree_rss_mb(srv.pid)
        log = srv.log_tail(3000)
    s1, sn = _summary(one), _summary(many)
    detail.update({"one_session": s1, "sessions": sn, "n_sessions": sessions, "wall_s": wall,
                   "rss_idle_mb": idle, "rss_after_one_mb": after_one, "rss_peak_mb": peak, "rss_after_mb": after,
                   "server_log_tail": log})
    res.add("load", scale, f"{sessions} sessions: rerun p50 (browser-seen)", sn["p50"], "s", reference=s1["p50"],
            reference_label="1 session p50",
            note=f"{sn['reruns']} reruns in a {sn['phase_s'] or 0:.0f} s phase after all sessions had loaded")
    res.add("load", scale, f"{sessions} sessions: rerun p95", sn["p95"], "s", reference=s1["p95"],
            reference_label="1 session p95", note=f"max {sn['max']:.2f} s" if sn["max"] else "")
    res.add("load", scale, f"{sessions} sessions: first page load (goto -> map drawn), median", sn["load_p50"],
            "s", reference=s1["load_p50"], reference_label="1 session",
            note=f"slowest {sn['load_max']:.1f} s" if sn["load_max"] else "")
    res.add("load", scale, f"{sessions} sessions: errors", sn["error_count"], "", target="0",
            note="; ".join([f"1 session: {s1['error_count']} errors"] + sn["errors"][:2]))
    res.add("load", scale, f"{sessions} sessions: app peak RSS", peak, "MB", reference=after_one,
            reference_label="RSS after 1 session", note=f"idle {idle:,.0f} MB")
    res.add("load", scale, f"{sessions} sessions: app RSS after", after, "MB", reference=idle,
            reference_label="idle RSS before any session")
    if sn["error_count"] or s1["error_count"]:
        res.errors.append(f"load: {sn['error_count']} errors with {sessions} sessions, {s1['error_count']} with 1: "
                          f"{(sn['errors'] + s1['errors'])[:3]}")


if __name__ == "__main__":
    import json
    import sys

    r = Results()
    run(Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/bt/w.duckdb"), 0.2, r,
        sessions=int(sys.argv[2]) if len(sys.argv) > 2 else 3, seconds=float(sys.argv[3]) if len(sys.argv) > 3 else 20)
    print(json.dumps(r.details["load"], indent=1, default=str)[:2500])
