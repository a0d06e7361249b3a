"""Browser benchmark: navigation -> map drawn in Debian Chromium (Playwright), map payload, third-party requests.

The dashboard runs with `streamlit run dashboard.py` on a free 127.0.0.1 port against a warehouse. Each visit is
a fresh browser context (no HTTP cache), timed from `page.goto` until the SVG choropleth has at least the expected
number of shapes (`.js-plotly-plot .choroplethlocation`): 22 on the overview, the area's municipality count on the
region profile (`/aluekortti?area=08`), the first path's municipalities (the whole country) on the service-path
page (`/palvelupolut`, when the warehouse has the path marts). The first visit of each URL fills the server caches;
the median of the later visits is the figure.

Payload: JSON size of the drawn plotly figure (`gd.data` + `gd.layout`, read with page.evaluate) and the websocket
bytes received during the visit. Requests to any host other than 127.0.0.1/localhost are counted (expected 0).

Where the time goes (same visits, same medians; the timed figure above is unchanged): the browser main thread's
busy time until the map drew (Chrome's `TaskDuration` from the DevTools Performance domain, all tasks of the
page: parsing and running Streamlit's and Plotly's code, React rendering, layout, paint), the time from
`page.goto` to the first websocket frame (the server's first answer) and to the moment the Plotly chunk had
loaded (resource timing of `PlotlyChart.*.js`, 4.7 MB, fetched only once a chart element renders), and from that
moment to the map drawn (evaluating Plotly, then rendering every element waiting behind it, then the charts).
On a shared 2-core machine the busy time follows the wall time closely and is the steadier of the two.

REFERENCE: bench/minimal_page.py served the same way (for the service-path page also with
`?level=municipalities`, the same page drawing the country's municipalities: the shapes that page's map has) (copied to a temp folder whose static/ points at the
project's static/, so its topojson stub is served exactly like the dashboard's), both servers up at once and the
visits taking turns (minimal, overview, county, service paths, minimal, …), so the ratios hold on a machine whose
load varies.
"""
from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

from bench.common import CHROMIUM, CHROMIUM_ARGS, ROOT, BENCH_DIR, Results, app_server, tree_rss_mb

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
MAP_SELECTOR = ".js-plotly-plot .choroplethlocation"
PLOTLY_LOADED_JS = """() => {
  const e = performance.getEntriesByType('resource').find(r => /\\/PlotlyChart\\.[^/]*\\.js$/.test(r.name));
  return e ? e.responseEnd : null;
}"""
PAYLOAD_JS = """() => {
  const plots = [...document.querySelectorAll('.js-plotly-plot')]
    .filter(gd => (gd.data || []).some(t => t.type === 'choropleth'));
  return plots.map(gd => JSON.stringify({data: gd.data, layout: gd.layout}).length);
}"""


def municipality_count(db: Path, area: str) -> int:
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        return int(con.execute("select count(*) from geo_municipality where area_code = ?", [area]).fetchone()[0])
    finally:
        con.close()


def path_map_count(db: Path) -> int | None:
    """Municipalities on the service-path page's default map (the first path, the whole country), None when the
    warehouse has no path marts."""
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        if not con.execute("select count(*) from information_schema.tables "
                           "where table_name = 'mart_path_municipality'").fetchone()[0]:
            return None
        return int(con.execute("""
            select count(*) from mart_path_municipality
            where path_code = (select path_code from dim_service_path order by sort_order, path_code limit 1)
            """).fetchone()[0])
    finally:
        con.close()


def first_area_with_munis(db: Path, preferred: str = "08") -> str:
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        codes = [r[0] for r in con.execute("select distinct area_code from geo_municipality order by 1").fetchall()]
    finally:
        con.close()
    return preferred if preferred in codes else codes[0]


def launch(pw):
    return pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)


class Watch:
    """Collects third-party requests, websocket bytes and page errors of one page."""

    def __init__(self, page):
        self.external: list[str] = []
        self.ws_bytes = 0
        self.t0: float | None = None
        self.first_frame_s: float | None = None
        self.page_errors: list[str] = []
        page.on("request", self._request)
        page.on("websocket", self._websocket)
        page.on("pageerror", lambda e: self.page_errors.append(str(e)[:300]))

    def _request(self, req) -> None:
        u = urlparse(req.url)
        if u.scheme in ("http", "https", "ws", "wss") and (u.hostname or "") not in LOCAL_HOSTS:
            self.external.append(req.url)

    def _websocket(self, ws) -> None:
        ws.on("framereceived", self._frame)

    def _frame(self, payload) -> None:
        self.ws_bytes += len(payload)
        if self.first_frame_s is None and self.t0 is not None:
            self.first_frame_s = time.perf_counter() - self.t0


def visit(browser, url: str, min_shapes: int, timeout_ms: int = 90_000) -> dict:
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = ctx.new_page()
    w = Watch(page)
    cdp = ctx.new_cdp_session(page)
    cdp.send("Performance.enable")
    try:
        t0 = time.perf_counter()
        w.t0 = t0
        page.goto(url, wait_until="commit")
        page.wait_for_function(f"() => document.querySelectorAll('{MAP_SELECTOR}').length >= {min_shapes}",
                               timeout=timeout_ms, polling=50)
        drawn = time.perf_counter() - t0
        busy = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}.get("TaskDuration")
        plotly_ms = page.evaluate(PLOTLY_LOADED_JS)
        sizes = page.evaluate(PAYLOAD_JS)
        shapes = page.locator(MAP_SELECTOR).count()
        exceptions = page.locator('[data-testid="stException"]').count()
        time.sleep(0.3)  # let the last frames of the run arrive before counting bytes
        # the page's clock starts at navigation, a few ms after t0: the split is good to ~10 ms
        plotly_s = plotly_ms / 1000 if plotly_ms is not None else None
        return {"seconds": drawn, "busy_s": busy, "ws_first_s": w.first_frame_s, "plotly_loaded_s": plotly_s,
                "after_plotly_s": drawn - plotly_s if plotly_s is not None else None,
                "figure_json_bytes": max(sizes) if sizes else None, "shapes": shapes,
                "ws_bytes": w.ws_bytes, "external": w.external, "page_errors": w.page_errors,
                "exceptions": exceptions}
    finally:
        ctx.close()


def visit_or_error(browser, url: str, min_shapes: int) -> dict:
    try:
        return visit(browser, url, min_shapes)
    except Exception as e:  # timeout: the map never drew
        return {"error": f"{type(e).__name__}: {str(e)[:300]}"}


def measure(browser, url: str, min_shapes: int, visits: int) -> dict:
    return summarise([visit_or_error(browser, url, min_shapes) for _ in range(visits)])


def summarise(runs: list[dict]) -> dict:
    ok = [r for r in runs if "error" not in r]
    warm = [r["seconds"] for r in ok[1:]] or [r["seconds"] for r in ok]

    def warm_median(key: str) -> float | None:
        vals = [r[key] for r in (ok[1:] or ok) if r.get(key) is not None]
        return statistics.median(vals) if vals else None
    return {"runs": runs, "first_s": ok[0]["seconds"] if ok else None,
            "median_s": statistics.median(warm) if warm else None,
            **{f"median_{k}": warm_median(k) for k in ("busy_s", "ws_first_s", "plotly_loaded_s", "after_plotly_s")},
            "figure_json_bytes": ok[-1]["figure_json_bytes"] if ok else None,
            "ws_bytes": statistics.median([r["ws_bytes"] for r in ok]) if ok else None,
            "external": sorted({u for r in ok for u in r["external"]}),
            "errors": [r["error"] for r in runs if "error" in r] + [e for r in ok for e in r["page_errors"]],
            "exceptions": sum(r["exceptions"] for r in ok)}


def minimal_copy() -> Path:
    """bench/minimal_page.py in a temp folder beside a `static` link to the project's static/."""
    d = Path(tempfile.mkdtemp(prefix="bench-minimal-"))
    (d / "minimal_page.py").write_text((BENCH_DIR / "minimal_page.py").read_text(encoding="utf-8"), encoding="utf-8")
    os.symlink(ROOT / "static", d / "static")
    return d


def run(db: Path, scale: float, res: Results, *, visits: int = 4) -> None:
    """`visits` per URL, taking turns; the first of each fills the caches, the median of the others is reported."""
    from playwright.sync_api import sync_playwright

    detail = res.details.setdefault("browser", {})
    area = first_area_with_munis(db)
    n_munis = municipality_count(db, area)
    n_path = path_map_count(db)
    ref_dir = minimal_copy()
    try:
        with sync_playwright() as pw:
            browser = launch(pw)
            try:
                t0 = time.perf_counter()
                with app_server(ref_dir / "minimal_page.py", db=db,
                                env={"STREAMLIT_SERVER_ENABLE_STATIC_SERVING": "true"}) as ref_srv:
                    ref_start = time.perf_counter() - t0
                    t0 = time.perf_counter()
                    with app_server(ROOT / "dashboard.py", db=db) as srv:
                        start = time.perf_counter() - t0
                        # the visits take turns (minimal page, overview, county page, service-path page, minimal
                        # page, …): a load spike on the shared machine hits the pages and their reference alike
                        targets = [(ref_srv.url + "/", 22), (srv.url + "/", 22),
                                   (f"{srv.url}/aluekortti?area={area}", n_munis)]
                        if n_path:
                            # and the minimal page drawing the country's municipalities, the same shapes
                            targets += [(f"{srv.url}/palvelupolut", n_path),
                                        (ref_srv.url + "/?level=municipalities", n_path)]
                        runs: list[list[dict]] = [[] for _ in targets]
                        for _ in range(visits):
                            for k, (url, shapes) in enumerate(targets):
                                runs[k].append(visit_or_error(browser, url, shapes))
                        ref, ov, county, *more = (summarise(r) for r in runs)
                        paths, ref_munis = more if more else (None, None)
                        ref["rss_mb"] = tree_rss_mb(ref_srv.pid)
                        rss = tree_rss_mb(srv.pid)
                        log = srv.log_tail(2000)
                detail["minimal_page"] = {**ref, "server_start_s": ref_start}
                detail["overview"], detail["county"] = ov, county
                if paths is not None:
                    detail["paths"], detail["minimal_page_municipalities"] = paths, ref_munis
                detail["server_start_s"], detail["server_log_tail"] = start, log
            finally:
                browser.close()
    finally:
        import shutil
        shutil.rmtree(ref_dir, ignore_errors=True)

    res.add("browser", scale, "server start -> /_stcore/health", start, "s", reference=ref_start,
            reference_label="minimal page server start")
    pages = [("overview", ov, "overview (22 areas)"),
             ("county", county, f"region profile area {area} ({n_munis} municipalities)")]
    if paths is not None:
        pages.append(("paths", paths, f"service paths, whole country ({n_path} municipalities)"))
    for name, m, label in pages:
        res.add("browser", scale, f"{label}: navigation -> map drawn, median warm", m["median_s"], "s",
                reference=ref["median_s"], reference_label="minimal page", target="≤ 1.2× minimal page",
                note=f"first visit {m['first_s']:.2f} s" if m["first_s"] is not None else "map never drew")
        for key, what in (("busy_s", "main-thread busy time until the map drew"),
                          ("ws_first_s", "navigation -> first websocket frame"),
                          ("plotly_loaded_s", "navigation -> Plotly chunk loaded"),
                          ("after_plotly_s", "Plotly chunk loaded -> map drawn")):
            res.add("browser", scale, f"{label}: {what}, median warm", m[f"median_{key}"], "s",
                    reference=ref[f"median_{key}"], reference_label="minimal page")
        res.add("browser", scale, f"{label}: plotly figure JSON in the page", m["figure_json_bytes"], "bytes",
                reference=ref["figure_json_bytes"], reference_label="minimal page")
        res.add("browser", scale, f"{label}: websocket bytes received per visit", m["ws_bytes"], "bytes",
                reference=ref["ws_bytes"], reference_label="minimal page",
                target="≤ 2× minimal page" if name == "county" else "")
        if name == "paths":
            # the 22-area reference draws 22 shapes, this map 292 (3.2× the figure JSON): the same page drawn for
            # the municipalities is the like-for-like reference; both shown
            for key, what in (("s", "navigation -> map drawn"), ("busy_s", "main-thread busy time until the map drew")):
                res.add("browser", scale, f"{label}: {what}, median warm, against the minimal page by municipality",
                        m[f"median_{key}"], "s", reference=ref_munis[f"median_{key}"],
                        reference_label=f"minimal page, {n_path} municipalities",
                        target="≤ 1.2× minimal page" if key == "s" else "")
        if m["errors"] or m["exceptions"]:
            res.errors.append(f"browser {name}: {m['exceptions']} exception elements; {m['errors'][:3]}")
    external = sorted({u for _, m, _ in pages for u in m["external"]} | set(ref["external"]))
    res.add("browser", scale, "requests to hosts other than 127.0.0.1", len(external), "",
            reference=None, target="0", note=", ".join(external[:5]))
    res.add("browser", scale, "app RSS after the visits", rss, "MB", reference=ref.get("rss_mb"),
            reference_label="minimal page server RSS")
    for r in (ref, ref_munis):
        if r is not None and r["errors"]:
            res.errors.append(f"browser minimal page: {r['errors'][:3]}")


if __name__ == "__main__":
    import json
    import sys

    r = Results()
    run(Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/bt/w.duckdb"), 0.2, r, visits=2)
    print(json.dumps(r.errors, indent=1)[:3000])
