"""Dashboard library without Streamlit: queries against a real warehouse, figures, i18n and layout rules."""
from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from app import figures, i18n, queries

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
    files = [ROOT / "dashboard.py", *sorted((ROOT / "pages").glob("*.py")), ROOT / "app" / "ui.py"]
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


def test_every_query_runs(con):
    area = con.execute("select code from area where code <> '91' order by code limit 1").fetchone()[0]
    atype = con.execute("select code from dim_activity_type order by sort_order limit 1").fetchone()[0]
    org = con.execute("select org_id from mart_org_visibility order by activities desc limit 1").fetchone()[0]
    calls = {
        "build_info": {}, "sources": {}, "row_counts": {}, "quarantine_summary": {}, "quarantine_rows": {},
        "areas": {}, "municipalities": {"area_code": area}, "activity_types": {}, "target_groups": {},
        "geo_areas": {}, "geo_municipalities": {"area_code": area}, "country_metrics": {"metric": "lq"},
        "national_reach": {}, "municipality_metrics": {"area_code": area}, "type_profile": {"area_code": area},
        "similar_areas": {"area_code": area}, "area_organisations": {"area_code": area},
        "area_activities": {"area_code": area}, "grants_by_year": {"area_code": area},
        "white_spots": {"activity_type": atype}, "white_spot_summary": {}, "need_supply": {},
        "municipality_status": {"activity_type": atype}, "data_gaps": {}, "organisation_index": {},
        "organisation_list": {"area_code": area}, "organisation_detail": {"org_id": org},
        "organisation_sources": {"org_id": org}, "organisation_activities": {"org_id": org},
        "organisation_types": {"org_id": org}, "organisation_municipalities": {"org_id": org},
        "organisation_map": {"org_id": org}, "type_matrix": {"metric": "lq"},
        "target_group_breakdown": {"area_code": area},
        "white_spot_top": {"area_code": area}, "swedish_coverage": {},
    }
    for name, kw in calls.items():
        df = getattr(queries, name)(con, **kw)
        assert isinstance(df, pd.DataFrame), name
    assert len(queries.areas(con)) == 22
    assert len(queries.activity_types(con)) == con.execute("select count(*) from dim_activity_type").fetchone()[0]


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
    for name in ("queries.py", "figures.py", "i18n.py", "db.py"):
        assert "import streamlit" not in (ROOT / "app" / name).read_text(encoding="utf-8"), name


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
