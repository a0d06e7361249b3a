"""Source loaders: raw files -> staging tables + quarantine, on the hand-made fixtures in tests/fixtures/."""
from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from openpyxl import Workbook

from etl.load import lahella, ptv, stea, template, values, ytj

FIXTURES = Path(__file__).parent / "fixtures"
PERSONAL = ("Maija Meikäläinen", "maija.meikalainen@example.org", "040 123 4567", "040 765 4321")
O1 = "11111111-1111-4111-8111-111111111111"
O3 = "33333333-3333-4333-8333-333333333333"
O2 = "22222222-2222-4222-8222-222222222222"


def run(loader, ctx):
    con = duckdb.connect()
    stats = loader.load(con, ctx)
    assert stats.read == stats.loaded + stats.quarantined
    assert stats.quarantined == ctx.quarantine.count(loader.SOURCE)
    return con, stats


def rows(con, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


def quarantined(ctx) -> list[tuple[str, str, str]]:
    return [(r["file"], r["record_ref"], r["reason_code"]) for r in ctx.quarantine.rows]


def all_text(con) -> str:
    """Every value of every table, as text: for scanning personal data."""
    out = []
    for (table,) in rows(con, "select table_name from information_schema.tables"):
        out.extend(str(v) for r in rows(con, f'select * from "{table}"') for v in r)
    return "\n".join(out)


def assert_no_personal(con, ctx) -> None:
    text = all_text(con) + "\n" + "\n".join(str(r) for r in ctx.quarantine.rows)
    for needle in PERSONAL:
        assert needle not in text


# --- template -------------------------------------------------------------------------------------------------

def test_template_fixture_rows(make_ctx):
    ctx = make_ctx(FIXTURES)
    con, stats = run(template, ctx)
    assert (stats.read, stats.loaded, stats.quarantined) == (11, 4, 7)
    assert rows(con, """select source_id, org_source_id, org_business_id, name_fi, description, class_codes,
                               target_codes, mode, is_national, municipality_codes, languages, url,
                               cast(updated_at as date)::varchar
                        from stg_template__activity order by record_ref""") == [
        ("rekisteri.csv:12", "name:testiseura", None, "Joogailu rannalla", None, [], [], "in_person", False,
         ["091"], [], None, None),
        ("rekisteri.csv:2", "1234567-1", "1234567-1", "Vertaisryhmä omaishoitajille",
         "Kokoontuu tiistaisin. Soita [puhelin poistettu].", ["template:vertaistuki"],
         ["template:ikaantyneet", "template:omaiset"], "in_person", False, ["049", "091"], ["fi", "sv"],
         "https://example.org/vertais", "2025-03-01"),
        ("rekisteri.csv:3", "1234567-1", "1234567-1", "Chat-neuvonta", "Neuvontaa verkossa",
         ["template:neuvonta_ohjaus"], ["template:mielenterveys"], "online", True, [], ["fi", "sv"], None,
         "2025-02-01"),
        ("rekisteri.csv:4", "name:testiseura", None, "Kerho Pertunmaalla", None, ["template:kerho_ryhma"], [],
         "hybrid", False, ["507"], ["fi"], None, None),
    ]
    assert rows(con, """select source_id, business_id, business_id_raw, business_id_valid, name
                        from stg_template__organisation order by source_id""") == [
        ("1234567-1", "1234567-1", "1234567-1", True, "Kuvitteellinen Vertaisyhdistys ry"),
        ("name:testiseura", None, "1234567-0", False, "Testiseura ry"),
    ]
    assert [(ref, code) for _f, ref, code in quarantined(ctx)] == [
        ("row 5", "unknown_municipality"), ("row 6", "outside_frame"), ("row 7", "empty_row"),
        ("row 8", "missing_field"), ("row 9", "missing_field"), ("row 10", "bad_value"), ("row 11", "bad_type"),
    ]
    messages = [r["message"] for r in ctx.quarantine.rows]
    assert messages[0] == "unknown municipality 'Helsinkki' (closest: Helsinki (091), Halsua (074), Ii (139))"
    assert messages[1] == "all municipalities are on Åland (outside the frame): 170, 478"
    assert_no_personal(con, ctx)


def _copy_template(tmp_path: Path, name: str, encoding: str, delimiter: str = ";") -> Path:
    text = (FIXTURES / "template" / "rekisteri.csv").read_text(encoding="utf-8")
    if delimiter != ";":
        import csv
        import io
        buf = io.StringIO()
        writer = csv.writer(buf, delimiter=delimiter, lineterminator="\n")
        writer.writerows(csv.reader(io.StringIO(text), delimiter=";"))
        text = buf.getvalue()
    folder = tmp_path / "template"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(text.encode(encoding))
    return folder / name


@pytest.mark.parametrize("encoding, delimiter, note", [
    ("latin-1", ";", "encoding cp1252, delimiter ';'"),
    ("utf-16", ";", "encoding utf-16, delimiter ';'"),
    ("utf-8-sig", ",", "encoding utf-8-sig, delimiter ','"),
    ("utf-8", "\t", "encoding utf-8, delimiter '\\t'"),
])
def test_template_encodings_and_delimiters(make_ctx, tmp_path, encoding, delimiter, note):
    _copy_template(tmp_path, "rekisteri.csv", encoding, delimiter)
    ctx = make_ctx(tmp_path)
    con, stats = run(template, ctx)
    assert stats.notes == [f"rekisteri.csv: {note}"]
    assert (stats.read, stats.loaded, stats.quarantined) == (11, 4, 7)
    assert rows(con, "select name_fi, municipality_codes from stg_template__activity order by record_ref") == [
        ("Joogailu rannalla", ["091"]), ("Vertaisryhmä omaishoitajille", ["049", "091"]),
        ("Chat-neuvonta", []), ("Kerho Pertunmaalla", ["507"]),
    ]
    assert_no_personal(con, ctx)


def test_template_xlsx_with_english_headers(make_ctx, tmp_path):
    (tmp_path / "template").mkdir()
    wb = Workbook()
    ws = wb.active
    ws.append(["Organisation", "Business ID", "Activity name", "Activity type", "Target groups", "Municipalities",
               "Mode", "National", "Languages", "Description", "Website", "Updated", "Contact person", "E-mail"])
    ws.append(["Esimerkkiyhdistys ry", "7654321-2", "Ruoka-apu", "Food and material aid", "Unga", "Tampere; 853",
               "in_person", "no", "Finnish; Swedish", "<i>Jako</i> torstaisin", "http://example.org/ruoka",
               "15.1.2025", "Maija Meikäläinen", "maija.meikalainen@example.org"])
    ws.append([None] * 14)
    ws.append(["Esimerkkiyhdistys ry", None, "Neuvontapuhelin", "muu", None, None, "puhelin", "yes", "fi",
               None, None, None, None, None])
    wb.save(tmp_path / "template" / "rekisteri.xlsx")
    ctx = make_ctx(tmp_path)
    con, stats = run(template, ctx)
    assert (stats.read, stats.loaded, stats.quarantined) == (3, 2, 1)
    assert rows(con, """select record_ref, org_source_id, name_fi, description, class_codes, target_codes, mode,
                               is_national, municipality_codes, languages, url, cast(updated_at as date)::varchar
                        from stg_template__activity order by record_ref""") == [
        ("row 2", "7654321-2", "Ruoka-apu", "Jako torstaisin", ["template:aineellinen_apu"], ["template:nuoret"],
         "in_person", False, ["837", "853"], ["fi", "sv"], "http://example.org/ruoka", "2025-01-15"),
        ("row 4", "name:esimerkkiyhdistys", "Neuvontapuhelin", None, ["template:muu"], [], "phone", True, [],
         ["fi"], None, None),
    ]
    assert quarantined(ctx) == [("rekisteri.xlsx", "row 3", "empty_row")]
    assert_no_personal(con, ctx)


def test_template_malformed_files_quarantined_and_build_goes_on(make_ctx, tmp_path):
    folder = tmp_path / "template"
    folder.mkdir()
    (folder / "a_binary.csv").write_bytes(b"\x00\x01\x02PK\x00\xff" * 20)
    (folder / "b_wrong.csv").write_text("nimi;kunta\nX;Oulu\n", encoding="utf-8")
    (folder / "c_broken.xlsx").write_bytes(b"not a zip")
    (folder / "d_empty.csv").write_text("", encoding="utf-8")
    (folder / "e_ok.csv").write_text("jarjesto;toiminnan_nimi;kunnat\nSeura ry;Kerho;Oulu\n", encoding="utf-8")
    (folder / "e_ok.csv.meta.json").write_text("{}", encoding="utf-8")
    ctx = make_ctx(tmp_path)
    con, stats = run(template, ctx)
    assert (stats.read, stats.loaded, stats.quarantined) == (5, 1, 4)
    assert [(f, code) for f, _ref, code in quarantined(ctx)] == [
        ("a_binary.csv", "malformed_file"), ("b_wrong.csv", "malformed_file"), ("c_broken.xlsx", "malformed_file"),
        ("d_empty.csv", "malformed_file"),
    ]
    assert ctx.quarantine.rows[1]["message"] == (
        "b_wrong.csv: missing required column jarjesto/organisation/organization; found: nimi, kunta")
    assert rows(con, "select name_fi, municipality_codes from stg_template__activity") == [("Kerho", ["564"])]


def test_empty_tables_when_no_input(make_ctx, tmp_path):
    ctx = make_ctx(tmp_path)
    con = duckdb.connect()
    for loader in (template, stea, ytj, lahella, ptv):
        stats = loader.load(con, ctx)
        assert (stats.read, stats.loaded, stats.quarantined) == (0, 0, 0)
    types = dict(rows(con, """select table_name || '.' || column_name, data_type from information_schema.columns
                              where table_name like 'stg_%'"""))
    assert types["stg_template__activity.municipality_codes"] == "VARCHAR[]"
    assert types["stg_lahella__activity.updated_at"] == "TIMESTAMP"
    assert types["stg_ptv__activity.lat"] == "DOUBLE"
    assert types["stg_ptv__channel.service_ids"] == "VARCHAR[]"
    assert types["stg_stea__grant.year"] == "INTEGER"
    assert types["stg_stea__grant.granted"] == "DOUBLE"
    assert types["stg_ytj__company.registration_date"] == "DATE"
    tables = {t.split(".")[0] for t in types}
    assert tables == {"stg_template__activity", "stg_template__organisation", "stg_stea__grant",
                      "stg_stea__organisation", "stg_ytj__company", "stg_ytj__organisation",
                      "stg_lahella__activity", "stg_lahella__organisation", "stg_ptv__activity",
                      "stg_ptv__organisation", "stg_ptv__channel", "stg_ptv__public_organisation",
                      "stg_ptv__public_service", "stg_ptv__public_channel"}
    assert types["stg_ptv__public_service.municipality_codes"] == "VARCHAR[]"
    for t in tables:
        assert rows(con, f'select count(*) from "{t}"') == [(0,)]


# --- STEA ------------------------------------------------------------------------------------------------------

def test_stea_fixture(make_ctx):
    ctx = make_ctx(FIXTURES)
    con, stats = run(stea, ctx)
    assert (stats.read, stats.loaded, stats.quarantined) == (7, 4, 3)
    assert rows(con, """select record_ref, organisation_name, business_id, business_id_raw, business_id_valid, year,
                               grant_type, area_text, requested, proposed, granted
                        from stg_stea__grant order by record_ref""") == [
        ("row 2", "Kuvitteellinen Vertaisyhdistys ry", "1234567-1", "1234567-1", True, 2024, "Ak 10", "Helsinki",
         12000.0, 10000.0, 10000.0),
        ("row 3", "Kuvitteellinen Vertaisyhdistys r.y.", "1234567-1", "1234567-1", True, 2025, "Ak 10", "Helsinki",
         12000.0, 11000.5, 1234.5),
        ("row 4", "Testiseura ry", None, "1234567-0", False, 2025, "C", "Pirkanmaan hyvinvointialue", 5000.0, None,
         0.0),
        ("row 5", "Testiseura ry", None, None, False, 2023, "Ay", "Valtakunnallinen", None, None, 2500.0),
    ]
    assert rows(con, "select source_id, business_id, name from stg_stea__organisation order by source_id") == [
        ("1234567-1", "1234567-1", "Kuvitteellinen Vertaisyhdistys r.y."),
        ("name:testiseura", None, "Testiseura ry"),
    ]
    assert quarantined(ctx) == [("avustukset.csv", "row 6", "bad_type"), ("avustukset.csv", "row 7", "bad_type"),
                                ("avustukset.csv", "row 8", "empty_row")]
    assert [r["message"] for r in ctx.quarantine.rows[:2]] == [
        "vuosi '1899' is outside 1990..2100", "haettu 'paljon' is not a euro amount"]


def test_stea_xlsx_numbers(make_ctx, tmp_path):
    (tmp_path / "stea").mkdir()
    wb = Workbook()
    ws = wb.active
    ws.append(["jarjesto", "y_tunnus", "vuosi", "kayttotarkoitus", "avustuslaji", "alue", "haettu", "myonnetty"])
    ws.append(["Seura ry", "2222222-9", 2024, "Kerho", "C", "Oulu", 1500.5, 1000])
    ws.append(["Seura ry", "2222222-9", "vuonna 2024", "Kerho", "C", "Oulu", 1, 1])
    wb.save(tmp_path / "stea" / "STEA-aineisto.xlsx")
    ctx = make_ctx(tmp_path)
    con, stats = run(stea, ctx)
    assert (stats.read, stats.loaded, stats.quarantined) == (2, 1, 1)
    assert rows(con, "select business_id, year, requested, proposed, granted from stg_stea__grant") == [
        ("2222222-9", 2024, 1500.5, None, 1000.0)]


@pytest.mark.parametrize("text, expected", [
    ("1 234,50", 1234.5), ("1234.5", 1234.5), ("1.234,50", 1234.5), ("1,234.50", 1234.5), ("2 500 €", 2500.0),
    ("12\u00a0000", 12000.0), ("0", 0.0), ("", None), ("1.234", 1234.0),
])
def test_parse_euros(text, expected):
    assert values.parse_euros(text, "haettu") == expected


def test_parse_euros_rejects_text():
    with pytest.raises(values.BadValue, match="'12 e' is not a euro amount"):
        values.parse_euros("12 e", "haettu")


# --- YTJ -------------------------------------------------------------------------------------------------------

def test_ytj_fixture(make_ctx):
    ctx = make_ctx(FIXTURES)
    con, stats = run(ytj, ctx)
    assert (stats.read, stats.loaded, stats.quarantined) == (7, 3, 4)
    assert rows(con, """select record_ref, business_id, name, company_form_code, company_form,
                               home_municipality_code, main_business_line_code, main_business_line,
                               registration_date::varchar, website
                        from stg_ytj__company order by record_ref""") == [
        ("$.companies[0]", "1234567-1", "Kuvitteellinen Vertaisyhdistys ry", "6", "Aatteellinen yhdistys", "049",
         "94999", "Muualla luokittelemattomien järjestöjen toiminta", "2001-05-02", "https://www.example.org"),
        ("$.companies[1]", "7654321-2", "Esimerkki Oy", "16", "Osakeyhtiö", "837", "62010",
         "Ohjelmistojen suunnittelu ja valmistus", "2015-03-10", None),
        ("$.companies[2]", "2222222-9", "Kuvitteellinen Säätiö sr", "18", "Säätiö", "507", None, None,
         "1995-09-01", None),
    ]
    assert rows(con, """select source_id, name, name_sv, company_form, home_municipality_code
                        from stg_ytj__organisation order by source_id""") == [
        ("1234567-1", "Kuvitteellinen Vertaisyhdistys ry", "Fiktiva Kamratföreningen rf", "Aatteellinen yhdistys",
         "049"),
        ("2222222-9", "Kuvitteellinen Säätiö sr", None, "Säätiö", "507"),
    ]
    assert quarantined(ctx) == [
        ("broken.json", "file", "malformed_file"),
        ("companies_page1.json", "$.companies[3]", "bad_business_id"),
        ("companies_page1.json", "$.companies[4]", "unknown_municipality"),
        ("companies_page1.json", "$.companies[5]", "missing_field"),
    ]
    assert ctx.quarantine.rows[0]["message"] == (
        "broken.json: invalid JSON at line 4 column 4: Expecting property name enclosed in double quotes")
    assert stats.files == ["broken.json", "companies_page1.json"]  # the .meta.json sidecar is not an input


def test_ytj_bare_array_and_duplicates(make_ctx, tmp_path):
    (tmp_path / "ytj").mkdir()
    rec = '{"businessId": {"value": "0123456-2"}, "names": [{"name": "Vanha ry", "type": "1"}], "companyForms": [{"type": "29"}]}'
    (tmp_path / "ytj" / "a.json").write_text(f"[{rec}, {rec}, 5]", encoding="utf-8")
    ctx = make_ctx(tmp_path)
    con, stats = run(ytj, ctx)
    assert (stats.read, stats.loaded, stats.quarantined) == (3, 1, 2)
    assert quarantined(ctx) == [("a.json", "$[1]", "duplicate"), ("a.json", "$[2]", "bad_type")]
    assert rows(con, "select source_id, company_form from stg_ytj__organisation") == [("0123456-2", "Muu yhdistys")]


# --- Lähellä ---------------------------------------------------------------------------------------------------

def test_lahella_fixture(make_ctx):
    ctx = make_ctx(FIXTURES)
    con, stats = run(lahella, ctx)
    assert (stats.read, stats.loaded, stats.quarantined) == (10, 6, 4)
    assert rows(con, """select source_id, org_source_id, org_business_id, org_name, name_fi, name_sv, class_codes,
                               target_codes, mode, is_national, municipality_codes, languages, url, lat, lon
                        from stg_lahella__activity order by file, record_ref""") == [
        ("L1", "G100", "4444444-7", "Kuvitteellinen Liikuntaseura ry", "Senioreiden tuolijumppa",
         "Stolgympa för seniorer",
         ["lahella_type:hobby", "lahella_format:hm_ryhmat", "lahella_theme:ht_urheilu", "lahella_theme:ht_hyvinvointi"],
         ["age:65-99"], "in_person", False, ["091"], ["fi", "sv"], "https://example.org/jumppa", 60.16061, 24.87076),
        ("L2", "G200", None, "Testinuoret ry", "Chat-tuki nuorille", None, ["lahella_type:support"], [], "online",
         True, [], ["fi", "en"], None, None, None),
        ("L3", "G100", "4444444-7", "Kuvitteellinen Liikuntaseura ry", "Kymenlaakson vapaaehtoiset", None,
         ["lahella_type:voluntary"], [], "in_person", False, ["075", "285", "286", "489", "624", "935"], ["fi"],
         None, None, None),
        ("L4", "G100", "4444444-7", "Kuvitteellinen Liikuntaseura ry", "Kyläkahvila", None,
         ["lahella_type:hobby", "lahella_format:hm_kohtaamispaikka"], [], "hybrid", False, ["214", "541"], ["fi"],
         None, None, None),
        ("L5", "G100", "4444444-7", "Kuvitteellinen Liikuntaseura ry", "Säkylän kerho", None, ["lahella_type:hobby"],
         [], "in_person", False, ["783"], ["fi"], None, None, None),
        ("L10", "G300", None, None, "Lukupiiri", None, ["lahella_type:hobby", "lahella_format:hm_ryhmat"], [],
         "in_person", False, ["507"], ["fi"], None, None, None),
    ]
    assert rows(con, "select description from stg_lahella__activity where source_id = 'L1'") == [
        ("Tule mukaan! Lisätietoja: [sähköposti poistettu]",)]
    assert rows(con, """select source_id, business_id, business_id_raw, business_id_valid, name
                        from stg_lahella__organisation order by source_id""") == [
        ("G100", "4444444-7", "4444444-7", True, "Kuvitteellinen Liikuntaseura ry"),
        ("G200", None, "1234567-0", False, "Testinuoret ry"),
    ]
    assert quarantined(ctx) == [("page1.json", "$.items[5]", "unknown_municipality"),
                                ("page1.json", "$.items[6]", "outside_frame"),
                                ("page1.json", "$.items[7]", "bad_value"),
                                ("page1.json", "$.items[8]", "missing_field")]
    assert ctx.quarantine.rows[0]["message"] == (
        "unknown municipality 'Helsinkki' (closest: Helsinki (091), Halsua (074), Ii (139))")
    assert_no_personal(con, ctx)


def test_lahella_malformed_page(make_ctx, tmp_path):
    (tmp_path / "lahella").mkdir()
    (tmp_path / "lahella" / "p.json").write_text('{"items": [{"_key": "x"}\n\n  "hasMore": false}', encoding="utf-8")
    (tmp_path / "lahella" / "q.json").write_text('{"activities": []}', encoding="utf-8")
    ctx = make_ctx(tmp_path)
    run(lahella, ctx)
    assert [r["message"] for r in ctx.quarantine.rows] == [
        "p.json: invalid JSON at line 3 column 3: Expecting ',' delimiter",
        "q.json: expected a JSON array or an object with items; found: activities",
    ]


# --- PTV -------------------------------------------------------------------------------------------------------

def test_ptv_fixture(make_ctx):
    ctx = make_ctx(FIXTURES)
    con, stats = run(ptv, ctx)
    # the municipality, its channel and its service load on the public side instead of being set aside
    assert (stats.read, stats.loaded, stats.quarantined) == (21, 15, 6)
    assert rows(con, """select source_id, business_id, business_id_valid, name, name_sv, home_municipality_code,
                               website from stg_ptv__organisation order by source_id""") == [
        (O1, "1234567-1", True, "Kuvitteellinen Vertaisyhdistys ry", "Fiktiva Kamratföreningen rf", "091",
         "https://example.org"),
        (O3, None, False, "Testiseura ry", None, None, None),
    ]
    got = rows(con, """select right(source_id, 1), org_source_id, name_fi, name_sv, description, class_codes,
                              target_codes, mode, is_national, municipality_codes, languages, url
                       from stg_ptv__activity order by source_id""")
    assert got == [
        ("1", O1, "Vertaisryhmä omaishoitajille", "Kamratgrupp för närståendevårdare",
         "Ryhmä kokoontuu. Soita [puhelin poistettu].", ["ptv:P4.12"], ["ptv:KR1.1"], "in_person", False, ["091"],
         ["fi", "sv"], None),
        ("2", O1, "Auttava puhelin", None, None, [], [], "phone", True, [], ["fi"], "https://example.org/chat"),
        ("3", O3, "Kerho", None, None, [], [], "in_person", False, ["049", "507"], ["fi"], None),
        ("7", O1, "Etäryhmä", None, None, [], [], "online", False, ["091"], ["fi"], None),
        ("9", O3, "Valtakunnallinen kerho paikan päällä", None, None, [], [], "in_person", False, ["507"], ["fi"],
         None),
    ]
    # TM35FIN metres in the channel address become WGS84 degrees (Helsinki centre)
    lat, lon = rows(con, "select lat, lon from stg_ptv__activity where right(source_id, 1) = '1'")[0]
    assert (lat, lon) == pytest.approx((60.168807, 24.936462), abs=1e-6)
    assert rows(con, """select source_id, org_source_id, channel_type, municipality_code, service_ids
                        from stg_ptv__channel order by source_id""") == [
        ("c1", O1, "ServiceLocation", "091", ["51515151-0000-4000-8000-000000000001"]),
        ("c2", O1, "Phone", None, []),
        ("c4", O3, "ServiceLocation", "507", []),
        ("c6", O1, "WebPage", None, []),
        ("c7", O1, "ServiceLocation", "478", []),
    ]
    assert quarantined(ctx) == [
        ("services_broken.json", "file", "malformed_file"),
        ("orgs_page1.json", "$.itemList[0]", "missing_field"),
        ("channels_page1.json", "$.itemList[4]", "unknown_municipality"),
        ("services_list.json", "$[4]", "unknown_municipality"),
        ("services_list.json", "$[5]", "outside_frame"),
        ("services_list.json", "$[7]", "missing_field"),
    ]
    assert ctx.quarantine.rows[0]["message"] == (
        "services/services_broken.json: invalid JSON at line 5 column 3: Extra data")
    assert rows(con, "select source_id, org_type, business_id, name from stg_ptv__public_organisation") == [
        (O2, "Municipality", "0201256-6", "Esimerkkikunta")]
    assert rows(con, """select source_id, org_source_id, channel_type, name, municipality_code, address
                        from stg_ptv__public_channel""") == [
        ("c3", O2, "ServiceLocation", "Kunnantalo", "091", "Esimerkkikatu 1, 00100")]
    # no area, but its service location places it in Helsinki
    assert rows(con, """select source_id, org_source_id, org_type, name_fi, class_codes, area_type,
                               municipality_codes, channel_ids from stg_ptv__public_service""") == [
        ("54545454-0000-4000-8000-000000000004", O2, "Municipality", "Kunnan palvelu", [], "LimitedType",
         ["091"], ["c3"])]


def test_ptv_duplicates_across_pages(make_ctx, tmp_path):
    shutil.copytree(FIXTURES / "ptv", tmp_path / "ptv")
    shutil.copy(FIXTURES / "ptv" / "organizations" / "orgs_list.json", tmp_path / "ptv" / "organizations" / "z.json")
    ctx = make_ctx(tmp_path)
    con, stats = run(ptv, ctx)
    assert (stats.read, stats.loaded, stats.quarantined) == (24, 15, 9)
    assert [code for f, _r, code in quarantined(ctx) if f == "z.json"] == ["duplicate", "duplicate", "duplicate"]


def test_documented_example_file_loads_cleanly(make_ctx, tmp_path):
    """docs/examples/toimintarekisteri-esimerkki.csv is what docs/activity-template.md tells counties to copy."""
    example = Path(__file__).parent.parent / "docs" / "examples" / "toimintarekisteri-esimerkki.csv"
    (tmp_path / "template").mkdir()
    shutil.copy(example, tmp_path / "template" / example.name)
    ctx = make_ctx(tmp_path)
    con, stats = run(template, ctx)
    assert (stats.read, stats.loaded, stats.quarantined) == (4, 4, 0)
    assert rows(con, """select name_fi, class_codes, mode, is_national, municipality_codes, languages
                        from stg_template__activity order by record_ref""") == [
        ("Omaishoitajien vertaisryhmä", ["template:vertaistuki"], "in_person", False, ["297", "749"], ["fi"]),
        ("Keskusteluapu chatissa", ["template:neuvonta_ohjaus"], "online", True, [], ["fi", "sv"]),
        ("Träffpunkt för seniorer", ["template:kohtaamispaikka"], "in_person", False, ["545"], ["sv"]),
        ("Ruoka-apu", ["template:aineellinen_apu"], "hybrid", False, ["091"], ["fi", "en"]),
    ]
