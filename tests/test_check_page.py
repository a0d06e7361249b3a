"""AppTest for the file check page (pages/8_tarkista_aineisto.py) and the template download on the Data & methods
page, over the demo warehouse: a real upload through st.file_uploader (AppTest's FileUploader.set_value), the
counts, the set-aside rows with their row numbers, the report download and plain messages for hostile files."""
from __future__ import annotations

from app import i18n
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "dashboard.py")
PAGE = "pages/8_tarkista_aineisto.py"
EXAMPLE_CSV = ROOT / "docs" / "examples" / "toimintarekisteri-esimerkki.csv"


def strings(lang: str) -> dict[str, str]:
    """Every string of the language, from the locale files (the app's own loader)."""
    return i18n.strings(lang)


@pytest.fixture()
def wh(demo_warehouse, monkeypatch):
    monkeypatch.setenv("JARJESTOKARTTA_DB", str(demo_warehouse))
    return demo_warehouse


def open_page(lang: str = "fi", page: str = PAGE, **params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["lang"] = lang
    for k, v in params.items():
        at.query_params[k] = v
    at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def upload(at: AppTest, name: str, data: bytes, mime: str = "text/csv") -> AppTest:
    at.file_uploader(key="check_upload").set_value((name, data, mime))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_page_title_privacy_note_and_uploader(wh, lang):
    s = strings(lang)
    at = open_page(lang)
    assert at.title[0].value == s["page.check.title"]
    assert s["page.check.title"] == {"fi": "Tarkista aineisto", "sv": "Granska filen", "en": "Check a file"}[lang]
    assert any(i.value == s["check.privacy"] for i in at.info)
    up = at.file_uploader(key="check_upload")
    assert up.label == s["check.upload.label"]
    assert not at.dataframe and not at.metric


def test_uploading_the_documented_example_sets_nothing_aside(wh):
    s = strings("en")
    at = upload(open_page("en"), "toimintarekisteri-esimerkki.csv", EXAMPLE_CSV.read_bytes())
    assert metrics(at) == {s["check.summary.load"]: "4", s["check.summary.set_aside"]: "0",
                           s["check.summary.example"]: "0"}
    assert any(x.value == s["check.set_aside.none"] for x in at.success)
    rows = at.dataframe[-1].value
    assert rows["Row"].tolist() == [2, 3, 4, 5]
    assert rows["Municipalities"].tolist() == ["Kuopio, Siilinjärvi", "national", "Närpiö", "Helsinki"]
    assert rows["Activity type"].tolist() == ["Peer support", "Advice and guidance", "Drop-in meeting places",
                                              "Food and material aid"]
    assert set(rows["How classified"]) == {"code"}
    assert rows["Target groups"].iloc[1] == "Mental health (code), Young people (code)"
    assert set(rows["Organisation on the map"]) == {"new"}
    assert any(b.proto.label == s["check.report.download"] for b in at.get("download_button"))


def test_misspelled_aland_empty_and_html_rows_are_set_aside_with_row_numbers(wh):
    text = ("jarjesto;toiminnan_nimi;kunnat\n"
            "Hyvä seura ry;Kerho;Tampere\n"
            "Hyvä seura ry;Kerho 2;Helsinkki\n"
            "Ahvenanmaan seura rf;Klubb;Maarianhamina\n"
            ";;\n"
            "<script>alert(1)</script>;Ryhmä;Oulu\n")
    at = upload(open_page("fi"), "huono.csv", text.encode("utf-8"))
    s = strings("fi")
    assert metrics(at) == {s["check.summary.load"]: "1", s["check.summary.set_aside"]: "4",
                           s["check.summary.example"]: "0"}
    aside = at.dataframe[0].value
    assert aside["Rivi"].tolist() == [3, 4, 5, 6]
    assert aside["Syy"].tolist() == [s["reason.unknown_municipality"], s["reason.outside_frame"],
                                     s["reason.empty_row"], s["reason.missing_field"]]
    assert aside["Korjaus"].iloc[0].startswith("Kuntaa 'Helsinkki' ei tunnistettu. Lähimmät: Helsinki (091)")
    # the script is text in a table cell, never markup on the page
    assert not any("<script>" in m.value for m in at.markdown)


@pytest.mark.parametrize("name,data,key", [
    ("kuva.png", b"\x89PNG\r\n\x1a\n", "check.error.type"),
    ("salattu.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "check.error.encrypted"),
    ("rikki.xlsx", b"PK\x03\x04garbage", "check.error.damaged"),
    ("utf16.csv", "jarjesto;toiminnan_nimi\nA;B\n".encode("utf-16-le"), "check.error.encoding"),
])
def test_hostile_uploads_give_a_plain_message(wh, name, data, key):
    s = strings("sv")
    at = upload(open_page("sv"), name, data, "application/octet-stream")
    assert [e.value for e in at.error] == [s[key]]
    assert not at.dataframe and not at.get("download_button")


def test_data_page_offers_the_template_downloads(wh):
    s = strings("sv")
    at = open_page("sv", "pages/6_tiedot.py", section="template")
    assert at.subheader[0].value == s["data.template.title"]
    labels = {b.proto.label for b in at.get("download_button")}
    assert labels == {s["data.template.xlsx"], s["data.template.csv"]}
