"""Dashboard library without Streamlit: queries against a real warehouse, figures, i18n and layout rules."""
from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from app import figures, gaps, i18n, queries

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def warehouse(demo_warehouse) -> Path:
    return demo_warehouse


@pytest.fixture()
def con(warehouse):
    c = duckdb.connect(str(warehouse), read_only=True)
    yield c
    c.close()


# -- i18n -------------------------------------------------------------------------------------------------------------

def test_every_finnish_key_exists_in_swedish_and_english():
    fi = set(i18n.strings("fi"))
    assert fi
    for lang in ("sv", "en"):
        missing = fi - set(i18n.strings(lang))
        assert not missing, f"{lang} lacks {sorted(missing)[:10]}"


def test_every_literal_key_used_in_code_exists():
    files = [ROOT / "dashboard.py", *sorted((ROOT / "pages").glob("*.py")),
             *sorted((ROOT / "app" / "ui").glob("*.py"))]
    fi = i18n.strings("fi")
    used = set()
    for f in files:
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "t"
                    and node.args and isinstance(node.args[0], ast.Constant)):
                used.add(node.args[0].value)
    assert used and not (used - set(fi)), sorted(used - set(fi))


def test_dynamic_keys_exist():
    fi = i18n.strings("fi")
    for m in queries.METRICS:
        for part in ("label", "unit", "def"):
            assert f"metric.{m}.{part}" in fi
    for q in ("high_need_low_supply", "high_need_high_supply", "low_need_low_supply", "low_need_high_supply"):
        assert f"quadrant.{q}" in fi
    from etl.context import REASON_CODES
    for r in REASON_CODES:
        assert f"reason.{r}" in fi


def test_translate_fallback_and_format():
    assert i18n.t("page.overview.title", "sv") != i18n.t("page.overview.title", "fi")
    assert i18n.t("no.such.key", "sv") == "no.such.key"
    assert "{n}" not in i18n.t("orgs.list.count", "en", n=5)
    for lang in ("fi", "sv", "en"):   # the caption when the list is cut names both numbers
        cut = i18n.t("orgs.list.count_cut", lang, shown="5 000", n="30 900")
        assert "5 000" in cut and "30 900" in cut and "{" not in cut


def test_number_formats():
    assert i18n.fmt_number(1234567.891, "fi", 1) == "1\u00a0234\u00a0567,9"
    assert i18n.fmt_number(1234567.891, "sv", 2) == "1\u00a0234\u00a0567,89"
    assert i18n.fmt_number(1234567.891, "en", 1) == "1,234,567.9"
    assert i18n.fmt_number(None, "fi") == "–"
    assert i18n.fmt_percent(0.256, "fi") == "26\u00a0%"
    assert i18n.fmt_percent(0.256, "en") == "26%"
    assert i18n.separators("fi") == ",\u00a0" and i18n.separators("en") == ".,"
    assert i18n.fmt_date("2025-11-21", "fi") == "21.11.2025"


# -- queries --------------------------------------------------------------------------------------------------------------

def test_area_metrics_every_metric(con):
    expected = con.execute("select area_code, rate_per_10k from mart_area_metrics "
                           "where activity_type = '_all' and target_group = '_all'").fetchall()
    for m in queries.METRICS:
        df = queries.area_metrics(con, metric=m)
        assert len(df) == 22 and df["code"].is_unique
    df = queries.area_metrics(con, metric="rate_per_10k", lang="sv")
    assert dict(zip(df["code"], df["value"])) == pytest.approx(dict(expected))
    assert df["value"].is_monotonic_decreasing
    names_sv = dict(con.execute("select code, name_sv from area").fetchall())
    assert all(names_sv[c] == n for c, n in zip(df["code"], df["name"]))


def test_unknown_metric_is_refused(con):
    with pytest.raises(ValueError):
        queries.area_metrics(con, metric="population; drop table area")


def _one(con, sql, params=()):
    return con.execute(sql, list(params)).fetchone()[0]


def _all(con, sql, params=()):
    return con.execute(sql, list(params)).fetchall()


def _public_queries() -> set[str]:
    """The public queries checked here; the service-path queries are checked value by value against their own
    hand-made marts in tests/test_paths_page.py and tests/test_path_marts.py."""
    import inspect
    return {n for n, f in vars(queries).items() if inspect.isfunction(f) and not n.startswith("_")
            and f.__module__.startswith(queries.__name__ + ".") and f.__module__ != queries.__name__ + ".paths"
            and list(inspect.signature(f).parameters)[:1] == ["con"]}


def test_queries_package_re_exports_every_public_name():
    """A query defined in any app/queries/ module but not re-exported from the package would be invisible to the
    pages (`queries.x`), to app.cached and to the coverage checks here and in test_hostile_text."""
    import importlib
    import inspect
    import pkgutil
    modules = sorted(m.name for m in pkgutil.iter_modules(queries.__path__))
    assert modules == ["areas", "base", "dimensions", "meta", "organisations", "paths", "spots"]
    missing, owners = [], {}
    for name in modules:
        mod = importlib.import_module(f"{queries.__name__}.{name}")
        for n, f in vars(mod).items():
            if inspect.isfunction(f) and f.__module__ == mod.__name__ and not n.startswith("_"):
                owners.setdefault(n, []).append(name)
                if getattr(queries, n, None) is not f:
                    missing.append(f"{name}.{n}")
    assert not missing, missing
    assert all(len(v) == 1 for v in owners.values()), owners
    assert sorted(queries.__all__) == sorted(set(queries.__all__))
    assert set(owners) <= set(queries.__all__), sorted(set(owners) - set(queries.__all__))
    # 46 functions less _cursor, _df, _with_display, check_metric, organisation_checklist and rank_organisations
    assert len(_public_queries()) == 40


def test_every_query_gives_the_value_the_core_tables_give(con):
    """Each query against one exact value worked out by an independent statement over the core tables (activity,
    activity_municipality, municipality, area, organisation, grant, quarantine, _meta_*), or for a mart-only
    figure (LQ, need coefficient, distance) straight from the mart row, never through app.queries."""
    # the area with most placed activities, the type with most white spots, the organisation with most activities
    area = _one(con, "select area_code from activity_municipality group by 1 order by count(distinct activity_id) "
                     "desc, 1 limit 1")
    atype = _one(con, "select activity_type from mart_white_spot group by 1 order by count(*) desc, 1 limit 1")
    org = _one(con, "select org_id from activity group by 1 order by count(*) desc, 1 limit 1")
    placed = ("select distinct a.activity_id, a.org_id, a.activity_type, a.is_in_person, am.municipality_code, "
              "am.area_code from activity a join activity_municipality am using (activity_id)")
    # mainland municipalities without an in-person activity of the type
    spots = ("select m.code, m.population, m.area_code from municipality m where not m.is_aland and not exists ("
             f"select 1 from ({placed}) p where p.is_in_person and p.activity_type = ? and p.municipality_code = m.code)")
    seen = set()

    def check(query, /, **kw):
        seen.add(query)
        return getattr(queries, query)(con, **kw)

    df = check("build_info")
    assert df["build_id"].iloc[0] == _one(con, "select build_id from _meta_build")

    df = check("sources", lang="sv")
    assert sorted(zip(df["source_id"], df["file"])) == sorted(_all(con, "select source_id, file from _meta_sources"))
    assert set(df["attribution"]) == {a for (a,) in _all(con, "select attribution_sv from _meta_sources")}

    df = check("row_counts")
    got = dict(zip(df["table"], df["rows"]))
    for table in ("activity", "organisation", "area", "quarantine", "activity_municipality"):
        assert got[table] == _one(con, f"select count(*) from {table}"), table

    df = check("quarantine_summary")
    assert {(s, r): n for s, r, n in zip(df["source"], df["reason_code"], df["rows"])} == dict(
        ((s, r), n) for s, r, n in _all(con, "select source, reason_code, count(*) from quarantine group by 1, 2"))

    total = _one(con, "select count(*) from quarantine")
    df = check("quarantine_rows", limit=500)
    assert len(df) == min(total, 500) and "raw" not in df.columns
    reason = _one(con, "select reason_code from quarantine group by 1 order by count(*) desc limit 1")
    df = check("quarantine_rows", reason_code=reason, with_raw=True, limit=100_000)
    assert sorted(df["raw"]) == sorted(r for (r,) in _all(con, "select raw from quarantine where reason_code = ?",
                                                         [reason]))

    assert check("has_table", name="quarantine") is True and check("has_table", name="no_such_table") is False

    df = check("areas", lang="sv")
    assert dict(zip(df["code"], df["name"])) == dict(_all(con, "select code, name_sv from area where code <> '91'"))
    assert dict(zip(df["code"], df["population"]))[area] == _one(
        con, "select sum(population) from municipality where area_code = ?", [area])

    df = check("municipalities", area_code=area, lang="en")
    assert dict(zip(df["code"], df["name"])) == dict(_all(
        con, "select code, coalesce(name_en, name_fi) from municipality where area_code = ? and not is_aland", [area]))

    df = check("activity_types", lang="en")
    assert list(df["label"]) == [x for (x,) in _all(con, "select coalesce(label_en, label_fi) from dim_activity_type "
                                                         "order by sort_order")]
    df = check("target_groups", lang="sv")
    assert list(df["label"]) == [x for (x,) in _all(con, "select coalesce(label_sv, label_fi) from dim_target_group "
                                                         "order by sort_order")]

    df = check("geo_areas")
    assert list(df["code"]) == [c for (c,) in _all(con, "select code from area where code <> '91' order by code")]
    mun = [c for (c,) in _all(con, "select code from municipality where area_code = ? and not is_aland order by code",
                              [area])]
    assert list(check("geo_municipalities", area_code=area)["code"]) == mun
    assert list(check("geo_municipalities", codes=tuple(mun[:2]))["code"]) == mun[:2]

    n_placed = _one(con, "select count(distinct activity_id) from activity_municipality")
    df = check("country_metrics", metric="activities")
    assert df["value"].iloc[0] == n_placed == df["activities"].iloc[0]
    df = check("country_metrics", metric="activities", activity_type=atype)
    assert df["value"].iloc[0] == _one(con, f"select count(distinct activity_id) from ({placed}) "
                                            "where activity_type = ?", [atype])

    df = check("national_reach")
    nat = dict(zip(df["code"], df["activities"]))
    by_type = dict(_all(con, "select activity_type, count(*) from activity where is_national group by 1"))
    assert nat == {code: by_type.get(code, 0) for (code,) in _all(con, "select code from dim_activity_type")}
    assert sum(nat.values()) == _one(con, "select count(*) from activity where is_national") > 0

    per_area = dict(_all(con, "select area_code, count(distinct activity_id) from activity_municipality group by 1"))
    df = check("area_metrics", metric="activities")
    got = dict(zip(df["code"], df["value"]))
    assert got == {c: per_area.get(c, 0) for c in got} and len(got) == 22
    df = check("area_metrics", metric="rate_per_10k")
    pop = dict(_all(con, "select code, population from area"))
    assert dict(zip(df["code"], df["value"]))[area] == pytest.approx(per_area[area] * 10000 / pop[area])

    per_muni = dict(_all(con, "select municipality_code, count(distinct activity_id) from activity_municipality "
                              "where area_code = ? group by 1", [area]))
    df = check("municipality_metrics", area_code=area, metric="activities")
    assert {c: v for c, v in zip(df["code"], df["value"]) if v} == per_muni
    assert set(df["code"]) == set(mun)

    df = check("type_profile", area_code=area)
    row = df.set_index("code").loc[atype]
    assert row["activities"] == _one(con, f"select count(distinct activity_id) from ({placed}) "
                                          "where area_code = ? and activity_type = ?", [area, atype])
    assert row["country_rate"] == pytest.approx(
        _one(con, f"select count(distinct activity_id) from ({placed}) where activity_type = ?", [atype]) * 10000
        / _one(con, "select sum(population) from municipality where not is_aland"))

    df = check("similar_areas", area_code=area)
    assert set(df["code"]) == {c for (c,) in _all(
        con, "select code from area where similarity_group = (select similarity_group from area where code = ?) "
             "and code <> ?", [area, area])}

    named = (f"select p.* from ({placed}) p join organisation o using (org_id) where o.name is not null "
             "and p.area_code = ?")
    df = check("area_organisations", area_code=area)
    assert dict(zip(df["org_id"], df["activities"])) == dict(_all(
        con, f"select org_id, count(distinct activity_id) from ({named}) group by 1", [area]))

    df = check("area_activities", area_code=area, activity_type=atype, limit=100_000)
    assert sorted(df["activity_id"]) == sorted(a for (a,) in _all(
        con, f"select distinct activity_id from ({named}) where activity_type = ?", [area, atype]))

    df = check("grants_by_year", area_code=area)
    assert dict(zip(df["year"], df["granted"])) == pytest.approx(dict(_all(
        con, "select year, sum(granted) from grant where area_code = ? group by 1", [area])))
    assert df["grants"].sum() == _one(con, "select count(*) from grant where area_code = ?", [area])

    expected_spots = {c: p for c, p, _ in _all(con, spots, [atype])}
    assert expected_spots and per_muni and len(mun) > 1, "the fixture has white spots and placed activities"
    df = check("white_spots", activity_type=atype)
    assert dict(zip(df["code"], df["population"])) == expected_spots
    df = check("white_spot_summary")
    row = df.set_index("code").loc[atype]
    assert row["municipalities"] == len(expected_spots) and row["population"] == sum(expected_spots.values())

    df = check("white_spot_top", area_code=area, limit=5)
    biggest = max((p for t, in _all(con, "select code from dim_activity_type")
                   for _, p, a in _all(con, spots, [t]) if a == area), default=None)
    assert df["population"].iloc[0] == biggest

    df = check("municipality_status", activity_type=atype)
    assert set(df.loc[df["has_type"] == 0, "code"]) == set(expected_spots)
    assert len(df) == _one(con, "select count(*) from municipality where not is_aland")

    df = check("swedish_coverage")
    sv = dict(zip(df["code"], df["activities_sv"]))
    top = df["code"].iloc[0]
    assert sv[top] == _one(con, f"select count(distinct p.activity_id) from ({placed}) p join activity a "
                                "using (activity_id) where a.offered_in_swedish and p.municipality_code = ?", [top])

    df = check("need_supply")
    need = dict(zip(df["code"], df["need_coefficient"]))
    assert need == pytest.approx(dict(_all(con, "select area_code, need_coefficient from mart_need_supply")))
    supply = dict(zip(df["code"], df["supply_rate_per_10k"]))
    assert supply[area] == pytest.approx(per_area[area] * 10000 / pop[area])

    df = check("data_gaps")
    assert set(df["org_id"]) == {o for (o,) in _all(
        con, "select distinct g.org_id from grant g where g.org_id is not null and not exists "
             "(select 1 from activity a where a.org_id = g.org_id)")}

    df = check("organisation_index")
    assert sorted(df["org_id"]) == sorted(o for (o,) in _all(con, "select org_id from organisation"))

    df = check("organisation_list", area_code=area)
    assert set(df["org_id"]) == {o for (o,) in _all(
        con, f"select org_id from organisation where home_area_code = ? union select org_id from ({placed}) "
             "where area_code = ?", [area, area])}
    # the count the caption shows: every organisation the list would hold without its limit
    assert check("organisation_count", area_code=area) == len(df) > 0
    assert check("organisation_count") == _one(con, "select count(*) from organisation")
    source = _one(con, "select source from organisation_source order by source limit 1")
    assert check("organisation_count", source=source) == _one(
        con, "select count(distinct org_id) from organisation_source where source = ?", [source])
    assert len(queries.organisation_list(con, limit=3)) == 3 < check("organisation_count")
    flags = _all(con, "select business_id_valid, types_classified >= 1, location_known, languages_known, "
                      "target_groups_known, updated_within_12m from mart_org_visibility where org_id = ?", [org])[0]
    assert dict(zip(check("organisation_list")["org_id"], check("organisation_list")["completeness"]))[org] == \
        pytest.approx(sum(bool(f) for f in flags) / 6)

    df = check("organisation_detail", org_id=org)
    assert (df["name"].iloc[0], df["website"].iloc[0]) == tuple(_all(
        con, "select name, website from organisation where org_id = ?", [org])[0])
    df = check("organisation_sources", org_id=org)
    assert dict(zip(df["source"], df["records"])) == dict(_all(
        con, "select source, count(*) from organisation_source where org_id = ? group by 1", [org]))
    df = check("organisation_activities", org_id=org)
    assert sorted(df["activity_id"]) == sorted(a for (a,) in _all(
        con, "select activity_id from activity where org_id = ?", [org]))
    df = check("organisation_types", org_id=org)
    assert dict(zip(df["code"], df["activities"])) == dict(_all(
        con, "select activity_type, count(*) from activity where org_id = ? group by 1", [org]))
    org_munis = dict(_all(con, f"select municipality_code, count(distinct activity_id) from ({placed}) "
                               "where org_id = ? group by 1", [org]))
    assert len(org_munis) >= 1
    df = check("organisation_municipalities", org_id=org)
    assert dict(zip(df["code"], df["activities"])) == org_munis
    df = check("organisation_map", org_id=org)
    assert {c: v for c, v in zip(df["code"], df["value"]) if v} == org_munis
    assert set(df["area_code"]) == {a for (a,) in _all(con, f"select distinct area_code from ({placed}) "
                                                            "where org_id = ?", [org])}

    df = check("organisation_source_options")
    assert list(zip(df["source"], df["organisations"])) == _all(
        con, "select source, count(distinct org_id) as n from organisation_source group by 1 order by n desc, 1")

    df = check("type_matrix", metric="activities")
    cell = df[(df["code"] == area) & (df["type"] == atype)]["value"].iloc[0]
    assert cell == _one(con, f"select count(distinct activity_id) from ({placed}) where area_code = ? "
                             "and activity_type = ?", [area, atype])

    df = check("target_group_breakdown", area_code=area)
    got = dict(zip(df["code"], df["activities"]))
    for group, n in _all(con, f"select g.target_group, count(distinct p.activity_id) from ({placed}) p "
                              "join activity_target_group g using (activity_id) where p.area_code = ? group by 1",
                         [area]):
        assert got[group] == n, group

    assert seen == _public_queries(), sorted(_public_queries() - seen)


def test_organisation_checklist_and_completeness_are_one_rule(con):
    listed = queries.organisation_list(con)
    completeness = dict(zip(listed["org_id"], listed["completeness"]))
    flags = {o: f for o, *f in _all(con, "select org_id, coalesce(business_id_valid, false), "
                                         "coalesce(types_classified >= 1, false), coalesce(location_known, false), "
                                         "coalesce(languages_known, false), coalesce(target_groups_known, false), "
                                         "coalesce(updated_within_12m, false) from mart_org_visibility")}
    # organisations with every number of checks done, and one without activities when the build has one
    picks = {sum(f): o for o, f in sorted(flags.items())}
    idle = _all(con, "select org_id from mart_org_visibility where activities = 0 order by org_id limit 1")
    assert len(picks) >= 3
    for org in [*picks.values(), *(o for (o,) in idle)]:
        detail = queries.organisation_detail(con, org_id=org).iloc[0]
        checks, todo = queries.organisation_checklist(detail)
        assert [k for k, _ in checks] == ["business_id", "types", "location", "languages", "groups", "updated"]
        assert [ok for _, ok in checks] == flags[org], org
        assert completeness[org] == pytest.approx(sum(flags[org]) / 6) == pytest.approx(detail["completeness"])
        missing = [k for k, ok in checks if not ok]
        assert todo == (["no_activities"] if detail["activities"] == 0 else []) + missing


def test_white_spots_and_status_agree(con):
    atype = con.execute("select activity_type from mart_white_spot group by 1 order by count(*) desc "
                        "limit 1").fetchone()[0]
    spots = queries.white_spots(con, activity_type=atype)
    status = queries.municipality_status(con, activity_type=atype)
    assert set(spots["code"]) == set(status.loc[status["has_type"] == 0, "code"])
    assert spots["population"].is_monotonic_decreasing


def test_swedish_coverage_equals_mart(con):
    expected = con.execute("select municipality_code, swedish_speakers, activities_sv, "
                           "activities_sv_per_10k_swedish from mart_swedish_coverage").fetchall()
    df = queries.swedish_coverage(con, lang="sv")
    assert len(df) == len(expected) and df["code"].is_unique
    got = {c: (s, a, r) for c, s, a, r in zip(df["code"], df["swedish_speakers"], df["activities_sv"],
                                               df["activities_sv_per_10k_swedish"])}
    for code, speakers, acts, rate in expected:
        assert got[code][0] == speakers and got[code][1] == acts
        assert got[code][2] == pytest.approx(rate, nan_ok=True)
    assert df["swedish_speakers"].dropna().is_monotonic_decreasing
    area = df["area_code"].iloc[0]
    assert set(queries.swedish_coverage(con, area_code=area)["area_code"]) == {area}


def test_white_spot_top_is_largest_first(con):
    area = con.execute("select area_code from mart_white_spot group by 1 order by count(*) desc limit 1").fetchone()[0]
    top = queries.white_spot_top(con, area_code=area, limit=5)
    assert 0 < len(top) <= 5 and top["population"].is_monotonic_decreasing
    biggest = con.execute("select max(population) from mart_white_spot where area_code = ?", [area]).fetchone()[0]
    assert top["population"].iloc[0] == biggest


def test_need_supply_high_need_low_supply_first(con):
    df = queries.need_supply(con)
    order = {"high_need_low_supply": 0, "high_need_high_supply": 1, "low_need_low_supply": 2,
             "low_need_high_supply": 3}
    assert df["quadrant"].map(order).is_monotonic_increasing


def test_organisation_search_typo_and_business_id(con):
    index = queries.organisation_index(con)
    row = index.dropna(subset=["business_id"]).iloc[0]
    typo = row["name"][:2] + row["name"][3:]
    hits = queries.rank_organisations(index, typo)
    assert row["org_id"] in set(hits["org_id"])
    by_id = queries.rank_organisations(index, row["business_id"].replace("-", ""))
    assert by_id["org_id"].iloc[0] == row["org_id"]
    assert queries.rank_organisations(index, "").empty


# -- figures ---------------------------------------------------------------------------------------------------------------

def test_feature_collection_accepts_feature_or_geometry():
    geom = {"type": "Polygon", "coordinates": [[[20, 60], [20, 61], [21, 61], [20, 60]]]}
    geo = pd.DataFrame({"code": ["01", "02"],
                        "geojson": [json.dumps(geom), json.dumps({"type": "Feature", "geometry": geom})]})
    fc = figures.feature_collection(geo)
    assert [f["id"] for f in fc["features"]] == ["01", "02"]
    assert all(f["geometry"]["type"] == "Polygon" for f in fc["features"])
    lon, lat = figures.bounds(fc)
    assert lon[0] < 20 < 21 < lon[1] and lat[0] < 60 < 61 < lat[1]


def test_choropleth_national_payload_and_offline(con):
    df = queries.area_metrics(con, metric="lq")
    fc = figures.feature_collection(queries.geo_areas(con))
    fig = figures.choropleth(df, fc, colorbar_title="LQ", separators=",\u00a0", hover_value_label="LQ",
                             diverging=True)
    assert len(fig.to_json().encode()) < 300_000
    assert fig.layout.geo.visible is False and fig.layout.geo.fitbounds == "locations"
    assert fig.data[0].zmid == 1.0


# -- layout rules ---------------------------------------------------------------------------------------------------------

def test_pages_stay_thin():
    for f in [ROOT / "dashboard.py", *sorted((ROOT / "pages").glob("*.py"))]:
        text = f.read_text(encoding="utf-8")
        assert "duckdb" not in text and not re.search(r"\bselect\s+.+\s+from\b", text, re.I), f.name
        assert "cache_data" not in text and "cache_resource" not in text, f.name
        assert ".groupby(" not in text and ".merge(" not in text and ".pivot" not in text, f.name


def test_queries_and_figures_do_not_import_streamlit():
    files = [ROOT / "app" / n for n in ("figures.py", "i18n.py", "db.py")]
    files += sorted((ROOT / "app" / "queries").glob("*.py"))
    assert ROOT / "app" / "queries" / "__init__.py" in files and len(files) >= 3 + 7
    for f in files:
        text = f.read_text(encoding="utf-8")
        assert "import streamlit" not in text and "from streamlit" not in text, f.name


def test_static_and_config():
    stub = json.loads((ROOT / "static" / "topojson" / "world_110m.json").read_text())
    assert stub == {"type": "Topology", "objects": {}, "arcs": []}
    cfg = (ROOT / ".streamlit" / "config.toml").read_text()
    for line in ("enableStaticServing = true", "gatherUsageStats = false", 'toolbarMode = "viewer"'):
        assert line in cfg
    assert (ROOT / "static" / "favicon.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_md_escape_keeps_data_literal():
    from app.ui import md_escape
    assert md_escape("**x** [y](javascript:alert(1)) # :red[z]") == \
        r"\*\*x\*\* \[y\]\(javascript\:alert\(1\)\) \# \:red\[z\]"
    assert md_escape(None) == ""
    assert md_escape("Kuvitteellinen ry") == "Kuvitteellinen ry"


# -- issue 11: figures that agree with their own definitions -----------------------------------------------------------

def _quadrant_figure(ns: pd.DataFrame, indicator: str):
    spec = gaps.NEED_INDICATORS[indicator]
    return figures.quadrant(ns, x_col=indicator, y_col="supply_rate_per_10k",
                            x_threshold=gaps.threshold(ns, spec.threshold_col),
                            y_threshold=gaps.threshold(ns, "supply_threshold"), quadrant_col=spec.quadrant_col,
                            x_label="x", y_label="y", separators=", ", x_fmt=spec.x_fmt,
                            quadrant_labels={q: q for q in gaps.QUADRANTS})


@pytest.mark.parametrize("indicator", list(gaps.NEED_INDICATORS))
def test_quadrant_lines_where_the_classification_is_made(con, indicator):
    ns = queries.need_supply(con)
    spec = gaps.NEED_INDICATORS[indicator]
    x_thr = {"need_coefficient": 1.0, "deprivation_index": 100.0}.get(indicator)
    if x_thr is None:   # unemployment: the mainland's population-weighted share in the chosen month
        x_thr = con.execute("""
            select sum(n.value * m.population) / sum(m.population) from need_indicator n
            join municipality m on m.code = n.code join area a on a.code = m.area_code
            where n.area_level = 'municipality' and n.indicator = 'unemployed_jobseekers_share_of_labour_force'
              and n.period = ? and n.value is not null and m.population > 0""",
                            [gaps.indicator_period(ns, indicator)]).fetchone()[0]
    y_thr = con.execute("select rate_per_10k from mart_country_metrics where activity_type = '_all' "
                        "and target_group = '_all'").fetchone()[0]
    fig = _quadrant_figure(ns, indicator)
    lines = {(s.x0, s.y0) for s in fig.layout.shapes}
    assert len(fig.layout.shapes) == 2
    assert any(x0 == pytest.approx(x_thr) for x0, _ in lines) and any(y0 == pytest.approx(y_thr) for _, y0 in lines)
    points = 0
    for tr in fig.data:   # one trace per quadrant: every marker on its quadrant's side of both lines
        for x, y in zip(tr.x, tr.y):
            points += 1
            assert (x > x_thr) == tr.name.startswith("high_need"), (indicator, tr.name, x)
            assert (y < y_thr) == tr.name.endswith("low_supply"), (indicator, tr.name, y)
    assert points == ns[[spec.column, "supply_rate_per_10k"]].dropna().shape[0] == 22


def _shown_label_boxes(fig) -> list[tuple]:
    x0, x1 = fig.layout.xaxis.range
    y0, y1 = fig.layout.yaxis.range
    pw, ph = figures.QUADRANT_PLOT_PX
    boxes = []
    for tr in fig.data:
        for x, y, text, pos in zip(tr.x, tr.y, tr.text, tr.textposition):
            if text:
                boxes.append(figures.label_box((x - x0) / (x1 - x0) * pw, (y - y0) / (y1 - y0) * ph, text, pos))
    return boxes


@pytest.mark.parametrize("indicator", list(gaps.NEED_INDICATORS))
def test_quadrant_labels_fit_do_not_overlap_full_names_on_hover(con, indicator):
    ns = queries.need_supply(con)
    fig = _quadrant_figure(ns, indicator)
    boxes = _shown_label_boxes(fig)
    pw, ph = figures.QUADRANT_PLOT_PX
    assert len(boxes) >= 15   # most areas keep a label
    for i, a in enumerate(boxes):
        assert a[0] >= 0 and a[1] >= 0 and a[2] <= pw and a[3] <= ph, a
        for b in boxes[i + 1:]:
            assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]), (a, b)
    shown = {t for tr in fig.data for t in tr.text if t}
    assert shown <= set(ns["short_name"]) and not any("hyvinvointialue" in t for t in shown)
    assert sorted(n for tr in fig.data for n in tr.customdata) == sorted(ns["name"])
    assert all("%{customdata}" in tr.hovertemplate for tr in fig.data)


def test_quadrant_labels_dropped_where_they_do_not_fit():
    # three areas on one spot: one label fits above it, one below; the third has no room left (hover only)
    df = pd.DataFrame({"name": ["Alue A", "Alue B", "Alue C", "Alue D"], "short_name": ["A", "B", "C", "D"],
                       "x": [1.1, 1.1, 1.1, 0.8], "y": [5.0, 5.0, 5.0, 9.0],
                       "q": ["high_need_low_supply"] * 3 + ["low_need_high_supply"]})
    fig = figures.quadrant(df, x_col="x", y_col="y", x_threshold=1.0, y_threshold=6.0, quadrant_col="q",
                           x_label="x", y_label="y", separators=", ",
                           quadrant_labels={q: q for q in gaps.QUADRANTS})
    texts = {n: (t, p) for tr in fig.data for n, t, p in zip(tr.customdata, tr.text, tr.textposition)}
    assert texts["Alue A"] == ("A", "top center") and texts["Alue B"] == ("B", "bottom center")
    assert texts["Alue C"] == ("C", "middle right") and texts["Alue D"][0] == "D"
    df2 = pd.concat([df.iloc[:3]] * 2, ignore_index=True).assign(name=[f"Alue {i}" for i in range(6)])
    fig = figures.quadrant(df2, x_col="x", y_col="y", x_threshold=1.0, y_threshold=6.0, quadrant_col="q",
                           x_label="x", y_label="y", separators=", ",
                           quadrant_labels={q: q for q in gaps.QUADRANTS})
    assert sum(1 for t in fig.data[0].text if t) == 4 and len(fig.data[0].text) == 6  # two left without a label


@pytest.mark.parametrize("table,unit", [("mart_area_metrics", "area"), ("mart_municipality_metrics", "municipality")])
def test_location_quotient_population_weighted_mean_is_one(con, table, unit):
    got = con.execute(f"""select activity_type, target_group, sum(population * lq) / sum(population)
                          from {table} where lq is not null group by all""").fetchall()
    assert len(got) > 100
    for atype, group, mean in got:
        assert mean == pytest.approx(1.0, abs=1e-9), (unit, atype, group)


@pytest.mark.parametrize("metric,numerator,denominator", [
    ("orgs_active_per_10k", "orgs_active", "population"), ("orgs_active", "orgs_active", "population"),
    ("orgs_registered_per_10k", "orgs_registered", "population"),
    ("rate_per_1k_band", "activities", "band_population"), ("rate_per_10k", "activities", "population")])
def test_each_rate_carries_its_own_small_number_flag(con, metric, numerator, denominator):
    differs = 0
    for atype in ("_all", "vertaistuki", "neuvonta_ohjaus"):
        for group in ("_all", "ikaantyneet", "lapset_perheet"):
            df = queries.area_metrics(con, metric=metric, activity_type=atype, target_group=group)
            assert len(df) == 22
            expected = (df[numerator] < 5) | (df[denominator] < 2000)
            assert df["small_number"].tolist() == expected.tolist(), (metric, atype, group)
            differs += int((expected != ((df["activities"] < 5) | (df["population"] < 2000))).sum())
    if metric not in ("rate_per_10k", "rate_per_1k_band"):   # no area has an age band under 2,000
        assert differs > 0, "the demo build has rates whose own flag differs from the activity count's"


def test_municipal_age_band_rate_flagged_by_its_band(con):
    # _all / ikaantyneet: municipalities with 5+ activities but under 2,000 residents aged 65+ are flagged
    area = con.execute("""select area_code from mart_municipality_metrics where activity_type = '_all'
                          and target_group = 'ikaantyneet' and activities >= 5 and band_population < 2000
                          and population >= 2000 group by 1 order by count(*) desc limit 1""").fetchone()[0]
    expected = dict(con.execute("""select municipality_code, activities < 5 or band_population < 2000
                                   from mart_municipality_metrics where area_code = ? and activity_type = '_all'
                                   and target_group = 'ikaantyneet'""", [area]).fetchall())
    df = queries.municipality_metrics(con, area_code=area, metric="rate_per_1k_band", target_group="ikaantyneet")
    assert dict(zip(df["code"], df["small_number"])) == expected
    by_activities = queries.municipality_metrics(con, area_code=area, metric="rate_per_10k",
                                                 target_group="ikaantyneet")
    assert dict(zip(by_activities["code"], by_activities["small_number"])) != expected


def test_age_band_rate_flagged_by_its_band(con):
    df = queries.target_group_breakdown(con, activity_type="_all", area_code=None)
    mart = dict(con.execute("select target_group, activities < 5 or band_population < 2000 "
                            "from mart_country_metrics where activity_type = '_all'").fetchall())
    assert dict(zip(df["code"], df["small_number"])) == {g: mart[g] for g in df["code"]}
    area = con.execute("select area_code from mart_area_metrics where target_group = 'ikaantyneet' "
                       "and activity_type = '_all' and band_population < 2000 limit 1").fetchone()
    for a in ([area[0]] if area else []):
        df = queries.target_group_breakdown(con, activity_type="_all", area_code=a)
        assert bool(df.set_index("code").loc["ikaantyneet", "small_number"]) is True


def test_gaps_page_helpers():
    types = pd.DataFrame({"code": ["vertaistuki", "muu", "neuvonta_ohjaus"], "label": ["V", "M", "N"]})
    assert gaps.white_spot_types(types)["code"].tolist() == ["vertaistuki", "neuvonta_ohjaus"]
    assert gaps.single_period(pd.DataFrame({"y": [2022, 2022, None]}), "y") == "2022"
    assert gaps.single_period(pd.DataFrame({"y": [None]}), "y") == "–"
    with pytest.raises(ValueError):
        gaps.single_period(pd.DataFrame({"y": ["2021", "2022"]}), "y")


def test_one_period_per_indicator_in_the_demo(con):
    ns = queries.need_supply(con)
    for indicator, spec in gaps.NEED_INDICATORS.items():
        assert ns[spec.period_col].nunique() == 1, indicator
    assert gaps.indicator_period(ns, "need_coefficient") == "2023"
    sw = queries.swedish_coverage(con)
    assert sw["swedish_year"].nunique() == 1
