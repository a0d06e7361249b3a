"""Area and national briefs (app/brief.py -> app.exports.brief_pdf) built from the demo warehouse and read back
with pypdf: page count, area name, key figures equal to the mart values in the language's number format, the
Statistics Finland attribution in that language, the build id and the demo watermark.

Expected values are read straight from the warehouse with DuckDB, never through app/. PDF charts are rendered by
kaleido in headless Chromium: when it is missing these tests fail, as the export tests do."""
from __future__ import annotations

import io
import re
import subprocess
import sys

import duckdb
import pytest
from pypdf import PdfReader

from app import brief, exports
from etl import paths

WATERMARK = {"fi": "SYNTEETTINEN DEMOAINEISTO", "sv": "SYNTETISKA DEMODATA", "en": "SYNTHETIC DEMO DATA"}
COUNTRY = {"fi": "Koko maa", "sv": "Hela landet", "en": "Whole country"}


@pytest.fixture(scope="module")
def con(demo_warehouse):
    c = duckdb.connect(str(demo_warehouse), read_only=True)
    yield c
    c.close()


@pytest.fixture(scope="module")
def export_server():
    try:
        exports.start_export_server()
    except Exception as e:  # noqa: BLE001
        pytest.fail(f"export server did not start (Chromium missing?): {e}")
    yield
    exports.stop_export_server()


def one(con, sql, params=()):
    return con.execute(sql, list(params)).fetchone()


def flat(text: str) -> str:
    """Extracted PDF text with no-break spaces as spaces and every run of white space (justified lines, line
    breaks) as one space, so wrapped sentences can be searched."""
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ").replace("\u202f", " "))


def number(value: float, lang: str, decimals: int) -> str:
    s = f"{value:,.{decimals}f}"
    return s if lang == "en" else s.replace(",", " ").replace(".", ",")


def read(data: bytes) -> tuple[PdfReader, str]:
    assert data[:5] == b"%PDF-"
    reader = PdfReader(io.BytesIO(data))
    return reader, flat("\n".join(p.extract_text() for p in reader.pages))


def area_code(con) -> str:
    """The most populous area with several municipalities (it has white spots and grants)."""
    return one(con, "select code from area where code <> '91' and municipality_count > 2 "
                    "order by population desc limit 1")[0]


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_area_brief_pdf(con, export_server, lang):
    code = area_code(con)
    data, meta = brief.area_brief(con, code, lang)
    reader, text = read(exports.brief_pdf(data, meta))
    assert 2 <= len(reader.pages) <= 4
    name = one(con, f"select name_{lang} from area where code = ?", [code])[0]
    assert data.area_name == name and name in text
    activities, orgs_active, orgs_registered, rate = one(con, """
        select activities, orgs_active, orgs_registered, rate_per_10k from mart_area_metrics
        where area_code = ? and activity_type = '_all' and target_group = '_all'""", [code])
    for value, decimals in ((activities, 0), (orgs_active, 0), (orgs_registered, 0), (rate, 2)):
        assert number(value, lang, decimals) in text, (value, decimals)
    population = one(con, "select population from area where code = ?", [code])[0]
    assert number(population, lang, 0) in text
    statfi = one(con, f"select attribution_{lang} from _meta_sources where source_id = 'statfi' limit 1")[0]
    assert statfi and flat(statfi) in text
    build_id = one(con, "select build_id from _meta_build")[0]
    assert build_id in text and meta.build_id == build_id
    assert meta.is_demo and WATERMARK[lang] in text
    for page in reader.pages:                                   # the watermark on every page
        assert WATERMARK[lang] in flat(page.extract_text())
    assert len(reader.pages[0].images) >= 1                     # the municipality map
    assert name in reader.metadata.title
    # the white spot with most residents in the area is listed
    top = one(con, f"""select m.name_{lang}, w.population from mart_white_spot w
                       join municipality m on m.code = w.municipality_code
                       where w.area_code = ? order by w.population desc limit 1""", [code])
    if top:
        assert top[0] in text and number(top[1], lang, 0) in text


def test_national_brief_pdf_english(con, export_server):
    data, meta = brief.national_brief(con, "en")
    reader, text = read(exports.brief_pdf(data, meta))
    assert 2 <= len(reader.pages) <= 4
    assert data.is_national and data.area_name == COUNTRY["en"]
    assert f"National overview: {COUNTRY['en']}" in text
    activities, rate, population = one(con, """select activities, rate_per_10k, population from mart_country_metrics
                                               where activity_type = '_all' and target_group = '_all'""")
    assert number(activities, "en", 0) in text and number(rate, "en", 2) in text
    assert number(population, "en", 0) in text
    # every area is in the ranking table, in English
    for (name,) in con.execute("select name_en from area where code <> '91'").fetchall():
        assert flat(name) in text, name
    statfi = one(con, "select attribution_en from _meta_sources where source_id = 'statfi' limit 1")[0]
    assert flat(statfi) in text
    assert one(con, "select build_id from _meta_build")[0] in text
    assert WATERMARK["en"] in text and exports.DEMO_KEYWORD in reader.metadata.subject
    assert len(reader.pages[0].images) >= 1                     # the 22-area map


def test_brief_meta_and_filename(con):
    code = area_code(con)
    data, meta = brief.area_brief(con, code, "sv")
    assert meta.lang == "sv" and meta.sources
    ids = {s["source_id"] for s in meta.sources}
    assert "statfi" in ids and ids <= set(brief.BRIEF_SOURCES)
    assert all(s.get("attribution_sv") == s.get("attribution") for s in meta.sources)
    assert meta.definitions and all(term and text for term, text in meta.definitions)
    assert brief.brief_filename(data.area_name, "sv", True).startswith("Omradesprofil_")
    assert brief.brief_filename("Helsingfors stad", "sv", True) == "Omradesprofil_Helsingfors_stad_sv_DEMO.pdf"
    assert brief.brief_filename(COUNTRY["en"], "en", False, national=True) == \
        "National_overview_Whole_country_en.pdf"
    with pytest.raises(ValueError):
        brief.area_brief(con, "99", "fi")


def test_brief_importable_without_streamlit():
    code = "import sys, app.brief; assert 'streamlit' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=paths.ROOT)


@pytest.mark.parametrize("level", ["areas", "municipalities"])
def test_map_svg_draws_one_shape_per_area(con, export_server, level):
    """The exported map has exactly one choropleth shape per area (or municipality) of the figure, and as many as
    the warehouse has: an SVG with axes but no map, or with shapes missing, fails."""
    from app import figures, queries
    from app.i18n import separators
    from tests.test_exports import choropleth_paths

    if level == "areas":
        df = queries.area_metrics(con, metric="rate_per_10k", lang="fi")
        geo = figures.feature_collection(queries.geo_areas(con))
        expected = one(con, "select count(*) from area")[0]
    else:
        code = area_code(con)
        df = queries.municipality_metrics(con, area_code=code, metric="rate_per_10k", lang="fi")
        geo = figures.feature_collection(queries.geo_municipalities(con, area_code=code))
        expected = one(con, "select municipality_count from area where code = ?", [code])[0]
    fig = figures.choropleth(df, geo, colorbar_title="x", hover_value_label="x", separators=separators("fi"))
    assert len(fig.data[0].locations) == expected
    meta = exports.ExportMeta(title="Kartta", subtitle="", lang="fi", source_line="Lähde: testi", build_id="b1",
                              built_at="2026-11-23T13:12:00", is_demo=False)
    svg = exports.figure_to_svg(fig, meta, width=600, height=900).decode("utf-8")
    assert len(choropleth_paths(svg)) == expected
