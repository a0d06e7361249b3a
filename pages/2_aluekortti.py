"""Aluekortti / Områdesprofil / Region profile: one area, its municipalities, profile, organisations, grants, gaps."""
from __future__ import annotations

import streamlit as st

from app import cached, figures, ui
from app.i18n import fmt_number, fmt_percent, t
from app.queries import ALL, METRICS, MUNICIPALITY_METRICS

lang = ui.current_lang()
ui.page_header(lang, "profile")

areas = cached.areas(lang=lang)
area_name = dict(zip(areas["code"], areas["name"]))
types = cached.activity_types(lang=lang)
type_label = {ALL: t("common.all_types", lang), **dict(zip(types["code"], types["label"]))}
groups = cached.target_groups(lang=lang)
group_label = {ALL: t("common.all_groups", lang), **dict(zip(groups["code"], groups["label"]))}
muni_metrics = [m for m in MUNICIPALITY_METRICS if m in METRICS]
SECTIONS = ("types", "orgs", "grants", "white")

c1, c2, c3, c4 = st.columns([2, 2, 2, 2])
area = ui.select_param("area", t("select.area", lang), list(area_name), format_func=area_name.get, container=c1)
metric = ui.select_param("metric", t("select.metric", lang), muni_metrics, container=c2, default="rate_per_10k",
                         format_func=lambda m: t(f"metric.{m}.label", lang))
atype = ui.select_param("type", t("select.type", lang), list(type_label), format_func=type_label.get, container=c3)
group = ui.select_param("group", t("select.group", lang), list(group_label), format_func=group_label.get,
                        container=c4)

row = areas[areas["code"] == area].iloc[0]
summary = cached.area_metrics(metric="activities", activity_type=atype, target_group=group, lang=lang)
me = summary[summary["code"] == area].iloc[0] if (summary["code"] == area).any() else None
h1, h2 = st.columns([3, 1], vertical_alignment="bottom")
h1.header(area_name[area])
ui.brief_download(lang, name=area_name[area], area_code=area, container=h2)
k1, k2, k3, k4, k5 = st.columns(5)
k1.metric(t("col.population", lang), fmt_number(row["population"], lang))
k2.metric(t("col.municipalities", lang), fmt_number(row["municipality_count"], lang))
k3.metric(t("metric.activities.label", lang), fmt_number(me["activities"] if me is not None else None, lang))
k4.metric(t("metric.orgs_active.label", lang), fmt_number(me["orgs_active"] if me is not None else None, lang))
k5.metric(t("metric.coverage_pop_share.label", lang),
          fmt_percent(me["coverage_pop_share"] if me is not None else None, lang))
if me is not None and bool(me["small_number"]):
    st.info(t("common.uncertain_area", lang), icon=":material/warning:")

spec = METRICS[metric]
mlabel = t(f"metric.{metric}.label", lang)
selection = f"{area_name[area]} · {type_label[atype]} · {group_label[group]}"
munis = cached.municipality_metrics(area_code=area, metric=metric, activity_type=atype, target_group=group,
                                    lang=lang)
left, right = st.columns([3, 2], gap="large")
with left:
    st.subheader(t("profile.map.title", lang, metric=mlabel))
    fig = figures.choropleth(munis, cached.municipality_geojson(area_code=area),
                             colorbar_title=t(f"metric.{metric}.unit", lang), hover_value_label=mlabel,
                             value_fmt=figures.value_format(spec["kind"], spec["decimals"]), separators=ui.seps(lang),
                             diverging=metric == "lq", height=600, uncertain_label=t("common.uncertain", lang))
    ui.chart_with_downloads(fig, f"aluekortti_{area}_kartta", lang, title=t("profile.map.title", lang, metric=mlabel),
                            subtitle=selection, definition_key=f"metric.{metric}.def")
with right:
    st.subheader(t("profile.munis.title", lang))
    ui.table_with_downloads(munis, f"aluekortti_{area}_kunnat", lang, [
        ("name", t("col.municipality", lang), "text"),
        ("value", mlabel, ui.metric_kind(spec["kind"], spec["decimals"])),
        ("activities", t("metric.activities.label", lang), "int"),
        ("orgs_active", t("metric.orgs_active.label", lang), "int"),
        ("population", t("col.population", lang), "int"),
        ("small_number", t("col.uncertain", lang), "flag"),
    ], title=t("profile.munis.title", lang), subtitle=selection, height=560)

# the lower half in parts, one drawn at a time: a part not chosen does not run (no queries, tables or charts)
section = ui.select_param("section", t("profile.section", lang), list(SECTIONS), widget="radio",
                          default="orgs" if st.query_params.get("list") else "types",   # older shared links
                          format_func=lambda s: t(f"profile.section.{s}", lang))
if section == "types":
    st.subheader(t("profile.types.title", lang))
    peers = cached.similar_areas(area_code=area, lang=lang)
    st.caption(t("profile.types.peers", lang,
                 peers=", ".join(peers["name"]) if len(peers) else t("common.none", lang)))
    profile = cached.type_profile(area_code=area, target_group=group, lang=lang)
    bars = figures.grouped_bars(profile, label_col="label", series=[
        ("area_rate", area_name[area]), ("country_rate", t("common.country", lang)),
        ("peer_rate", t("profile.types.peer_series", lang))],
        value_label=t("metric.rate_per_10k.label", lang), separators=ui.seps(lang))
    ui.chart_with_downloads(bars, f"aluekortti_{area}_profiili", lang, title=t("profile.types.title", lang),
                            subtitle=f"{area_name[area]} · {group_label[group]}",
                            definition_key="metric.rate_per_10k.def")
    table_box = ui.lazy_expander(t("common.as_table", lang), "profile_table")
    if table_box.open:
        with table_box:
            ui.table_with_downloads(profile, f"aluekortti_{area}_profiili_taulukko", lang, [
                ("label", t("col.activity_type", lang), "text"),
                ("activities", t("metric.activities.label", lang), "int"),
                ("area_rate", area_name[area], "dec2"),
                ("country_rate", t("common.country", lang), "dec2"),
                ("peer_rate", t("profile.types.peer_series", lang), "dec2"),
                ("lq", t("metric.lq.label", lang), "dec2"),
                ("coverage_muni_share", t("metric.coverage_muni_share.label", lang), "pct"),
                ("small_number", t("col.uncertain", lang), "flag"),
            ], title=t("profile.types.title", lang))
elif section == "orgs":
    st.subheader(t("profile.orgs.title", lang))
    view = ui.select_param("list", t("profile.orgs.view", lang), ["orgs", "activities"], widget="radio",
                           format_func=lambda v: t(f"profile.orgs.view.{v}", lang))
    if view == "orgs":
        orgs = cached.area_organisations(area_code=area, activity_type=atype, lang=lang)
        st.caption(t("profile.orgs.count", lang, n=fmt_number(len(orgs), lang)))
        ui.table_with_downloads(orgs, f"aluekortti_{area}_jarjestot", lang, [
            ("name", t("col.organisation", lang), "text"), ("business_id", t("col.business_id", lang), "text"),
            ("activities", t("metric.activities.label", lang), "int"),
            ("types", t("col.activity_types", lang), "text"),
            ("municipalities", t("col.municipalities", lang), "text")], title=t("profile.orgs.title", lang),
            subtitle=selection)
    else:
        acts = cached.area_activities(area_code=area, activity_type=atype, lang=lang)
        ui.table_with_downloads(acts, f"aluekortti_{area}_toiminnot", lang, [
            ("activity", t("col.activity", lang), "text"), ("organisation", t("col.organisation", lang), "text"),
            ("activity_type", t("col.activity_type", lang), "text"),
            ("municipalities", t("col.municipalities", lang), "text"), ("url", t("col.url", lang), "text")],
            title=t("profile.orgs.view.activities", lang), subtitle=selection)
elif section == "grants":
    st.subheader(t("profile.grants.title", lang))
    grants = cached.grants_by_year(area_code=area)
    if grants.empty:
        st.info(t("profile.grants.none", lang))
    else:
        gfig = figures.grants_chart(grants, year_label=t("col.year", lang), granted_label=t("col.granted", lang),
                                    requested_label=t("col.requested", lang), separators=ui.seps(lang))
        ui.chart_with_downloads(gfig, f"aluekortti_{area}_avustukset", lang, title=t("profile.grants.title", lang),
                                subtitle=area_name[area], definition_key="profile.grants.def")
        ui.table_with_downloads(grants, f"aluekortti_{area}_avustukset_taulukko", lang, [
            ("year", t("col.year", lang), "text"), ("grants", t("col.grants", lang), "int"),
            ("organisations", t("col.organisations", lang), "int"),
            ("requested", t("col.requested", lang), "eur"), ("granted", t("col.granted", lang), "eur")],
            title=t("profile.grants.title", lang), subtitle=area_name[area])
else:
    st.subheader(t("profile.white.title", lang))
    st.caption(t("metric.white_spot.def", lang))
    ws = cached.white_spot_summary(area_code=area, lang=lang)
    ui.table_with_downloads(ws, f"aluekortti_{area}_katvealueet", lang, [
        ("label", t("col.activity_type", lang), "text"),
        ("municipalities", t("col.municipalities_without", lang), "int"),
        ("population", t("col.population_affected", lang), "int"),
        ("mean_distance_km", t("col.mean_distance_km", lang), "dec1")],
        title=t("profile.white.title", lang), subtitle=area_name[area])
    st.page_link("pages/4_katvealueet.py", label=t("profile.white.link", lang), icon=":material/arrow_forward:")
