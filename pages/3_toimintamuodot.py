"""Toimintamuodot / Verksamhetsformer / Activity types: area x type matrix and the target-group breakdown."""
from __future__ import annotations

import streamlit as st

from app import cached, figures, ui
from app.i18n import t
from app.queries import ALL, MATRIX_METRICS, METRICS

lang = ui.current_lang()
ui.page_header(lang, "types")

types = cached.activity_types(lang=lang)
groups = cached.target_groups(lang=lang)
group_label = {ALL: t("common.all_groups", lang), **dict(zip(groups["code"], groups["label"]))}
type_label = {ALL: t("common.all_types", lang), **dict(zip(types["code"], types["label"]))}
areas = cached.areas(lang=lang)

c1, c2 = st.columns(2)
metric = ui.select_param("metric", t("select.metric", lang), list(MATRIX_METRICS), container=c1,
                         default="rate_per_10k", format_func=lambda m: t(f"metric.{m}.label", lang))
group = ui.select_param("group", t("select.group", lang), list(group_label), format_func=group_label.get,
                        container=c2)
spec = METRICS[metric]
mlabel = t(f"metric.{metric}.label", lang)
matrix = cached.type_matrix(metric=metric, target_group=group, lang=lang)
st.subheader(t("types.heatmap.title", lang, metric=mlabel))
fig = figures.heatmap(matrix, x_col="type_label", y_col="name", x_order=types["label"],
                      y_order=areas["name"], colorbar_title=t(f"metric.{metric}.unit", lang), separators=ui.seps(lang),
                      value_fmt=figures.value_format(spec["kind"], spec["decimals"]), diverging=metric == "lq",
                      hover_x=t("col.activity_type", lang), hover_y=mlabel, uncertain_label=t("common.uncertain", lang))
ui.chart_with_downloads(fig, f"toimintamuodot_{metric}", lang, title=t("types.heatmap.title", lang, metric=mlabel),
                        subtitle=group_label[group], definition_key=f"metric.{metric}.def")
table_box = ui.lazy_expander(t("common.as_table", lang), "types_table")
if table_box.open:
    with table_box:
        ui.table_with_downloads(matrix, f"toimintamuodot_{metric}_taulukko", lang, [
            ("name", t("col.area", lang), "text"), ("type_label", t("col.activity_type", lang), "text"),
            ("value", mlabel, ui.metric_kind(spec["kind"], spec["decimals"])),
            ("small_number", t("col.uncertain", lang), "flag")], title=t("types.heatmap.title", lang, metric=mlabel),
            subtitle=group_label[group])

st.subheader(t("types.groups.title", lang))
area_name = {ALL: t("common.country", lang), **dict(zip(areas["code"], areas["name"]))}
c3, c4 = st.columns(2)
area = ui.select_param("area", t("select.area", lang), list(area_name), format_func=area_name.get, container=c3)
atype = ui.select_param("type", t("select.type", lang), list(type_label), format_func=type_label.get, container=c4)
tg = cached.target_group_breakdown(activity_type=atype, area_code=None if area == ALL else area, lang=lang)
bar = figures.ranking_bar(tg, value_col="rate_per_1k_band", label_col="label",
                          value_label=t("metric.rate_per_1k_band.label", lang), value_fmt=",.3f",
                          separators=ui.seps(lang), uncertain_label=t("common.uncertain", lang))
ui.chart_with_downloads(bar, "kohderyhmat", lang, title=t("types.groups.title", lang),
                        subtitle=f"{area_name[area]} · {type_label[atype]}", definition_key="metric.rate_per_1k_band.def")
ui.table_with_downloads(tg, "kohderyhmat_taulukko", lang, [
    ("label", t("col.target_group", lang), "text"), ("activities", t("metric.activities.label", lang), "int"),
    ("rate_per_1k_band", t("metric.rate_per_1k_band.label", lang), "dec3"),
    ("band_population", t("col.band_population", lang), "int"),
    ("small_number", t("col.uncertain", lang), "flag")], title=t("types.groups.title", lang),
    subtitle=f"{area_name[area]} · {type_label[atype]}")
