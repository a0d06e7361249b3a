"""Exports read back: CSV, XLSX, PNG, SVG and PDF files are parsed and checked, in fi and sv, demo and real.

The image and PDF tests share one kaleido export server (module-scoped fixture `export_server`). They need
Chromium: when it is missing they FAIL, on purpose (CI installs chromium)."""
from __future__ import annotations

import html
import io
import re
import struct
import subprocess
import sys
import threading
import zlib

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from app import exports as ex
from etl import paths

SOURCES = [
    {"source_id": "statfi_pop", "title": "Väestörakenne 31.12.2024", "publisher": "Tilastokeskus",
     "url": "https://stat.fi/tilasto/vaerak", "licence": "CC BY 4.0",
     "attribution_fi": "Lähde: Tilastokeskus, väestörakenne",
     "attribution_sv": "Källa: Statistikcentralen, befolkningsstruktur",
     "attribution_en": "Source: Statistics Finland, population structure", "retrieved_at": "2026-11-20T10:00:00"},
]
SOURCE_LINE = {
    "fi": "Lähde: Tilastokeskus, väestö 31.12.2024, CC BY 4.0; Järjestökartta. Tiedot 23.11.2026",
    "sv": "Källa: Statistikcentralen, befolkning 31.12.2024, CC BY 4.0; Järjestökartta. Data 23.11.2026",
    "en": "Source: Statistics Finland, population 31.12.2024, CC BY 4.0; Järjestökartta. Data 23 Nov 2026",
}
TITLE = {"fi": "Vertaistuki 10 000 asukasta kohden", "sv": "Kamratstöd per 10 000 invånare",
         "en": "Peer support per 10,000 residents"}
SUBTITLE = {"fi": "Pirkanmaa · kaikki kohderyhmät", "sv": "Birkaland · alla målgrupper",
            "en": "Pirkanmaa · all target groups"}
WATERMARK = {"fi": "SYNTEETTINEN DEMOAINEISTO", "sv": "SYNTETISKA DEMODATA", "en": "SYNTHETIC DEMO DATA"}


def make_meta(lang: str = "fi", demo: bool = False) -> ex.ExportMeta:
    return ex.ExportMeta(
        title=TITLE[lang], subtitle=SUBTITLE[lang], lang=lang, source_line=SOURCE_LINE[lang],
        build_id="b20261123-1a2b3c", built_at="2026-11-23T13:12:00", is_demo=demo,
        definitions=[("Toiminnot alueella" if lang == "fi" else "Verksamheter i området",
                      "Eri toiminnot, joilla on sijainti alueella." if lang == "fi"
                      else "Olika verksamheter med en plats i området.")],
        sources=SOURCES)


@pytest.fixture()
def frame() -> pd.DataFrame:
    return pd.DataFrame({
        "Kunta": ["091", "837", "905", "020"],
        "Nimi": ["Helsinki", "Tampere", "Vaasa – Vasa", "Äänekoski; Åbo \"x\""],
        "Toimintoja": [1204, 350, 77, 0],
        "Per 10 000": [17.25, 14.5, 11.125, float("nan")],
    })


def nz(s: str) -> str:
    return s.replace("\u00a0", " ").replace("\u202f", " ")


# ---------------------------------------------------------------------------------------------------------------- CSV

@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_csv_utf8_bom_round_trip(frame, lang):
    data = ex.to_csv_bytes(frame, make_meta(lang))
    assert data.startswith(b"\xef\xbb\xbf")
    body, footer = ex.split_csv_export(data)
    back = pd.read_csv(io.StringIO(body), dtype={"Kunta": str})
    pd.testing.assert_frame_equal(back, frame)
    text = data.decode("utf-8-sig")
    assert SOURCE_LINE[lang] in footer and TITLE[lang] in footer
    assert any(SUBTITLE[lang] in ln for ln in footer)
    assert any("b20261123-1a2b3c" in ln for ln in footer)
    assert WATERMARK[lang] not in text and ex.DEMO_KEYWORD not in text
    # the whole file also parses as a CSV (Excel view): data rows, a blank line, the metadata block
    assert "\r\n\r\n" in text


def test_csv_semicolon_uses_decimal_comma(frame):
    data = ex.to_csv_bytes(frame, make_meta("fi"), sep=";")
    assert data.startswith(b"\xef\xbb\xbf")
    body, footer = ex.split_csv_export(data)
    assert body.splitlines()[0] == "Kunta;Nimi;Toimintoja;Per 10 000"
    assert "091;Helsinki;1204;17,25" in body
    assert "17.25" not in body
    back = pd.read_csv(io.StringIO(body), sep=";", decimal=",", dtype={"Kunta": str})
    pd.testing.assert_frame_equal(back, frame)
    assert SOURCE_LINE["fi"] in footer


@pytest.mark.parametrize("sep", [",", ";"])
def test_csv_demo_notice_only_when_demo(frame, sep):
    demo = ex.to_csv_bytes(frame, make_meta("sv", demo=True), sep=sep)
    body, footer = ex.split_csv_export(demo)
    assert WATERMARK["sv"] in footer[0] and ex.DEMO_KEYWORD in footer[0]
    pd.testing.assert_frame_equal(pd.read_csv(io.StringIO(body), sep=sep, decimal="," if sep == ";" else ".",
                                              dtype={"Kunta": str}), frame)
    real = ex.to_csv_bytes(frame, make_meta("sv", demo=False), sep=sep).decode("utf-8-sig")
    assert WATERMARK["sv"] not in real and ex.DEMO_KEYWORD not in real


# --------------------------------------------------------------------------------------------------------------- XLSX

def _read_sheet(ws, header_row: int) -> pd.DataFrame:
    rows = list(ws.iter_rows(min_row=header_row, values_only=True))
    return pd.DataFrame(rows[1:], columns=rows[0])


@pytest.mark.parametrize("lang,sheet,attribution,other", [
    ("fi", "Lähteet", "Lähde: Tilastokeskus, väestörakenne", "Källa: Statistikcentralen"),
    ("sv", "Källor", "Källa: Statistikcentralen, befolkningsstruktur", "Lähde: Tilastokeskus"),
    ("en", "Sources", "Source: Statistics Finland, population structure", "Lähde: Tilastokeskus"),
])
def test_xlsx_typed_values_and_sources_sheet(frame, lang, sheet, attribution, other):
    wb = load_workbook(io.BytesIO(ex.to_xlsx_bytes(frame, make_meta(lang))))
    assert wb.sheetnames[1] == sheet
    ws = wb.worksheets[0]
    assert [c.value for c in ws[1]] == list(frame.columns)
    assert ws.freeze_panes == "A2"
    assert all(c.font.b for c in ws[1])
    assert ws.column_dimensions["B"].width >= len("Äänekoski; Åbo \"x\"")
    back = _read_sheet(ws, 1)
    assert back["Kunta"].tolist() == frame["Kunta"].tolist()          # codes stay text
    assert back["Nimi"].tolist() == frame["Nimi"].tolist()
    assert back["Toimintoja"].tolist() == frame["Toimintoja"].tolist()
    assert back["Per 10 000"].iloc[:3].tolist() == frame["Per 10 000"].iloc[:3].tolist()
    assert ws["D5"].value is None                                     # NaN -> empty cell
    for row in ws.iter_rows(min_row=2, max_row=4):
        assert row[0].data_type == "s"
        assert row[2].data_type == "n" and isinstance(row[2].value, int)
        assert row[3].data_type == "n" and isinstance(row[3].value, float)
    src = "\n".join(str(v) for r in wb[sheet].iter_rows(values_only=True) for v in r if v is not None)
    assert attribution in src and other not in src
    assert SOURCE_LINE[lang] in src and TITLE[lang] in src and SUBTITLE[lang] in src
    assert "CC BY 4.0" in src and "b20261123-1a2b3c" in src
    assert ("23 Nov 2026" if lang == "en" else "23.11.2026") in src
    assert make_meta(lang).definitions[0][1] in src
    assert WATERMARK[lang] not in src and ex.DEMO_KEYWORD not in (wb.properties.keywords or "")
    assert wb.properties.title == TITLE[lang]


def test_xlsx_demo_notice(frame):
    wb = load_workbook(io.BytesIO(ex.to_xlsx_bytes(frame, make_meta("fi", demo=True))))
    ws = wb.worksheets[0]
    assert WATERMARK["fi"] in ws["A1"].value
    assert [c.value for c in ws[2]] == list(frame.columns)
    assert ws.freeze_panes == "A3"
    assert _read_sheet(ws, 2)["Toimintoja"].tolist() == frame["Toimintoja"].tolist()
    assert ex.DEMO_KEYWORD in wb.properties.keywords
    assert WATERMARK["fi"] in (wb.properties.description or "")
    src = [v for r in wb["Lähteet"].iter_rows(values_only=True) for v in r if v]
    assert any(WATERMARK["fi"] in str(v) for v in src)


def test_xlsx_index_and_empty_frame():
    df = pd.DataFrame({"Arvo": [1.5, 2.5]}, index=pd.Index(["a", "b"], name="Alue"))
    ws = load_workbook(io.BytesIO(ex.to_xlsx_bytes(df, make_meta()))).worksheets[0]
    assert [c.value for c in ws[1]] == ["Alue", "Arvo"]
    empty = pd.DataFrame({"A": pd.Series([], dtype=float)})
    wb = load_workbook(io.BytesIO(ex.to_xlsx_bytes(empty, make_meta())))
    assert wb.worksheets[0]["A1"].value == "A"
    assert ex.to_csv_bytes(empty, make_meta()).decode("utf-8-sig").startswith("A\r\n\r\n")


# ------------------------------------------------------------------------------------------------------------- images

@pytest.fixture(scope="module")
def export_server():
    """One persistent kaleido/Chromium for every image and PDF test of this module. No skip: missing
    Chromium is a failure."""
    try:
        ex.start_export_server()
    except Exception as e:  # noqa: BLE001
        pytest.fail(f"export server did not start (Chromium missing?): {e}")
    yield
    ex.stop_export_server()


def bar_figure() -> go.Figure:
    fig = px.bar(pd.DataFrame({"Alue": ["Pirkanmaa", "Lappi", "Vaasa"], "Toimintoja": [120, 45, 77]}),
                 x="Alue", y="Toimintoja")
    fig.update_layout(title="Original title")
    return fig


def geo_figure() -> go.Figure:
    gj = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": "01", "properties": {},
         "geometry": {"type": "Polygon", "coordinates": [[[24, 60], [24, 61], [26, 61], [26, 60], [24, 60]]]}},
        {"type": "Feature", "id": "02", "properties": {},
         "geometry": {"type": "Polygon", "coordinates": [[[26, 62], [26, 63], [28, 63], [28, 62], [26, 62]]]}}]}
    fig = px.choropleth(pd.DataFrame({"code": ["01", "02"], "v": [1.0, 2.0]}), geojson=gj, locations="code",
                        color="v", color_continuous_scale="Blues")
    fig.update_geos(fitbounds="locations", visible=False)
    return fig


def choropleth_paths(svg: str) -> list[tuple[str, float]]:
    """(fill, smallest y) of each drawn choropleth shape in an exported SVG, in drawing order."""
    out = []
    for m in re.finditer(r'<path class="choroplethlocation"[^>]*>', svg):
        tag = m.group(0)
        fill = re.search(r'fill="([^"]+)"', tag)
        ys = [float(y) for y in re.findall(r"[ML][-\d.]+,([-\d.]+)", re.search(r' d="([^"]*)"', tag).group(1))]
        out.append((fill.group(1) if fill else "", min(ys)))
    return out


def png_info(data: bytes) -> tuple[int, int, dict[bytes, list[bytes]]]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks = 8, {}
    while pos < len(data):
        (n,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + n]
        (crc,) = struct.unpack(">I", data[pos + 8 + n:pos + 12 + n])
        assert crc == zlib.crc32(kind + body) & 0xFFFFFFFF
        chunks.setdefault(kind, []).append(body)
        pos += 12 + n
    w, h = struct.unpack(">II", chunks[b"IHDR"][0][:8])
    return w, h, chunks


def reddish_share(data: bytes) -> float:
    import numpy as np
    from PIL import Image
    a = np.asarray(Image.open(io.BytesIO(data)).convert("RGB")).astype(int)
    r, g, b = a[..., 0], a[..., 1], a[..., 2]
    return float(((r > g + 25) & (r > b + 25)).mean())


def test_png_print_resolution_and_not_blank(export_server):
    from PIL import Image, ImageStat
    fig = bar_figure()
    before = fig.to_json()
    data = ex.figure_to_png(fig, make_meta("fi"))
    assert fig.to_json() == before                       # the caller's figure is untouched
    w, h, chunks = png_info(data)
    assert (w, h) == (3000, 2100)
    ppm = struct.unpack(">IIB", chunks[b"pHYs"][0])
    assert ppm[0] == ppm[1] == round(300 / 0.0254) and ppm[2] == 1
    itxt = b"\n".join(chunks[b"iTXt"]).decode("utf-8", "replace")
    assert TITLE["fi"] in itxt and SOURCE_LINE["fi"] in itxt and ex.DEMO_KEYWORD not in itxt
    im = Image.open(io.BytesIO(data))
    assert im.size == (3000, 2100)
    stat = ImageStat.Stat(im.convert("L"))
    assert stat.stddev[0] > 10                             # not a blank page
    assert reddish_share(data) < 0.001                      # no watermark


def test_png_demo_watermark_and_custom_size(export_server):
    data = ex.figure_to_png(bar_figure(), make_meta("sv", demo=True), width=600, height=400, scale=2)
    w, h, chunks = png_info(data)
    assert (w, h) == (1200, 800)
    itxt = b"\n".join(chunks[b"iTXt"]).decode("utf-8", "replace")
    assert WATERMARK["sv"] in itxt and ex.DEMO_KEYWORD in itxt
    assert reddish_share(data) > 0.003                      # the diagonal watermark is visible


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_svg_has_title_source_line_and_watermark_only_for_demo(export_server, lang):
    real = html.unescape(ex.figure_to_svg(bar_figure(), make_meta(lang)).decode("utf-8"))
    assert real.lstrip().startswith("<svg")
    assert TITLE[lang] in real and SUBTITLE[lang] in real and SOURCE_LINE[lang] in real
    assert "Original title" not in real
    assert WATERMARK[lang] not in real and ex.DEMO_KEYWORD not in real
    assert "cdn.plot.ly" not in real and "mathjax" not in real.lower()
    demo = html.unescape(ex.figure_to_svg(bar_figure(), make_meta(lang, demo=True)).decode("utf-8"))
    assert WATERMARK[lang] in demo and ex.DEMO_KEYWORD in demo and SOURCE_LINE[lang] in demo


def test_geo_figure_renders_offline_with_stub(export_server):
    data = ex.figure_to_svg(geo_figure(), make_meta("fi"), width=700, height=900).decode("utf-8")
    shapes = choropleth_paths(data)
    assert len(shapes) == 2                                 # one shape per location of the figure, no more
    (fill_01, top_01), (fill_02, top_02) = shapes
    assert top_02 < top_01                                  # "02" (lat 62-63) is drawn above "01" (lat 60-61)
    assert fill_01 != fill_02                               # v = 1 and v = 2 get different colours
    stub = paths.TOPOJSON_DIR / "world_110m.json"
    assert stub.is_file()
    import json
    assert json.loads(stub.read_text()) == {"type": "Topology", "objects": {}, "arcs": []}
    png = ex.figure_to_png(geo_figure(), make_meta("fi"), width=700, height=900, scale=1)
    assert png_info(png)[:2] == (700, 900)


def test_remote_resources_are_dropped_and_tile_maps_refused(export_server):
    fig = bar_figure()
    fig.update_layout(images=[dict(source="https://example.com/logo.png", x=0, y=1, sizex=0.2, sizey=0.2)])
    svg = ex.figure_to_svg(fig, make_meta("fi")).decode("utf-8")
    assert "example.com" not in svg
    tile = px.scatter_map(pd.DataFrame({"lat": [60.2], "lon": [24.9]}), lat="lat", lon="lon")
    with pytest.raises(ex.ExportError, match="geo figure"):
        ex.figure_to_png(tile, make_meta("fi"))


def test_export_server_is_thread_safe(export_server):
    results: list[bytes] = []
    errors: list[BaseException] = []

    def work(i: int) -> None:
        try:
            meta = make_meta("fi")
            meta.title = f"Rinnakkainen {i}"
            results.append(ex.figure_to_svg(bar_figure(), meta, width=500, height=350))
        except BaseException as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors
    assert sorted(int(r.decode().split("Rinnakkainen ")[1][0]) for r in results) == [0, 1, 2, 3]
    assert ex.export_server_running()


# ---------------------------------------------------------------------------------------------------------------- PDF

def make_brief(lang: str, national: bool = False) -> ex.BriefData:
    profile = pd.DataFrame({"Toimintamuoto": ["Vertaistuki", "Neuvonta", "Kohtaamispaikat"],
                            "Pirkanmaa": [12.3, 4.5, 2.25], "Koko maa": [10.1, 5.0, 2.0],
                            "Samankaltaiset alueet": [11.0, 4.0, 1.5]})
    white = pd.DataFrame({"Kunta": [f"Kunta {i}" for i in range(40)], "Asukkaita": [1000 + 37 * i for i in range(40)],
                          "Etäisyys, km": [5.5 + i for i in range(40)]})
    grants = pd.DataFrame({"Vuosi": [2023, 2024, 2025], "Avustuksia": [40, 42, 45],
                           "Myönnetty, €": [1234567.0, 1300000.0, 1450000.5]})
    return ex.BriefData(
        area_name="Koko maa" if national else ("Pirkanmaa" if lang == "fi" else "Birkaland"),
        area_code="SSS" if national else "06", is_national=national,
        key_figures=[ex.KeyFigure("Toimintoja", 12345.6, decimals=1), ("Järjestöjä", 321), ("Asukkaita", 530000)],
        sections=[
            ex.BriefSection("Kunnat kartalla", figure=geo_figure(), figure_width=700, figure_height=900),
            ex.BriefSection("Toimintamuotoprofiili", figure=bar_figure(), table=profile),
            ex.BriefSection("Katvealueet", table=white, max_rows=20),
            ex.BriefSection("Avustukset vuosittain", table=grants, decimals={"Myönnetty, €": 0}),
        ])


@pytest.mark.parametrize("lang,area,number,attribution", [
    ("fi", "Pirkanmaa", "12 345,6", "Lähde: Tilastokeskus, väestörakenne"),
    ("sv", "Birkaland", "12 345,6", "Källa: Statistikcentralen, befolkningsstruktur"),
])
def test_brief_pdf(export_server, lang, area, number, attribution):
    data = ex.brief_pdf(make_brief(lang), make_meta(lang))
    assert data[:5] == b"%PDF-"
    reader = PdfReader(io.BytesIO(data))
    assert 2 <= len(reader.pages) <= 4
    text = nz("\n".join(p.extract_text() for p in reader.pages))
    assert area in text and number in text and attribution in text
    assert "1 234 567" in text                              # grant euros in the language's format
    assert "2024" in text and "2 024" not in text           # years without a thousands separator
    assert "b20261123-1a2b3c" in text and "23.11.2026" in text
    assert "CC BY 4.0" in text
    assert WATERMARK[lang] not in text and ex.DEMO_KEYWORD not in text
    assert ex.DEMO_KEYWORD not in str(reader.metadata)
    assert area in reader.metadata.title
    assert len(reader.pages[0].images) >= 1                 # the map is an image


def test_brief_pdf_demo_watermark_every_page(export_server):
    data = ex.brief_pdf(make_brief("fi"), make_meta("fi", demo=True))
    reader = PdfReader(io.BytesIO(data))
    for page in reader.pages:
        assert WATERMARK["fi"] in page.extract_text()
    assert ex.DEMO_KEYWORD in reader.metadata.subject
    assert ex.DEMO_KEYWORD in reader.metadata["/Keywords"]


def test_national_brief_english(export_server):
    brief = make_brief("en", national=True)
    brief.area_name = "Mainland Finland"
    data = ex.brief_pdf(brief, make_meta("en"))
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    assert "National overview: Mainland Finland" in text
    assert "12,345.6" in text and "Source: Statistics Finland, population structure" in text


# -------------------------------------------------------------------------------------------------------------- misc

def test_format_number_per_language():
    assert nz(ex.format_number(1234567, "fi")) == "1 234 567"
    assert nz(ex.format_number(12.345, "sv", 2)) == f"{12.345:.2f}".replace(".", ",") == "12,35"   # binary value
    assert ex.format_number(1234.5, "en", 1) == "1,234.5"
    assert ex.format_number(float("nan"), "fi") == "–"
    assert ex.format_datetime("2026-11-23T13:12:00", "fi") == "23.11.2026 13.12"
    assert ex.format_datetime("2026-11-23T13:12:00", "sv") == "2026-11-23 13:12"
    assert ex.format_datetime("2026-11-23T08:05:00", "en") == "23 Nov 2026, 08:05"
    assert ex.format_datetime("2026-11-23", "en") == "23 Nov 2026"
    assert ex.format_datetime("", "fi") == ""


def test_export_filename():
    assert ex.export_filename("Aluekortti Pirkanmaa", "pdf", make_meta("fi", demo=True)) == \
        "Aluekortti_Pirkanmaa_fi_DEMO.pdf"
    assert ex.export_filename("Översikt", ".csv", make_meta("sv")) == "Oversikt_sv.csv"


def test_locale_files_have_the_same_keys():
    import json
    keys = [set(json.loads((paths.LOCALES_DIR / lang / "exports.json").read_text(encoding="utf-8")))
            for lang in ("fi", "sv", "en")]
    assert keys[0] == keys[1] == keys[2]
    assert all(k.startswith("export.") for k in keys[0])


def test_importable_without_streamlit():
    code = "import sys, app.exports; assert 'streamlit' not in sys.modules; assert 'kaleido' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=paths.ROOT)
