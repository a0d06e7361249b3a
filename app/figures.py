"""Plotly figures: fn(df, labels...) -> Figure. No SQL, no streamlit import.

Maps are `go.Choropleth` on a hidden geo base map (no tiles, no CDN: the app serves a topojson stub), coloured
with colour-blind-safe scales: viridis / cividis for sequential values, PuOr (diverging around 1) for location
quotients. Number formats follow the language through `layout.separators`.
"""
from __future__ import annotations

import json
import textwrap
from typing import Any, Iterable

import pandas as pd
import plotly.graph_objects as go

SEQUENTIAL = "Viridis"
SEQUENTIAL_ALT = "Cividis"
DIVERGING = "PuOr"
# Okabe-Ito: colour-blind-safe qualitative colours
OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
BAR = "#0072B2"
BAR_ALT = "#E69F00"
BAR_THIRD = "#009E73"
NATIONAL_HEIGHT = 700
FONT = dict(family="Source Sans Pro, Segoe UI, Helvetica, Arial, sans-serif", size=14, color="#1f2430")


def feature_collection(geo: pd.DataFrame) -> dict[str, Any]:
    """geo_area / geo_municipality rows (code, geojson) -> a FeatureCollection keyed by `id` = code.
    The stored text may be a Feature or a bare geometry; both work."""
    feats = []
    for code, text in zip(geo["code"], geo["geojson"]):
        obj = json.loads(text) if isinstance(text, (str, bytes, bytearray)) else text
        geom = obj.get("geometry", obj) if obj.get("type") == "Feature" else obj
        feats.append({"type": "Feature", "id": str(code), "properties": {}, "geometry": geom})
    return {"type": "FeatureCollection", "features": feats}


class SharedGeoJSON(dict):
    """A GeoJSON FeatureCollection that plotly shares instead of copying. Plotly deep-copies every trace property
    when a figure is built and again when st.plotly_chart serialises it (for a national map: 130,000 objects, two
    thirds of a rerun's time); the shapes are never changed after loading, so one object serves every copy. It
    serialises as the plain dict it is."""

    def __deepcopy__(self, memo: dict[int, Any]) -> "SharedGeoJSON":
        return self


def _layout(*, separators: str, height: int, title: str | None = None, **more: Any) -> dict[str, Any]:
    """The common layout plus `more`, as one dict: a figure built with its whole layout at once costs a fraction of
    one changed afterwards with update_layout/update_xaxes (each of those runs plotly's validation again)."""
    layout = dict(separators=separators, height=height, font=FONT, margin=dict(l=0, r=0, t=40 if title else 8, b=0),
                  paper_bgcolor="rgba(0,0,0,0)", plot_bgcolor="rgba(0,0,0,0)", hoverlabel=dict(font_size=14))
    if title:
        layout["title"] = dict(text=title, x=0, xanchor="left", font=dict(size=16))
    layout.update(more)
    return layout


def _figure(data: Any, **layout: Any) -> go.Figure:
    return go.Figure(data=data, layout=_layout(**layout))


def _vline(x: float, line: dict[str, Any]) -> dict[str, Any]:
    """What fig.add_vline draws (a line across the plot's height at data x), as a layout shape."""
    return dict(type="line", x0=x, x1=x, xref="x", y0=0, y1=1, yref="y domain", line=line)


def _hline(y: float, line: dict[str, Any]) -> dict[str, Any]:
    return dict(type="line", x0=0, x1=1, xref="x domain", y0=y, y1=y, yref="y", line=line)


def value_format(kind: str, decimals: int) -> str:
    """A d3 format for a metric kind (see queries.METRICS)."""
    if kind == "share":
        return f".{decimals}%"
    return f",.{decimals}f"


def choropleth(df: pd.DataFrame, geojson: dict[str, Any], *, value_col: str = "value", colorbar_title: str,
               separators: str, hover_value_label: str, value_fmt: str = ",.2f", diverging: bool = False,
               midpoint: float | None = None, height: int = NATIONAL_HEIGHT, uncertain_label: str | None = None,
               scale: str = SEQUENTIAL, title: str | None = None, zrange: tuple[float, float] | None = None,
               categorical: dict[Any, str] | None = None) -> go.Figure:
    """One coloured shape per row of df (columns code, name, value_col[, small_number])."""
    flag = df["small_number"].fillna(False).astype(bool) if "small_number" in df else pd.Series(False, index=df.index)
    note = [f"<br><i>{uncertain_label}</i>" if (f and uncertain_label) else "" for f in flag]
    custom = list(zip(df["name"], note))
    z = df[value_col].astype(float).tolist()
    kwargs: dict[str, Any] = {}
    if categorical:
        # two-state maps (has / lacks): a stepped colorscale with labelled ticks
        kwargs.update(zmin=-0.5, zmax=1.5, colorscale=[[0, "#E69F00"], [0.5, "#E69F00"], [0.5, "#0072B2"], [1, "#0072B2"]],
                      colorbar=dict(title=dict(text=colorbar_title), tickvals=[0, 1],
                                    ticktext=[categorical.get(0, "0"), categorical.get(1, "1")], len=0.4))
    else:
        colorbar = dict(title=dict(text=colorbar_title, side="right"), tickformat=value_fmt, len=0.6, thickness=16)
        zmax = max((v for v in z if v is not None and pd.notna(v)), default=0)
        if value_fmt.endswith(".0f") and zmax < 8:
            colorbar["dtick"] = 1   # whole counts over a short range: no repeated rounded tick labels (1, 1, 0 …)
        kwargs.update(colorscale=DIVERGING if diverging else scale, colorbar=colorbar)
        if diverging:
            kwargs.update(zmid=midpoint if midpoint is not None else 1.0)
        if zrange:
            kwargs.update(zmin=zrange[0], zmax=zrange[1])
    if categorical:
        custom = list(zip(df["name"], ["<br>" + categorical.get(int(v), "") for v in df[value_col]]))
    trace = go.Choropleth(
        geojson=SharedGeoJSON(geojson), featureidkey="id", locations=df["code"].astype(str).tolist(), z=z,
        customdata=custom, marker=dict(line=dict(color="white", width=0.6)),
        hovertemplate=f"<b>%{{customdata[0]}}</b><br>{hover_value_label}: %{{z:{value_fmt}}}%{{customdata[1]}}"
                      "<extra></extra>" if not categorical else
                      "<b>%{customdata[0]}</b>%{customdata[1]}<extra></extra>",
        **kwargs)
    # fitbounds alone keeps the geo frame at the world's aspect (a tall country ends up small in the middle);
    # explicit ranges from the shapes' own bounds make the frame follow the data, so Finland fills the height.
    lon, lat = bounds(geojson, set(df["code"].astype(str)))
    geo = dict(fitbounds="locations", visible=False, projection=dict(type="mercator"), bgcolor="rgba(0,0,0,0)",
               showframe=False, lonaxis=dict(range=lon), lataxis=dict(range=lat))
    return _figure(trace, separators=separators, height=height, title=title, geo=geo)


def bounds(geojson: dict[str, Any], ids: set[str] | None = None, pad: float = 0.02
           ) -> tuple[list[float] | None, list[float] | None]:
    """[lon_min, lon_max], [lat_min, lat_max] of the features (all, or those in ids), padded by a share."""
    xs: list[float] = []
    ys: list[float] = []

    def walk(c: Any) -> None:
        if c and isinstance(c[0], (int, float)):
            xs.append(float(c[0]))
            ys.append(float(c[1]))
        else:
            for part in c:
                walk(part)

    for feat in geojson.get("features", []):
        if ids is None or str(feat.get("id")) in ids:
            walk((feat.get("geometry") or {}).get("coordinates", []))
    if not xs:
        return None, None
    dx, dy = (max(xs) - min(xs)) * pad or 0.05, (max(ys) - min(ys)) * pad or 0.05
    return [min(xs) - dx, max(xs) + dx], [min(ys) - dy, max(ys) + dy]


def ranking_bar(df: pd.DataFrame, *, value_col: str = "value", label_col: str = "name", value_label: str,
                separators: str, value_fmt: str = ",.2f", reference: float | None = None,
                reference_label: str | None = None, uncertain_label: str | None = None,
                height: int | None = None, title: str | None = None) -> go.Figure:
    """Horizontal bars, largest on top; uncertain (small-number) bars hatched and lighter."""
    d = df.sort_values(value_col, ascending=True, na_position="first")
    flag = d["small_number"].fillna(False).astype(bool).tolist() if "small_number" in d else [False] * len(d)
    extra: dict[str, Any] = {}
    if reference is not None and pd.notna(reference):
        # as add_vline(annotation_position="bottom right") draws it
        extra = dict(shapes=[_vline(float(reference), dict(color="#333", dash="dash", width=1.5))],
                     annotations=[dict(showarrow=False, text=reference_label or "", x=float(reference),
                                       xanchor="left", xref="x", y=0, yanchor="bottom", yref="y domain")])
    return _figure(go.Bar(
        x=d[value_col].astype(float).tolist(), y=d[label_col].tolist(), orientation="h",
        marker=dict(color=[BAR] * len(d), opacity=[0.55 if f else 1.0 for f in flag],
                    pattern=dict(shape=["/" if f else "" for f in flag], fgcolor="white", size=6)),
        customdata=[f"<br><i>{uncertain_label}</i>" if (f and uncertain_label) else "" for f in flag],
        hovertemplate=f"<b>%{{y}}</b><br>{value_label}: %{{x:{value_fmt}}}%{{customdata}}<extra></extra>",
        name=value_label), separators=separators, height=height or max(320, 26 * len(d) + 90), title=title,
        xaxis=dict(tickformat=value_fmt, title=dict(text=value_label), gridcolor="#e5e5e5"),
        yaxis=dict(automargin=True), showlegend=False, **extra)


def grouped_bars(df: pd.DataFrame, *, label_col: str, series: list[tuple[str, str]], value_label: str,
                 separators: str, value_fmt: str = ",.2f", height: int | None = None,
                 title: str | None = None, uncertain_col: str | None = None,
                 uncertain_label: str | None = None) -> go.Figure:
    """Horizontal grouped bars: one bar per (column, legend name) in `series` for each label."""
    d = df.iloc[::-1]
    bars = [go.Bar(x=d[col].astype(float).tolist(), y=d[label_col].tolist(), orientation="h", name=name,
                   marker=dict(color=OKABE_ITO[i % len(OKABE_ITO)]),
                   hovertemplate=f"<b>%{{y}}</b><br>{name}: %{{x:{value_fmt}}}<extra></extra>")
            for i, (col, name) in enumerate(series)]
    return _figure(bars, separators=separators, height=height or max(360, 22 * len(d) * len(series) + 120),
                   title=title, barmode="group", legend=dict(orientation="h", y=1.02, yanchor="bottom", x=0),
                   xaxis=dict(tickformat=value_fmt, title=dict(text=value_label), gridcolor="#e5e5e5"),
                   yaxis=dict(automargin=True))


def grants_chart(df: pd.DataFrame, *, year_label: str, granted_label: str, requested_label: str,
                 separators: str, currency_suffix: str = " €", title: str | None = None) -> go.Figure:
    years = df["year"].astype(int).astype(str).tolist()
    return _figure([
        go.Bar(x=years, y=df["requested"].astype(float).tolist(), name=requested_label, marker_color=BAR_ALT,
               hovertemplate=f"%{{x}}<br>{requested_label}: %{{y:,.0f}}{currency_suffix}<extra></extra>"),
        go.Bar(x=years, y=df["granted"].astype(float).tolist(), name=granted_label, marker_color=BAR,
               hovertemplate=f"%{{x}}<br>{granted_label}: %{{y:,.0f}}{currency_suffix}<extra></extra>"),
    ], separators=separators, height=360, title=title, barmode="group",
        legend=dict(orientation="h", y=1.02, yanchor="bottom", x=0),
        xaxis=dict(title=dict(text=year_label), type="category"),
        yaxis=dict(tickformat=",.0f", ticksuffix=currency_suffix, gridcolor="#e5e5e5"))


def heatmap(df: pd.DataFrame, *, x_col: str, y_col: str, x_order: Iterable[str], y_order: Iterable[str],
            colorbar_title: str,
            separators: str, value_fmt: str = ",.2f", diverging: bool = False, hover_x: str = "", hover_y: str = "",
            uncertain_label: str | None = None, title: str | None = None) -> go.Figure:
    """df long form with columns x_col, y_col (labels), value, small_number; rows/columns in the given order."""
    xs, ys = list(x_order), list(y_order)
    grid = {(x, y): (v, bool(f)) for x, y, v, f in zip(df[x_col], df[y_col], df["value"], df["small_number"])}
    z = [[(None if pd.isna(grid.get((x, y), (None,))[0]) else float(grid[(x, y)][0])) if (x, y) in grid else None
          for x in xs] for y in ys]
    note = [[(f"<br><i>{uncertain_label}</i>" if grid.get((x, y), (0, False))[1] and uncertain_label else "")
             for x in xs] for y in ys]
    kw: dict[str, Any] = dict(colorscale=DIVERGING if diverging else SEQUENTIAL)
    if diverging:
        kw["zmid"] = 1.0
    return _figure(go.Heatmap(
        z=z, x=xs, y=ys, customdata=note, xgap=1, ygap=1,
        colorbar=dict(title=dict(text=colorbar_title, side="right"), tickformat=value_fmt, thickness=16),
        hovertemplate=f"<b>%{{y}}</b><br>{hover_x}: %{{x}}<br>{hover_y}: %{{z:{value_fmt}}}%{{customdata}}"
                      "<extra></extra>", **kw), separators=separators, height=max(480, 26 * len(ys) + 220),
        title=title, xaxis=dict(side="top", tickangle=-40, automargin=True),
        yaxis=dict(autorange="reversed", automargin=True))


# The need-vs-supply chart's nominal plot area (px) and label font: labels are placed only where their box fits
# inside the plot and overlaps no other label or marker; every name is in the hover.
QUADRANT_HEIGHT = 560
QUADRANT_PLOT_PX = (720.0, 420.0)
QUADRANT_LABEL_SIZE = 11
QUADRANT_MARKER_PX = 7.0
QUADRANT_COLOURS = {"high_need_low_supply": "#D55E00", "high_need_high_supply": "#0072B2",
                    "low_need_low_supply": "#E69F00", "low_need_high_supply": "#009E73"}
_LABEL_POSITIONS = ("top center", "bottom center", "middle right", "middle left")


def label_box(px: float, py: float, text: str, position: str) -> tuple[float, float, float, float]:
    """The box (x0, y0, x1, y1 in px, y upwards) a label of `text` takes at `position` around a marker at px, py."""
    w, h, gap = len(text) * QUADRANT_LABEL_SIZE * 0.6 + 2, QUADRANT_LABEL_SIZE * 1.3, QUADRANT_MARKER_PX + 1
    if position == "top center":
        return px - w / 2, py + gap, px + w / 2, py + gap + h
    if position == "bottom center":
        return px - w / 2, py - gap - h, px + w / 2, py - gap
    if position == "middle right":
        return px + gap, py - h / 2, px + gap + w, py + h / 2
    return px - gap - w, py - h / 2, px - gap, py + h / 2


def _overlaps(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def place_labels(xs: list[float], ys: list[float], texts: list[str], x_range: tuple[float, float],
                 y_range: tuple[float, float]) -> list[str | None]:
    """A text position per point (None: no label), greedily in the given order: the first position whose box stays
    inside the plot and clears every marker and every label placed before."""
    pw, ph = QUADRANT_PLOT_PX
    to_px = [((x - x_range[0]) / (x_range[1] - x_range[0]) * pw, (y - y_range[0]) / (y_range[1] - y_range[0]) * ph)
             for x, y in zip(xs, ys)]
    r = QUADRANT_MARKER_PX
    taken: list[tuple[float, float, float, float]] = [(px - r, py - r, px + r, py + r) for px, py in to_px]
    out: list[str | None] = []
    for (px, py), text in zip(to_px, texts):
        chosen = None
        for pos in _LABEL_POSITIONS:
            box = label_box(px, py, text, pos)
            inside = box[0] >= 0 and box[1] >= 0 and box[2] <= pw and box[3] <= ph
            if inside and not any(_overlaps(box, t) for t in taken):
                chosen = pos
                taken.append(box)
                break
        out.append(chosen)
    return out


def _padded(values: list[float], pad: float = 0.08) -> tuple[float, float]:
    lo, hi = min(values), max(values)
    span = (hi - lo) or abs(hi) or 1.0
    return lo - span * pad, hi + span * pad


def quadrant(df: pd.DataFrame, *, x_col: str, y_col: str, x_threshold: float | None, y_threshold: float | None,
             quadrant_col: str, x_label: str, y_label: str, separators: str, quadrant_labels: dict[str, str],
             x_fmt: str = ",.2f", y_fmt: str = ",.2f", label_col: str = "short_name",
             title: str | None = None) -> go.Figure:
    """Need (x) against supply (y), one marker per area, coloured by `quadrant_col` (the mart's rule for this need
    indicator), with the dashed lines at the same thresholds the rule uses. Short labels only where they fit; the
    full name (`name`) in the hover."""
    d = df[df[x_col].notna() & df[y_col].notna()].reset_index(drop=True)
    xaxis = dict(title=dict(text=x_label), tickformat=x_fmt, gridcolor="#eee")
    yaxis = dict(title=dict(text=y_label), tickformat=y_fmt, gridcolor="#eee")
    traces = []
    symbols = {"high_need_low_supply": "diamond", "high_need_high_supply": "circle",
               "low_need_low_supply": "square", "low_need_high_supply": "triangle-up"}
    if not d.empty:
        xs, ys = d[x_col].astype(float).tolist(), d[y_col].astype(float).tolist()
        x_range = _padded(xs + ([float(x_threshold)] if x_threshold is not None else []))
        y_range = _padded(ys + ([float(y_threshold)] if y_threshold is not None else []))
        texts = (d[label_col] if label_col in d else d["name"]).fillna("").astype(str).tolist()
        positions = place_labels(xs, ys, texts, x_range, y_range)
        d = d.assign(_label=[t if p else "" for t, p in zip(texts, positions)],
                     _pos=[p or "top center" for p in positions])
        xaxis["range"], yaxis["range"] = list(x_range), list(y_range)
    for q, label in quadrant_labels.items():
        part = d[d[quadrant_col] == q] if not d.empty else d
        if part.empty:
            continue
        traces.append(go.Scatter(
            x=part[x_col].astype(float).tolist(), y=part[y_col].astype(float).tolist(), mode="markers+text",
            text=part["_label"].tolist(), textposition=part["_pos"].tolist(),
            textfont=dict(size=QUADRANT_LABEL_SIZE), name=label, customdata=part["name"].tolist(),
            marker=dict(size=13, symbol=symbols.get(q, "circle"), color=QUADRANT_COLOURS.get(q, BAR),
                        line=dict(color="white", width=1)),
            hovertemplate=f"<b>%{{customdata}}</b><br>{x_label}: %{{x:{x_fmt}}}<br>{y_label}: %{{y:{y_fmt}}}"
                          "<extra></extra>"))
    shapes = ([_vline(float(x_threshold), dict(color="#777", dash="dash"))] if x_threshold is not None else []) + \
        ([_hline(float(y_threshold), dict(color="#777", dash="dash"))] if y_threshold is not None else [])
    return _figure(traces, separators=separators, height=QUADRANT_HEIGHT, title=title, xaxis=xaxis, yaxis=yaxis,
                   legend=dict(orientation="h", y=-0.18, x=0), **({"shapes": shapes} if shapes else {}))


# -- service paths (issue 10) --------------------------------------------------------------------------------------

STATUS_ORDER = ("both", "public_only", "organisations_only", "neither")
# one colour per interface status, colour-blind safe (the legend names each in words): three Okabe-Ito colours for
# the statuses where something is there, and a neutral grey for "neither" (vermillion beside orange was too close)
STATUS_COLOURS = {"both": "#009E73", "public_only": "#56B4E9", "organisations_only": "#E69F00",
                  "neither": "#BBBBBB"}
SIDE_COLOURS = {"organisations": "#0072B2", "public": "#E69F00"}


def status_map(df: pd.DataFrame, geojson: dict[str, Any], *, labels: dict[str, str], legend_title: str,
               separators: str, height: int = NATIONAL_HEIGHT, title: str | None = None) -> go.Figure:
    """Municipalities (columns code, name, status) coloured by interface status, with a legend in words: a
    stepped four-colour scale whose colour bar names every status (all four shown, whichever occur), read top
    down in STATUS_ORDER (z = 3 for the first status, 0 for the last)."""
    n = len(STATUS_ORDER)
    index = {s: n - 1 - i for i, s in enumerate(STATUS_ORDER)}
    scale = []
    for i, s in enumerate(reversed(STATUS_ORDER)):
        scale += [[i / n, STATUS_COLOURS[s]], [(i + 1) / n, STATUS_COLOURS[s]]]
    status = df["status"].astype(str).tolist()
    trace = go.Choropleth(
        geojson=SharedGeoJSON(geojson), featureidkey="id", locations=df["code"].astype(str).tolist(),
        z=[index.get(s, 0) for s in status], zmin=-0.5, zmax=n - 0.5, colorscale=scale,
        customdata=list(zip(df["name"], [labels.get(s, s) for s in status], status)),
        marker=dict(line=dict(color="white", width=0.6)),
        colorbar=dict(title=dict(text=legend_title), tickvals=list(range(n)),
                      ticktext=[labels.get(s, s) for s in reversed(STATUS_ORDER)], len=0.5, thickness=18),
        hovertemplate="<b>%{customdata[0]}</b><br>%{customdata[1]}<extra></extra>")
    lon, lat = bounds(geojson, set(df["code"].astype(str)))
    # the whole layout at once (each update_geos/update_layout afterwards validates the figure again)
    return _figure(trace, separators=separators, height=height, title=title,
                   geo=dict(fitbounds="locations", visible=False, projection=dict(type="mercator"),
                            bgcolor="rgba(0,0,0,0)", showframe=False, lonaxis=dict(range=lon),
                            lataxis=dict(range=lat)))


def path_view(df: pd.DataFrame, *, value_label: str, side_labels: dict[str, str], separators: str,
              height: int = 380, title: str | None = None) -> go.Figure:
    """The path read left to right: one bar per stage (columns label, side, activities) in the given order,
    organisation stages and the public stage in two colours named in the legend, the count on each bar."""
    wrapped = {label: _wrap_label(label) for label in df["label"]}
    order = [wrapped[label] for label in df["label"]]
    traces = []
    for side, name in side_labels.items():
        d = df[df["side"] == side]
        traces.append(go.Bar(x=[wrapped[label] for label in d["label"]], y=d["activities"].astype(float).tolist(),
                             name=name,
                             marker_color=SIDE_COLOURS.get(side, BAR), text=d["activities"].astype(int).tolist(),
                             textposition="outside", cliponaxis=False,
                             hovertemplate=f"<b>%{{x}}</b><br>{name}: %{{y:,.0f}}<extra></extra>"))
    yaxis = dict(tickformat=",.0f", title=dict(text=value_label), gridcolor="#e5e5e5", rangemode="tozero")
    if df["activities"].max() < 8:
        yaxis["dtick"] = 1    # small whole counts: no repeated rounded ticks (1, 1, 0 …)
    # the whole layout at once (each update_layout/update_xaxes afterwards validates the figure again)
    return _figure(traces, separators=separators, height=height, title=title, barmode="overlay", bargap=0.25,
                   legend=dict(orientation="h", y=1.02, yanchor="bottom", x=0),
                   xaxis=dict(categoryorder="array", categoryarray=order, title=None, automargin=True, tickangle=0),
                   yaxis=yaxis)


def _wrap_label(text: str, width: int = 14) -> str:
    """A category label over lines of about `width` characters (plotly breaks lines at <br>)."""
    return "<br>".join(textwrap.wrap(str(text), width=width, break_long_words=False, break_on_hyphens=False))
