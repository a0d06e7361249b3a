"""Palvelupolut / Servicestigar / Service paths: one path in one area (or the country): the municipality map by
interface status (its municipalities as a table when opened), the path read left to right through its stages, what
a service counsellor can refer to in one municipality, and its referral card (PDF). Below the map one part at a time
(the path view, or the referral lists with the card), so a rerun runs only the queries, charts and tables of the part
shown."""
from __future__ import annotations

import streamlit as st

from app import cached, figures, ui
from app.i18n import fmt_number, t
from app.queries import ALL
from app.queries import COUNTRY, PAGE_SOURCES, STATUSES
from app.referral_card import referral_filename

SECTIONS = ("view", "refer")
LIST_PAGE_ROWS = 250     # a long referral list is shown a page at a time; its downloads and the card carry it all

lang = ui.current_lang()
ui.page_header(lang, "paths")
if not cached.has_table(name="mart_path_municipality"):
    st.info(t("paths.not_built", lang), icon=":material/info:")
    st.stop()

paths = cached.service_paths(lang=lang)
path_label = dict(zip(paths["code"], paths["label"]))
areas = cached.areas(lang=lang)
area_name = {ALL: t("common.country", lang), **dict(zip(areas["code"], areas["name"]))}
c1, c2, c3 = st.columns(3)
path = ui.select_param("path", t("paths.select.path", lang), list(path_label), format_func=path_label.get,
                       container=c1)
area = ui.select_param("area", t("select.area", lang), list(area_name), format_func=area_name.get, container=c2)
area_code = None if area == ALL else area
munis = cached.path_municipalities(path_code=path, area_code=area_code, lang=lang) if path else None
if path is None or munis is None or munis.empty:
    st.info(t("paths.no_data", lang), icon=":material/info:")
    st.stop()
muni_name = dict(zip(munis["code"], munis["name"]))
muni = ui.select_param("muni", t("paths.select.municipality", lang), list(muni_name), format_func=muni_name.get,
                       container=c3)
status_label = {s: t(f"paths.status.{s}", lang) for s in STATUSES}
selection = f"{path_label[path]} · {area_name[area]}"

summary = cached.path_area(path_code=path, area_code=area_code or COUNTRY)
if len(summary):
    s = summary.iloc[0]
    for col, status in zip(st.columns(4), STATUSES):
        col.metric(status_label[status], fmt_number(s[f"municipalities_{status}"], lang),
                   help=t(f"paths.status.{status}.help", lang))
        col.caption(t("paths.population", lang, n=fmt_number(s[f"population_{status}"], lang)))

st.subheader(t("paths.map.title", lang, path=path_label[path]))
fig = figures.status_map(munis, cached.municipality_geojson(area_code=area_code), labels=status_label,
                         legend_title=t("paths.status.label", lang), separators=ui.seps(lang),
                         height=700 if area_code is None else 600)
ui.chart_with_downloads(fig, f"palvelupolut_{path}_{area}_kartta", lang,
                        title=t("paths.map.title", lang, path=path_label[path]), subtitle=area_name[area],
                        source_ids=PAGE_SOURCES, definition_key="paths.status.def")
# the map's municipalities as a table, drawn only while opened: closed, the page sends no table and no download
# buttons for it, and the browser draws the map sooner (issue 14: the table was the largest part drawn beside it)
munis_box = ui.lazy_expander(t("paths.table.open", lang), "paths_munis")
if munis_box.open:
    with munis_box:
        ui.table_with_downloads(munis, f"palvelupolut_{path}_{area}_kunnat", lang, [
            ("name", t("col.municipality", lang), "text"),
            ("status", t("paths.status.label", lang), "label:paths.status."),
            ("population", t("col.population", lang), "int"),
            ("public_points", t("paths.col.public_points", lang), "int"),
            ("public_services_covering", t("paths.col.public_covering", lang), "int"),
            ("org_in_person", t("paths.col.org_in_person", lang), "int"),
            ("org_national", t("paths.col.org_national", lang), "int"),
            ("nearest_name", t("paths.col.nearest", lang), "text"),
            ("nearest_distance_km", t("col.distance_km", lang), "dec1")], title=t("paths.table.title", lang),
            subtitle=selection, height=600)

# the lower half in parts, one drawn at a time: a part not chosen does not run (no queries, tables or charts)
section = ui.select_param("section", t("paths.section", lang), list(SECTIONS), widget="radio",
                          format_func=lambda s: t(f"paths.section.{s}", lang))
if section == "view":
    st.subheader(t("paths.view.title", lang))
    side_labels = {"organisations": t("paths.side.organisations", lang), "public": t("paths.side.public", lang)}
    area_stages = cached.path_stage_counts(path_code=path, area_code=area_code or COUNTRY, lang=lang)
    muni_stages = cached.path_stage_counts(path_code=path, municipality_code=muni, lang=lang)
    views = ((area_name[area], area_stages, area, selection),
             (muni_name[muni], muni_stages, muni, f"{path_label[path]} · {muni_name[muni]}"))
    for column, (place, stages, code, subtitle) in zip(st.columns(2, gap="large"), views):
        with column:
            st.markdown(f"**{ui.md_escape(place)}**")
            fig = figures.path_view(stages, value_label=t("paths.view.count", lang), side_labels=side_labels,
                                    separators=ui.seps(lang))
            ui.chart_with_downloads(fig, f"palvelupolut_{path}_{code}_polku", lang, title=t("paths.view.title", lang),
                                    subtitle=subtitle, source_ids=PAGE_SOURCES, definition_key="paths.view.def")
    table_box = ui.lazy_expander(t("common.as_table", lang), "paths_stages")
    if table_box.open:
        with table_box:
            st.caption(t("paths.rate.def", lang))
            ui.table_with_downloads(area_stages, f"palvelupolut_{path}_{area}_vaiheet", lang, [
                ("label", t("paths.col.stage", lang), "text"), ("activities", t("paths.view.count", lang), "int"),
                ("rate", t("paths.col.rate", lang), "dec2"),
                ("rate_unit", t("paths.col.rate_unit", lang), "label:paths.unit."),
                ("small_number", t("col.uncertain", lang), "flag")], title=t("paths.view.title", lang),
                subtitle=selection)
else:
    st.subheader(t("paths.refer.title", lang, municipality=muni_name[muni]))
    st.caption(t("paths.card.lists.def", lang))
    st.download_button(t("paths.card.button", lang), data=lambda: cached.referral_pdf(path, muni, lang),
                       file_name=referral_filename(muni_name[muni], path_label[path], lang, ui.is_demo()),
                       mime="application/pdf", on_click="ignore", key=f"jk_dl_card_{path}_{muni}",
                       icon=":material/picture_as_pdf:", help=t("paths.card.help", lang))
    listing = f"{path_label[path]} · {muni_name[muni]}"
    org_cols = [("organisation", t("col.organisation", lang), "text"),
                ("languages", t("col.languages", lang), "text"), ("url", t("col.url", lang), "text")]
    stage_col = ("stage", t("paths.col.stage", lang), "text")
    activity_col = ("activity", t("col.activity", lang), "text")
    referral_lists = [   # (title, file suffix, rows, columns, subtitle, pager in the URL)
        (t("paths.card.public", lang, municipality=muni_name[muni]), f"{muni}_julkiset",
         cached.path_public_services(path_code=path, municipality_code=muni, lang=lang),
         [("service", t("paths.col.service", lang), "text"), ("via", t("paths.col.via", lang), "label:paths.via."),
          ("address", t("paths.col.address", lang), "text"), *org_cols], listing, "rows_public"),
        (t("paths.card.local", lang, municipality=muni_name[muni]), f"{muni}_toiminnot",
         cached.path_local_activities(path_code=path, municipality_code=muni, lang=lang),
         [stage_col, activity_col, *org_cols, ("open_to_all", t("paths.open_to_all", lang), "bool")], listing,
         "rows_local"),
        (t("paths.card.nearby", lang), f"{muni}_lahella",
         cached.path_nearby_activities(path_code=path, municipality_code=muni, lang=lang),
         [stage_col, ("municipality", t("col.municipality", lang), "text"),
          ("distance_km", t("col.distance_km", lang), "dec1"), activity_col, *org_cols], listing, "rows_nearby"),
        (t("paths.card.national", lang), "valtakunnalliset",
         cached.path_national_activities(path_code=path, lang=lang),
         [stage_col, activity_col, ("mode", t("paths.col.mode", lang), "label:mode."), *org_cols],
         path_label[path], "rows_national"),
    ]
    for title, suffix, frame, columns, subtitle, pager in referral_lists:
        st.markdown(f"**{ui.md_escape(title)}**")
        if frame.empty:
            st.caption(t("paths.card.none", lang))
            continue
        ui.table_with_downloads(frame, f"palvelupolut_{path}_{suffix}", lang, columns, title=title,
                                subtitle=subtitle, page_rows=LIST_PAGE_ROWS, page_param=pager)
st.caption(ui.source_text(lang, PAGE_SOURCES))
