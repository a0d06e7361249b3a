"""Export timings: PNG, SVG and PDF with the export server cold (start Chromium, render, stop) and warm
(persistent server), plus CSV/XLSX for a larger table. Prints numbers only; no pass/fail.

    . .venv/bin/activate && python bench/bench_exports.py [--repeat 5]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import plotly.express as px  # noqa: E402

from app import exports as ex  # noqa: E402


def meta(demo: bool = True) -> ex.ExportMeta:
    return ex.ExportMeta(
        title="Vertaistuki 10 000 asukasta kohden", subtitle="Kaikki alueet · kaikki kohderyhmät", lang="fi",
        source_line="Lähde: Tilastokeskus, väestö 31.12.2024, CC BY 4.0; Järjestökartta. Tiedot 23.11.2026",
        build_id="bench", built_at="2026-11-23T13:12:00", is_demo=demo,
        definitions=[("Toiminnot alueella", "Eri toiminnot, joilla on sijainti alueella.")],
        sources=[{"title": "Väestörakenne", "publisher": "Tilastokeskus", "licence": "CC BY 4.0",
                  "attribution_fi": "Lähde: Tilastokeskus", "url": "https://stat.fi", "retrieved_at": "2026-11-20"}])


def bar():
    areas = [f"Alue {i:02d}" for i in range(22)]
    return px.bar(pd.DataFrame({"Alue": areas, "Per 10 000": np.linspace(3, 25, 22)}), x="Alue", y="Per 10 000")


def geo():
    feats = []
    for i in range(22):
        x, y = 20 + (i % 5) * 2.2, 60 + (i // 5) * 1.6
        ring = [[x, y], [x, y + 1.5], [x + 2, y + 1.5], [x + 2, y], [x, y]]
        feats.append({"type": "Feature", "id": f"{i:02d}", "properties": {},
                      "geometry": {"type": "Polygon", "coordinates": [ring]}})
    fig = px.choropleth(pd.DataFrame({"code": [f"{i:02d}" for i in range(22)], "v": range(22)}),
                        geojson={"type": "FeatureCollection", "features": feats}, locations="code", color="v")
    fig.update_geos(fitbounds="locations", visible=False)
    return fig


def brief() -> ex.BriefData:
    table = pd.DataFrame({"Toimintamuoto": [f"Tyyppi {i}" for i in range(15)], "Alue": np.linspace(1, 20, 15),
                          "Koko maa": np.linspace(2, 18, 15)})
    return ex.BriefData(area_name="Pirkanmaa", key_figures=[("Toimintoja", 1234), ("Järjestöjä", 321)],
                        sections=[ex.BriefSection("Kartta", figure=geo(), figure_width=700, figure_height=900),
                                  ex.BriefSection("Profiili", figure=bar(), table=table),
                                  ex.BriefSection("Katvealueet", table=table)])


def timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    m = meta()
    jobs = {
        "PNG 1000x700 @3": lambda: ex.figure_to_png(bar(), m),
        "PNG map 700x900 @3": lambda: ex.figure_to_png(geo(), m, width=700, height=900),
        "SVG 1000x700": lambda: ex.figure_to_svg(bar(), m),
        "PDF brief (2 charts)": lambda: ex.brief_pdf(brief(), m),
    }
    ex.stop_export_server()
    print(f"{'export':24} {'cold s':>8} {'warm median s':>14} {'warm min s':>11}")
    t_start = timed(ex.start_export_server)
    ex.stop_export_server()
    for name, job in jobs.items():
        cold = timed(job)           # starts Chromium on first use
        warm = [timed(job) for _ in range(args.repeat)]
        ex.stop_export_server()
        print(f"{name:24} {cold:8.2f} {statistics.median(warm):14.3f} {min(warm):11.3f}")
    print(f"{'server start alone':24} {t_start:8.2f}")

    df = pd.DataFrame({"Kunta": [f"{i:03d}" for i in range(5000)], "Nimi": ["Äänekoski"] * 5000,
                       "Toimintoja": np.arange(5000), "Per 10 000": np.random.default_rng(1).random(5000) * 30})
    for name, job in {"CSV 5000x4": lambda: ex.to_csv_bytes(df, m),
                      "CSV; 5000x4": lambda: ex.to_csv_bytes(df, m, sep=";"),
                      "XLSX 5000x4": lambda: ex.to_xlsx_bytes(df, m)}.items():
        runs = [timed(job) for _ in range(3)]
        print(f"{name:24} {'':8} {statistics.median(runs):14.3f} {min(runs):11.3f}")


if __name__ == "__main__":
    main()
