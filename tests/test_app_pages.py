"""AppTest for every dashboard page and language: the figures and tables show the mart values for the chosen
options, the URL query parameters round-trip, the demo banner follows _meta_build.is_demo, labels follow the
language, and a missing warehouse gives a message instead of a traceback.

The expected values are read straight from the warehouse with DuckDB, never through app/."""
from __future__ import annotations

import json
import shutil
import math
import os
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from app.i18n import fmt_number, t as ui_t
from app.ui import md_escape


ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "dashboard.py")
PAGES = {
    "overview": "pages/1_yleiskuva.py",
    "profile": "pages/2_aluekortti.py",
    "types": "pages/3_toimintamuodot.py",
    "gaps": "pages/4_katvealueet.py",
    "orgs": "pages/5_jarjestot.py",
    "data": "pages/6_tiedot.py",
}
LANGS = ("fi", "sv", "en")


def non_demo_copy(db: Path, target: Path) -> Path:
    """A copy of a warehouse with _meta_build.is_demo = false (for the banner test)."""
    shutil.copyfile(db, target)
    con = duckdb.connect(str(target))
    con.execute("update _meta_build set is_demo = false")
    con.close()
    return target


@pytest.fixture(scope="session")
def warehouse(demo_warehouse) -> Path:
    return demo_warehouse


@pytest.fixture()
def db(warehouse, monkeypatch):
    monkeypatch.setenv("JARJESTOKARTTA_DB", str(warehouse))
    con = duckdb.connect(str(warehouse), read_only=True)
    yield con
    con.close()


def rows(con, sql, params=()):
    return con.execute(sql, list(params)).fetchall()


def run_page(page: str, **params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    for k, v in params.items():
        at.query_params[k] = v
    if page != "overview":
        at.switch_page(PAGES[page])
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def chart(at: AppTest, i: int = 0) -> dict:
    return json.loads(at.get("plotly_chart")[i].proto.spec)


def close(a, b, tol=1e-9) -> bool:
    if a is None or (isinstance(a, float) and math.isnan(a)):
        return b is None or (isinstance(b, float) and math.isnan(b))
    return b is not None and abs(float(a) - float(b)) <= tol * max(1.0, abs(float(b)))


def qp(at: AppTest) -> dict:
    return {k: at.query_params[k] for k in at.query_params}


# -- every page, every language --------------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("page", list(PAGES))
def test_page_runs_in_every_language(db, page, lang):
    at = run_page(page, lang=lang)
    assert at.title, "every page has a title"
    assert qp(at)["lang"] == lang
    assert len(at.warning) >= 1 and "demo" in at.warning[0].value.lower()   # the fixture warehouses are demo builds


def test_titles_and_labels_change_with_language(db):
    titles = {lang: run_page("overview", lang=lang).title[0].value for lang in LANGS}
    assert len(set(titles.values())) == 3
    labels = {lang: run_page("overview", lang=lang).selectbox(key="jk_metric").label for lang in LANGS}
    assert len(set(labels.values())) == 3
    # activity-type labels come from dim_activity_type in the chosen language
    code, fi, sv, en = rows(db, "select code, label_fi, label_sv, label_en from dim_activity_type "
                                "order by sort_order limit 1")[0]
    for lang, expected in (("fi", fi), ("sv", sv), ("en", en)):
        box = run_page("overview", lang=lang, type=code).selectbox(key="jk_type")
        assert box.value == code
        assert expected in box.options


def test_language_switch_changes_labels(db):
    at = run_page("overview")
    assert qp(at)["lang"] == "fi"
    fi_title = at.title[0].value
    at.selectbox(key="jk_lang").select("sv").run()
    assert not at.exception
    assert qp(at)["lang"] == "sv"
    assert at.title[0].value == run_page("overview", lang="sv").title[0].value != fi_title
    # the choice survives a page change (kept in session state, written back to the URL)
    at.switch_page(PAGES["gaps"]).run()
    assert qp(at)["lang"] == "sv" and at.title[0].value == run_page("gaps", lang="sv").title[0].value


# -- overview -----------------------------------------------------------------------------------------------------------

def test_overview_map_ranking_and_table_equal_mart(db):
    atype = rows(db, "select code from dim_activity_type order by sort_order limit 1 offset 1")[0][0]
    at = run_page("overview", lang="sv", metric="lq", type=atype, group="_all")
    expected = dict(rows(db, "select area_code, lq from mart_area_metrics where activity_type = ? "
                             "and target_group = '_all'", [atype]))
    codes = {c for (c,) in rows(db, "select code from area where code <> '91'")}
    assert len(codes) == 22
    trace = chart(at, 0)["data"][0]
    assert trace["type"] == "choropleth"
    assert set(trace["locations"]) == codes and len(trace["locations"]) == 22
    for code, z in zip(trace["locations"], trace["z"]):
        assert close(z, expected[code]), code
    # ranking: same values, one bar per area
    bar = chart(at, 1)["data"][0]
    assert bar["type"] == "bar" and len(bar["x"]) == 22
    assert sorted(round(x, 9) for x in bar["x"] if x is not None) == \
        sorted(round(v, 9) for v in expected.values() if v is not None)
    # the table: second column is the metric, in the mart's values
    names = dict(rows(db, "select code, name_sv from area"))
    table = at.dataframe[0].value
    assert len(table) == 22
    got = dict(zip(table.iloc[:, 0], table.iloc[:, 1]))
    for code, v in expected.items():
        assert close(got[names[code]], v)
    assert qp(at) == {"lang": "sv", "metric": "lq", "type": atype, "group": "_all"}


def test_overview_selectbox_changes_url_and_values(db):
    at = run_page("overview")
    assert qp(at)["metric"] == "rate_per_10k"
    at.selectbox(key="jk_metric").select("activities").run()
    group = rows(db, "select code from dim_target_group order by sort_order limit 1")[0][0]
    at.selectbox(key="jk_group").select(group).run()
    assert qp(at)["metric"] == "activities" and qp(at)["group"] == group
    expected = dict(rows(db, "select area_code, activities from mart_area_metrics where activity_type = '_all' "
                             "and target_group = ?", [group]))
    trace = chart(at, 0)["data"][0]
    assert {c: z for c, z in zip(trace["locations"], trace["z"])} == {c: float(v) for c, v in expected.items()}


def test_overview_map_is_offline_and_small(db):
    at = run_page("overview")
    el = at.get("plotly_chart")[0].proto
    spec = json.loads(el.spec)
    assert spec["layout"]["geo"]["visible"] is False
    assert spec["layout"]["geo"]["fitbounds"] == "locations"
    assert spec["layout"]["height"] >= 650
    config = json.loads(el.config)
    assert config["topojsonURL"] == "/app/static/topojson/"
    assert len(el.spec.encode()) < 300_000
    assert (ROOT / "static" / "topojson" / "world_110m.json").is_file()


def test_number_separators_follow_language(db):
    assert chart(run_page("overview", lang="fi"))["layout"]["separators"] == ",\u00a0"
    assert chart(run_page("overview", lang="en"))["layout"]["separators"] == ".,"


# -- county profile -----------------------------------------------------------------------------------------------------

def test_profile_municipality_map_equals_mart(db):
    area = rows(db, "select code from area where code <> '91' and municipality_count > 2 order by code limit 1")[0][0]
    at = run_page("profile", lang="en", area=area, metric="activities")
    assert qp(at)["area"] == area and qp(at)["metric"] == "activities"
    expected = dict(rows(db, "select municipality_code, activities from mart_municipality_metrics "
                             "where area_code = ? and activity_type = '_all' and target_group = '_all'", [area]))
    geo = {c for (c,) in rows(db, "select code from geo_municipality where area_code = ?", [area])}
    trace = chart(at, 0)["data"][0]
    assert set(trace["locations"]) == set(expected) <= geo | set(expected)
    assert {c: z for c, z in zip(trace["locations"], trace["z"])} == {c: float(v) for c, v in expected.items()}
    # the municipality table next to the map
    table = at.dataframe[0].value
    assert sorted(table.iloc[:, 1].astype(float)) == sorted(float(v) for v in expected.values())
    # activity-type profile: the area's series equals the mart's rate per 10,000
    prof = dict(rows(db, "select activity_type, rate_per_10k from mart_area_metrics where area_code = ? "
                         "and target_group = '_all' and activity_type <> '_all'", [area]))
    bars = chart(at, 1)["data"]
    assert len(bars) == 3
    assert sorted(round(x, 9) for x in bars[0]["x"]) == sorted(round(v, 9) for v in prof.values())
    name = rows(db, "select name_en from area where code = ?", [area])[0][0]
    assert any(h.value == name for h in at.header)


def test_profile_area_change_updates_url(db):
    codes = [c for (c,) in rows(db, "select code from area where code <> '91' order by code")]
    at = run_page("profile", area=codes[0])
    at.selectbox(key="jk_area").select(codes[-1]).run()
    assert qp(at)["area"] == codes[-1]
    geo = {c for (c,) in rows(db, "select code from geo_municipality where area_code = ?", [codes[-1]])}
    assert set(chart(at, 0)["data"][0]["locations"]) == geo


# -- activity types -----------------------------------------------------------------------------------------------------

def test_types_heatmap_equals_mart(db):
    at = run_page("types", lang="fi", metric="coverage_muni_share", group="_all")
    hm = chart(at, 0)["data"][0]
    assert hm["type"] == "heatmap"
    labels = dict(rows(db, "select label_fi, code from dim_activity_type"))
    names = dict(rows(db, "select name_fi, code from area"))
    expected = {(a, t): v for a, t, v in rows(db, "select area_code, activity_type, coverage_muni_share "
                                                  "from mart_area_metrics where target_group = '_all' "
                                                  "and activity_type <> '_all'")}
    assert len(hm["y"]) == 22 and len(hm["x"]) == len(labels)
    for yi, area_name in enumerate(hm["y"]):
        for xi, type_label in enumerate(hm["x"]):
            assert close(hm["z"][yi][xi], expected[(names[area_name], labels[type_label])])
    assert qp(at)["metric"] == "coverage_muni_share"


# -- gaps ---------------------------------------------------------------------------------------------------------------

def test_gaps_white_spots_equal_mart(db):
    atype = rows(db, "select activity_type from mart_white_spot group by 1 order by count(*) desc limit 1")[0][0]
    at = run_page("gaps", lang="sv", view="white", type=atype, area="_all")
    assert qp(at)["view"] == "white" and qp(at)["type"] == atype
    expected = rows(db, "select municipality_code, population, distance_km from mart_white_spot "
                        "where activity_type = ?", [atype])
    table = at.dataframe[0].value
    assert len(table) == len(expected)
    assert sorted(table.iloc[:, 2].astype(float)) == sorted(float(p) for _, p, _ in expected)
    trace = chart(at, 0)["data"][0]
    lacking = {c for c, z in zip(trace["locations"], trace["z"]) if z == 0}
    assert lacking == {c for c, _, _ in expected}
    mainland = rows(db, "select count(*) from municipality where not is_aland")[0][0]
    assert len(trace["locations"]) == mainland


def test_gaps_need_supply_high_need_low_supply_first(db):
    at = run_page("gaps", lang="en", view="need", need="need_coefficient")
    expected = rows(db, "select area_code, quadrant from mart_need_supply")
    points = sum(len(tr["x"]) for tr in chart(at, 0)["data"] if tr["type"] == "scatter")
    assert points == len(expected)
    table = at.dataframe[0].value
    assert len(table) == len(expected)
    q = table.iloc[:, 1].tolist()
    if "High need, low supply" in q:
        first_other = next((i for i, v in enumerate(q) if v != "High need, low supply"), len(q))
        assert all(v != "High need, low supply" for v in q[first_other:])


def test_gaps_data_gaps_apart(db):
    at = run_page("gaps", view="data")
    n = rows(db, "select count(*) from mart_data_gap")[0][0]
    assert len(at.dataframe[0].value) == n
    assert not at.get("plotly_chart")


def test_gaps_swedish_coverage_equals_mart(db):
    at = run_page("gaps", lang="sv", view="swedish", area="_all")
    assert qp(at)["view"] == "swedish"
    expected = rows(db, """select s.municipality_code, m.name_sv, s.swedish_speakers, s.swedish_year, s.activities_sv,
                                  s.activities_sv_per_10k_swedish, s.small_number
                           from mart_swedish_coverage s join municipality m on m.code = s.municipality_code""")
    assert expected, "the demo build has bilingual municipalities"
    table = at.dataframe[0].value
    assert len(table) == len(expected)
    got = {r[0]: r for r in table.itertuples(index=False, name=None)}
    for code, name, speakers, year, acts, per10k, small in expected:
        row = got[name]
        assert close(row[3], speakers) and str(row[4]) == str(year) and close(row[5], acts)
        assert close(row[6], per10k), name
        assert bool(row[7]) == bool(small)
    # the chart: one bar per municipality with the mart's rate
    bar = chart(at, 0)["data"][0]
    assert sorted(round(x, 9) for x in bar["x"] if x is not None) == \
        sorted(round(v, 9) for *_, v, _ in expected if v is not None)
    # the indicator year is stated (it is older than the activity data)
    years = {str(y) for *_, y, _, _, _ in expected if y is not None}
    assert any(any(y in i.value for y in years) for i in at.info)
    labels = {b.proto.label for b in at.get("download_button")}
    assert {"CSV", "Excel", "PNG-bild", "SVG-bild"} <= labels


def test_pdf_brief_buttons(db):
    area = rows(db, "select code from area where code <> '91' order by code limit 1")[0][0]
    at = run_page("profile", lang="sv", area=area)
    buttons = [b for b in at.get("download_button") if "PDF" in b.proto.label]
    assert len(buttons) == 1 and buttons[0].proto.label == "Områdesprofil som PDF"
    at = run_page("overview", lang="en")
    assert any(b.proto.label == "National overview as PDF" for b in at.get("download_button"))


# -- organisations -------------------------------------------------------------------------------------------------------

def _org_with_activities(db):
    return rows(db, """select v.org_id, v.name, v.business_id from mart_org_visibility v
                       where v.municipalities > 0 and v.business_id is not null order by v.activities desc,
                       v.org_id limit 1""")[0]


def test_orgs_search_with_typo_and_detail(db):
    org_id, name, _ = _org_with_activities(db)
    typo = name[:3] + name[4:] if len(name) > 6 else name      # drop one letter
    at = run_page("orgs", lang="fi", q=typo)
    box = at.selectbox(key="jk_org")
    assert org_id in box.options or org_id == box.value
    at.selectbox(key="jk_org").select(org_id).run()
    assert qp(at)["org"] == org_id and qp(at)["q"] == typo
    assert at.header[0].value == md_escape(name)   # shown as literal text, never as Markdown
    munis = {c for (c,) in rows(db, "select distinct am.municipality_code from activity a "
                                    "join activity_municipality am using (activity_id) where a.org_id = ?", [org_id])}
    trace = chart(at, 0)["data"][0]
    visible = {c for c, z in zip(trace["locations"], trace["z"]) if z > 0}
    assert visible == munis
    acts = rows(db, "select count(*) from activity where org_id = ?", [org_id])[0][0]
    assert len(at.dataframe[0].value) == acts
    # the completeness checklist states each check as the mart says it
    from app.i18n import t
    flags = rows(db, "select business_id_valid, types_classified >= 1, location_known, languages_known, "
                     "target_groups_known, updated_within_12m from mart_org_visibility where org_id = ?", [org_id])[0]
    keys = ("business_id", "types", "location", "languages", "groups", "updated")
    texts = [m.value for m in at.markdown]
    for key, ok in zip(keys, flags):
        line = [x for x in texts if t(f"orgs.check.{key}", "fi") in x]
        assert len(line) == 1, key
        assert line[0].endswith(t("orgs.check.ok" if ok else "orgs.check.missing", "fi")), (key, line[0])


def test_orgs_search_by_business_id_and_shared_link(db):
    org_id, name, bid = _org_with_activities(db)
    at = run_page("orgs", q=bid.replace("-", ""))
    assert at.selectbox(key="jk_org").value == org_id
    # a shared link with only the organisation
    at2 = run_page("orgs", lang="sv", org=org_id)
    assert at2.header[0].value == md_escape(name)


def org_list_rows(at) -> list[tuple]:
    """Every row of the organisations list as the page shows it, page by page when it is paged (the pager's
    choices are the first row of each page; a page holds as many rows as the first one)."""
    if "jk_rows" not in [w.key for w in at.selectbox]:
        return list(at.dataframe[-1].value.itertuples(index=False, name=None))
    pager = at.selectbox(key="jk_rows")
    assert pager.value == 0 and pager.index == 0
    size = len(at.dataframe[-1].value)
    out = []
    for i in range(len(pager.options)):
        at.selectbox(key="jk_rows").set_value(i * size).run()
        assert not at.exception and qp(at)["rows"] == str(i * size)
        out += list(at.dataframe[-1].value.itertuples(index=False, name=None))
    return out


def test_orgs_list_filter(db):
    area = rows(db, "select home_area_code from mart_org_visibility where home_area_code is not null "
                    "group by 1 order by count(*) desc limit 1")[0][0]
    at = run_page("orgs", area=area)
    assert qp(at)["area"] == area
    everyone = org_list_rows(run_page("orgs"))
    n_all = rows(db, "select count(*) from mart_org_visibility")[0][0]
    assert len(everyone) == n_all > 250              # shown a page of 250 at a time, every one reachable
    assert any(c.value == f"{fmt_number(n_all, 'fi')} järjestöä" for c in run_page("orgs").caption)
    names = [r for (r,) in rows(db, "select name from mart_org_visibility order by name, org_id")]
    assert [r[0] for r in everyone] == names          # by name, no page repeats or skips a row
    assert 0 < len(org_list_rows(at)) <= n_all
    # the source filter offers the sources this build has, no hard-coded list
    built = {s for (s,) in rows(db, "select distinct source from organisation_source")}
    box = at.selectbox(key="jk_source")
    assert len(box.options) == len(built) + 1       # "all sources" and each source of the build
    src = rows(db, "select source from organisation_source group by 1 order by count(distinct org_id) limit 1")[0][0]
    at = run_page("orgs", source=src)
    assert len(org_list_rows(at)) == rows(db, "select count(distinct org_id) from organisation_source "
                                              "where source = ?", [src])[0][0]


# -- data & methods ------------------------------------------------------------------------------------------------------

def test_data_page_sources_and_quarantine(db):
    at = run_page("data", lang="en")
    assert len(at.dataframe[0].value) == rows(db, "select count(*) from _meta_sources")[0][0]
    build_id = rows(db, "select build_id from _meta_build")[0][0]
    assert any(f"`{build_id}`" in m.value for m in at.markdown)
    at = run_page("data", lang="en", section="quarantine")
    total = rows(db, "select count(*) from quarantine")[0][0]
    summary = at.dataframe[0].value
    assert summary.iloc[:, 2].sum() == total
    reasons = {r for (r,) in rows(db, "select distinct reason_code from quarantine")}
    assert not (set(summary.iloc[:, 1]) & reasons), "reason codes are shown as labels"
    at = run_page("data", section="methods")
    assert len(at.markdown) > 10


# -- demo banner, missing warehouse -------------------------------------------------------------------------------------

def test_no_banner_when_not_demo(warehouse, tmp_path, monkeypatch):
    real = non_demo_copy(warehouse, tmp_path / "real.duckdb")
    monkeypatch.setenv("JARJESTOKARTTA_DB", str(real))
    for page in PAGES:
        at = run_page(page)
        assert not any("demo" in w.value.lower() for w in at.warning), page


def test_missing_warehouse_shows_how_to_build(tmp_path, monkeypatch):
    monkeypatch.setenv("JARJESTOKARTTA_DB", str(tmp_path / "nothing.duckdb"))
    for lang in LANGS:
        at = AppTest.from_file(APP, default_timeout=30)
        at.query_params["lang"] = lang
        at.run()
        assert not at.exception
        assert at.error and any("python -m etl all" in c.value for c in at.code)
        # no server path on the page (it goes to the server log)
        shown = [e.value for e in (*at.markdown, *at.error, *at.code, *at.text, *at.caption)]
        assert not any(str(tmp_path) in v or "nothing.duckdb" in v for v in shown), shown


def test_database_error_shows_no_details(warehouse, tmp_path, monkeypatch):
    broken = tmp_path / "partial.duckdb"
    shutil.copyfile(warehouse, broken)
    con = duckdb.connect(str(broken))
    con.execute("drop table mart_area_metrics")
    con.close()
    monkeypatch.setenv("JARJESTOKARTTA_DB", str(broken))
    at = run_page("overview", lang="en")
    assert at.error, "a missing table gives the friendly message"
    shown = [e.value for e in (*at.markdown, *at.error, *at.code, *at.text, *at.caption)]
    assert not at.expander and not at.text
    assert not any("mart_area_metrics" in v or "Catalog Error" in v or str(tmp_path) in v for v in shown), shown


def _page_texts(at: AppTest) -> list[str]:
    return [e.value for e in (*at.markdown, *at.warning, *at.error, *at.info, *at.caption, *at.header,
                              *at.subheader, *at.title, *at.success)]


@pytest.mark.parametrize("q", ["[klikkaa](https://evil.example/x)", "**iso** <b>x</b> :red[punainen]"])
def test_search_words_from_the_url_are_shown_as_text(db, q):
    from app.i18n import t
    at = run_page("orgs", lang="fi", q=q)
    none = [w.value for w in at.warning if "klikkaa" in w.value or "iso" in w.value]
    assert none == [t("orgs.search.none", "fi", q=md_escape(q))]
    for text in _page_texts(at):
        assert "](" not in text and "**iso**" not in text and "<b>" not in text and ":red[" not in text, text


def test_quarantine_shows_file_names_and_raw_records_only_for_operators(db, monkeypatch):
    from app.i18n import t
    total = rows(db, "select count(*) from quarantine")[0][0]
    assert total > 0, "the fixture build sets rows aside"
    monkeypatch.delenv("JARJESTOKARTTA_SHOW_RAW", raising=False)
    at = run_page("data", lang="en", section="quarantine")
    table = at.dataframe[1].value
    assert len(table) == min(total, 500)
    assert t("col.raw", "en") not in table.columns
    assert list(table.columns) == [t(k, "en") for k in ("col.source", "col.file", "col.record_ref", "col.reason",
                                                         "col.message")]
    assert not table[t("col.file", "en")].str.contains("/", regex=False).any()
    monkeypatch.setenv("JARJESTOKARTTA_SHOW_RAW", "1")
    at = run_page("data", lang="en", section="quarantine")
    table = at.dataframe[1].value
    raws = {r for (r,) in rows(db, "select raw from quarantine")}
    assert set(table[t("col.raw", "en")]) <= raws and len(table) == min(total, 500)


def test_long_tables_show_the_first_rows_and_say_so(db):
    def script():
        import pandas as pd

        from app import ui
        df = pd.DataFrame({"name": [f"r{i}" for i in range(1500)], "n": range(1500)})
        ui.table_with_downloads(df, "long", "fi", [("name", "Nimi", "text"), ("n", "Määrä", "int")])

    at = AppTest.from_function(script, default_timeout=30).run()
    assert not at.exception
    assert len(at.dataframe[0].value) == 1000
    import re
    assert any("1000" in re.sub(r"\s", "", c.value) and "1500" in re.sub(r"\s", "", c.value) for c in at.caption)


# -- issue 11: the gaps page ------------------------------------------------------------------------------------------

def test_gaps_white_spots_do_not_offer_unclassified(db):
    at = run_page("gaps", lang="fi", view="white")
    muu = rows(db, "select label_fi from dim_activity_type where code = 'muu'")[0][0]
    offered = [o for sb in at.selectbox for o in sb.options]
    others = [r[0] for r in rows(db, "select label_fi from dim_activity_type where code <> 'muu'")]
    assert set(others) <= set(offered) and muu not in offered


@pytest.mark.parametrize("indicator,period_col,threshold_col", [
    ("need_coefficient", "need_year", "need_coefficient_threshold"),
    ("deprivation_index", "deprivation_period", "deprivation_index_threshold"),
    ("unemployment", "unemployment_period", "unemployment_threshold")])
def test_gaps_need_supply_lines_at_thresholds_and_period_shown(db, indicator, period_col, threshold_col):
    at = run_page("gaps", lang="fi", view="need", need=indicator)
    (period, x_thr, y_thr), = rows(db, f"select distinct cast({period_col} as varchar), {threshold_col}, "
                                       "supply_threshold from mart_need_supply")
    fig = chart(at, 0)
    xs = [s["x0"] for s in fig["layout"]["shapes"] if s["x0"] == s["x1"] and s.get("xref", "x") == "x"]
    ys = [s["y0"] for s in fig["layout"]["shapes"] if s["y0"] == s["y1"] and s.get("yref", "y") == "y"]
    assert len(xs) == 1 and close(xs[0], x_thr) and len(ys) == 1 and close(ys[0], y_thr)
    assert period in fig["layout"]["xaxis"]["title"]["text"]
    assert any(period in i.value for i in at.info)
    quadrant_col = {"need_coefficient": "quadrant"}.get(indicator, f"quadrant_{indicator}")
    expected = dict(rows(db, f"select a.name_fi, n.{quadrant_col} from mart_need_supply n "
                             "join area a on a.code = n.area_code"))
    names = {"Suuri tarve, vähän toimintaa": "high_need_low_supply", "Suuri tarve, paljon toimintaa":
             "high_need_high_supply", "Pieni tarve, vähän toimintaa": "low_need_low_supply",
             "Pieni tarve, paljon toimintaa": "low_need_high_supply"}
    got = {n: names[tr["name"]] for tr in fig["data"] for n in tr["customdata"]}
    assert got == expected


def test_gaps_swedish_one_year_beside_the_chart(db):
    at = run_page("gaps", lang="fi", view="swedish", area="_all")
    years = rows(db, "select distinct swedish_year from mart_swedish_coverage")
    assert len(years) == 1
    assert any(str(years[0][0]) in i.value for i in at.info)


# -- issue 14: parts drawn only when opened -----------------------------------------------------------------------------

def test_profile_parts_run_only_when_chosen(db):
    area = rows(db, "select area_code from mart_grants_area_year group by 1 order by count(*) desc, 1 limit 1")[0][0]
    at = run_page("profile", lang="en", area=area)
    assert qp(at)["section"] == "types"
    assert [r.key for r in at.radio] == ["jk_section"]             # the organisations list and its switch do not run
    assert len(at.get("plotly_chart")) == 2 and len(at.dataframe) == 1    # map + profile bars; the municipalities
    assert [e.label for e in at.expander] == [ui_t("common.as_table", "en")]   # the profile table waits, closed

    at.radio(key="jk_section").set_value("orgs").run()
    assert qp(at)["section"] == "orgs" and not at.exception
    n = rows(db, "select count(distinct org_id) from mart_activity_list where area_code = ? and org_name is not null",
             [area])[0][0]
    orgs = at.dataframe[1].value
    assert len(orgs) == min(n, 1000) and "Organisation" in orgs.columns
    assert len(at.get("plotly_chart")) == 1                                 # the profile bars are gone

    at.radio(key="jk_section").set_value("grants").run()
    grants = rows(db, "select year, granted from mart_grants_area_year where area_code = ? order by year", [area])
    table = at.dataframe[1].value
    assert [str(y) for y, _ in grants] == [str(y) for y in table.iloc[:, 0]]
    assert [float(g) for _, g in grants] == [float(g) for g in table.iloc[:, 4]]
    assert chart(at, 1)["data"][1]["y"] == [float(g) for _, g in grants]

    at.radio(key="jk_section").set_value("white").run()
    assert not at.get("plotly_chart")[1:] and len(at.dataframe) == 2
    assert qp(at)["section"] == "white"


def test_profile_old_link_to_the_activities_list_opens_it(db):
    at = run_page("profile", lang="en", area="08", list="activities")
    assert qp(at)["section"] == "orgs" and at.radio(key="jk_list").value == "activities"
    n = rows(db, "select count(distinct activity_id) from mart_activity_list where area_code = '08'")[0][0]
    assert len(at.dataframe[1].value) == min(n, 1000)


def test_closed_expanders_draw_nothing_and_open_ones_the_mart(db):
    at = run_page("overview", lang="en")
    tables = len(at.dataframe)
    assert len(at.expander) == 1
    at.session_state["jk_exp_national_reach"] = True
    at.run()
    assert len(at.dataframe) == tables + 1
    expected = dict(rows(db, "select t.label_en, r.activities from mart_national_reach r "
                             "join dim_activity_type t on t.code = r.activity_type"))
    reach = at.dataframe[-1].value
    assert len(reach) > 1 and {k: float(v) for k, v in zip(reach.iloc[:, 0], reach.iloc[:, 1])} == \
        {k: float(expected[k]) for k in reach.iloc[:, 0]}

    at = run_page("types", lang="en", metric="activities", group="_all")
    assert len(at.dataframe) == 1                                       # the target-group table only
    at.session_state["jk_exp_types_table"] = True
    at.run()
    matrix = at.dataframe[0].value
    n = rows(db, "select count(*) from mart_area_metrics where target_group = '_all' and activity_type <> '_all'")[0][0]
    assert len(matrix) == n
    total = rows(db, "select sum(activities) from mart_area_metrics where target_group = '_all' "
                     "and activity_type <> '_all'")[0][0]
    assert sum(float(v) for v in matrix.iloc[:, 2]) == pytest.approx(float(total))


def download_spy(monkeypatch) -> dict:
    """{file name: data callable} of every download button drawn from now on (the callables are not run)."""
    from streamlit.delta_generator import DeltaGenerator

    buttons = {}
    real = DeltaGenerator.download_button

    def spy(self, label, data, *args, **kw):
        buttons[kw["file_name"]] = data
        return real(self, label, data, *args, **kw)

    monkeypatch.setattr(DeltaGenerator, "download_button", spy)
    return buttons


def test_long_table_download_carries_every_row_labelled(db, monkeypatch):
    """The screen shows 1,000 rows; the file, made only when its button is clicked, holds all 1,500, codes turned
    into labels."""
    from app import ui

    buttons = download_spy(monkeypatch)
    made = []
    from app.ui import downloads

    real_frame = downloads.export_frame
    monkeypatch.setattr(downloads, "export_frame", lambda *a, **kw: made.append(1) or real_frame(*a, **kw))

    def script():
        import pandas as pd

        from app import ui as u
        df = pd.DataFrame({"name": [f"r{i}" for i in range(1500)], "src": ["stea", "ptv"] * 750})
        u.table_with_downloads(df, "long", "en", [("name", "Name", "text"), ("src", "Source", "label:source.name.")])

    at = AppTest.from_function(script, default_timeout=30).run()
    assert not at.exception
    shown = at.dataframe[0].value
    labels = {ui.t("source.name.stea", "en"), ui.t("source.name.ptv", "en")}
    assert len(shown) == 1000 and set(shown["Source"]) == labels
    assert callable(buttons["long.csv"]) and not made           # nothing built while the page was drawn
    text = buttons["long.csv"]().decode("utf-8-sig")
    body = text.replace("\r\n", "\n").split("\n\n")[0].splitlines()
    assert body[0].split(",")[:2] == ["Name", "Source"] and len(body) == 1 + 1500
    assert body[1500].startswith("r1499,") and {line.split(",")[1] for line in body[1:]} == labels
    assert made == [1]
    buttons["long_semicolon.csv"]()                             # the other files reuse the same frame
    assert made == [1]


def test_paged_table_shows_one_page_and_downloads_every_row(db, monkeypatch):
    """With page_rows a long table is drawn a page at a time (a pager named after the table, in the URL); the
    download, made on click, still holds every row."""
    buttons = download_spy(monkeypatch)

    def script():
        import pandas as pd

        from app import ui as u
        df = pd.DataFrame({"name": [f"r{i}" for i in range(600)], "n": range(600)})
        u.table_with_downloads(df, "paged", "fi", [("name", "Nimi", "text"), ("n", "Määrä", "int")],
                               title="Pitkä", page_rows=250, page_param="rows_long")

    at = AppTest.from_function(script, default_timeout=30).run()
    assert not at.exception
    pager = at.selectbox(key="jk_rows_long")
    assert pager.label == ui_t("common.rows_page", "fi") + ": Pitkä"
    assert [o.replace("\xa0", " ") for o in pager.options] == ["1–250 (600 rivistä)", "251–500 (600 rivistä)",
                                                                 "501–600 (600 rivistä)"]
    assert list(at.dataframe[0].value["Nimi"]) == [f"r{i}" for i in range(250)]
    assert not [c for c in at.caption if "600" in c.value]        # no "rows truncated" note: every page is there
    pager.set_value(500).run()
    assert qp(at)["rows_long"] == "500"
    assert list(at.dataframe[0].value["Määrä"]) == list(range(500, 600))
    body = buttons["paged.csv"]().decode("utf-8-sig").replace("\r\n", "\n").split("\n\n")[0].splitlines()
    assert len(body) == 1 + 600 and body[600].startswith("r599,")


def test_build_key_is_looked_up_once_per_run_and_again_on_the_next(db, monkeypatch):
    from app import db as appdb

    calls = []
    real = appdb.warehouse_stamp
    monkeypatch.setattr(appdb, "warehouse_stamp", lambda *a: calls.append(1) or real(*a))

    def script():
        import streamlit as st

        from app import cached, ui
        keys = {cached.build_key() for _ in range(5)}
        st.text(f"{len(keys)} {cached.areas(lang='fi').shape[0]} {ui.build_row()['build_id']}")

    at = AppTest.from_function(script, default_timeout=30).run()
    assert not at.exception and len(calls) == 1
    n_areas, build_id = rows(db, "select count(*) from area")[0][0], rows(db, "select build_id from _meta_build")[0][0]
    assert at.text[0].value.split() == ["1", str(n_areas), build_id]
    at.run()
    assert len(calls) == 2                      # a rerun looks again (a rebuild is picked up on the next run)
    from app import cached
    cached.build_key(), cached.build_key()      # outside a script run: every call looks
    assert len(calls) == 4
