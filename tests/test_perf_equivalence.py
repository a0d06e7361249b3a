"""The loaders' fast paths give exactly what the slow paths give (no timing here: only equivalence).

- etl.load.values.plain_text / scrub_personal skip etl.text's work only when it would change nothing;
- the XLSX reader (python-calamine) gives the cell texts the previous reader gave: openpyxl's read-only
  `iter_rows(values_only=True)` through the same `_cell_text` (dates, numbers, booleans, empty cells);
- staging rows go through Arrow column by column, in batches for large sources, with the same table contents as
  the pandas frame they replaced.
"""
from __future__ import annotations

import datetime as dt
import math
import random

import duckdb
import pandas as pd
import pytest

from etl import text
from etl.load import readers, staging, values

TEXTS = [
    None, "", " ", "  ", "plain", "Plain text – with ä, ö and å", " leading", "trailing ", "double  space",
    "tab\there", "new\nline", "cr\r\nlf", "nbsp\u00a0here", "zero\u200bwidth", "bom\ufefftext", "soft\u00adhyphen",
    "<p>html</p>", "a &amp; b", "&lt;script&gt;x&lt;/script&gt;", "<script>alert(1)</script>visible", "x < y",
    "AT&T", "\x00nul", "bell\x07", "line\u2028sep", "ideographic\u3000space", "emoji 🙂 ok", "\U000e0001tag",
    "private\ue000use", "unassigned\U0003ffff", "mixed <b>bold</b> &amp;  spaces ", 123, 4.5, ["a"], {"b": 1},
    "cafe\u0301 (combining accent)", "\ufb01 ligature", "Ｆｕｌｌｗｉｄｔｈ", "info@example.org", "Call 040 123 4567",
    "+358 40 1234567", "digits 0", "x" * 5000, "y" * 5000 + "<",
]


def _random_texts(n: int) -> list[str]:
    rng = random.Random(7)
    alphabet = "abcä ö<>&;#\t\n\u00a0\u200b\u2028\x00\x7f\u00ad" + "0123456789@.+-"
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40))) for _ in range(n)]


@pytest.mark.parametrize("max_len", [None, 5, 100])
def test_plain_text_fast_path_is_exact(max_len):
    for value in TEXTS + _random_texts(3000):
        assert values.plain_text(value, max_len) == text.plain_text(value, max_len), repr(value)


def _plain_text_every_character(value, max_len=None):
    """etl.text.plain_text as it was before its printable fast path: every character's category looked up."""
    import html
    import unicodedata
    if value is None or not str(value).strip():
        return None
    s = text._strip_tags(text._strip_scripts(str(value)))
    s = text._TAG_OPEN.sub("", text._strip_tags(html.unescape(s)))
    s = "".join(ch for ch in s if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    s = text._WS.sub(" ", s).strip()
    if max_len and len(s) > max_len:
        s = s[: max_len - 1].rstrip() + "…"
    return s or None


@pytest.mark.parametrize("max_len", [None, 5, 100])
def test_text_plain_text_printable_fast_path_is_exact(max_len):
    # one string per Unicode category present in the BMP and beyond, beside the hand-picked and random ones
    import unicodedata
    by_category: dict[str, list[str]] = {}
    for cp in range(0x110000):
        found = by_category.setdefault(unicodedata.category(chr(cp)), [])
        if len(found) < 3:
            found.append(f"a{chr(cp)}b")
    cases = TEXTS + _random_texts(2000) + [t for found in by_category.values() for t in found]
    assert {"Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp"} <= set(by_category)
    assert [text.plain_text(t, max_len) for t in cases] == [_plain_text_every_character(t, max_len) for t in cases]
    assert text.plain_text("tab\there\u200b") == "tab here" and text.plain_text("a\u2028b") == "a b"


def test_scrub_personal_fast_path_is_exact():
    for value in [v for v in TEXTS if v is None or isinstance(v, str)] + _random_texts(3000):
        assert values.scrub_personal(value) == text.scrub_personal(value), repr(value)


# --- XLSX -----------------------------------------------------------------------------------------------------------

def _workbook(path, rows, *, write_only: bool) -> None:
    from openpyxl import Workbook
    wb = Workbook(write_only=write_only)
    ws = wb.create_sheet() if write_only else wb.active
    for r in rows:
        ws.append(r)
    wb.save(path)


def _openpyxl_cells(path) -> list[tuple[int, list[str]]]:
    """The previous reader: openpyxl read-only with cached formula results, each value through `_cell_text`."""
    from openpyxl import load_workbook
    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        rows = list(wb.worksheets[0].iter_rows(values_only=True))
    finally:
        wb.close()
    return [(i + 1, [readers._cell_text(v) for v in row]) for i, row in enumerate(rows)]


def _trimmed(cells):
    """Rows without their trailing empty cells (openpyxl pads every row to the sheet's dimension, calamine to the
    used range: cells that hold nothing either way)."""
    out = []
    for n, row in cells:
        row = list(row)
        while row and row[-1] == "":
            row.pop()
        out.append((n, row))
    return out


def _rows(with_dates: bool) -> list[list]:
    rng = random.Random(1)
    rows: list[list] = [["jarjesto", "y_tunnus", "vuosi", None, "  spaced  "]]
    for i in range(300):
        r = [rng.choice(["a", " b ", "c\nd", "", None, "&lt;p&gt;", "ä ö", "x005F_z", "x" * 40_000]),
             rng.choice([1, 2.5, 3.0, -0.0, 1e20, 0.1, -7, True, False, None, 12345678901234, 2**53]),
             rng.choice([2020, "2021", None, "0123", "1.50"]),
             rng.choice([dt.date(2020, 1, 2), dt.datetime(2021, 3, 4, 5, 6), dt.datetime(2021, 3, 4), dt.time(12, 30),
                         dt.timedelta(hours=5), None] if with_dates else ["=1+1", None])]
        if i % 7 == 0:
            r += ["extra", None, 5]
        if i % 11 == 0:
            r = []
        rows.append(r)
    rows[1:1] = [[], [None, None, "after an empty row"]]
    return rows


@pytest.mark.parametrize("write_only", [False, True])
@pytest.mark.parametrize("with_dates", [False, True])
def test_xlsx_reader_matches_openpyxl(tmp_path, write_only, with_dates):
    path = tmp_path / "t.xlsx"
    _workbook(path, _rows(with_dates), write_only=write_only)
    new, old = readers.xlsx_cells(path), _openpyxl_cells(path)
    assert len(new) == len(old) == 303
    assert _trimmed(new) == _trimmed(old)


def test_xlsx_reader_starts_at_a1(tmp_path):
    """Leading empty rows and columns keep their place: refs (`row 3`) and header positions stay the same."""
    from openpyxl import Workbook
    wb = Workbook()
    wb.active["B3"] = "jarjesto"
    wb.active["B4"] = "Seura ry"
    wb.save(tmp_path / "t.xlsx")
    assert _trimmed(readers.xlsx_cells(tmp_path / "t.xlsx")) == [(1, []), (2, []), (3, ["", "jarjesto"]),
                                                                 (4, ["", "Seura ry"])]


def test_read_xlsx_table_same_rows_as_openpyxl(tmp_path):
    path = tmp_path / "t.xlsx"
    _workbook(path, _rows(False), write_only=False)
    aliases = {"jarjesto": (), "y_tunnus": (), "vuosi": ()}
    new = readers.read_xlsx_table(path, aliases, ("jarjesto",))
    _cols, old = readers._rows_from_cells(_openpyxl_cells(path), aliases, ("jarjesto",))
    assert len(new.rows) == 302
    assert [(r.ref, r.values, r.raw, r.extra_cells) for r in new.rows] == \
           [(r.ref, r.values, r.raw, r.extra_cells) for r in old]


# --- staging ----------------------------------------------------------------------------------------------------------

COLUMNS = {"s": "varchar", "l": "varchar[]", "b": "boolean", "ts": "timestamp", "d": "double", "i": "integer",
           "day": "date"}


def _staging_rows(n: int) -> list[dict]:
    rng = random.Random(3)
    return [{"s": rng.choice([None, "", "x", "ä\u200b", "long " * 20]),
             "l": rng.choice([None, [], ["a"], ["a", "b", None]]),
             "b": rng.choice([None, True, False]),
             "ts": rng.choice([None, dt.datetime(2024, 1, 2, 3, 4, 5, 678901), dt.datetime(1990, 12, 31)]),
             "d": rng.choice([None, 0.0, -1.5, 60.123456, math.nan]),
             "i": rng.choice([None, 0, 2025]),
             "day": rng.choice([None, dt.date(2020, 2, 29)])} for _ in range(n)]


def _pandas_staging(con, name, rows):
    """The previous write_staging: a pandas frame of the row dicts, cast by DuckDB on insert."""
    ddl = ", ".join(f'"{c}" {t}' for c, t in COLUMNS.items())
    con.execute(f'create or replace table "{name}" ({ddl})')
    df = pd.DataFrame([{c: r.get(c) for c in COLUMNS} for r in rows], columns=list(COLUMNS))
    con.register("_df", df)
    con.execute(f'insert into "{name}" select * from _df')
    con.unregister("_df")


def _contents(con, name):
    return con.execute(f'select * from "{name}"').fetchall()


def test_staging_arrow_and_batches_match_pandas():
    rows = _staging_rows(2500)
    con = duckdb.connect()
    _pandas_staging(con, "old", rows)
    staging.write_staging(con, "new", COLUMNS, rows)
    w = staging.StagingWriter(con, "batched", COLUMNS, batch=700)
    for r in rows:
        w.append(r)
    w.close()
    expected = _contents(con, "old")
    assert _contents(con, "new") == expected
    assert _contents(con, "batched") == expected


def test_staging_falls_back_for_values_arrow_refuses():
    rows = [{"s": 5, "l": ["a"], "b": True, "ts": None, "d": 1, "i": "7", "day": None}]
    con = duckdb.connect()
    _pandas_staging(con, "old", rows)
    staging.write_staging(con, "new", COLUMNS, rows)
    assert _contents(con, "new") == _contents(con, "old")


# --- STEA: streamed in batches, the same tables as the whole-sheet load ------------------------------------------------

def _stea_sheet() -> list[list]:
    """Grant rows that exercise every path: repeated ids over years (the latest name wins), invalid and missing
    ids (matched by name), a phone number in a name (scrubbed before the organisation is derived), an over-long
    name (cut), empty rows, a stray cell, bad years and euro amounts in several spellings."""
    head = ["jarjesto", "y_tunnus", "vuosi", "kayttotarkoitus", "avustuslaji", "alue",
            "avustuskokonaisuus", "jarjestoluokka", "haettu", "ehdotettu", "myonnetty"]
    rng = random.Random(3)
    names = ["Seura ry", "Seura r.y.", "Yhdistys ry, soita 040 123 4567", "N" * 400, "Säätiö sr", " Väli  ry "]
    ids = ["1234567-1", "2222222-9", "1234567-0", "", "FI12345671", "x"]
    years = [2021, 2023, "2024", 2022.0, "1899", "vuonna 2024", ""]
    euros = [1000, 1500.5, "1 234,50", "12\u00a0000 €", "0012", "1.234", "", None, "paljon", "\u0661\u0662", -5]
    rows: list[list] = [[], head]
    for i in range(240):
        r = [rng.choice(names), rng.choice(ids), rng.choice(years), "Kerho", rng.choice(["C", "Ay"]),
             rng.choice(["Oulu", "Valtakunnallinen", ""]), "", "", rng.choice(euros), rng.choice(euros),
             rng.choice(euros)]
        if i % 17 == 0:
            r = []
        if i % 23 == 0:
            r = r + ["stray"]
        rows.append(r)
    return rows


def _stea_whole(con, ctx, files):
    """The STEA loader as it was: every row held, the grants staged, then the organisations derived from them."""
    from etl.context import LoadStats
    from etl.load import stea
    from etl.load.quarantine import Reject
    stats, grants = LoadStats("stea"), []
    for path in files:
        table = readers.read_table(path, stea.ALIASES, stea.REQUIRED)
        readers.add_note(stats, f"{path.name}: encoding {table.encoding}, delimiter {table.delimiter!r}")
        for row in table.rows:
            stats.read += 1
            result = stea._grant(path, row.ref, row.values, row.extra_cells)
            if isinstance(result, Reject):
                ctx.quarantine.add("stea", path, row.ref, result[0], result[1], row.raw)
                stats.quarantined += 1
            else:
                grants.append(result)
                stats.loaded += 1
    staging.write_staging(con, "stg_stea__grant", stea.GRANT_COLUMNS, grants, stats)
    staging.write_staging(con, "stg_stea__organisation", staging.ORGANISATION_COLUMNS,
                          stea.derive_organisations(grants), stats)
    return stats


@pytest.mark.parametrize("batch", [1, 7, 50_000])
def test_stea_streamed_load_equals_whole_sheet_load(tmp_path, make_ctx, monkeypatch, batch):
    from etl.load import stea
    (tmp_path / "stea").mkdir()
    _workbook(tmp_path / "stea" / "a.xlsx", _stea_sheet(), write_only=False)
    files = [tmp_path / "stea" / "a.xlsx"]
    monkeypatch.setattr(stea, "BATCH", batch)
    out = {}
    for how, fn in (("streamed", stea.load_files), ("whole", _stea_whole)):
        con, ctx = duckdb.connect(), make_ctx(tmp_path)
        stats = fn(con, ctx, files)
        out[how] = ({t: con.execute(f"select * from {t} order by rowid").fetchall()
                     for t in ("stg_stea__grant", "stg_stea__organisation")},
                    ctx.quarantine.rows, (stats.read, stats.loaded, stats.quarantined), stats.notes)
    assert out["streamed"] == out["whole"]
    tables, quarantine, counts, notes = out["streamed"]
    assert counts[0] == counts[1] + counts[2] and counts[1] > 50 and counts[2] > 20
    org_names = [r[7] for r in tables["stg_stea__organisation"]]
    assert len(org_names) >= 5
    assert any("Yhdistys" in n for n in org_names) and not any("040" in n for n in org_names)  # scrubbed first
    assert any("organisation_name longer than 300" in n for n in notes)


@pytest.mark.parametrize("text", ["", "0", "12", "0012", "1 234,50", "1234.5", "1.234", "1,234.50", "2 500 €", "-5",
                                  "+7", "\u0661\u0662", "\u00b2", "12a", "1e3", "１２", "paljon", " 12 "])
def test_stea_euro_fast_path_is_exact(text):
    from etl.load import stea
    try:
        expected = values.parse_euros(text, "haettu")
    except values.BadValue as e:
        with pytest.raises(values.BadValue, match=str(e).replace("(", r"\(").replace(")", r"\)")):
            stea._euros(text, "haettu")
    else:
        assert stea._euros(text, "haettu") == expected


def test_iter_xlsx_cells_is_xlsx_cells(tmp_path):
    path = tmp_path / "t.xlsx"
    _workbook(path, _rows(True), write_only=False)
    assert list(readers.iter_xlsx_cells(path)) == readers.xlsx_cells(path)
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04 not a zip")
    with pytest.raises(readers.MalformedFile):   # raised when called, not when the first row is taken
        readers.iter_xlsx_cells(tmp_path / "broken.xlsx")


# --- JSON pages: orjson first, the standard library for whatever orjson refuses or could read differently ---------

JSON_DOCS = [
    b'{"itemList": [{"id": "a", "n": 1}, {"id": "b", "n": -2.5e-3}]}', b'[]', b'{"a": 1, "a": 2}',
    b'\xef\xbb\xbf{"bom": true}', b'[NaN, Infinity, -Infinity]', b'{"x": "\\ud800 lone surrogate"}',
    b'[12345678901234567890123]', b'[-9223372036854775809]', b'["1234567890123456789 in a string"]',
    b'[1e400]', b'[1.0000000000000002, 0.1, 5e-324]', '["ä\\u00e4 – 🙂"]'.encode(), b'{"a": "\\u0000"}',
    b'[' * 3000 + b']' * 3000, b'{"a": 1,}', b'{"a": "\x01"}', b'\xff\xfe[]', b'[1] trailing', b'',
    b'{"a": 1}\xef\xbb\xbf', b'\xef\xbb\xbf\xef\xbb\xbf[]',
]


def _stdlib_read(data: bytes):
    """readers.read_json as it was before orjson (the standard library only), as (value or None, error or None)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        return None, f"not UTF-8 JSON: undecodable byte at offset {e.start}"
    try:
        import json
        return json.loads(text), None
    except ValueError as e:
        return None, f"invalid JSON at line {e.lineno} column {e.colno}: {e.msg}"
    except RecursionError:
        return None, "JSON nested too deeply"


@pytest.mark.parametrize("data", JSON_DOCS)
def test_read_json_orjson_path_equals_the_standard_library(tmp_path, data):
    path = tmp_path / "page.json"
    path.write_bytes(data)
    want, want_error = _stdlib_read(data)
    try:
        got, got_error = readers.read_json(path), None
    except readers.MalformedFile as e:
        got, got_error = None, str(e)
    assert got_error == want_error
    # repr keeps int vs float and NaN apart (NaN != NaN)
    assert repr(got) == repr(want)
