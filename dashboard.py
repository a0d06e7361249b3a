"""Järjestökartta: where Finland's social and health organisations are active. Entry point only:
page config, language switch, navigation, demo banner. Run: python -m app.serve (or make run)"""
from __future__ import annotations

from pathlib import Path

import streamlit as st

from app import ui
from app.i18n import t

HERE = Path(__file__).parent
# Start the app with `python -m app.serve` (what `make run` does): a pages/ folder beside the entry point makes
# Streamlit run its old (v1) multipage mode until st.navigation has run once in the process, so a visitor whose
# first request is a deep link would get the page without this file (no language switch). app/serve.py switches
# that detection off before the server starts.
PAGES = [  # (file, url path, title key, icon)
    ("pages/1_yleiskuva.py", "yleiskuva", "overview", ":material/map:"),
    ("pages/2_aluekortti.py", "aluekortti", "profile", ":material/location_city:"),
    ("pages/3_toimintamuodot.py", "toimintamuodot", "types", ":material/grid_view:"),
    ("pages/4_katvealueet.py", "katvealueet", "gaps", ":material/report:"),
    ("pages/5_jarjestot.py", "jarjestot", "orgs", ":material/groups:"),
    ("pages/6_tiedot.py", "tiedot", "data", ":material/info:"),
    ("pages/7_palvelupolut.py", "palvelupolut", "paths", ":material/route:"),
    ("pages/8_tarkista_aineisto.py", "tarkista_aineisto", "check", ":material/fact_check:"),
]

st.set_page_config(page_title="Järjestökartta", page_icon=str(HERE / "static" / "favicon.png"), layout="wide",
                   initial_sidebar_state="auto")   # collapsed on a phone, open on a wide screen
lang = ui.language_switch()
nav = st.navigation([st.Page(f, title=t(f"page.{k}.nav", lang), icon=icon, url_path=u, default=i == 0)
                     for i, (f, u, k, icon) in enumerate(PAGES)])
st.logo(str(HERE / "static" / "favicon.png"), size="large")
st.sidebar.markdown(f"**{t('app.name', lang)}**  \n{t('app.tagline', lang)}")
ui.footer(lang)
ui.page_chrome(lang)
if ui.require_warehouse(lang):
    ui.guarded(lang, nav.run)     # each page starts with ui.page_header (demo banner, title, intro)
