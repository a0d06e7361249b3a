"""Page benchmark: warm rerun time of every page with streamlit.testing.v1.AppTest, in process.

For each warehouse scale and each page in pages/ (discovered, not listed): one first run (fills the caches),
then N reruns, each changing one selector to its next option (selectboxes cycled in order; the widgets are
found generically, so new pages and new selectors are picked up; the language switch is left alone). p50/p95
of those reruns.

REFERENCE, measured the same way in the same process: bench/minimal_page.py (one px.choropleth of the 22 areas
from a frame and GeoJSON loaded once, one dataframe, two selectboxes). Also recorded: the size of the largest
choropleth figure spec each page sends (the map payload).
"""
from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from bench.common import ROOT, BENCH_DIR, Results, percentile

MINIMAL = BENCH_DIR / "minimal_page.py"
DASHBOARD = ROOT / "dashboard.py"
SKIP_KEYS = {"jk_lang"}
# issue 14: p50 within 1.5× of the minimal page (judged at scale 10), p95 under half a second at scale 100
P50_TARGET = "≤ 1.5× minimal page"
P95_TARGET = "≤ 0.5 s"


class _Label(str):
    """An option label as the browser sends it (AppTest otherwise runs format_func on whatever it is given)."""


def _patch_apptest() -> None:
    """AppTest's selectbox/radio can be set by label only when format_func raises on a label; the pages' format
    functions return something for any input (dict.get, t()), so labels are marked and passed through as is."""
    from streamlit.testing.v1 import element_tree as et

    if getattr(et._format_value_for_widget, "_bench", False):
        return
    orig = et._format_value_for_widget

    def fmt(format_func, value):
        return str(value) if isinstance(value, _Label) else orig(format_func, value)

    fmt._bench = True
    et._format_value_for_widget = fmt


def discover_pages() -> list[Path]:
    return sorted((ROOT / "pages").glob("*.py"))


def _errors(at) -> list[str]:
    out = [f"exception: {str(e.value)[:300]}" for e in at.exception]
    out += [f"st.error: {str(e.value)[:200]}" for e in at.error]
    return out


def _map_bytes(at) -> int | None:
    """Bytes of the largest plotly figure spec that holds a choropleth (what goes over the websocket)."""
    best = None
    for el in at.get("plotly_chart"):
        spec = getattr(el.proto, "spec", "") or ""
        if '"choropleth' in spec:
            n = len(spec.encode())
            best = n if best is None or n > best else best
    return best


def _change_one(at, i: int) -> str | None:
    """Change the (i mod n)-th selectbox (or radio, when there are no selectboxes) to its next option."""
    boxes = [w for w in at.selectbox if w.key not in SKIP_KEYS and len(w.options) > 1]
    if not boxes:
        boxes = [w for w in at.radio if w.key not in SKIP_KEYS and len(w.options) > 1]
    if not boxes:
        return None
    w = boxes[i % len(boxes)]
    cur = w.index if w.index is not None else 0
    nxt = (cur + 1 + i // len(boxes)) % len(w.options)
    if nxt == cur:
        nxt = (cur + 1) % len(w.options)
    w.set_value(_Label(w.options[nxt]))
    return f"{w.key}={w.options[nxt]}"


def bench_script(script: Path, reruns: int, *, page: Path | None = None, timeout: float = 120) -> dict:
    """Run `script` (with `page`: dashboard.py, then switch to that page), then `reruns` selector changes."""
    from streamlit.testing.v1 import AppTest

    _patch_apptest()
    _quiet_streamlit()
    at = AppTest.from_file(str(script), default_timeout=timeout)
    t0 = time.perf_counter()
    at.run()
    if page is not None:
        at.switch_page(str(page.relative_to(script.parent)))
        t0 = time.perf_counter()
        at.run()
    first = time.perf_counter() - t0
    errors = _errors(at)
    times, changes = [], []
    for i in range(reruns):
        change = _change_one(at, i)
        changes.append(change)
        t0 = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - t0)
        errors += _errors(at)
    return {"first_s": first, "reruns_s": times, "p50": percentile(times, 50), "p95": percentile(times, 95),
            "max": max(times) if times else None, "changes": changes, "errors": errors[:20],
            "error_count": len(errors), "map_bytes": _map_bytes(at), "widgets": len(at.selectbox) + len(at.radio)}


def _quiet_streamlit() -> None:
    """AppTest in bare mode warns on every run ("missing ScriptRunContext"); page errors are collected anyway."""
    import logging

    from streamlit import logger

    logger.set_log_level("error")
    for name in ["streamlit", *[n for n in logging.root.manager.loggerDict if n.startswith("streamlit")]]:
        logging.getLogger(name).setLevel(logging.ERROR)


def run(warehouses: dict[float, Path], res: Results, *, reruns: int = 15) -> None:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    _quiet_streamlit()
    old = os.environ.get("JARJESTOKARTTA_DB")
    detail = res.details.setdefault("pages", {})
    try:
        for scale, db in sorted(warehouses.items()):
            os.environ["JARJESTOKARTTA_DB"] = str(db)
            ref = bench_script(MINIMAL, reruns)
            detail[f"scale_{scale:g}"] = {"minimal_page": ref}
            if ref["error_count"]:
                res.errors.append(f"pages scale {scale:g}: minimal page errors: {ref['errors'][:3]}")
            res.add("pages", scale, "minimal_page.py rerun p50 (reference itself)", ref["p50"], "s",
                    note=f"p95 {ref['p95']:.3f} s, first run {ref['first_s']:.2f} s, map spec "
                         f"{(ref['map_bytes'] or 0) / 1024:,.0f} KiB")
            for page in discover_pages():
                try:
                    r = bench_script(DASHBOARD, reruns, page=page)
                except Exception as e:  # a page under construction must not stop the others
                    res.errors.append(f"pages scale {scale:g}: {page.name} crashed the harness: {e!r}")
                    continue
                detail[f"scale_{scale:g}"][page.name] = r
                if r["error_count"]:
                    res.errors.append(f"pages scale {scale:g}: {page.name}: {r['error_count']} error elements, "
                                      f"first: {r['errors'][:2]}")
                note = (f"first run {r['first_s']:.2f} s, max {r['max']:.2f} s, {r['error_count']} errors"
                        if r["max"] is not None else "no reruns")
                res.add("pages", scale, f"{page.stem} rerun p50", r["p50"], "s", reference=ref["p50"],
                        reference_label="minimal page p50", target=P50_TARGET, note=note)
                res.add("pages", scale, f"{page.stem} rerun p95", r["p95"], "s", reference=ref["p95"],
                        reference_label="minimal page p95", target=P95_TARGET if scale >= 100 else "")
                if r["map_bytes"]:
                    res.add("pages", scale, f"{page.stem} map figure spec", r["map_bytes"], "bytes",
                            reference=ref["map_bytes"], reference_label="minimal page map spec")
    finally:
        if old is None:
            os.environ.pop("JARJESTOKARTTA_DB", None)
        else:
            os.environ["JARJESTOKARTTA_DB"] = old


if __name__ == "__main__":
    r = Results()
    run({0.2: Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/bt/w.duckdb")}, r, reruns=int(os.environ.get("N", 5)))
    print(json.dumps(r.errors, indent=1)[:3000])
