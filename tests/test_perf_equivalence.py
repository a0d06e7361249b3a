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
