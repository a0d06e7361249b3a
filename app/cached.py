"""The only module with Streamlit caching: thin wrappers over app.queries keyed on the warehouse build.

`cache_resource` holds only the read-only connection (one per warehouse file version); every result is
`cache_data` keyed on plain arguments plus the build key (file stamp + build id), so a rebuild is picked up at
once. Callers get a copy of each frame (cache_data pickles), so mutating one never touches the cache.
"""
from __future__ import annotations

from typing import Any, Callable

import duckdb
import pandas as pd
import streamlit as st
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

from app import db, queries


@st.cache_resource(max_entries=4, show_spinner=False)
def _connection(stamp: str) -> duckdb.DuckDBPyConnection:
    return db.connect()


def connection() -> duckdb.DuckDBPyConnection:
    return _connection(db.warehouse_stamp())


@st.cache_data(max_entries=8, show_spinner=False, ttl=3600)
def _build_id(stamp: str) -> str:
    info = queries.build_info(_connection(stamp))
    return str(info["build_id"].iloc[0]) if len(info) else ""


def per_run(name: str, make: Callable[[], Any]) -> Any:
    """`make()` once per script run (a rerun starts afresh): the build key and other values a page asks for many
    times in one run are looked up once, and one run sees one build throughout. Outside a script run (a download
    made on click, a plain test) every call makes the value anew."""
    ctx = get_script_run_ctx(suppress_warning=True)
    if ctx is None:
        return make()
    memo = getattr(ctx, "_jk_per_run", None)
    if memo is None or memo[0] is not ctx.cursors:       # ctx.cursors is a new dict at the start of every run
        memo = (ctx.cursors, {})
        ctx._jk_per_run = memo
    if name not in memo[1]:
        memo[1][name] = make()
    return memo[1][name]


def _make_build_key() -> str:
    stamp = db.warehouse_stamp()
    return f"{stamp}|{_build_id(stamp)}"


def build_key() -> str:
    return per_run("build_key", _make_build_key)


@st.cache_data(max_entries=512, show_spinner=False)
def _run(name: str, key: str, params: tuple[tuple[str, Any], ...]) -> Any:
    stamp = key.split("|", 1)[0]
    return _query(name)(_connection(stamp), **dict(params))


def _query(name: str) -> Callable[..., Any]:
    """A query function of app.queries."""
    return getattr(queries, name)


def _wrap(name: str) -> Callable[..., pd.DataFrame]:
    def call(**params: Any) -> pd.DataFrame:
        return _run(name, build_key(), tuple(sorted(params.items())))
    call.__name__ = name
    call.__doc__ = _query(name).__doc__
    return call


build_info = _wrap("build_info")
sources = _wrap("sources")
row_counts = _wrap("row_counts")
quarantine_summary = _wrap("quarantine_summary")
quarantine_rows = _wrap("quarantine_rows")
has_table = _wrap("has_table")
areas = _wrap("areas")
municipalities = _wrap("municipalities")
activity_types = _wrap("activity_types")
target_groups = _wrap("target_groups")
geo_areas = _wrap("geo_areas")
geo_municipalities = _wrap("geo_municipalities")
area_metrics = _wrap("area_metrics")
country_metrics = _wrap("country_metrics")
national_reach = _wrap("national_reach")
municipality_metrics = _wrap("municipality_metrics")
type_profile = _wrap("type_profile")
similar_areas = _wrap("similar_areas")
area_organisations = _wrap("area_organisations")
area_activities = _wrap("area_activities")
grants_by_year = _wrap("grants_by_year")
white_spots = _wrap("white_spots")
white_spot_summary = _wrap("white_spot_summary")
municipality_status = _wrap("municipality_status")
need_supply = _wrap("need_supply")
data_gaps = _wrap("data_gaps")
organisation_index = _wrap("organisation_index")
organisation_list = _wrap("organisation_list")
organisation_count = _wrap("organisation_count")
organisation_detail = _wrap("organisation_detail")
organisation_sources = _wrap("organisation_sources")
organisation_activities = _wrap("organisation_activities")
organisation_types = _wrap("organisation_types")
organisation_municipalities = _wrap("organisation_municipalities")
organisation_map = _wrap("organisation_map")
organisation_source_options = _wrap("organisation_source_options")
type_matrix = _wrap("type_matrix")
target_group_breakdown = _wrap("target_group_breakdown")


swedish_coverage = _wrap("swedish_coverage")
white_spot_top = _wrap("white_spot_top")
service_paths = _wrap("service_paths")
path_stages = _wrap("path_stages")
path_municipalities = _wrap("path_municipalities")
path_area = _wrap("path_area")
path_stage_counts = _wrap("path_stage_counts")
path_local_activities = _wrap("path_local_activities")
path_nearby_activities = _wrap("path_nearby_activities")
path_national_activities = _wrap("path_national_activities")
path_public_services = _wrap("path_public_services")


@st.cache_data(max_entries=12, show_spinner=False)
def _brief_pdf(key: str, kind: str, area_code: str | None, lang: str) -> bytes:
    from app import brief, exports

    con = _connection(key.split("|", 1)[0])
    data, meta = brief.national_brief(con, lang) if kind == "national" else brief.area_brief(con, area_code, lang)
    return exports.brief_pdf(data, meta)


def brief_pdf(kind: str, lang: str, area_code: str | None = None) -> bytes:
    """The area (kind "area") or national (kind "national") brief as PDF bytes, made once per build."""
    return _brief_pdf(build_key(), kind, area_code, lang)


@st.cache_data(max_entries=12, show_spinner=False)
def _referral_pdf(key: str, path_code: str, municipality_code: str, lang: str) -> bytes:
    from app import referral_card

    return referral_card.referral_card_pdf(_connection(key.split("|", 1)[0]), path_code, municipality_code, lang)


def referral_pdf(path_code: str, municipality_code: str, lang: str) -> bytes:
    """The referral card of one municipality and path as PDF bytes, made once per build (on click)."""
    return _referral_pdf(build_key(), path_code, municipality_code, lang)


@st.cache_data(max_entries=64, show_spinner=False)
def _search(key: str, query: str, limit: int) -> pd.DataFrame:
    return queries.rank_organisations(_run("organisation_index", key, ()), query, limit=limit)


def search_organisations(query: str, limit: int = 20) -> pd.DataFrame:
    return _search(build_key(), query, limit)


@st.cache_data(max_entries=32, show_spinner=False)
def _geojson(key: str, kind: str, area_code: str | None, codes: tuple[str, ...] | None) -> dict:
    from app import figures

    stamp = key.split("|", 1)[0]
    con = _connection(stamp)
    geo = queries.geo_areas(con) if kind == "area" else queries.geo_municipalities(con, area_code=area_code,
                                                                                   codes=codes)
    return figures.feature_collection(geo)


def area_geojson() -> dict:
    return _geojson(build_key(), "area", None, None)


def municipality_geojson(area_code: str | None = None, codes: tuple[str, ...] | None = None) -> dict:
    return _geojson(build_key(), "municipality", area_code, codes)
