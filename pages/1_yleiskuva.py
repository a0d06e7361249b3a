"""Yleiskuva / Översikt / Overview: the 22 areas on a map, ranked, and as a table."""
from __future__ import annotations

from app import cached, figures, ui
from app.i18n import fmt_number, fmt_percent, t
from app.queries import ALL, METRICS

import streamlit as st

lang = ui.current_lang()
ui.page_header(lang, "overview")

types = cached.activity_types(lang=lang)
groups = cached.target_groups(lang=lang)
type_label = {ALL: t("common.all_types", lang), **dict(zip(types["code"], types["label"]))}
group_label = {ALL: t("common.all_groups", lang), **dict(zip(groups["code"], groups["label"]))}

c1, c2, c3 = st.columns(3)
metric = ui.select_param("metric", t("select.metric", lang), list(METRICS), container=c1,
                         format_func=lambda m: t(f"metric.{m}.label", lang), default="rate_per_10k",
                         help=t("select.metric.help", lang))
atype = ui.select_param("type", t("select.type", lang), list(type_label), format_func=type_label.get, container=c2)
group = ui.select_param("group", t("select.group", lang), list(group_label), format_func=group_label.get,
                        container=c3)

spec = METRICS[metric]
kind = ui.metric_kind(spec["kind"], spec["decimals"])
vfmt = figures.value_format(spec["kind"], spec["decimals"])
mlabel = t(f"metric.{metric}.label", lang)
df = cached.area_metrics(metric=metric, activity_type=atype, target_group=group, lang=lang)
country = cached.country_metrics(metric=metric, activity_type=atype, target_group=group)
nat_value = country["value"].iloc[0] if len(country) else None
selection = f"{type_label[atype]} · {group_label[group]}"

k1, k2, k3, k4 = st.columns(4)
k1.metric(t("kpi.country_value", lang, metric=mlabel), ui.fmt(nat_value, kind, lang))
k2.metric(t("kpi.activities", lang), fmt_number(country["activities"].iloc[0] if len(country) else None, lang))
k3.metric(t("kpi.orgs_active", lang), fmt_number(country["orgs_active"].iloc[0] if len(country) else None, lang))
k4.metric(t("kpi.coverage_pop", lang),
          fmt_percent(country["coverage_pop_share"].iloc[0] if len(country) else None, lang))
ui.brief_download(lang, name=t("common.country", lang))
if len(df) and df["small_number"].any():
    st.info(t("common.uncertain_note", lang, n=int(df["small_number"].sum())), icon=":material/warning:")

left, right = st.columns([3, 2], gap="large")
with left:
    st.subheader(t("overview.map.title", lang, metric=mlabel))
    fig = figures.choropleth(df, cached.area_geojson(), colorbar_title=t(f"metric.{metric}.unit", lang),
                             hover_value_label=mlabel, value_fmt=vfmt, separators=ui.seps(lang),
                             diverging=metric == "lq", uncertain_label=t("common.uncertain", lang))
    ui.chart_with_downloads(fig, "yleiskuva_kartta", lang, title=t("overview.map.title", lang, metric=mlabel),
                            subtitle=selection, definition_key=f"metric.{metric}.def")
with right:
    st.subheader(t("overview.ranking.title", lang))
    bar = figures.ranking_bar(df, value_label=mlabel, value_fmt=vfmt, separators=ui.seps(lang),
                              # a national total is no yardstick for one area's count: reference only for rates
                              reference=nat_value if spec["kind"] != "count" else None,
                              reference_label=t("common.country", lang),
                              uncertain_label=t("common.uncertain", lang), height=700)
    ui.chart_with_downloads(bar, "yleiskuva_jarjestys", lang, title=t("overview.ranking.title", lang),
                            subtitle=f"{mlabel} · {selection}", definition_key=f"metric.{metric}.def")

st.subheader(t("overview.table.title", lang))
ui.table_with_downloads(df, "yleiskuva_taulukko", lang, [
    ("name", t("col.area", lang), "text"),
    ("value", mlabel, kind),
    ("activities", t("metric.activities.label", lang), "int"),
    ("orgs_active", t("metric.orgs_active.label", lang), "int"),
    ("orgs_registered", t("metric.orgs_registered.label", lang), "int"),
    ("population", t("col.population", lang), "int"),
    ("coverage_muni_share", t("metric.coverage_muni_share.label", lang), "pct"),
    ("small_number", t("col.uncertain", lang), "flag"),
], title=t("overview.table.title", lang), subtitle=f"{mlabel} · {selection}")

reach = cached.national_reach(lang=lang)
if len(reach):
    box = ui.lazy_expander(t("overview.national_reach.title", lang, n=fmt_number(reach["activities"].sum(), lang)),
                           "national_reach")
    if box.open:
        with box:
            st.markdown(t("overview.national_reach.body", lang))
            ui.table_with_downloads(reach, "valtakunnallinen", lang, [
                ("label", t("col.activity_type", lang), "text"),
                ("activities", t("metric.activities.label", lang), "int"),
                ("organisations", t("col.organisations", lang), "int"),
            ], title=t("overview.national_reach.short", lang))
