"""Tarkista aineisto / Granska filen / Check a file: an uploaded activity register file checked as the build
would load it, in memory (app.upload_check); nothing is saved."""
from __future__ import annotations

import streamlit as st

from app import cached, ui, upload_check
from app.i18n import fmt_number, t
from etl import paths

lang = ui.current_lang()
ui.page_header(lang, "check")
st.info(t("check.privacy", lang), icon=":material/lock:")
st.caption(t("check.template_hint", lang))

# no `type=` filter: Streamlit would raise on another type; app.upload_check refuses it with a plain message
upload = st.file_uploader(t("check.upload.label", lang), key="check_upload",
                          help=t("check.upload.help", lang, mb=upload_check.MAX_BYTES // (1024 * 1024),
                                 rows=fmt_number(upload_check.MAX_ROWS, lang)))
if upload is not None:
    with st.spinner(t("check.running", lang)):
        result = upload_check.check_upload(upload.name, upload.getvalue(), cached.connection(),
                                           reference_dir=paths.reference_dir(), offline_dir=paths.offline_dir())
    if result.error:
        st.error(result.error.text(lang), icon=":material/block:")
    else:
        for note in result.notes:
            st.warning(note.text(lang), icon=":material/info:")
        c1, c2, c3 = st.columns(3)
        c1.metric(t("check.summary.load", lang), fmt_number(result.count("load"), lang))
        c2.metric(t("check.summary.set_aside", lang), fmt_number(result.count("set_aside"), lang))
        c3.metric(t("check.summary.example", lang), fmt_number(result.count("example"), lang))
        orgs = upload_check.organisation_summary(result)
        st.markdown(t("check.orgs.summary", lang, **{k: fmt_number(v, lang) for k, v in orgs.items()}))
        st.subheader(t("check.set_aside.title", lang))
        if result.set_aside:
            st.dataframe(upload_check.set_aside_frame(result, lang), hide_index=True)
        else:
            st.success(t("check.set_aside.none", lang), icon=":material/check_circle:")
        st.subheader(t("check.rows.title", lang))
        st.dataframe(upload_check.rows_frame(result, lang, paths.reference_dir()), hide_index=True)
        # the report is written only when the button is clicked (a callable: 5,000 rows take seconds in openpyxl)
        st.download_button(t("check.report.download", lang),
                           lambda: upload_check.report_xlsx(result, lang, paths.reference_dir()),
                           file_name=upload_check.report_filename(lang), on_click="ignore", key="check_report",
                           mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        st.markdown(t("check.next_step", lang))
