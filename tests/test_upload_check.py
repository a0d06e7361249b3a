"""The downloadable activity register template (app.template_file) and the in-memory file check
(app.upload_check): the template's drop-downs read back with openpyxl, the loader accepts what the template
produces in fi/sv/en, set-aside rows come with their spreadsheet row numbers and fixes, hostile files give a
message (never an exception) and leave no temporary file, and the report XLSX holds no formula."""
from __future__ import annotations

import codecs
import io
import tempfile
import zipfile
from pathlib import Path

import duckdb
import pytest
from openpyxl import Workbook, load_workbook

from app import file_check, template_file, upload_check
from etl.load import template

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_CSV = ROOT / "docs" / "examples" / "toimintarekisteri-esimerkki.csv"


@pytest.fixture(scope="module")
def wh(demo_warehouse):
    con = duckdb.connect(str(demo_warehouse), read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="module")
def taxonomy(reference_dir):
    return template_file.taxonomy(reference_dir)


@pytest.fixture(scope="module")
def munis(wh):
    return file_check.municipality_rows(wh)


@pytest.fixture()
def check(wh, reference_dir, offline_dir):
    def _check(name: str, data: bytes) -> upload_check.CheckResult:
        return upload_check.check_upload(name, data, wh, reference_dir=reference_dir, offline_dir=offline_dir)
    return _check


def temp_dirs() -> set[str]:
    return {p.name for p in Path(tempfile.gettempdir()).glob("jk-check-*")}


def xlsx(rows: list[list]) -> bytes:
    wb = Workbook()
    for r in rows:
        wb.active.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# --- the template file ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_template_xlsx_reads_back_with_validations_on_the_right_columns(lang, taxonomy, munis):
    wb = load_workbook(io.BytesIO(template_file.template_xlsx(lang, taxonomy, munis)))
    i = {"fi": 0, "sv": 1, "en": 2}[lang]
    data, info, lists = wb.worksheets
    assert lists.title == "lists" and lists.sheet_state == "hidden"
    assert data.sheet_state == "visible" and info.sheet_state == "visible"
    header = [c.value for c in data[1]]
    assert header == [template.HEADERS[c][i] for c in template.HEADERS]
    example = [c.value for c in data[2]]
    assert example[0].startswith(template.EXAMPLE_MARKERS[i])
    assert template.is_example_row({"jarjesto": example[0]})
    # instructions: one line per column with its header
    assert [r[0] for r in info.iter_rows(min_row=info.max_row - 13, values_only=True)] == header

    def list_values(ref: str) -> list[str]:
        sheet, rng = ref.lstrip("=").split("!")
        assert sheet == "lists"
        return [c.value for row in lists[rng.replace("$", "")] for c in row]

    by_column = {}
    for dv in data.data_validations.dataValidation:
        (cell_range,) = [str(r) for r in dv.sqref.ranges]
        col = cell_range.split(":")[0].rstrip("0123456789")
        assert cell_range == f"{col}2:{col}5001"
        by_column[header.index(data[f"{col}1"].value)] = dv
    names = {canon: list(template.HEADERS).index(canon) for canon in template_file.VALIDATED}
    assert set(by_column) == set(names.values())
    got = {canon: list_values(by_column[idx].formula1) for canon, idx in names.items()}
    assert got["toimintamuoto"] == [r[f"label_{lang}"] for r in taxonomy.activity_types]
    assert got["kohderyhmat"] == [r[f"label_{lang}"] for r in taxonomy.target_groups]
    assert got["toimintatapa"] == [v[i] for v in template.MODE_LABELS.values()]
    assert got["valtakunnallinen"] == [template.BOOL_LABELS[True][i], template.BOOL_LABELS[False][i]]
    assert got["kielet"] == [v[i] for v in template.LANGUAGE_LABELS.values()]
    mainland = {m[k].strip() for m in munis if not m["is_aland"] for k in ("name_fi", "name_sv")}
    assert set(got["kunnat"]) == mainland and len(got["kunnat"]) == len(mainland)
    assert {"Helsinki", "Helsingfors", "Närpiö", "Närpes"} <= mainland and "Maarianhamina" not in mainland
    # strict lists stop other values; the multi-value ones only warn
    style = {canon: (by_column[idx].errorStyle, by_column[idx].showErrorMessage) for canon, idx in names.items()}
    assert style == {"toimintamuoto": ("warning", True), "kohderyhmat": ("warning", True),
                     "kunnat": ("warning", True), "toimintatapa": ("stop", True),
                     "valtakunnallinen": ("stop", True), "kielet": ("warning", True)}


def test_every_drop_down_value_is_understood_by_the_loader(taxonomy, munis, resolver):
    for lang in ("fi", "sv", "en"):
        lists = template_file.value_lists(lang, taxonomy, munis)
        assert all(template.MODES[v.lower()] for v in lists["modes"])
        assert [template.BOOLS[v.lower()] for v in lists["national"]] == [True, False]
        assert [template.LANGUAGES[v.lower()] for v in lists["languages"]] == list(template.LANGUAGE_LABELS)
        assert all(resolver.resolve(v).code for v in lists["municipalities"])


def test_template_csv_is_the_same_header_and_example(taxonomy):
    text = template_file.template_csv("sv", taxonomy).decode("utf-8")
    assert text.startswith("\ufeffOrganisation;FO-nummer;Verksamhetens namn;")
    lines = text.splitlines()
    assert len(lines) == 2 and lines[1].startswith("[EXEMPEL] Exempelföreningen rf;")
    assert '"Kuopio;Siilinjärvi"' in lines[1]


def _fill(lang: str, taxonomy, munis) -> bytes:
    """The template XLSX filled in as a user would: values typed in `lang` below the example row."""
    wb = load_workbook(io.BytesIO(template_file.template_xlsx(lang, taxonomy, munis)))
    ws = wb.worksheets[0]
    rows = {
        "fi": [["Testiyhdistys ry", "", "Keskusteluryhmä", "Vertaistuki", "Ikääntyneet", "Helsinki;Espoo", "etä",
                "ei", "suomi;ruotsi", "Kokoontuu <b>torstaisin</b>", "https://example.org/a", "1.3.2025", "Maija",
                "maija@example.org"]],
        "sv": [["Testföreningen rf", "", "Samtalsgrupp", "Kamratstöd", "Äldre", "Helsingfors;Esbo", "distans",
                "nej", "svenska;finska", "Träffas på torsdagar", "https://example.org/a", "2025-03-01", "", ""]],
        "en": [["Test Association ry", "", "Talking group", "Peer support", "Older people", "Helsinki;Espoo",
                "online", "no", "Swedish;Finnish", "Meets on Thursdays", "https://example.org/a", "2025-03-01",
                "", ""]],
    }[lang]
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_loader_reads_a_filled_template_in_each_language(lang, taxonomy, munis, make_ctx, tmp_path):
    (tmp_path / "template").mkdir()
    (tmp_path / "template" / "pohja.xlsx").write_bytes(_fill(lang, taxonomy, munis))
    ctx = make_ctx(tmp_path)
    con = duckdb.connect()
    stats = template.load(con, ctx)
    # the example row is skipped (not read, not set aside) and noted in the build log
    assert (stats.read, stats.loaded, stats.quarantined) == (1, 1, 0)
    assert any("pohja.xlsx row 2: the template's example row, skipped" == n for n in stats.notes)
    langs = ["fi", "sv"] if lang == "fi" else ["sv", "fi"]
    assert con.execute("""select record_ref, class_codes, target_codes, municipality_codes, mode, is_national,
                                 languages from stg_template__activity""").fetchall() == [
        ("row 3", ["template:vertaistuki"], ["template:ikaantyneet"], ["049", "091"], "online", False, langs)]


# --- the check ----------------------------------------------------------------------------------------------------

def _listing(folder: Path, pattern: str = "**/*") -> list[tuple[str, int, int]]:
    return sorted((str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in folder.glob(pattern) if p.is_file())


def test_documented_example_passes_with_nothing_set_aside(check, demo_warehouse, offline_dir):
    before = temp_dirs()
    written = (_listing(demo_warehouse.parent), _listing(offline_dir), _listing(Path.cwd(), "*"))
    res = check("toimintarekisteri-esimerkki.csv", EXAMPLE_CSV.read_bytes())
    # nothing written to the warehouse, the raw data folder or the working directory
    assert (_listing(demo_warehouse.parent), _listing(offline_dir), _listing(Path.cwd(), "*")) == written
    assert res.error is None
    assert [(r.row, r.status) for r in res.rows] == [(2, "load"), (3, "load"), (4, "load"), (5, "load")]
    assert [(r.activity_type, r.type_method) for r in res.rows] == [
        ("vertaistuki", "code"), ("neuvonta_ohjaus", "code"), ("kohtaamispaikka", "code"),
        ("aineellinen_apu", "code")]
    assert res.rows[1].target_groups == [("mielenterveys", "code"), ("nuoret", "code")]
    assert res.rows[0].municipality_codes == ["297", "749"]
    assert [r.org_status for r in res.rows] == ["new"] * 4
    assert upload_check.organisation_summary(res) == {"new": 3, "matched": 0, "by_bid": 0, "by_name": 0}
    assert temp_dirs() == before


def test_template_own_example_passes(check, taxonomy, munis):
    for lang in ("fi", "sv", "en"):
        res = check("pohja.xlsx", template_file.template_xlsx(lang, taxonomy, munis))
        assert res.error is None and [(r.row, r.status) for r in res.rows] == [(2, "example")]
        res = check("pohja.csv", template_file.template_csv(lang, taxonomy))
        assert res.error is None and [(r.row, r.status) for r in res.rows] == [(2, "example")]


BAD_ROWS = ("jarjesto;y_tunnus;toiminnan_nimi;toimintamuoto;kohderyhmat;kunnat\n"
            "Hyvä seura ry;;Kerho;kerho_ryhma;nuoret;Tampere\n"                    # row 2 loads
            "Hyvä seura ry;;Kerho 2;kerho_ryhma;nuoret;Helsinkki\n"                # row 3 misspelled
            "Ahvenanmaan seura rf;;Klubb;kerho_ryhma;;Maarianhamina\n"              # row 4 Åland only
            ";;;;;\n"                                                              # row 5 empty
            "<script>alert(1)</script>;;Ryhmä;;;Oulu\n"                            # row 6 HTML name
            "Toinen seura ry;;Vertaistukiryhmä mielenterveyskuntoutujille;;;Oulu\n")  # row 7 loads (keywords)


def test_set_aside_rows_with_row_numbers_reasons_and_fixes(check):
    res = check("bad.csv", BAD_ROWS.encode("utf-8"))
    assert res.error is None
    assert [(r.row, r.status, r.reason) for r in res.rows if r.status != "load"] == [
        (3, "set_aside", "unknown_municipality"), (4, "set_aside", "outside_frame"), (5, "set_aside", "empty_row"),
        (6, "set_aside", "missing_field")]
    assert [r.row for r in res.rows if r.status == "load"] == [2, 7]
    fix = res.rows[1].fix
    assert fix.key == "check.fix.unknown_municipality" and fix.params["value"] == "Helsinkki"
    assert fix.params["closest"].startswith("Helsinki (091)")
    assert "Helsinki (091)" in fix.text("en") and fix.text("fi").startswith("Kuntaa 'Helsinkki' ei tunnistettu")
    assert [r.fix.key for r in res.set_aside] == ["check.fix.unknown_municipality", "check.fix.outside_frame",
                                                   "check.fix.empty_row", "check.fix.missing_field"]
    kw = res.rows[-1]
    assert (kw.activity_type, kw.type_method) == ("vertaistuki", "keyword")
    assert kw.target_groups == [("mielenterveys", "keyword")]
    frame = upload_check.set_aside_frame(res, "sv")
    assert frame["Rad"].tolist() == [3, 4, 5, 6]
    assert frame["Orsak"].tolist() == ["Okänd kommun", "Åland (utanför ramen)", "Tom rad",
                                      "Obligatorisk uppgift saknas"]


def test_organisations_matched_by_business_id_else_name_and_municipality(check, wh):
    bid_org = wh.execute("""select business_id, name from organisation where business_id is not null
                            order by org_id limit 1""").fetchone()
    name_org = wh.execute("""select o.name, m.name_fi from organisation o join municipality m
                             on m.code = o.home_municipality_code where o.business_id is null
                             order by o.org_id limit 1""").fetchone()
    assert bid_org and name_org, "the demo warehouse has organisations with and without a business id"
    text = ("jarjesto;y_tunnus;toiminnan_nimi;kunnat\n"
            f"Eri nimi ry;{bid_org[0]};Kerho;Oulu\n"
            f"{name_org[0]};;Kerho;{name_org[1]}\n"
            f"{name_org[0]};;Kerho;Utsjoki\n"
            "Aivan uusi yhdistys ry;;Kerho;Oulu\n")
    res = check("orgs.csv", text.encode("utf-8"))
    assert [(r.row, r.org_status) for r in res.rows] == [
        (2, "match_business_id"), (3, "match_name"), (4, "new" if name_org[1] != "Utsjoki" else "match_name"),
        (5, "new")]
    assert res.rows[0].org_match.startswith(bid_org[1])


# --- hostile files ------------------------------------------------------------------------------------------------

def _zip_bomb() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"\0" * (upload_check.MAX_UNZIPPED_BYTES + 1))
    return buf.getvalue()


def _encrypted_member() -> bytes:
    data = bytearray(xlsx([["jarjesto", "toiminnan_nimi", "kunnat"], ["Seura ry", "Kerho", "Oulu"]]))
    # set the "encrypted" flag on every local and central directory entry
    for sig, off in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        i = data.find(sig)
        while i >= 0:
            data[i + off] |= 0x1
            i = data.find(sig, i + 4)
    return bytes(data)


GOOD = "jarjesto;toiminnan_nimi;kunnat\nSeura ry;Kerho;Oulu\n"


def _far_row() -> bytes:
    wb = Workbook()
    wb.active.append(["jarjesto", "toiminnan_nimi", "kunnat"])
    wb.active.cell(row=1_048_576, column=1, value="Seura ry")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.mark.parametrize("name,data,key", [
    ("big.csv", b"a" * (upload_check.MAX_BYTES + 1), "check.error.too_big"),
    ("kuva.png", b"\x89PNG\r\n\x1a\n", "check.error.type"),
    ("tiedosto", GOOD.encode(), "check.error.type"),
    ("tyhja.csv", b"  \n", "check.error.empty"),
    ("salattu.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "check.error.encrypted"),
    ("vanha.xlsx", b"<html>not excel</html>", "check.error.damaged"),
    ("rikki.xlsx", xlsx([["jarjesto"]])[:300], "check.error.damaged"),
    ("pommi.xlsx", _zip_bomb(), "check.error.zip_bomb"),
    ("zip.csv", xlsx([["a"]]), "check.error.type"),
    ("utf16.csv", GOOD.encode("utf-16-le"), "check.error.encoding"),
    ("sarakkeet.csv", b"nimi;kunta\nSeura;Oulu\n", "check.error.columns"),
    ("rivit.csv", (GOOD + "Seura ry;Kerho;Oulu\n" * upload_check.MAX_ROWS).encode(), "check.error.too_many_rows"),
    # small files that would expand to a million empty rows: refused before they are parsed
    ("rivinvaihdot.csv", (GOOD + "\n" * upload_check.MAX_CSV_LINES).encode(), "check.error.too_many_rows"),
    ("kaukana.xlsx", _far_row(), "check.error.too_many_rows"),
])
def test_hostile_files_give_a_message(check, name, data, key):
    before = temp_dirs()
    res = check(name, data)
    assert res.error is not None and res.error.key == key, res.error
    assert res.rows == []
    for lang in ("fi", "sv", "en"):
        assert res.error.text(lang) != key and "Traceback" not in res.error.text(lang)
    assert temp_dirs() == before


def test_encrypted_zip_member_is_refused(check):
    assert check("x.xlsx", _encrypted_member()).error.key == "check.error.encrypted"


def test_row_limit_counts_data_rows_only(check):
    res = check("rivit.csv", (GOOD + "Seura ry;Kerho;Oulu\n" * (upload_check.MAX_ROWS - 1)).encode())
    assert res.error is None and res.count("load") == upload_check.MAX_ROWS


def test_cp1252_csv_loads_with_a_note(check):
    res = check("ansi.csv", "jarjesto;toiminnan_nimi;kunnat\nSeura ry;Kerho;Hämeenlinna\n".encode("cp1252"))
    assert res.error is None and res.count("load") == 1 and res.rows[0].municipality_codes == ["109"]
    assert [n.key for n in res.notes] == ["check.note.encoding"]


def test_xlsx_formulas_are_counted_and_never_evaluated(check):
    wb = Workbook()
    ws = wb.active
    ws.append(["jarjesto", "toiminnan_nimi", "kunnat", "kuvaus"])
    ws.append(["Seura ry", "Kerho", "Oulu", "=1+1"])                    # formula cells: openpyxl saves no value
    ws.append(["=cmd|' /C calc'!A0", "@SUM(1+1)", "Oulu", "<img src=x onerror=alert(1)>"])
    buf = io.BytesIO()
    wb.save(buf)
    res = check("kaavat.xlsx", buf.getvalue())
    assert res.error is None
    assert [n.key for n in res.notes] == ["check.note.formulas", "check.note.formula_text"]
    assert res.notes[0].params == {"n": 2}
    # the formula is read as its saved value (none), never calculated: row 3 has no organisation name
    assert [(r.row, r.status, r.reason) for r in res.rows] == [(2, "load", None), (3, "set_aside", "missing_field")]
    assert res.rows[0].values["kuvaus"] == "" and res.rows[1].values["toiminnan_nimi"] == "@SUM(1+1)"


def test_report_stores_formula_like_text_as_text(check, reference_dir):
    text = ('jarjesto;toiminnan_nimi;kunnat;kuvaus\n'
            '=HYPERLINK("http://x","y");@SUM(1+1);Oulu;<script>alert(1)</script> Kerho\n'
            '+358 seura ry;-Kerho;Oulu;\n')
    res = check("kaavat.csv", text.encode("utf-8"))
    assert res.error is None and [r.status for r in res.rows] == ["load", "load"]
    assert [n.key for n in res.notes] == ["check.note.formula_text"]
    report = load_workbook(io.BytesIO(upload_check.report_xlsx(res, "en", reference_dir)))
    assert report.sheetnames == ["Rows", "Set aside"]
    cells = [c for ws in report.worksheets for row in ws.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    texts = [c.value for c in cells if isinstance(c.value, str)]
    assert '\'=HYPERLINK("http://x","y")' in texts and "'@SUM(1+1)" in texts and "'-Kerho" in texts
    assert "'+358 seura ry" in texts
    assert not [v for v in texts if v.startswith(("=", "+", "-", "@"))]
    rows = list(report["Rows"].iter_rows(values_only=True))
    assert rows[0][:2] == ("Row", "Status") and [r[1] for r in rows[1:]] == ["would load", "would load"]


def test_report_lists_set_aside_rows_with_reasons(check, reference_dir):
    res = check("bad.csv", BAD_ROWS.encode("utf-8"))
    report = load_workbook(io.BytesIO(upload_check.report_xlsx(res, "fi", reference_dir)))
    assert report.sheetnames == ["Rivit", "Pois jätetyt"]
    aside = list(report["Pois jätetyt"].iter_rows(values_only=True))
    assert aside[0][:3] == ("Rivi", "Syy", "Korjaus")
    assert [(r[0], r[1]) for r in aside[1:]] == [(3, "Tuntematon kunta"), (4, "Ahvenanmaa (rajattu pois)"),
                                                (5, "Tyhjä rivi"), (6, "Pakollinen tieto puuttuu")]
    status = [r[1] for r in report["Rivit"].iter_rows(min_row=2, values_only=True)]
    assert status == ["latautuisi", "jätettäisiin pois", "jätettäisiin pois", "jätettäisiin pois",
                      "jätettäisiin pois", "latautuisi"]
    # the personal-data columns never reach the report
    assert not [c for c in report["Rivit"][1] if c.value and "Sähköposti" in str(c.value)]


# --- the fuzz suite's hostile files through the upload path -------------------------------------------------------

def test_fuzz_suite_files_never_crash_the_check(check):
    from hypothesis import given, settings, strategies as st
    from tests import test_fuzz_loaders as fuzz

    before = temp_dirs()

    @settings(max_examples=60, deadline=None, database=None)
    @given(kind=st.sampled_from(["template.csv", "template.xlsx"]), data=st.one_of(
        st.binary(max_size=2000),
        st.binary(max_size=200).map(lambda b: codecs.BOM_UTF8 + b),
        st.binary(max_size=200).map(lambda b: b"PK\x03\x04" + b),
        st.sampled_from(fuzz.HOSTILE).map(lambda s: (fuzz.GOOD_TEMPLATE + f"{s};;{s};{s};{s}\n").encode()),
    ), encoding=st.sampled_from(fuzz.ENCODINGS), cut=st.integers(0, 10**6),
       flips=st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), max_size=3), corrupt=st.booleans())
    def run(kind, data, encoding, cut, flips, corrupt):
        if corrupt:   # as test_truncated_reencoded_and_corrupted_files: a good file re-encoded, cut, bytes flipped
            buf = bytearray(fuzz._good_bytes(kind, encoding))
            for pos, byte in flips:
                buf[pos % len(buf)] = byte
            data = bytes(buf[: cut % (len(buf) + 1)])
        res = check("t." + kind.split(".")[1], data)
        assert isinstance(res, upload_check.CheckResult)
        if res.error is None:
            assert all(r.status in ("load", "set_aside", "example") for r in res.rows)
            assert all(r.reason for r in res.set_aside)
        else:
            assert res.error.key.startswith("check.error.") and res.rows == []

    run()
    assert temp_dirs() == before


# --- the check predicts the build -----------------------------------------------------------------------------------

def test_a_file_filled_from_the_template_builds_as_the_check_predicted(check, taxonomy, munis, offline_dir,
                                                                       reference_dir, tmp_path):
    from etl.build import build

    wb = load_workbook(io.BytesIO(template_file.template_xlsx("fi", taxonomy, munis)))
    ws = wb.worksheets[0]
    for r in [
        ["Testiyhdistys ry", "", "Keskusteluryhmä", "Vertaistuki", "Ikääntyneet;Omaiset ja läheiset",
         "Helsinki;Espoo", "etä", "ei", "suomi", "", "https://example.org/a", "1.3.2025", "", ""],   # row 3
        ["Testiyhdistys ry", "", "Ruokajako", "", "", "Tampere", "lähi", "ei", "", "Ruoka-apua perheille", "", "",
         "", ""],                                                                                     # row 4
        ["Testiyhdistys ry", "", "Kerho", "Kerhot ja ryhmät", "Nuoret", "Tampree", "", "", "", "", "", "", "", ""],
        ["Ålands förening rf", "", "Klubb", "", "", "Maarianhamina", "", "", "", "", "", "", "", ""],  # row 6
        [None] * 14,                                                                                  # row 7
        ["<b></b>", "", "Ryhmä", "", "", "Oulu", "", "", "", "", "", "", "", ""],                     # row 8
        ["Puhelinpalvelu ry", "", "Neuvontapuhelin", "", "Mielenterveys", "", "puhelin", "kyllä", "suomi;ruotsi",
         "Kriisipuhelin päivystää öisin", "", "", "", ""],                                            # row 9
        ["Testiyhdistys ry", "", "Lukupiiri!", "", "", "Espoo;Helsinki", "", "", "", "", "", "", "", ""],  # row 10
        ["Testiyhdistys ry", "", "lukupiiri", "", "", "Helsinki;Espoo", "", "", "", "Kirjallisuuden ystäville",
         "", "", "", ""],                                                                             # row 11
    ]:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    data = buf.getvalue()

    res = check("pohja.xlsx", data)
    assert res.error is None
    assert [(r.row, r.status, r.reason) for r in res.rows] == [
        (2, "example", None), (3, "load", None), (4, "load", None), (5, "set_aside", "unknown_municipality"),
        (6, "set_aside", "outside_frame"), (7, "set_aside", "empty_row"), (8, "set_aside", "missing_field"),
        (9, "load", None), (10, "load", None), (11, "load", None)]
    # rows 10 and 11 are one activity to the build (same organisation, name, municipality set): flagged, and the
    # build keeps the richer one (with a description)
    assert [(r.row, r.same_as) for r in res.rows if r.same_as] == [(10, [11]), (11, [10])]
    assert [n.key for n in res.notes] == ["check.note.duplicates"]
    predicted = {f"pohja.xlsx:{r.row}": (r.activity_type, r.type_method, sorted(r.target_groups))
                 for r in res.rows if r.status == "load" and r.row != 10}
    predicted_aside = [(f"row {r.row}", r.reason) for r in res.set_aside]

    (tmp_path / "org" / "template").mkdir(parents=True)
    (tmp_path / "org" / "template" / "pohja.xlsx").write_bytes(data)
    db = tmp_path / "wh.duckdb"
    build(db_path=db, offline_dir=offline_dir, reference_dir=reference_dir, org_dirs=[tmp_path / "org"],
          is_demo=False, progress=False, log=lambda *a, **k: None)
    con = duckdb.connect(str(db), read_only=True)
    try:
        built = {sid: (t, m, sorted(map(tuple, groups))) for sid, t, m, groups in con.execute("""
            select a.source_id, a.activity_type, a.type_method, list([g.target_group, g.method])
            from activity a join activity_target_group g using (activity_id)
            where a.source = 'template' group by all""").fetchall()}
        aside = con.execute("""select record_ref, reason_code from quarantine where source = 'template'
                               order by cast(replace(record_ref, 'row ', '') as integer)""").fetchall()
    finally:
        con.close()
    assert built == predicted
    assert aside == predicted_aside
    assert predicted["pohja.xlsx:4"][:2] == ("aineellinen_apu", "keyword")
    assert predicted["pohja.xlsx:3"] == ("vertaistuki", "code", [("ikaantyneet", "code"), ("omaiset", "code")])
