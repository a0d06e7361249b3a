"""Page frame for the pages: language and URL state, the warehouse guard, banner, header, source line, CSS and
footer.

Every selector goes through `select_param`, which reads its first value from the URL (st.query_params) and
writes the current choice back, so any view can be shared as a link. Widget keys are prefixed `jk_`.
"""
from __future__ import annotations

import json
import logging
from typing import Any, Callable, Sequence

import duckdb
import streamlit as st

from app import cached, db
from app.i18n import DEFAULT_LANG, LANG_NAMES, LANGS, t

PLOTLY_CONFIG = {"topojsonURL": "/app/static/topojson/", "displaylogo": False, "responsive": True,
                 "modeBarButtonsToRemove": ["select2d", "lasso2d", "toImage"]}
LANG_KEY = "jk_lang"
log = logging.getLogger(__name__)


# -- language and URL state ---------------------------------------------------------------------------------------

def current_lang() -> str:
    v = st.session_state.get(LANG_KEY) or st.query_params.get("lang")
    return v if v in LANGS else DEFAULT_LANG


def language_switch() -> str:
    """The one language switch (sidebar). Kept in session state so it survives page changes, and in the URL."""
    qp = st.query_params.get("lang")
    start = st.session_state.get(LANG_KEY) or (qp if qp in LANGS else DEFAULT_LANG)
    lang = st.sidebar.selectbox("Kieli · Språk · Language", LANGS, index=LANGS.index(start),
                                format_func=LANG_NAMES.get, key=LANG_KEY)
    st.query_params["lang"] = lang
    return lang


def select_param(param: str, label: str, options: Sequence[Any], *, format_func: Callable[[Any], str] = str,
                 default: Any = None, widget: str = "selectbox", container: Any = None, help: str | None = None,
                 horizontal: bool = True) -> Any:
    """A selector whose value lives in the URL as `param` (shared links reopen the same view)."""
    options = list(options)
    if not options:
        return None
    key = f"jk_{param}"
    if key in st.session_state and st.session_state[key] not in options:
        del st.session_state[key]          # the options changed (e.g. another area): start again
    qp = st.query_params.get(param)
    if key in st.session_state:
        start = st.session_state[key]
    elif qp is not None and qp in [str(o) for o in options]:
        start = options[[str(o) for o in options].index(qp)]
    else:
        start = default if default in options else options[0]
    box = container or st
    if widget == "radio":
        value = box.radio(label, options, index=options.index(start), format_func=format_func, key=key,
                          help=help, horizontal=horizontal)
    else:
        value = box.selectbox(label, options, index=options.index(start), format_func=format_func, key=key,
                              help=help)
    st.query_params[param] = str(value)
    return value


def text_param(param: str, label: str, *, placeholder: str = "", container: Any = None,
               help: str | None = None) -> str:
    key = f"jk_{param}"
    start = st.session_state.get(key, st.query_params.get(param, ""))
    box = container or st
    value = box.text_input(label, value=start, placeholder=placeholder, key=key, help=help)
    if value:
        st.query_params[param] = value
    elif param in st.query_params:
        del st.query_params[param]
    return value


# -- warehouse guard, header, banner, sources ---------------------------------------------------------------------

def require_warehouse(lang: str) -> bool:
    """False (after a friendly message) when there is no warehouse to read."""
    if db.warehouse_exists():
        return True
    # the server path is for the operator's log, never for the page
    log.warning("no warehouse at %s", db.warehouse_path())
    st.error(t("app.no_warehouse.title", lang), icon=":material/database_off:")
    st.markdown(t("app.no_warehouse.body", lang))
    st.code("python -m etl all", language="bash")
    return False


def show_db_error(lang: str, err: Exception) -> None:
    st.error(t("app.db_error.title", lang), icon=":material/error:")
    st.markdown(t("app.db_error.body", lang))
    st.code("python -m etl all", language="bash")
    log.error("database error on a page: %s: %s", type(err).__name__, err)   # details in the server log only


def _make_build_row() -> dict[str, Any]:
    info = cached.build_info()
    return info.iloc[0].to_dict() if len(info) else {}


def build_row() -> dict[str, Any]:
    """The _meta_build row of the warehouse (looked up once per script run)."""
    return dict(cached.per_run("build_row", _make_build_row))


def is_demo() -> bool:
    return bool(build_row().get("is_demo", False))


def demo_banner(lang: str) -> None:
    if is_demo():
        st.warning(t("app.demo_banner", lang), icon=":material/science:")


def page_header(lang: str, key: str) -> None:
    """Demo banner (every page, when the build is demo), title and intro."""
    demo_banner(lang)
    st.title(t(f"page.{key}.title", lang))
    intro = t(f"page.{key}.intro", lang)
    if intro != f"page.{key}.intro":
        st.markdown(intro)


def _make_source_text(lang: str, source_ids: tuple[str, ...] | None) -> str:
    from app.brief import source_line_text

    src = cached.sources(lang=lang)
    if source_ids:
        src = src[src["source_id"].isin(list(source_ids))]
    return source_line_text(src, build_row(), lang)


def source_text(lang: str, source_ids: Sequence[str] | None = None) -> str:
    ids = tuple(source_ids) if source_ids else None
    return cached.per_run(f"source_text|{lang}|{ids}", lambda: _make_source_text(lang, ids))


def source_line(lang: str, source_ids: Sequence[str] | None = None, definition_key: str | None = None) -> None:
    text = source_text(lang, source_ids)
    if definition_key:
        text = t(definition_key, lang) + "  \n" + text
    st.caption(text)



def lazy_expander(label: str, key: str, *, container: Any = None) -> Any:
    """An expander whose content the page draws only while it is open (`if box.open: with box: ...`): a closed
    one runs no queries and sends no table. Opening or closing it reruns the page."""
    return (container or st).expander(label, key=f"jk_exp_{key}", on_change="rerun")


# Captions (source lines, the footer) are drawn at opacity 0.6 by Streamlit, which gives 4.1:1 on the sidebar grey
# and 4.2:1 on white; full opacity in this grey gives 6.2:1 and 6.8:1 (WCAG 2.1 AA asks 4.5:1 for normal text).
CAPTION_COLOUR = "#555B66"
APP_CSS = f"""<style>
[data-testid="stCaptionContainer"] {{ opacity: 1; }}
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p {{ color: {CAPTION_COLOUR}; }}
@media (max-width: 640px) {{  /* a phone: page titles in a size where the long Finnish and Swedish words fit */
  [data-testid="stMainBlockContainer"] h1 {{ font-size: 2rem; }}
}}
</style>"""


def page_chrome(lang: str) -> None:
    """The app's CSS, and `<html lang>` set to the chosen language (WCAG 3.1.1: screen readers read Finnish as
    Finnish). Streamlit serves its page with lang="en" and has no setting for it, so a one-line script does it;
    `lang` is one of LANGS, never text from the URL."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}")
    st.html(APP_CSS)
    st.sidebar.html(f"<script>document.documentElement.lang = {json.dumps(lang)};</script>",
                    unsafe_allow_javascript=True)


def footer(lang: str) -> None:
    st.sidebar.caption(t("app.footer", lang))


def guarded(lang: str, body: Callable[[], None]) -> None:
    """Run a page body; a warehouse that lacks a table (old or partial build) gives a message, not a traceback."""
    try:
        body()
    except duckdb.Error as err:
        show_db_error(lang, err)
