"""Input files of a source: JSON records with precise refs, CSV tables with encoding and delimiter detection,
XLSX tables, header aliases."""
from __future__ import annotations

import codecs
import csv
import io
import json
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Iterable, Iterator

import orjson

from etl.context import BuildContext, LoadStats
from etl.load.values import raw_text
from etl.text import clip

# --- input files ---------------------------------------------------------------------------------------------------

def source_files(ctx: BuildContext, subdir: str, suffixes: tuple[str, ...]) -> list[Path]:
    """Files of one source in every org dir that has the subfolder; sidecar `*.meta.json` files are skipped."""
    found: list[Path] = []
    for base in ctx.org_dirs:
        folder = Path(base) / subdir
        if not folder.is_dir():
            continue
        for p in sorted(folder.iterdir()):
            name = p.name.lower()
            if p.is_file() and name.endswith(suffixes) and not name.endswith(".meta.json"):
                found.append(p)
    return found


def add_note(stats: LoadStats, note: str) -> None:
    """LoadStats has no notes field yet (lead: please add `notes: list[str]`); keep them on the object meanwhile."""
    notes = getattr(stats, "notes", None)
    if notes is None:
        notes = []
        setattr(stats, "notes", notes)
    notes.append(note)


class MalformedFile(Exception):
    """The whole file cannot be read; the message says where and what (goes to quarantine `malformed_file`)."""


# 19 or more digits in a row: an integer orjson might turn into a float (it keeps 64 bits), maybe inside a string.
# Found by mapping every digit to "0" and looking for 19 zeros: ten times faster than a regular expression.
_DIGITS_TO_ZERO = bytes.maketrans(b"123456789", b"000000000")
_LONG_DIGITS = b"0" * 19


def read_json(path: Path) -> Any:
    """The parsed file. orjson parses (about twice as fast as the standard library on the PTV pages); whatever it
    refuses (NaN, a lone surrogate, a byte-order mark it does not skip...) or could read differently (integers of
    19+ digits) goes through the standard library, so the result and every error message are the standard
    library's."""
    data = path.read_bytes()
    body = data[len(codecs.BOM_UTF8):] if data.startswith(codecs.BOM_UTF8) else data
    if _LONG_DIGITS not in body.translate(_DIGITS_TO_ZERO):
        try:
            return orjson.loads(body)
        except orjson.JSONDecodeError:
            pass
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise MalformedFile(f"not UTF-8 JSON: undecodable byte at offset {e.start}") from e
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise MalformedFile(f"invalid JSON at line {e.lineno} column {e.colno}: {e.msg}") from e
    except RecursionError as e:
        raise MalformedFile("JSON nested too deeply") from e


@dataclass
class JsonRecord:
    ref: str
    record: Any
    page: Any  # the whole document: envelopes carry side data (Lähellä `groups`)


def iter_json_records(doc: Any, list_keys: tuple[str, ...]) -> Iterator[JsonRecord]:
    """Records from a bare JSON array or an envelope holding the array under one of `list_keys`; refs like
    `$[3]` or `$.itemList[3]` point at the record in the file."""
    if isinstance(doc, list):
        for i, rec in enumerate(doc):
            yield JsonRecord(f"$[{i}]", rec, doc)
        return
    if isinstance(doc, dict):
        for key in list_keys:
            if isinstance(doc.get(key), list):
                for i, rec in enumerate(doc[key]):
                    yield JsonRecord(f"$.{key}[{i}]", rec, doc)
                return
    keys = ", ".join(list(doc)[:8]) if isinstance(doc, dict) else type(doc).__name__
    raise MalformedFile(f"expected a JSON array or an object with {'/'.join(list_keys)}; found: {keys}")


def json_records(path: Path, list_keys: tuple[str, ...]) -> list[JsonRecord]:
    return list(iter_json_records(read_json(path), list_keys))


# --- CSV / XLSX tables -----------------------------------------------------------------------------------------

def header_key(value: object) -> str:
    """Header matching key: case, accents (ä -> a), spaces, hyphens and underscores do not matter."""
    s = unicodedata.normalize("NFKD", str(value or "")).encode("ascii", "ignore").decode().lower().strip()
    return re.sub(r"[\s_\-]+", "_", s).strip("_")


@dataclass
class TableRow:
    ref: str                       # `row 5`: spreadsheet numbering, header = row 1
    values: dict[str, str]         # canonical column -> stripped text ('' when empty)
    _raw: str | None = field(default=None, repr=False)
    extra_cells: int = 0           # cells beyond the header (a malformed row)

    @property
    def raw(self) -> str:
        """The quarantine copy of the row (its non-empty values), made only when a row is set aside."""
        if self._raw is None:
            self._raw = raw_text({k: v for k, v in self.values.items() if v})
        return self._raw


@dataclass
class Table:
    rows: list[TableRow]
    encoding: str | None = None
    delimiter: str | None = None
    columns: list[str] = field(default_factory=list)


def decode_bytes(data: bytes) -> tuple[str, str]:
    """BOM first, then strict UTF-8, then Windows-1252 (Latin-1 as the last resort: it decodes anything)."""
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def _map_header(header: list[str], aliases: dict[str, tuple[str, ...]], required: tuple[str, ...]) -> list[str | None]:
    lookup = {header_key(a): canon for canon, names in aliases.items() for a in (canon, *names)}
    mapped = [lookup.get(header_key(h)) for h in header]
    for canon in required:
        if canon not in mapped:
            shown = "/".join((canon, *aliases.get(canon, ())))
            found = ", ".join(h.strip() for h in header if h.strip()) or "(nothing)"
            raise MalformedFile(clip(f"missing required column {shown}; found: {found}", 500))
    return mapped


def _iter_rows_from_cells(cells: Iterable[tuple[int, list[str]]], aliases: dict[str, tuple[str, ...]],
                          required: tuple[str, ...]) -> tuple[list[str], Iterator[TableRow]]:
    """The header is found and checked now (MalformedFile before any row); the rows come lazily, in order."""
    it = iter(cells)
    header: list[str] | None = None
    for _n, row in it:
        if any(c.strip() for c in row):
            header = row
            break
    if header is None:
        raise MalformedFile("no header row (the file is empty)")
    mapped = _map_header(header, aliases, required)
    width = len(header)

    def rows() -> Iterator[TableRow]:
        for n, row in it:
            values = {canon: "" for canon in aliases}
            for canon, cell in zip(mapped, row):
                if canon and not values[canon]:
                    values[canon] = cell.strip()
            extra = max(0, len([c for c in row[width:] if c.strip()]))
            yield TableRow(f"row {n}", values, None, extra)
    return [m for m in mapped if m], rows()


def _rows_from_cells(cells: Iterable[tuple[int, list[str]]], aliases: dict[str, tuple[str, ...]],
                     required: tuple[str, ...]) -> tuple[list[str], list[TableRow]]:
    columns, rows = _iter_rows_from_cells(cells, aliases, required)
    return columns, list(rows)


def read_csv_table(path: Path, aliases: dict[str, tuple[str, ...]], required: tuple[str, ...]) -> Table:
    data = path.read_bytes()
    if not data.strip():
        raise MalformedFile("the file is empty")
    try:
        text, encoding = decode_bytes(data)
    except UnicodeDecodeError as e:  # a BOM followed by undecodable bytes (a truncated UTF-8-sig/UTF-16 file)
        raise MalformedFile(f"undecodable byte at offset {e.start} for its {e.encoding} byte order mark") from e
    if "\x00" in text:
        raise MalformedFile(f"binary content (NUL bytes) after decoding as {encoding}; not a CSV file")
    first_line = text.lstrip("\ufeff").splitlines()[0] if text.strip() else ""
    try:
        delimiter = csv.Sniffer().sniff(first_line, delimiters=";,\t").delimiter
    except csv.Error:
        delimiter = ";"
    csv.field_size_limit(2**31 - 1)  # default 131,072: one long pasted cell would set aside the whole file
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=delimiter)
    try:
        # numbering by record (spreadsheet style), not physical line: quoted cells may span lines
        cells = [(i + 1, r) for i, r in enumerate(reader)]
    except csv.Error as e:
        raise MalformedFile(f"CSV error near line {reader.line_num}: {e}") from e
    columns, rows = _rows_from_cells(cells, aliases, required)
    return Table(rows, encoding, delimiter, columns)


def _cell_text(v: Any) -> str:
    """A cell value as the text the loaders parse: whole numbers without `.0`, booleans as 1/0, dates ISO."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, datetime):
        return v.date().isoformat() if v.time() == datetime.min.time() else v.isoformat()
    if isinstance(v, date):
        return v.isoformat()
    return str(v)


def _xlsx_values(path: Path) -> list[list[Any]]:
    """The first worksheet's raw cell values from A1 on (an empty row is a row of empty cells), read with
    python-calamine (cached formula results, date cells by their number format); MalformedFile when unreadable."""
    from python_calamine import CalamineWorkbook, SheetTypeEnum
    try:
        wb = CalamineWorkbook.from_path(str(path))
    except Exception as e:  # calamine raises CalamineError/ZipError/XmlError (and OSError) for broken files
        raise MalformedFile(clip(f"not a readable XLSX workbook: {type(e).__name__}: {e}", 500)) from e
    try:
        sheets = [i for i, m in enumerate(wb.sheets_metadata) if m.typ == SheetTypeEnum.WorkSheet]
        if not sheets:
            raise MalformedFile("the workbook has no worksheet")
        return wb.get_sheet_by_index(sheets[0]).to_python(skip_empty_area=False)
    except MalformedFile:
        raise
    except Exception as e:  # a damaged worksheet inside a readable zip fails only here
        raise MalformedFile(clip(f"not a readable XLSX worksheet: {type(e).__name__}: {e}", 500)) from e
    finally:
        wb.close()


def iter_xlsx_cells(path: Path) -> Iterator[tuple[int, list[str]]]:
    """`xlsx_cells` one row at a time: the workbook is read (and checked) now, each row becomes text only when it
    is taken, and its raw values are let go then, so a large sheet is not held twice."""
    values = _xlsx_values(path)

    def rows() -> Iterator[tuple[int, list[str]]]:
        for i in range(len(values)):
            row, values[i] = values[i], None
            yield i + 1, [_cell_text(v) for v in row]
    return rows()


def xlsx_cells(path: Path) -> list[tuple[int, list[str]]]:
    """The first worksheet's rows from A1 on (an empty row is a row of empty cells), each cell as `_cell_text`
    gives it, read with python-calamine (cached formula results, date cells by their number format)."""
    return list(iter_xlsx_cells(path))


def read_xlsx_table(path: Path, aliases: dict[str, tuple[str, ...]], required: tuple[str, ...]) -> Table:
    columns, rows = _rows_from_cells(xlsx_cells(path), aliases, required)
    return Table(rows, "xlsx", None, columns)


def iter_table(path: Path, aliases: dict[str, tuple[str, ...]], required: tuple[str, ...]) -> Table:
    """`read_table` whose `rows` is an iterator for an XLSX file (rows made as they are taken, see
    `iter_xlsx_cells`); a CSV is read whole first, as a CSV error anywhere sets the whole file aside."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        columns, rows = _iter_rows_from_cells(iter_xlsx_cells(path), aliases, required)
        return Table(rows, "xlsx", None, columns)  # type: ignore[arg-type]  # an iterator, taken once
    return read_csv_table(path, aliases, required)


def read_table(path: Path, aliases: dict[str, tuple[str, ...]], required: tuple[str, ...]) -> Table:
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return read_xlsx_table(path, aliases, required)
    return read_csv_table(path, aliases, required)
