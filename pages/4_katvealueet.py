"""Katvealueet / Vita fläckar / Gaps: white spots, need vs supply, and data gaps (kept apart from service gaps)."""
from __future__ import annotations

import streamlit as st

from app import cached, figures, gaps, ui
from app.i18n import fmt_currency, fmt_number, t
from app.queries import ALL

lang = ui.current_lang()
ui.page_header(lang, "gaps")

view = ui.select_param("view", t("gaps.view", lang), ["white", "need", "data", "swedish"], widget="radio",
                       format_func=lambda v: t(f"gaps.view.{v}", lang))
areas = cached.areas(lang=lang)
area_name = {ALL: t("common.all_areas", lang), **dict(zip(areas["code"], areas["name"]))}

if view == "white":
    types = gaps.white_spot_types(cached.activity_types(lang=lang))
    type_label = dict(zip(types["code"], types["label"]))
    c1, c2 = st.columns(2)
    atype = ui.select_param("type", t("select.type", lang), list(type_label), format_func=type_label.get,
                            container=c1)
    area = ui.select_param("area", t("select.area", lang), list(area_name), format_func=area_name.get, container=c2)
    area_code = None if area == ALL else area
    st.caption(t("metric.white_spot.def", lang))
    spots = cached.white_spots(activity_type=atype, area_code=area_code, lang=lang)
    k1, k2, k3 = st.columns(3)
    k1.metric(t("col.municipalities_without", lang), fmt_number(len(spots), lang))
    k2.metric(t("col.population_affected", lang), fmt_number(spots["population"].sum(), lang))
    k3.metric(t("col.max_distance_km", lang), fmt_number(spots["distance_km"].max() if len(spots) else None, lang, 0))
    status = cached.municipality_status(activity_type=atype, area_code=area_code, lang=lang)
    title = t("gaps.white.map_title", lang, type=type_label[atype])
    left, right = st.columns([3, 2], gap="large")
    with left:
        fig = figures.choropleth(status, cached.municipality_geojson(area_code=area_code), value_col="has_type",
                                 colorbar_title=type_label[atype], hover_value_label=type_label[atype],
                                 separators=ui.seps(lang), height=700 if area_code is None else 600,
                                 categorical={0: t("gaps.white.lacks", lang), 1: t("gaps.white.has", lang)})
        ui.chart_with_downloads(fig, f"katvealueet_{atype}_kartta", lang, title=title, subtitle=area_name[area],
                                definition_key="metric.white_spot.def")
    with right:
        if spots.empty:
            st.success(t("gaps.white.none", lang))
        ui.table_with_downloads(spots, f"katvealueet_{atype}", lang, [
            ("name", t("col.municipality", lang), "text"), ("area_name", t("col.area", lang), "text"),
            ("population", t("col.population_affected", lang), "int"),
            ("nearest_name", t("col.nearest", lang), "text"), ("distance_km", t("col.distance_km", lang), "dec1")],
            title=title, subtitle=area_name[area], height=600)

elif view == "need":
    indicator = ui.select_param("need", t("select.need", lang), list(gaps.NEED_INDICATORS),
                                format_func=lambda c: t(f"need.{c}.label", lang))
    spec = gaps.NEED_INDICATORS[indicator]
    ns = cached.need_supply(lang=lang)
    period = gaps.indicator_period(ns, indicator)
    st.info(t("gaps.need.note", lang, indicator=t(f"need.{indicator}.label", lang), period=period),
            icon=":material/schedule:")
    xlabel = f"{t(f'need.{indicator}.label', lang)} ({period})"
    fig = figures.quadrant(ns, x_col=indicator, y_col="supply_rate_per_10k",
                           x_threshold=gaps.threshold(ns, spec.threshold_col),
                           y_threshold=gaps.threshold(ns, "supply_threshold"), quadrant_col=spec.quadrant_col,
                           x_label=xlabel, y_label=t("metric.rate_per_10k.label", lang), separators=ui.seps(lang),
                           x_fmt=spec.x_fmt, quadrant_labels={q: t(f"quadrant.{q}", lang) for q in gaps.QUADRANTS})
    ui.chart_with_downloads(fig, f"tarve_tarjonta_{indicator}", lang, title=t("gaps.need.title", lang),
                            subtitle=xlabel, definition_key="metric.need_supply.def")
    st.subheader(t("gaps.need.ranked", lang))
    ui.table_with_downloads(ns, "tarve_tarjonta", lang, [
        ("name", t("col.area", lang), "text"), ("quadrant", t("col.quadrant", lang), "label:quadrant."),
        ("need_coefficient", t("need.need_coefficient.label", lang), "dec2"),
        ("deprivation_index", t("need.deprivation_index.label", lang), "dec1"),
        ("unemployment", t("need.unemployment.label", lang), "dec1"),
        ("supply_rate_per_10k", t("metric.rate_per_10k.label", lang), "dec2"),
        ("need_rank", t("col.need_rank", lang), "int"), ("supply_rank", t("col.supply_rank", lang), "int"),
        ("gap_score", t("col.gap_score", lang), "dec1")], title=t("gaps.need.ranked", lang))

elif view == "swedish":
    st.markdown(t("gaps.swedish.intro", lang))
    area = ui.select_param("area", t("select.area", lang), list(area_name), format_func=area_name.get)
    sw = cached.swedish_coverage(area_code=None if area == ALL else area, lang=lang)
    year = gaps.single_period(sw, "swedish_year")
    st.info(t("gaps.swedish.note", lang, year=year), icon=":material/schedule:")
    k1, k2, k3 = st.columns(3)
    k1.metric(t("gaps.swedish.count", lang), fmt_number(len(sw), lang))
    k2.metric(t("gaps.swedish.speakers", lang, year=year), fmt_number(sw["swedish_speakers"].sum(), lang))
    k3.metric(t("gaps.swedish.activities", lang), fmt_number(sw["activities_sv"].sum(), lang))
    if sw.empty:
        st.info(t("gaps.swedish.none", lang))
    else:
        st.subheader(t("gaps.swedish.chart", lang))
        bar = figures.ranking_bar(sw, value_col="activities_sv_per_10k_swedish", label_col="name",
                                  value_label=t("col.activities_sv_per_10k", lang), separators=ui.seps(lang),
                                  uncertain_label=t("common.uncertain", lang))
        ui.chart_with_downloads(bar, "ruotsinkielinen_toiminta_kaavio", lang, title=t("gaps.swedish.chart", lang),
                                subtitle=f"{area_name[area]} · {year}", definition_key="metric.swedish_coverage.def")
    st.subheader(t("gaps.swedish.title", lang))
    ui.table_with_downloads(sw, "ruotsinkielinen_toiminta", lang, [
        ("name", t("col.municipality", lang), "text"), ("area_name", t("col.area", lang), "text"),
        ("language_status_code", t("col.language_status", lang), "label:lang_status."),
        ("swedish_speakers", t("col.swedish_speakers", lang), "int"),
        ("swedish_year", t("col.swedish_year", lang), "text"),
        ("activities_sv", t("col.activities_sv", lang), "int"),
        ("activities_sv_per_10k_swedish", t("col.activities_sv_per_10k", lang), "dec2"),
        ("small_number", t("col.uncertain", lang), "flag")], title=t("gaps.swedish.title", lang),
        subtitle=area_name[area])

else:
    st.markdown(t("gaps.data.intro", lang))
    area = ui.select_param("area", t("select.area", lang), list(area_name), format_func=area_name.get)
    gap_rows = cached.data_gaps(area_code=None if area == ALL else area, lang=lang)
    k1, k2 = st.columns(2)
    k1.metric(t("gaps.data.count", lang), fmt_number(len(gap_rows), lang))
    k2.metric(t("gaps.data.granted", lang), fmt_currency(gap_rows["granted_total"].sum(), lang))
    ui.table_with_downloads(gap_rows, "tietoaukot", lang, [
        ("name", t("col.organisation", lang), "text"), ("business_id", t("col.business_id", lang), "text"),
        ("area_name", t("col.home_area", lang), "text"), ("known_from", t("col.known_from", lang), "label:source.name."),
        ("granted_total", t("col.granted_total", lang), "eur")], title=t("gaps.view.data", lang),
        subtitle=area_name[area])
    st.caption(ui.source_text(lang))
