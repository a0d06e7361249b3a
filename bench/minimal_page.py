"""Benchmark reference: the least a Streamlit page can do to show what the overview shows.

A px.choropleth of the 22 areas from a frame precomputed once (every `_all` target-group row of
mart_area_metrics joined to the area names) and the area GeoJSON loaded once (st.cache_resource), plus one
dataframe, with two selectboxes that change what is drawn. No query per rerun, no formatting, no downloads.
With `?level=municipalities` the same page for the country's municipalities (mart_municipality_metrics and
geo_municipality): the reference for a page whose map is the whole country by municipality (the service-path
page), so that both draw the same number of shapes. Reads the warehouse named by JARJESTOKARTTA_DB (default
data/warehouse.duckdb), read-only.

Run: JARJESTOKARTTA_DB=... streamlit run bench/minimal_page.py
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import duckdb
import plotly.express as px
import streamlit as st

DB = os.environ.get("JARJESTOKARTTA_DB", str(Path(__file__).resolve().parent.parent / "data" / "warehouse.duckdb"))
METRICS = ["rate_per_10k", "activities", "orgs_active_per_10k", "coverage_pop_share", "lq"]
CONFIG = {"topojsonURL": "/app/static/topojson/", "displaylogo": False, "responsive": True}


SQL = {  # level -> (frame, shapes); the frame's `area_code` is the shape's code
    "areas": ("""select m.*, a.name_fi as name from mart_area_metrics m join area a on a.code = m.area_code
                 where m.target_group = '_all' order by m.area_code""",
              "select code, geojson from geo_area order by code"),
    "municipalities": ("""select m.* exclude (area_code), m.municipality_code as area_code, u.name_fi as name
                          from mart_municipality_metrics m join municipality u on u.code = m.municipality_code
                          where m.target_group = '_all' order by m.municipality_code""",
                       "select code, geojson from geo_municipality order by code"),
}


@st.cache_resource(show_spinner=False)
def load(db: str, level: str = "areas"):
    con = duckdb.connect(db, read_only=True)
    try:
        frame = con.execute(SQL[level][0]).df()
        geo = con.execute(SQL[level][1]).fetchall()
    finally:
        con.close()
    feats = []
    for code, text in geo:
        obj = json.loads(text)
        feats.append({"type": "Feature", "id": str(code), "properties": {},
                      "geometry": obj.get("geometry", obj) if obj.get("type") == "Feature" else obj})
    return frame, {"type": "FeatureCollection", "features": feats}


frame, geojson = load(DB, "municipalities" if st.query_params.get("level") == "municipalities" else "areas")
st.title("Minimal map page")
c1, c2 = st.columns(2)
metric = c1.selectbox("Metric", [m for m in METRICS if m in frame.columns], key="metric")
types = sorted(frame["activity_type"].unique().tolist())
atype = c2.selectbox("Type", types, index=types.index("_all") if "_all" in types else 0, key="type")
df = frame[frame["activity_type"] == atype]
fig = px.choropleth(df, geojson=geojson, locations="area_code", featureidkey="id", color=metric,
                    hover_name="name", color_continuous_scale="Viridis", height=700)
fig.update_geos(fitbounds="locations", visible=False, projection_type="mercator")
fig.update_layout(margin=dict(l=0, r=0, t=8, b=0))
st.plotly_chart(fig, config=CONFIG, width="stretch")
st.dataframe(df[list(dict.fromkeys(["name", metric, "activities", "orgs_active", "population"]))], hide_index=True)
