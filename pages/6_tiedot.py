"""Tiedot ja menetelmät / Data och metoder / Data & methods: sources, build, rows set aside, definitions."""
from __future__ import annotations

import streamlit as st

from app import cached, db, file_check, template_file, ui
from app.i18n import fmt_date, fmt_number, t
from app.queries import ALL, METRICS

lang = ui.current_lang()
ui.page_header(lang, "data")

b = ui.build_row()
k1, k2, k3, k4 = st.columns([3, 2, 1, 1])
# long values as text, not st.metric (which cuts them off)
k1.markdown(f"**{t('data.build_id', lang)}**  \n`{b.get('build_id', '–')}`")
k2.markdown(f"**{t('data.built_at', lang)}**  \n{fmt_date(b.get('built_at'), lang, with_time=True)}")
k3.markdown(f"**{t('data.kind', lang)}**  \n{t('data.kind.demo' if b.get('is_demo') else 'data.kind.real', lang)}")
k4.markdown(f"**{t('data.duration', lang)}**  \n{fmt_number(b.get('duration_s'), lang, 1)} s")
if b.get("git_commit"):
    st.caption(t("data.commit", lang, commit=str(b.get("git_commit"))[:12]))

section = ui.select_param("section", t("data.section", lang),
                          ["sources", "quarantine", "methods", "accessibility", "template"],
                          widget="radio", format_func=lambda s: t(f"data.section.{s}", lang))

if section == "sources":
    st.subheader(t("data.sources.title", lang))
    ui.table_with_downloads(cached.sources(lang=lang), "lahteet", lang, [
        ("source_id", t("col.dataset", lang), "label:source.name."), ("title", t("col.title", lang), "text"),
        ("publisher", t("col.publisher", lang), "text"),
        ("licence", t("col.licence", lang), "text"), ("attribution", t("col.attribution", lang), "text"),
        ("retrieved_at", t("col.retrieved", lang), "datetime"), ("rows", t("col.rows", lang), "int"),
        ("file", t("col.file", lang), "text"), ("url", t("col.url", lang), "text")],
        title=t("data.sources.title", lang))
    st.subheader(t("data.rows.title", lang))
    ui.table_with_downloads(cached.row_counts(), "rivimaarat", lang, [
        ("table", t("col.table", lang), "text"), ("rows", t("col.rows", lang), "int")],
        title=t("data.rows.title", lang))

elif section == "quarantine":
    st.subheader(t("data.quarantine.title", lang))
    st.markdown(t("data.quarantine.intro", lang))
    summary = cached.quarantine_summary()
    st.metric(t("data.quarantine.total", lang), fmt_number(summary["rows"].sum(), lang))
    ui.table_with_downloads(summary, "karanteeni_yhteenveto", lang, [
        ("source", t("col.source", lang), "label:source.name."),
        ("reason_code", t("col.reason", lang), "label:reason."), ("rows", t("col.rows", lang), "int")],
        title=t("data.quarantine.title", lang))
    c1, c2 = st.columns(2)
    src = ui.select_param("qsource", t("col.source", lang), [ALL] + sorted(summary["source"].unique()),
                          container=c1, format_func=lambda s: t("common.all_sources", lang) if s == ALL
                          else t(f"source.name.{s}", lang))
    reason = ui.select_param("reason", t("col.reason", lang), [ALL] + sorted(summary["reason_code"].unique()),
                             container=c2, format_func=lambda r: t("common.all", lang) if r == ALL
                             else t(f"reason.{r}", lang))
    with_raw = db.show_raw_records()      # operator setting: the raw records are not for the public
    rows = cached.quarantine_rows(source=None if src == ALL else src, reason_code=None if reason == ALL else reason,
                                  with_raw=with_raw)
    st.caption(t("data.quarantine.shown", lang, n=fmt_number(len(rows), lang)))
    ui.table_with_downloads(rows, "karanteeni", lang, [
        ("source", t("col.source", lang), "label:source.name."), ("file", t("col.file", lang), "text"),
        ("record_ref", t("col.record_ref", lang), "text"), ("reason_code", t("col.reason", lang), "label:reason."),
        ("message", t("col.message", lang), "text"), *([("raw", t("col.raw", lang), "text")] if with_raw else [])],
        title=t("data.quarantine.title", lang))

elif section == "methods":
    st.subheader(t("data.methods.title", lang))
    for m in METRICS:
        st.markdown(f"**{t(f'metric.{m}.label', lang)}** — {t(f'metric.{m}.def', lang)}")
    for k in ("white_spot", "need_supply", "small_number", "data_gap", "national_reach", "similar"):
        st.markdown(f"**{t(f'metric.{k}.label', lang)}** — {t(f'metric.{k}.def', lang)}")

elif section == "template":
    st.subheader(t("data.template.title", lang))
    st.markdown(t("data.template.body", lang))
    c1, c2 = st.columns(2)
    con = cached.connection()   # the files are made when a button is clicked (callables)
    c1.download_button(t("data.template.xlsx", lang), lambda: template_file.template_xlsx(
        lang, template_file.taxonomy(), file_check.municipality_rows(con)),
        file_name=template_file.template_filename(lang, "xlsx"), on_click="ignore", key="template_xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    c2.download_button(t("data.template.csv", lang), lambda: template_file.template_csv(lang, template_file.taxonomy()),
                       file_name=template_file.template_filename(lang, "csv"), on_click="ignore",
                       key="template_csv", mime="text/csv")
    st.page_link("pages/8_tarkista_aineisto.py", label=t("page.check.nav", lang), icon=":material/fact_check:")

else:
    st.subheader(t("data.accessibility.title", lang))
    st.markdown(t("data.accessibility.body", lang))
