"""The referral card (palveluohjauskortti / servicehandledningskort / referral card, issue 10 item 5) read back with
pypdf over the hand-made contract warehouse of tests/paths_fixture.py: 1-2 pages in fi/sv/en, the municipality,
the public services, activities of the mart in the municipality, the nearest ones with km and the national ones,
build id, sources and the demo watermark; no watermark on a non-demo build; no streamlit import."""
from __future__ import annotations

import io
import subprocess
import sys

import duckdb
import pytest
from pypdf import PdfReader

from app.referral_card import referral_card_pdf, referral_filename
from tests.paths_fixture import PATH, paths_warehouse  # noqa: F401 - the fixture
from tests.test_app_pages import LANGS, ROOT, non_demo_copy, rows
from tests.test_paths_page import NAME_COL, locale

PUBLIC_ONLY = "844"     # Tervo: a public service point, no organisation activity of the path (see PLANS)


@pytest.fixture()
def con(paths_warehouse):  # noqa: F811
    c = duckdb.connect(str(paths_warehouse), read_only=True)
    yield c
    c.close()


def read(pdf: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(pdf))
    text = " ".join(" ".join(p.extract_text() or "" for p in reader.pages).split())
    return reader, text


def km(value: float, lang: str) -> str:
    s = f"{value:.1f}"
    return s.replace(".", ",") if lang in ("fi", "sv") else s


@pytest.mark.parametrize("lang", LANGS)
def test_card_names_the_municipality_and_the_mart_activities(con, lang):
    muni, name = rows(con, f"""select p.municipality_code, {NAME_COL[lang]} from mart_path_municipality p
                               join municipality m on m.code = p.municipality_code
                               where p.path_code = ? and p.status = 'both' order by p.population desc limit 1""",
                      [PATH])[0]
    words = locale(lang)
    pdf = referral_card_pdf(con, PATH, muni, lang)
    assert pdf.startswith(b"%PDF")
    reader, text = read(pdf)
    assert 1 <= len(reader.pages) <= 2
    path_label = rows(con, f"select {NAME_COL[lang].replace('name', 'label')} from dim_service_path "
                           "where path_code = ?", [PATH])[0][0]
    assert words["paths.card.title"].format(path=path_label, municipality=name) in text
    local = [n for (n,) in rows(con, f"""select distinct {NAME_COL[lang]} from mart_activity_list
                                        where municipality_code = ? and activity_id in (select activity_id
                                            from mart_path_activity where path_code = ? and is_in_person)""",
                                [muni, PATH])]
    assert local and any(a in text for a in local), (local, text[:2000])
    public = [n for (n,) in rows(con, f"""select {NAME_COL[lang]} from public_service where service_id in (
                                         select service_id from mart_path_public_service
                                         where path_code = ? and municipality_code = ?)""", [PATH, muni])]
    assert public and all(p in text for p in public)
    national = [n for (n,) in rows(con, f"""select distinct {NAME_COL[lang]} from mart_activity_list
                                           where activity_id in (select activity_id from mart_path_activity
                                                                 where path_code = ? and is_national)""", [PATH])]
    assert national and any(a in text for a in national)
    for key in ("paths.card.nearby", "paths.card.national", "export.watermark"):
        assert words[key] in text
    build_id = rows(con, "select build_id from _meta_build")[0][0]
    assert build_id in text
    assert words["source.label"] + ":" in text
    assert "synthetic demo data" in (reader.metadata.subject or "")


def test_public_only_card_lists_the_nearest_activities_with_km(con):
    nearby = rows(con, """select m.name_fi, n.distance_km from mart_path_nearby n
                          join municipality m on m.code = n.nearby_municipality_code
                          where n.path_code = ? and n.municipality_code = ? order by n.distance_km""",
                  [PATH, PUBLIC_ONLY])
    status = rows(con, "select status from mart_path_municipality where path_code = ? and municipality_code = ?",
                  [PATH, PUBLIC_ONLY])[0][0]
    assert status == "public_only" and nearby
    _, text = read(referral_card_pdf(con, PATH, PUBLIC_ONLY, "fi"))
    name, dist = nearby[0]
    assert f"{name} {km(dist, 'fi')} km" in text
    assert locale("fi")["paths.card.none"] in text      # no organisation activity in the municipality itself


def test_no_watermark_without_demo(paths_warehouse, tmp_path):  # noqa: F811
    plain = non_demo_copy(paths_warehouse, tmp_path / "plain.duckdb")
    c = duckdb.connect(str(plain), read_only=True)
    try:
        _, text = read(referral_card_pdf(c, PATH, PUBLIC_ONLY, "sv"))
    finally:
        c.close()
    assert locale("sv")["export.watermark"] not in text
    assert "Tervo" in text


def test_filename_and_unknown_input(con):
    assert referral_filename("Kuopio", "Mielenterveys", "fi", True) == \
        "Palveluohjauskortti_Kuopio_Mielenterveys_fi_DEMO.pdf"
    assert referral_filename("Kuopio", "Psykisk hälsa", "sv", False) == \
        "Servicehandledningskort_Kuopio_Psykisk_halsa_sv.pdf"
    with pytest.raises(ValueError):
        referral_card_pdf(con, "no_such_path", PUBLIC_ONLY, "fi")


def test_card_importable_without_streamlit():
    code = "import sys, app.referral_card; assert 'streamlit' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)
