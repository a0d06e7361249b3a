"""AppTest of page 7, Palvelupolut / Servicestigar / Service paths (issue 10) in fi/sv/en over the hand-made
contract warehouse of tests/paths_fixture.py: the status map, its table, the key figures and the path view equal
the mart rows; the referral lists show the mart's activities; every selector round-trips through the URL; a
warehouse without the path marts gives a message, not an error. Expected values are read from the warehouse with
DuckDB, never through app/."""
from __future__ import annotations


import duckdb
import pytest

from app import i18n
from app.queries import STATUSES
from tests.paths_fixture import AREA, OTHER_PATH, PATH, paths_warehouse  # noqa: F401 - the fixture
from tests.test_app_pages import APP, LANGS, chart, close, download_spy, qp, rows

from streamlit.testing.v1 import AppTest

PAGE = "pages/7_palvelupolut.py"
NAME_COL = {"fi": "name_fi", "sv": "coalesce(name_sv, name_fi)", "en": "coalesce(name_en, name_fi)"}


def locale(lang: str) -> dict[str, str]:
    """Every string of the language, from the locale files (the app's own loader)."""
    return i18n.strings(lang)


@pytest.fixture()
def db(paths_warehouse, monkeypatch):  # noqa: F811
    monkeypatch.setenv("JARJESTOKARTTA_DB", str(paths_warehouse))
    con = duckdb.connect(str(paths_warehouse), read_only=True)
    yield con
    con.close()


def run(**params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for k, v in params.items():
        at.query_params[k] = v
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def open_table(at: AppTest, key: str) -> AppTest:
    """Open a lazy expander (ui.lazy_expander key) the way a click does: its state, then a rerun."""
    at.session_state[f"jk_exp_{key}"] = True
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def biggest(db, path=PATH, area=AREA) -> str:
    return rows(db, "select municipality_code from mart_path_municipality where path_code = ? and area_code = ? "
                    "order by population desc limit 1", [path, area])[0][0]


@pytest.mark.parametrize("lang", LANGS)
def test_map_table_and_key_figures_equal_the_mart(db, lang, monkeypatch):
    muni = biggest(db)
    buttons = download_spy(monkeypatch)
    at = run(lang=lang, path=PATH, area=AREA, muni=muni)
    words = locale(lang)
    mart = {code: (status, pop, pts, cov, org, nearest, km) for code, status, pop, pts, cov, org, nearest, km in rows(
        db, "select municipality_code, status, population, public_points, public_services_covering, org_in_person, "
            "nearest_org_municipality_code, nearest_org_distance_km from mart_path_municipality "
            "where path_code = ? and area_code = ?", [PATH, AREA])}
    n_area = rows(db, "select count(*) from geo_municipality where area_code = ?", [AREA])[0][0]
    assert len(mart) == n_area == 19
    assert {s for s, *_ in mart.values()} == set(STATUSES)       # the fixture has every status

    # the map: one shape per municipality of the area, coloured by the mart's status, legend in words
    trace = chart(at, 0)["data"][0]
    assert trace["type"] == "choropleth"
    assert sorted(trace["locations"]) == sorted(mart)
    for code, z, custom in zip(trace["locations"], trace["z"], trace["customdata"]):
        assert custom[2] == mart[code][0] and z == 3 - STATUSES.index(mart[code][0]), code
        assert custom[1] == words[f"paths.status.{mart[code][0]}"]
    # the legend in words, read top down: both, public only, organisations only, neither (z 3 … 0)
    assert trace["colorbar"]["tickvals"] == [0, 1, 2, 3]
    assert trace["colorbar"]["ticktext"] == [words[f"paths.status.{s}"] for s in reversed(STATUSES)]
    # Okabe-Ito green, sky blue, orange and a neutral grey (colour-blind safe), one band per status
    # (neither at z 0 … both at z 3)
    assert [c for _, c in trace["colorscale"][::2]] == ["#BBBBBB", "#E69F00", "#56B4E9", "#009E73"]

    # the table behind the map waits in a closed expander under it (no table, no download buttons drawn);
    # opened, it shows the mart's rows, and its downloads keep their file names
    name = f"palvelupolut_{PATH}_{AREA}_kunnat"
    assert [e.label for e in at.expander] == [words["paths.table.open"], words["common.as_table"]]
    assert len(at.dataframe) == 0 and not [f for f in buttons if f.startswith(name)]
    assert f"palvelupolut_{PATH}_{AREA}_kartta.png" in buttons              # the map's own downloads are there
    open_table(at, "paths_munis")
    assert len(at.dataframe) == 1
    assert {f for f in buttons if f.startswith(name)} == {f"{name}.csv", f"{name}_semicolon.csv", f"{name}.xlsx"}
    names = dict(rows(db, f"select code, {NAME_COL[lang]} from municipality where area_code = ?", [AREA]))
    table = at.dataframe[0].value
    assert len(table) == len(mart)
    csv_rows = buttons[f"{name}.csv"]().decode("utf-8-sig").replace("\r\n", "\n").split("\n\n")[0].splitlines()
    assert len(csv_rows) == 1 + len(mart) and csv_rows[0].split(",")[0] == words["col.municipality"]
    by_name = {r[0]: r for r in table.itertuples(index=False, name=None)}
    for code, (status, pop, pts, cov, org, nearest, km) in mart.items():
        r = by_name[names[code]]
        assert r[1] == words[f"paths.status.{status}"]
        assert (r[2], r[3], r[4], r[5]) == (pop, pts, cov, org)
        assert (r[7] or None) == (names.get(nearest) if nearest else None)
        assert close(km, r[8]), code

    # the key figures: municipalities by status from mart_path_area
    area = rows(db, "select municipalities_both, municipalities_public_only, municipalities_organisations_only, "
                    "municipalities_neither from mart_path_area where path_code = ? and area_code = ?",
                [PATH, AREA])[0]
    shown = {m.label: m.value for m in at.metric}
    for status, n in zip(STATUSES, area):
        assert shown[words[f"paths.status.{status}"]] == str(n)
    assert qp(at) == {"lang": lang, "path": PATH, "area": AREA, "muni": muni, "section": "view"}

    # source lines: the page's own sources (population, organisations / demo, vocabulary), not every source
    col = {"fi": "attribution_fi", "sv": "attribution_sv", "en": "attribution_en"}[lang]
    attribution = dict(rows(db, f"select source_id, {col} from _meta_sources"))
    captions = " ".join(c.value for c in at.caption)
    assert words["source.label"] in captions and attribution["demo"] in captions
    assert attribution["thl_need"] not in captions


def test_path_view_reads_the_stages_left_to_right(db):
    muni = biggest(db)
    at = run(lang="fi", path=PATH, area=AREA, muni=muni)
    stages = rows(db, "select stage_code, label_fi, side from dim_path_stage order by stage_order")
    assert [s for s, *_ in stages] == ["osallisuus", "ohjaus", "vertaistuki", "julkinen", "kuntoutuminen"]
    area = dict(rows(db, "select stage_code, activities from mart_path_area_stage where path_code = ? "
                         "and area_code = ?", [PATH, AREA]))
    local = dict(rows(db, "select stage_code, activities from mart_path_municipality_stage where path_code = ? "
                          "and municipality_code = ?", [PATH, muni]))
    for i, expected in ((1, area), (2, local)):
        fig = chart(at, i)
        assert [x.replace("<br>", " ") for x in fig["layout"]["xaxis"]["categoryarray"]] == \
            [label for _, label, _ in stages]
        got = {}
        for trace in fig["data"]:
            got.update(zip([x.replace("<br>", " ") for x in trace["x"]], trace["y"]))
        assert got == {label: float(expected[code]) for code, label, _ in stages}
    # the public stage is its own series (other colour) beside the organisations' stages
    sides = {trace["name"]: trace["x"] for trace in chart(at, 1)["data"]}
    assert [x.replace("<br>", " ") for x in sides[locale("fi")["paths.side.public"]]] == \
        [label for code, label, _ in stages if code == "julkinen"]
    # rates behind the view: the table waits in a closed expander (nothing drawn), opened it shows the mart
    assert qp(at)["section"] == "view" and len(at.dataframe) == 0          # both tables wait closed
    assert [e.label for e in at.expander] == [locale("fi")["paths.table.open"], locale("fi")["common.as_table"]]
    open_table(at, "paths_stages")
    assert len(at.dataframe) == 1 and len(at.get("plotly_chart")) == 3     # only the rates; map and views stay
    rates = {r[0]: r[1:] for r in rows(db, "select s.label_fi, x.activities, x.rate from mart_path_area_stage x "
                                           "join dim_path_stage s using (stage_code) where x.path_code = ? "
                                           "and x.area_code = ?", [PATH, AREA])}
    table = at.dataframe[0].value
    assert len(table) == len(stages)
    for label, n, rate in table.iloc[:, :3].itertuples(index=False, name=None):
        assert (n, round(rate, 9)) == (rates[label][0], round(rates[label][1], 9))


def test_referral_lists_show_the_mart_activities(db):
    muni = biggest(db)
    at = run(lang="fi", path=PATH, area=AREA, muni=muni)
    # the referral lists are their own part: not drawn (no queries) until chosen, then in place of the path view
    assert len(at.dataframe) == 0 and not [b for b in at.get("download_button") if "PDF" in b.proto.label]
    at.radio(key="jk_section").set_value("refer").run()
    assert not at.exception and qp(at)["section"] == "refer"
    assert len(at.get("plotly_chart")) == 1                                # the map; the path view is not drawn
    local = rows(db, """select distinct l.name_fi, l.org_name, pa.open_to_all from mart_path_activity pa
                        join mart_activity_list l using (activity_id)
                        where pa.path_code = ? and pa.is_in_person and l.municipality_code = ?""", [PATH, muni])
    assert len(local) >= 2 and any(o for *_, o in local)        # one open-to-all activity is listed too
    public = rows(db, """select ps.name_fi from mart_path_public_service x join public_service ps using (service_id)
                         where x.path_code = ? and (x.municipality_code = ? or x.via = 'national')""", [PATH, muni])
    national = rows(db, """select distinct l.name_fi from mart_path_activity pa join mart_activity_list l
                           using (activity_id) where pa.path_code = ? and pa.is_national""", [PATH])
    nearby = {r[0] for r in rows(db, "select distinct nearby_municipality_code from mart_path_nearby "
                                     "where path_code = ? and municipality_code = ?", [PATH, muni])}
    names = dict(rows(db, "select code, name_fi from municipality"))
    tables = [d.value for d in at.dataframe]
    assert len(tables) == 4                          # the lists only: the map's table waits in its expander
    public_t, local_t, nearby_t, national_t = tables
    assert sorted(public_t.iloc[:, 0]) == sorted(n for (n,) in public)
    assert sorted(zip(local_t.iloc[:, 1], local_t.iloc[:, 2])) == sorted((n, o) for n, o, _ in local)
    assert sorted(national_t.iloc[:, 1]) == sorted(n for (n,) in national)
    assert len(nearby_t) > 0 and set(nearby_t.iloc[:, 1]) <= {names[c] for c in nearby}
    buttons = [b for b in at.get("download_button") if "PDF" in b.proto.label]
    assert [b.proto.label for b in buttons] == [locale("fi")["paths.card.button"]]


def test_selectors_change_the_url_and_the_data(db):
    at = run(lang="en", path=PATH, area=AREA, muni=biggest(db))
    at.selectbox(key="jk_path").select(OTHER_PATH).run()
    assert not at.exception
    assert qp(at)["path"] == OTHER_PATH
    expected = dict(rows(db, "select municipality_code, status from mart_path_municipality where path_code = ?",
                         [OTHER_PATH]))
    trace = chart(at, 0)["data"][0]
    assert {c: cd[2] for c, cd in zip(trace["locations"], trace["customdata"])} == expected
    small = rows(db, "select municipality_code from mart_path_municipality where path_code = ? and area_code = ? "
                     "order by population limit 1", [OTHER_PATH, AREA])[0][0]
    at.selectbox(key="jk_muni").select(small).run()
    assert qp(at) == {"lang": "en", "path": OTHER_PATH, "area": AREA, "muni": small, "section": "view"}
    local = dict(rows(db, "select stage_code, activities from mart_path_municipality_stage where path_code = ? "
                          "and municipality_code = ?", [OTHER_PATH, small]))
    labels = dict(rows(db, "select stage_code, label_en from dim_path_stage"))
    got = {}
    for tr in chart(at, 2)["data"]:
        got.update(zip([x.replace("<br>", " ") for x in tr["x"]], tr["y"]))
    assert got == {labels[c]: float(n) for c, n in local.items()}
    # a shared link reopens the same view
    again = run(**qp(at))
    assert again.selectbox(key="jk_path").value == OTHER_PATH and again.selectbox(key="jk_muni").value == small


def test_whole_country_is_the_default_area(db):
    at = run(lang="sv")
    first_path = rows(db, "select path_code from dim_service_path order by sort_order limit 1")[0][0]
    assert qp(at)["path"] == first_path and qp(at)["area"] == "_all"
    codes = [c for (c,) in rows(db, "select municipality_code from mart_path_municipality where path_code = ?",
                                [first_path])]
    assert sorted(chart(at, 0)["data"][0]["locations"]) == sorted(codes)
    fi = rows(db, "select municipalities_both, municipalities_neither from mart_path_area where path_code = ? "
                  "and area_code = 'FI'", [first_path])[0]
    shown = {m.label: m.value for m in at.metric}
    assert (shown[locale("sv")["paths.status.both"]], shown[locale("sv")["paths.status.neither"]]) == tuple(
        str(n) for n in fi)


def test_page_without_path_marts_says_so(demo_warehouse, tmp_path, monkeypatch):
    import shutil

    import duckdb
    old = tmp_path / "old.duckdb"          # a warehouse built before the service paths existed
    shutil.copyfile(demo_warehouse, old)
    with duckdb.connect(str(old)) as con:
        con.execute("drop table mart_path_municipality")
    monkeypatch.setenv("JARJESTOKARTTA_DB", str(old))
    for lang in LANGS:
        at = run(lang=lang)
        assert [i.value for i in at.info] == [locale(lang)["paths.not_built"]]
        assert not at.error


def test_page_is_seventh_in_the_navigation():
    from tests.test_app_pages import ROOT
    text = (ROOT / "dashboard.py").read_text(encoding="utf-8")
    pages = [line.split('"')[1] for line in text.splitlines() if line.strip().startswith('("pages/')]
    assert pages[6] == PAGE
    for lang in LANGS:
        assert locale(lang)["page.paths.nav"] != "page.paths.nav"


def test_public_only_municipality_lists_the_nearest_instead(db):
    muni, nearest = rows(db, "select municipality_code, nearest_org_municipality_code from mart_path_municipality "
                             "where path_code = ? and status = 'public_only' and public_points > 0 "
                             "order by municipality_code limit 1", [PATH])[0]
    at = run(lang="sv", path=PATH, area=AREA, muni=muni, section="refer")
    words = locale("sv")
    assert words["paths.card.none"] in [c.value for c in at.caption]     # no local activity: said in words
    tables = [d.value for d in at.dataframe]
    assert len(tables) == 3        # public services, nearby, national (the map's table waits closed)
    nearby = rows(db, "select distinct coalesce(m.name_sv, m.name_fi) from mart_path_nearby n "
                      "join municipality m on m.code = n.nearby_municipality_code "
                      "where n.path_code = ? and n.municipality_code = ?", [PATH, muni])
    assert set(tables[1].iloc[:, 1]) <= {n for (n,) in nearby}
    nearest_name = rows(db, "select coalesce(name_sv, name_fi) from municipality where code = ?", [nearest])[0][0]
    assert nearest_name in set(tables[1].iloc[:, 1])
