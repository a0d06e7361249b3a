"""Järjestöt / Organisationer / Organisations: find one, see where it is visible and what to fix; a filterable list."""
from __future__ import annotations

import streamlit as st

from app import cached, figures, ui
from app.i18n import fmt_number, t
from app.queries import ALL, organisation_checklist

LIST_PAGE_ROWS = 250      # the list is shown a page at a time; its downloads carry the whole list

lang = ui.current_lang()
ui.page_header(lang, "orgs")

query = ui.text_param("q", t("orgs.search", lang), placeholder=t("orgs.search.placeholder", lang),
                      help=t("orgs.search.help", lang))
hits = cached.search_organisations(query) if query else None
org_id = None
if hits is not None:
    if hits.empty:
        st.warning(t("orgs.search.none", lang, q=ui.md_escape(query)))   # URL text: shown literally, never as Markdown
    else:
        names = dict(zip(hits["org_id"], hits["display"]))
        org_id = ui.select_param("org", t("orgs.search.pick", lang, n=len(hits)), list(names),
                                 format_func=names.get)
elif st.query_params.get("org"):
    # a shared link to one organisation, without the search words
    org_id = st.query_params.get("org")

detail = cached.organisation_detail(org_id=org_id, lang=lang) if org_id else None
if detail is not None and len(detail):
    o = detail.iloc[0]
    st.header(ui.md_escape(o["name"]))
    st.caption(" · ".join(x for x in [
        t("col.business_id", lang) + ": " + ui.text_or(o["business_id"], t("common.missing", lang)),
        t("col.home_area", lang) + ": " + ui.md_escape(ui.text_or(o["home_area"], "–")),
        t("col.sources", lang) + ": " + ", ".join(t(f"source.name.{s}", lang) for s in o["sources"])] if x))
    k1, k2, k3 = st.columns(3)
    k1.metric(t("metric.activities.label", lang), fmt_number(o["activities"], lang))
    k2.metric(t("col.municipalities", lang), fmt_number(o["municipalities"], lang))
    k3.metric(t("col.areas", lang), fmt_number(o["areas"], lang))

    left, right = st.columns([3, 2], gap="large")
    with left:
        st.subheader(t("orgs.map.title", lang))
        where = cached.organisation_map(org_id=org_id, lang=lang)
        if where.empty:
            st.info(t("orgs.map.none", lang))
        else:
            fig = figures.choropleth(where, cached.municipality_geojson(codes=tuple(where["code"])), height=560,
                                     colorbar_title=t("metric.activities.label", lang),
                                     hover_value_label=t("metric.activities.label", lang), value_fmt=",.0f",
                                     separators=ui.seps(lang), scale=figures.SEQUENTIAL_ALT)
            ui.chart_with_downloads(fig, f"jarjesto_{org_id}_kartta", lang, title=t("orgs.map.title", lang),
                                    subtitle=o["name"])
    with right:
        st.subheader(t("orgs.checklist.title", lang))
        checks, todo = organisation_checklist(o)
        for key, ok in checks:
            # material icons ship with the app (emoji depend on the viewer's fonts); the word says it for
            # screen readers and colour-blind users
            state = (":green[:material/check_circle:] " if ok else ":red[:material/cancel:] ")
            st.markdown(state + t(f"orgs.check.{key}", lang) + " — "
                        + t("orgs.check.ok" if ok else "orgs.check.missing", lang))
        st.markdown("**" + t("orgs.advice.title", lang) + "**")
        if todo:
            for key in todo:
                st.markdown("- " + t(f"orgs.advice.{key}", lang))
        else:
            st.success(t("orgs.advice.all_good", lang))
        st.markdown(t("orgs.advice.general", lang))

    st.subheader(t("orgs.activities.title", lang))
    acts = cached.organisation_activities(org_id=org_id, lang=lang)
    ui.table_with_downloads(acts, f"jarjesto_{org_id}_toiminnot", lang, [
        ("activity", t("col.activity", lang), "text"), ("activity_type", t("col.activity_type", lang), "text"),
        ("mode", t("col.mode", lang), "label:mode."), ("municipalities", t("col.municipalities", lang), "text"),
        ("is_national", t("col.national", lang), "bool"), ("languages", t("col.languages", lang), "text"),
        ("updated_at", t("col.updated", lang), "date"), ("source", t("col.source", lang), "label:source.name.")],
        title=t("orgs.activities.title", lang), subtitle=o["name"])
    st.divider()

st.subheader(t("orgs.list.title", lang))
areas = cached.areas(lang=lang)
area_name = {ALL: t("common.all_areas", lang), **dict(zip(areas["code"], areas["name"]))}
sources = [ALL, *cached.organisation_source_options()["source"]]     # the sources of this build
c1, c2 = st.columns(2)
area = ui.select_param("area", t("select.area", lang), list(area_name), format_func=area_name.get, container=c1)
source = ui.select_param("source", t("select.source", lang), sources, container=c2,
                         format_func=lambda s: t("common.all_sources", lang) if s == ALL else t(f"source.name.{s}", lang))
chosen = {"area_code": None if area == ALL else area, "source": None if source == ALL else source}
orgs = cached.organisation_list(**chosen, lang=lang)
total = cached.organisation_count(**chosen)
st.caption(t("orgs.list.count", lang, n=fmt_number(total, lang)) if total <= len(orgs) else
           t("orgs.list.count_cut", lang, shown=fmt_number(len(orgs), lang), n=fmt_number(total, lang)))
ui.table_with_downloads(orgs, "jarjestot", lang, [
    ("name", t("col.organisation", lang), "text"), ("business_id", t("col.business_id", lang), "text"),
    ("home_area", t("col.home_area", lang), "text"), ("activities", t("metric.activities.label", lang), "int"),
    ("municipalities", t("col.municipalities", lang), "int"), ("sources", t("col.sources", lang), "labels:source.name."),
    ("completeness", t("col.completeness", lang), "pct")], title=t("orgs.list.title", lang),
    subtitle=f"{area_name[area]}", page_rows=LIST_PAGE_ROWS)
