"""Area and national briefs (PDF): BriefData + ExportMeta assembled from app.queries and app.figures.

Plain functions over a DuckDB connection; no streamlit import, so they are tested like queries. The page calls
a cached wrapper (app/cached.py) and hands the bytes of `app.exports.brief_pdf` to a download button. Every number
comes from the marts through app.queries; every word from the locale files; the source line and the sources
list from `_meta_sources`; build id and date from `_meta_build`.
"""
from __future__ import annotations

from typing import Any

import duckdb
import pandas as pd

from app import figures, queries
from app.exports import BriefData, BriefSection, ExportMeta, KeyFigure, export_filename
from app.i18n import fmt_date, separators, t

# The sources a brief draws on: population and boundaries, organisation and activity sources, grants. The need
# indicators (THL, Diak, TEM, Sotkanet) are not in a brief, so they are not listed as its sources.
BRIEF_SOURCES = ("statfi", "statfi_classification", "ptv", "lahella", "ytj", "stea", "template", "demo")
WHITE_SPOT_ROWS = 12
AREA_DEFINITIONS = ("activities", "orgs_active", "orgs_registered", "rate_per_10k", "lq", "similar", "white_spot",
                    "small_number")
NATIONAL_DEFINITIONS = ("activities", "orgs_active", "rate_per_10k", "coverage_pop_share", "national_reach",
                        "small_number")


# -- metadata -------------------------------------------------------------------------------------------------------

def source_line_text(src: pd.DataFrame, build: dict[str, Any], lang: str,
                     retrieved: pd.Series | None = None) -> str:
    """"Lähde: <attributions> · aineistot haettu <date> · koottu <date> (versio <id>)" from _meta_sources rows
    (columns attribution, retrieved_at) and the _meta_build row. Shared by the pages (app/ui/) and the briefs.
    `retrieved` (retrieval times) given: the line carries only the attributions of `src` and the dates."""
    attributions = [a for a in dict.fromkeys(src["attribution"].dropna().tolist()) if a] if len(src) else []
    if retrieved is None:      # the attributions are the line's own: name the app when there are none
        parts = [t("source.label", lang) + ": " + ("; ".join(attributions) if attributions else "Järjestökartta")]
    else:                      # the dates of `retrieved` only (the brief lists the attributions one by one)
        parts = [t("source.label", lang) + ": " + "; ".join(attributions)] if attributions else []
    retrieved = src["retrieved_at"] if retrieved is None else retrieved
    if len(retrieved) and retrieved.notna().any():
        parts.append(t("source.retrieved", lang, date=fmt_date(retrieved.max(), lang)))
    if build.get("built_at") is not None:
        parts.append(t("source.built", lang, date=fmt_date(build.get("built_at"), lang),
                       build=build.get("build_id", "")))
    if build.get("is_demo"):
        parts.append(t("source.demo", lang))
    return " · ".join(parts)


def _build(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    info = queries.build_info(con)
    return info.iloc[0].to_dict() if len(info) else {}


def _brief_sources(con: duckdb.DuckDBPyConnection, lang: str) -> pd.DataFrame:
    src = queries.sources(con, lang=lang)
    src = src[src["source_id"].isin(BRIEF_SOURCES)].drop_duplicates("source_id")
    # one entry per attribution (a source split over several ids, e.g. statfi + its classification, once)
    src = src[~src["attribution"].duplicated() | src["attribution"].isna()]
    return src.reset_index(drop=True)


def _meta(con: duckdb.DuckDBPyConnection, lang: str, title: str, subtitle: str,
          definition_keys: tuple[str, ...]) -> ExportMeta:
    build = _build(con)
    src = _brief_sources(con, lang)
    built = build.get("built_at")
    records = []
    for row in src.to_dict("records"):     # exports reads attribution_<lang>; queries.sources gives `attribution`
        row[f"attribution_{lang}"] = row.get("attribution")
        row["retrieved_at"] = "" if row.get("retrieved_at") is None else str(row["retrieved_at"])
        records.append(row)
    # the attributions follow one by one under "Sources", so the brief's source line carries only the dates
    return ExportMeta(
        title=title, subtitle=subtitle, lang=lang, source_line=source_line_text(src.head(0), build, lang,
                                                                                src["retrieved_at"]),
        build_id=str(build.get("build_id", "")),
        built_at=pd.Timestamp(built).isoformat() if built is not None and not pd.isna(built) else "",
        is_demo=bool(build.get("is_demo", False)),
        definitions=[(t(f"metric.{k}.label", lang), t(f"metric.{k}.def", lang)) for k in definition_keys],
        sources=records)


def brief_filename(name: str, lang: str, is_demo: bool, national: bool = False) -> str:
    """`Aluekortti_Pirkanmaa_fi[_DEMO].pdf` (the page needs it before the PDF exists)."""
    stem = f"{t('brief.file_national' if national else 'brief.file_area', lang)} {name}"
    meta = ExportMeta(title="", subtitle="", lang=lang, source_line="", build_id="", built_at="", is_demo=is_demo)
    return export_filename(stem, "pdf", meta)


def _first(df: pd.DataFrame) -> dict[str, Any]:
    return df.iloc[0].to_dict() if len(df) else {}


def _labelled(df: pd.DataFrame, columns: list[tuple[str, str]]) -> pd.DataFrame:
    """Keep and rename columns for a printed table: [(column, header)]."""
    out = df[[c for c, _ in columns]].copy()
    out.columns = [h for _, h in columns]
    return out


# -- one area -------------------------------------------------------------------------------------------------------

def area_brief(con: duckdb.DuckDBPyConnection, area_code: str, lang: str) -> tuple[BriefData, ExportMeta]:
    """A 2-4 page brief of one wellbeing services county (or Helsinki) in `lang`."""
    seps = separators(lang)
    areas = queries.areas(con, lang=lang)
    if not (areas["code"] == area_code).any():
        raise ValueError(f"unknown area {area_code!r}")
    area = areas[areas["code"] == area_code].iloc[0]
    name = str(area["name"])
    me = queries.area_metrics(con, metric="activities", lang=lang)
    me = _first(me[me["code"] == area_code])
    country = _first(queries.country_metrics(con, metric="rate_per_10k"))

    key_figures = [
        KeyFigure(t("col.population", lang), int(area["population"])),
        KeyFigure(t("col.municipalities", lang), int(area["municipality_count"])),
        KeyFigure(t("metric.activities.label", lang), me.get("activities")),
        KeyFigure(t("metric.orgs_active.label", lang), me.get("orgs_active")),
        KeyFigure(t("metric.orgs_registered.label", lang), me.get("orgs_registered")),
        KeyFigure(t("metric.rate_per_10k.label", lang), me.get("rate_per_10k"), decimals=2,
                  note=t("brief.country_value", lang, value=_num(country.get("rate_per_10k"), lang, 2))),
    ]

    # 1. the municipality map: the same figure as on the page (default metric: activities per 10,000)
    munis = queries.municipality_metrics(con, area_code=area_code, metric="rate_per_10k", lang=lang)
    geo = figures.feature_collection(queries.geo_municipalities(con, area_code=area_code))
    fig_map = figures.choropleth(munis, geo, colorbar_title=t("metric.rate_per_10k.unit", lang),
                                 hover_value_label=t("metric.rate_per_10k.label", lang), value_fmt=",.2f",
                                 separators=seps, height=600, uncertain_label=t("common.uncertain", lang))
    map_w, map_h = _map_size(geo)

    # 2. activity-type profile against the country and similar areas
    profile = queries.type_profile(con, area_code=area_code, lang=lang)
    peers = queries.similar_areas(con, area_code=area_code, lang=lang)
    fig_profile = figures.grouped_bars(profile, label_col="label", series=[
        ("area_rate", name), ("country_rate", t("common.country", lang)),
        ("peer_rate", t("profile.types.peer_series", lang))],
        value_label=t("metric.rate_per_10k.label", lang), separators=seps, height=620)
    profile_table = _labelled(profile, [
        ("label", t("col.activity_type", lang)), ("activities", t("metric.activities.label", lang)),
        ("area_rate", t("brief.col.area_rate", lang)), ("country_rate", t("common.country", lang)),
        ("peer_rate", t("profile.types.peer_series", lang)), ("lq", t("metric.lq.label", lang))])
    peer_text = t("profile.types.peers", lang,
                  peers=", ".join(peers["name"]) if len(peers) else t("common.none", lang))

    # 3. white spots: the municipality x type gaps with most residents
    spots = queries.white_spot_top(con, area_code=area_code, lang=lang, limit=WHITE_SPOT_ROWS)
    spots_table = _labelled(spots, [
        ("name", t("col.municipality", lang)), ("type_label", t("col.activity_type", lang)),
        ("population", t("col.population", lang)), ("nearest_name", t("col.nearest", lang)),
        ("distance_km", t("col.distance_km", lang))])

    # 4. grants by year
    grants = queries.grants_by_year(con, area_code=area_code)
    grants_table = _labelled(grants, [
        ("year", t("col.year", lang)), ("grants", t("col.grants", lang)),
        ("organisations", t("col.organisations", lang)), ("requested", t("col.requested", lang) + ", €"),
        ("granted", t("col.granted", lang) + ", €")])

    sections = [
        BriefSection(t("profile.map.title", lang, metric=t("metric.rate_per_10k.label", lang)), figure=fig_map,
                     figure_width=map_w, figure_height=map_h),
        BriefSection(t("profile.types.title", lang), text=peer_text, figure=fig_profile, figure_width=900,
                     figure_height=620, table=profile_table, decimals={t("brief.col.area_rate", lang): 2,
                                                                       t("common.country", lang): 2,
                                                                       t("profile.types.peer_series", lang): 2,
                                                                       t("metric.lq.label", lang): 2},
                     new_page=True),
        BriefSection(t("brief.white.title", lang), text=t("metric.white_spot.def", lang), table=spots_table,
                     max_rows=WHITE_SPOT_ROWS, decimals={t("col.distance_km", lang): 1}),
        BriefSection(t("profile.grants.title", lang), text=t("profile.grants.def", lang)
                     if len(grants) else t("profile.grants.none", lang),
                     table=grants_table if len(grants) else None,
                     decimals={t("col.requested", lang) + ", €": 0, t("col.granted", lang) + ", €": 0}),
    ]
    title = t("export.brief.title_area", lang, area=name)
    subtitle = t("brief.subtitle", lang, n=_num(area["municipality_count"], lang, 0))
    brief = BriefData(area_name=name, area_code=area_code, intro=t("brief.intro_area", lang),
                      key_figures=key_figures, sections=sections)
    return brief, _meta(con, lang, title, subtitle, AREA_DEFINITIONS)


# -- the whole country ----------------------------------------------------------------------------------------------

def national_brief(con: duckdb.DuckDBPyConnection, lang: str) -> tuple[BriefData, ExportMeta]:
    """A 2-4 page national brief: key figures, the 22-area map, the ranking, nationwide online/phone services."""
    seps = separators(lang)
    name = t("common.country", lang)
    df = queries.area_metrics(con, metric="rate_per_10k", lang=lang)
    country = _first(queries.country_metrics(con, metric="rate_per_10k"))
    reach = queries.national_reach(con, lang=lang)
    reach = reach[reach["activities"] > 0]
    key_figures = [
        KeyFigure(t("col.population", lang), country.get("population")),
        KeyFigure(t("metric.activities.label", lang), country.get("activities")),
        KeyFigure(t("metric.orgs_active.label", lang), country.get("orgs_active")),
        KeyFigure(t("metric.rate_per_10k.label", lang), country.get("rate_per_10k"), decimals=2),
        KeyFigure(t("metric.coverage_pop_share.label", lang),
                  None if country.get("coverage_pop_share") is None
                  else float(country["coverage_pop_share"]) * 100, unit="%", decimals=0),
        KeyFigure(t("metric.national_reach.label", lang), int(reach["activities"].sum()) if len(reach) else 0),
    ]
    geo = figures.feature_collection(queries.geo_areas(con))
    fig_map = figures.choropleth(df, geo, colorbar_title=t("metric.rate_per_10k.unit", lang),
                                 hover_value_label=t("metric.rate_per_10k.label", lang), value_fmt=",.2f",
                                 separators=seps, uncertain_label=t("common.uncertain", lang))
    map_w, map_h = _map_size(geo)
    rank_table = _labelled(df, [
        ("name", t("col.area", lang)), ("value", t("metric.rate_per_10k.label", lang)),
        ("activities", t("metric.activities.label", lang)), ("orgs_active", t("metric.orgs_active.label", lang)),
        ("population", t("col.population", lang))])
    reach_table = _labelled(reach, [("label", t("col.activity_type", lang)),
                                    ("activities", t("metric.activities.label", lang)),
                                    ("organisations", t("col.organisations", lang))])
    sections = [
        BriefSection(t("overview.map.title", lang, metric=t("metric.rate_per_10k.label", lang)), figure=fig_map,
                     figure_width=map_w, figure_height=map_h),
        BriefSection(t("overview.ranking.title", lang), table=rank_table, max_rows=22, new_page=True,
                     text=t("metric.rate_per_10k.def", lang), decimals={t("metric.rate_per_10k.label", lang): 2}),
        BriefSection(t("overview.national_reach.short", lang), text=t("overview.national_reach.body", lang),
                     table=reach_table if len(reach) else None),
    ]
    title = t("export.brief.title_national", lang, area=name)
    brief = BriefData(area_name=name, area_code="SSS", is_national=True, intro=t("brief.intro_national", lang),
                      key_figures=key_figures, sections=sections)
    return brief, _meta(con, lang, title, t("brief.subtitle_national", lang), NATIONAL_DEFINITIONS)


# -- helpers --------------------------------------------------------------------------------------------------------

def _num(value: Any, lang: str, decimals: int) -> str:
    from app.i18n import fmt_number
    return fmt_number(value, lang, decimals)


def _map_size(geo: dict[str, Any]) -> tuple[int, int]:  # noqa: ARG001 - the frame is fixed, see below
    """Pixel size of the map image. Page 1 leaves about 180 x 125 mm under the key figures, so the image is
    always 900 x 620 px (aspect 0.69); a wide area fills the width, a tall one the height (fitbounds keeps the
    shapes' own aspect inside the frame)."""
    return 900, 620


__all__ = ["area_brief", "national_brief", "brief_filename", "source_line_text"]
