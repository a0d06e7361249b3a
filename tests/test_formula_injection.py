"""Spreadsheet formula injection (issue 11 item 6): hostile organisation names through the real table downloads.

A text cell beginning with `=`, `+`, `-`, `@`, a tab or a carriage return must reach a CSV with a leading `'`
(OWASP CSV injection guidance) while numeric columns stay plain numbers, negative ones included. The XLSX stores
every text cell as a string (never a formula) and cuts a text over the 32,767-character cell limit with a visible
marker. Files are read back with `csv` and `openpyxl`; the organisations-page case goes through the page's own
query (app.queries.organisation_list on a demo build whose names were made hostile), app.ui's table shaping and the
export builders, as the download buttons do."""
from __future__ import annotations

import csv
import io
import json
import shutil
import zipfile

import duckdb
import pandas as pd
import pytest
from openpyxl import load_workbook

from app import exports as ex
from app import queries
from etl import paths

HOSTILE = ['=HYPERLINK("https://x.example","Klikkaa")', "@SUM(2) ry", "+1", "-2+3", "\tSarkain ry",
           "\rRivinvaihto ry"]
XLSX_LIMIT = 32_767   # characters in one Excel cell
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
PLAIN = "Tavallinen ry"
# what an XLSX reader gives back for a hostile text: XML end-of-line handling reads a carriage return as a line feed
READ_BACK = [h.replace("\r", "\n") for h in HOSTILE]


def meta(lang: str = "fi", title: str = "Järjestöt", subtitle: str = "Koko maa") -> ex.ExportMeta:
    return ex.ExportMeta(title=title, subtitle=subtitle, lang=lang, source_line="Lähde: testi", build_id="b1",
                         built_at="2026-11-23T13:12:00", is_demo=False)


def hostile_frame() -> pd.DataFrame:
    return pd.DataFrame({"Nimi": HOSTILE + [PLAIN],
                         "Muutos": [-2.5, -1.25, 0.0, 3.5, -4.0, 5.0, -6.75],
                         "Määrä": [-2, -1, 0, 3, -4, 5, -6]})


def csv_rows(data: bytes, sep: str) -> list[list[str]]:
    body, _ = ex.split_csv_export(data)
    return list(csv.reader(io.StringIO(body, newline=""), delimiter=sep))


@pytest.mark.parametrize("sep", [",", ";"])
def test_csv_text_cells_neutralised_numbers_kept(sep):
    df = hostile_frame()
    rows = csv_rows(ex.to_csv_bytes(df, meta(), sep=sep), sep)
    assert rows[0] == ["Nimi", "Muutos", "Määrä"]
    names = [r[0] for r in rows[1:]]
    assert names == ["'" + h for h in HOSTILE] + [PLAIN]
    decimal = "," if sep == ";" else "."
    assert [float(r[1].replace(decimal, ".")) for r in rows[1:]] == df["Muutos"].tolist()
    assert [r[1] for r in rows[1:]][0] == f"-2{decimal}5"          # a negative number is not prefixed
    assert [int(r[2]) for r in rows[1:]] == df["Määrä"].tolist()


def test_csv_metadata_lines_neutralised():
    data = ex.to_csv_bytes(hostile_frame(), meta(title=HOSTILE[0]))
    _, footer = ex.split_csv_export(data)
    assert "'" + HOSTILE[0] in footer
    assert not [ln for ln in footer if ln.startswith(TRIGGERS)]


def sheet_xml(data: bytes) -> dict[str, str]:
    z = zipfile.ZipFile(io.BytesIO(data))
    return {n: z.read(n).decode("utf-8") for n in z.namelist() if n.startswith("xl/worksheets/")}


def test_xlsx_text_cells_are_strings_never_formulas():
    df = hostile_frame()
    data = ex.to_xlsx_bytes(df, meta(title=HOSTILE[0], subtitle=HOSTILE[1]))
    assert not [n for n, xml in sheet_xml(data).items() if "<f>" in xml or "<f " in xml]   # no formula at all
    wb = load_workbook(io.BytesIO(data))
    ws = wb.worksheets[0]
    cells = [ws.cell(row=i, column=1) for i in range(2, 2 + len(df))]
    assert [c.value for c in cells] == READ_BACK + [PLAIN]      # the text as it is: a string cell cannot run
    assert {c.data_type for c in cells} == {"s"}
    assert [ws.cell(row=i, column=2).value for i in range(2, 2 + len(df))] == df["Muutos"].tolist()
    assert [ws.cell(row=i, column=3).value for i in range(2, 2 + len(df))] == df["Määrä"].tolist()
    assert {ws.cell(row=i, column=3).data_type for i in range(2, 2 + len(df))} == {"n"}
    src = wb.worksheets[1]
    texts = {c.value: c.data_type for row in src.iter_rows() for c in row if c.value in (HOSTILE[0], HOSTILE[1])}
    assert texts == {HOSTILE[0]: "s", HOSTILE[1]: "s"}


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_xlsx_over_cell_limit_truncated_visibly(lang):
    strings = json.loads((paths.LOCALES_DIR / lang / "exports.json").read_text(encoding="utf-8"))
    marker = strings.get("export.truncated", "(no marker)")
    long_text, fits = "A" * 40_000, "B" * XLSX_LIMIT
    data = ex.to_xlsx_bytes(pd.DataFrame({"Kuvaus": [long_text, fits]}), meta(lang))
    ws = load_workbook(io.BytesIO(data)).worksheets[0]
    cut = ws.cell(row=2, column=1).value
    assert len(cut) == XLSX_LIMIT
    assert cut.endswith(marker) and cut.startswith("A" * 1000)
    assert ws.cell(row=3, column=1).value == fits                 # exactly at the limit: kept whole


@pytest.fixture(scope="module")
def hostile_db(demo_warehouse, tmp_path_factory):
    """A copy of the demo build in which six organisations carry hostile names."""
    db = tmp_path_factory.mktemp("injection") / "hostile.duckdb"
    shutil.copy(demo_warehouse, db)
    con = duckdb.connect(str(db))
    ids = [r[0] for r in con.execute("select org_id from mart_org_visibility order by org_id limit ?",
                                     [len(HOSTILE)]).fetchall()]
    for org_id, name in zip(ids, HOSTILE):
        con.execute("update mart_org_visibility set name = ? where org_id = ?", [name, org_id])
    con.close()
    return db


def organisations_page_table(con: duckdb.DuckDBPyConnection, lang: str) -> pd.DataFrame:
    """The organisations page's list as its downloads carry it (pages/5_jarjestot.py -> ui.table_with_downloads)."""
    from app import ui
    from app.i18n import t
    columns = [
        ("name", t("col.organisation", lang), "text"), ("business_id", t("col.business_id", lang), "text"),
        ("home_area", t("col.home_area", lang), "text"), ("activities", t("metric.activities.label", lang), "int"),
        ("municipalities", t("col.municipalities", lang), "int"),
        ("sources", t("col.sources", lang), "labels:source.name."),
        ("completeness", t("col.completeness", lang), "pct")]
    table = ui.labelled_frame(queries.organisation_list(con, lang=lang), columns, lang)
    kinds = {label: ("text" if kind.startswith(("label:", "labels:")) else kind) for _, label, kind in columns}
    return ui.export_frame(table, kinds, lang)


def test_organisations_page_downloads_carry_no_formula(hostile_db):
    con = duckdb.connect(str(hostile_db), read_only=True)
    try:
        table = organisations_page_table(con, "fi")
    finally:
        con.close()
    name_col = table.columns[0]
    assert sorted(h for h in HOSTILE if h in set(table[name_col])) == sorted(HOSTILE)   # the names reached the table
    for sep in (",", ";"):
        rows = csv_rows(ex.to_csv_bytes(table, meta(), sep=sep), sep)
        cells = [c for r in rows for c in r]
        assert not [c for c in cells if c.startswith(TRIGGERS)], sep
        assert sum(c in {"'" + h for h in HOSTILE} for c in cells) == len(HOSTILE)
        assert [r[3] for r in rows[1:]] == [str(v) for v in table.iloc[:, 3]]   # activity counts stay numbers
    wb = load_workbook(io.BytesIO(ex.to_xlsx_bytes(table, meta())))
    ws = wb.worksheets[0]
    hostile_cells = [c for row in ws.iter_rows(min_row=2) for c in row if c.value in READ_BACK]
    assert len(hostile_cells) == len(HOSTILE) and {c.data_type for c in hostile_cells} == {"s"}
