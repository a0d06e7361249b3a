"""Helpers shared by the source loaders: input files, JSON records with precise refs, CSV/XLSX tables with
encoding and delimiter detection, header aliases, value parsing, municipality lists and typed staging tables."""
from __future__ import annotations

import codecs
import csv
import io
import json
import operator
import re
import unicodedata
import weakref
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any, Container, Iterable, Iterator, NamedTuple

import pandas as pd

from etl import text as _text
from etl.bizid import normalise_business_id
from etl.context import BuildContext, LoadStats

# --- staging table shapes (docs/data-model.md) -------------------------------------------------------------------

ORGANISATION_COLUMNS: dict[str, str] = {
    "source": "varchar", "source_id": "varchar", "file": "varchar", "record_ref": "varchar",
    "business_id": "varchar", "business_id_raw": "varchar", "business_id_valid": "boolean", "name": "varchar",
    "name_sv": "varchar", "company_form": "varchar", "home_municipality_code": "varchar",
    "main_business_line": "varchar", "website": "varchar", "updated_at": "timestamp",
}
ACTIVITY_COLUMNS: dict[str, str] = {
    "source": "varchar", "source_id": "varchar", "file": "varchar", "record_ref": "varchar",
    "org_source_id": "varchar", "org_business_id": "varchar", "org_name": "varchar", "name_fi": "varchar",
    "name_sv": "varchar", "name_en": "varchar", "description": "varchar", "class_codes": "varchar[]",
    "target_codes": "varchar[]", "mode": "varchar", "is_national": "boolean", "municipality_codes": "varchar[]",
    "languages": "varchar[]", "url": "varchar", "updated_at": "timestamp", "lat": "double", "lon": "double",
}


_ARROW_TYPES: dict[str, Any] = {}


def _arrow_type(sql_type: str) -> Any:
    import pyarrow as pa
    if not _ARROW_TYPES:
        _ARROW_TYPES.update({
            "varchar": pa.string(), "varchar[]": pa.list_(pa.string()), "boolean": pa.bool_(),
            "timestamp": pa.timestamp("us"), "double": pa.float64(), "integer": pa.int32(), "date": pa.date32(),
        })
    return _ARROW_TYPES[sql_type]


def _arrow_table(columns: dict[str, str], rows: list[dict[str, Any]]) -> Any:
    """The rows as an Arrow table built column by column with the staging types (no pandas object columns).
    NaN in a double column becomes NULL, as it did through pandas."""
    import pyarrow as pa
    names = list(columns)
    try:  # transpose at C speed when every row has every column (the loaders' rows do)
        data = list(zip(*map(operator.itemgetter(*names), rows))) if len(names) > 1 else None
    except KeyError:
        data = None
    arrays = []
    for i, (c, t) in enumerate(columns.items()):
        values = list(data[i]) if data is not None else [r.get(c) for r in rows]
        if t == "double":
            values = [None if v is None or v != v else v for v in values]
        arrays.append(pa.array(values, type=_arrow_type(t)))
    return pa.Table.from_arrays(arrays, names=list(columns))


def _create_staging(con: Any, name: str, columns: dict[str, str]) -> None:
    ddl = ", ".join(f'"{c}" {t}' for c, t in columns.items())
    con.execute(f'create or replace table "{name}" ({ddl})')


# Free-text name fields of every staging table. Contact details typed into a name ("Soita Pertille 040 …") are
# scrubbed here, in the one place every staged row passes, so no loader can forget it.
NAME_COLUMNS = ("name", "name_fi", "name_sv", "name_en", "org_name", "organisation_name")


def _scrub_names(columns: dict[str, str], rows: list[dict[str, Any]]) -> None:
    for col in (c for c in NAME_COLUMNS if columns.get(c) == "varchar"):
        for r in rows:
            v = r.get(col)
            if v:
                r[col] = scrub_personal(v)


def _insert_staging(con: Any, name: str, columns: dict[str, str], rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    _scrub_names(columns, rows)
    try:
        data: Any = _arrow_table(columns, rows)
    except (TypeError, ValueError, OverflowError, KeyError, ImportError):
        # a value Arrow will not take as the column type (pyarrow.ArrowInvalid is a ValueError): let DuckDB cast
        data = pd.DataFrame([{c: r.get(c) for c in columns} for r in rows], columns=list(columns))
    con.register("_stg_rows", data)
    try:
        cols = ", ".join(f'"{c}"' for c in columns)
        con.execute(f'insert into "{name}" ({cols}) select {cols} from _stg_rows')
    finally:
        con.unregister("_stg_rows")


def write_staging(con: Any, name: str, columns: dict[str, str], rows: list[dict[str, Any]]) -> None:
    """Create `name` with exactly these typed columns (also when there are no rows, so downstream SQL always
    finds it) and insert the rows. The name is ours, never user input."""
    _create_staging(con, name, columns)
    _insert_staging(con, name, columns, rows)


class StagingWriter:
    """write_staging in batches: rows go to the table every `batch` rows, in order, so a large source never holds
    all its rows in memory. `close()` writes the rest; the table exists (empty) from the start."""

    def __init__(self, con: Any, name: str, columns: dict[str, str], batch: int = 50_000) -> None:
        self.con, self.name, self.columns, self.batch = con, name, columns, batch
        self.rows: list[dict[str, Any]] = []
        _create_staging(con, name, columns)

    def append(self, row: dict[str, Any]) -> None:
        self.rows.append(row)
        if len(self.rows) >= self.batch:
            self.flush()

    def flush(self) -> None:
        _insert_staging(self.con, self.name, self.columns, self.rows)
        self.rows = []

    def close(self) -> None:
        self.flush()


# --- text (fast paths over etl.text; same results) ------------------------------------------------------------------

def plain_text(value: object, max_len: int | None = None) -> str | None:
    """etl.text.plain_text, skipped when it provably returns the text unchanged: a str with no markup (`<`), no
    entity (`&`), only printable characters (so no control/format characters and no whitespace but the ASCII space)
    and no leading, trailing or double spaces. Most source texts are like that; the rest go through plain_text."""
    if (type(value) is str and value and value.isprintable() and "<" not in value and "&" not in value
            and value[0] != " " and value[-1] != " " and "  " not in value
            and (max_len is None or len(value) <= max_len)):
        return value
    if type(value) is str and len(value) <= 4000:
        return _plain_text_cached(value, max_len)
    return _text.plain_text(value, max_len)


@lru_cache(maxsize=16384)
def _plain_text_cached(value: str, max_len: int | None) -> str | None:
    """plain_text is a pure function; listings repeat their (HTML) summaries and descriptions."""
    return _text.plain_text(value, max_len)


_DIGIT = re.compile(r"\d")


def scrub_personal(text: str | None) -> str | None:
    """etl.text.scrub_personal, skipped when there is nothing to find: an e-mail address needs `@`, a phone number
    digits."""
    if not text or ("@" not in text and not _DIGIT.search(text)):
        return text
    return _text.scrub_personal(text)


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


def read_json(path: Path) -> Any:
    try:
        text = path.read_bytes().decode("utf-8-sig")
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
            raise MalformedFile(f"missing required column {shown}; found: {found}"[:500])
    return mapped


def _rows_from_cells(cells: Iterable[tuple[int, list[str]]], aliases: dict[str, tuple[str, ...]],
                     required: tuple[str, ...]) -> tuple[list[str], list[TableRow]]:
    it = iter(cells)
    header: list[str] | None = None
    for _n, row in it:
        if any(c.strip() for c in row):
            header = row
            break
    if header is None:
        raise MalformedFile("no header row (the file is empty)")
    mapped = _map_header(header, aliases, required)
    out: list[TableRow] = []
    for n, row in it:
        values = {canon: "" for canon in aliases}
        for canon, cell in zip(mapped, row):
            if canon and not values[canon]:
                values[canon] = cell.strip()
        extra = max(0, len([c for c in row[len(header):] if c.strip()]))
        out.append(TableRow(f"row {n}", values, None, extra))
    return [m for m in mapped if m], out


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


class _NotPlain(Exception):
    """A sheet the fast reader leaves to openpyxl."""


_XL_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_XL_COLUMN = re.compile(r"([A-Z]{1,3})[0-9]+")


def _xlsx_values(wb: Any, ws: Any) -> list[tuple[Any, ...]] | None:
    """The sheet's rows as `ws.iter_rows(values_only=True)` gives them on a workbook opened read-only with
    data_only=True, read straight from the sheet XML (openpyxl's per-cell objects cost ~10 µs a cell). Only plain
    cells are read here (numbers without a date style, booleans, shared/inline strings of one text run, formula
    results); for anything else, or any surprise, None: the caller then iterates with openpyxl itself.
    Uses openpyxl's own parsed package (shared strings, date styles, sheet path, dimensions): pinned 3.1.x."""
    from xml.etree.ElementTree import iterparse
    try:
        shared = ws._shared_strings
        date_formats = wb._date_formats
        max_col, max_row = ws.max_column, ws.max_row
        row_tag, c_tag, v_tag, is_tag, t_tag = (_XL_NS + n for n in ("row", "c", "v", "is", "t"))
        parsed: list[tuple[int, list[tuple[int, Any]]]] = []
        row_counter = 0
        with wb._archive.open(ws._worksheet_path) as src:
            for _event, el in iterparse(src):
                if el.tag != row_tag:
                    continue
                r = el.get("r")
                row_counter = int(r) if r is not None else row_counter + 1
                cells: list[tuple[int, Any]] = []
                for c in el:
                    if c.tag != c_tag:
                        raise _NotPlain("a row child that is not a cell")
                    m = _XL_COLUMN.fullmatch(c.get("r") or "")
                    if m is None:
                        raise _NotPlain("cell without a plain coordinate")
                    col = 0
                    for ch in m.group(1):
                        col = col * 26 + ord(ch) - 64
                    t = c.get("t", "n")
                    if t == "inlineStr":
                        child = c.find(is_tag)
                        value: Any = None
                        if child is not None:
                            parts = list(child)
                            if len(parts) != 1 or parts[0].tag != t_tag or len(parts[0]):
                                raise _NotPlain("rich inline string")
                            value = parts[0].text or ""
                    else:
                        value = c.findtext(v_tag, None) or None
                        if value is not None:
                            if t == "n":
                                style = c.get("s", 0)
                                if (int(style) if style else 0) in date_formats:
                                    raise _NotPlain("date cell")
                                value = float(value) if ("." in value or "E" in value or "e" in value) \
                                    else int(value)
                            elif t == "s":
                                value = shared[int(value)]
                            elif t == "b":
                                value = bool(int(value))
                            elif t != "str":
                                raise _NotPlain(f"cell type {t}")
                    cells.append((col, value))
                el.clear()
                parsed.append((row_counter, cells))
    except Exception:  # noqa: BLE001 - anything unexpected: openpyxl reads the sheet (and raises what it raises)
        return None
    # ReadOnlyWorksheet._cells_by_row with min_col = min_row = 1
    empty_row: tuple[Any, ...] = (None,) * max_col if max_col is not None else ()
    out: list[tuple[Any, ...]] = []
    counter, idx = 1, 1
    for idx, cells in parsed:
        if max_row is not None and idx > max_row:
            break
        for _ in range(counter, idx):
            counter += 1
            out.append(empty_row)
        if counter <= idx:
            if not cells and not max_col:
                out.append(())
            else:
                width = max_col or cells[-1][0]
                new_row: list[Any] = [None] * width
                for col, value in cells:
                    if 1 <= col <= width:
                        new_row[col - 1] = value
                out.append(tuple(new_row))
            counter += 1
    if max_row is not None and max_row < idx:
        for _ in range(counter, max_row + 1):
            out.append(empty_row)
    return out


def read_xlsx_table(path: Path, aliases: dict[str, tuple[str, ...]], required: tuple[str, ...]) -> Table:
    from openpyxl import load_workbook
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as e:  # openpyxl raises zipfile/KeyError/InvalidFileException for broken files
        raise MalformedFile(f"not a readable XLSX workbook: {type(e).__name__}: {e}"[:500]) from e
    try:
        ws = wb.worksheets[0]
        rows = _xlsx_values(wb, ws)
        if rows is None:
            rows = ws.iter_rows(values_only=True)
        cells = [(i + 1, [_cell_text(v) for v in row]) for i, row in enumerate(rows)]
    except MalformedFile:
        raise
    except Exception as e:  # a damaged worksheet inside a readable zip fails only here
        raise MalformedFile(f"not a readable XLSX worksheet: {type(e).__name__}: {e}"[:500]) from e
    finally:
        wb.close()
    columns, rows = _rows_from_cells(cells, aliases, required)
    return Table(rows, "xlsx", None, columns)


def read_table(path: Path, aliases: dict[str, tuple[str, ...]], required: tuple[str, ...]) -> Table:
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return read_xlsx_table(path, aliases, required)
    return read_csv_table(path, aliases, required)


# --- value parsing ------------------------------------------------------------------------------------------------

class Reject(NamedTuple):
    """Why a record cannot load: a quarantine reason code and a message naming the value."""
    reason: str
    message: str


class BadValue(ValueError):
    """A cell that cannot be parsed; the message names the column and the value."""


def parse_int(value: str | None, column: str, lo: int | None = None, hi: int | None = None) -> int | None:
    if value is None or not str(value).strip():
        return None
    s = str(value).strip().replace("\u00a0", "").replace(" ", "")
    if re.fullmatch(r"\d+(\.0+)?", s):
        n = int(float(s))
        if (lo is None or n >= lo) and (hi is None or n <= hi):
            return n
        raise BadValue(f"{column} {value!r} is outside {lo}..{hi}")
    raise BadValue(f"{column} {value!r} is not a whole number")


def parse_euros(value: str | None, column: str) -> float | None:
    """Finnish `1 234,50`, `1234.5`, `1.234,50`, `1,234.50`, with or without `€`."""
    if value is None or not str(value).strip():
        return None
    s = re.sub(r"[\s\u00a0\u202f€]|eur$", "", str(value).strip(), flags=re.I)
    neg = s.startswith("-")
    s = s.lstrip("-+")
    if re.fullmatch(r"\d+", s):
        n = float(s)
    elif re.fullmatch(r"\d+[.,]\d+", s) and not re.fullmatch(r"\d{1,3}[.,]\d{3}", s):
        n = float(s.replace(",", "."))
    elif re.fullmatch(r"\d{1,3}(\.\d{3})+(,\d+)?", s):          # 1.234,50
        n = float(s.replace(".", "").replace(",", "."))
    elif re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d+)?", s):          # 1,234.50
        n = float(s.replace(",", ""))
    elif re.fullmatch(r"\d{1,3}[.,]\d{3}", s):                  # 1.234 / 1,234: a thousands separator
        n = float(s.replace(",", "").replace(".", ""))
    else:
        raise BadValue(f"{column} {value!r} is not a euro amount")
    return -n if neg else n


def parse_date(value: str | None, column: str) -> datetime | None:
    """YYYY-MM-DD (optionally with a time) or D.M.YYYY."""
    if value is None or not str(value).strip():
        return None
    s = str(value).strip()
    m = re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", s)
    try:
        if m:
            return datetime(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", s):
            return datetime.fromisoformat(s)
    except ValueError as e:
        raise BadValue(f"{column} {value!r} is not a valid date") from e
    raise BadValue(f"{column} {value!r} is not a date (YYYY-MM-DD or D.M.YYYY)")


def parse_timestamp(value: Any) -> datetime | None:
    """ISO 8601 strings or epoch milliseconds, as naive UTC; None when absent or unreadable (metadata only)."""
    if value is None or value == "":
        return None
    try:
        if isinstance(value, (int, float)):
            return datetime.fromtimestamp(value / 1000, tz=timezone.utc).replace(tzinfo=None)
        s = str(value).strip().replace("Z", "+00:00")
        dt = datetime.fromisoformat(s)
        return dt.astimezone(timezone.utc).replace(tzinfo=None) if dt.tzinfo else dt
    except (ValueError, OverflowError, OSError):
        return None


def split_list(value: str | None) -> list[str]:
    return [p.strip() for p in re.split(r"[;|\n]", value or "") if p.strip()]


def business_id_fields(raw: Any) -> dict[str, Any]:
    """Invalid ids keep the raw text and load with business_id NULL: the org is then matched by name."""
    raw_s = str(raw).strip() if raw is not None and str(raw).strip() else None
    bid = normalise_business_id(raw_s) if raw_s else None
    return {"business_id": bid, "business_id_raw": raw_s, "business_id_valid": bid is not None}


# --- municipalities -----------------------------------------------------------------------------------------------

@dataclass
class Places:
    codes: list[str]
    reason: str | None = None      # quarantine reason code when the record cannot load
    message: str | None = None


_RESOLVED: "weakref.WeakKeyDictionary[Any, dict[str, Any]]" = weakref.WeakKeyDictionary()


def resolve_municipality(ctx: BuildContext, ref: Any) -> Any:
    """ctx.resolver.resolve(ref), remembered per distinct text for this resolver (a source names the same few
    hundred municipalities over and over; the fuzzy candidates for an unknown name are costly)."""
    resolver = ctx.resolver
    if type(ref) is not str:
        return resolver.resolve(ref)
    try:
        cache = _RESOLVED[resolver]
    except KeyError:
        cache = _RESOLVED.setdefault(resolver, {})
    except TypeError:  # not weak-referenceable: no cache
        return resolver.resolve(ref)
    res = cache.get(ref)
    if res is None:
        res = cache[ref] = resolver.resolve(ref)
    return res


def resolve_places(ctx: BuildContext, refs: Iterable[Any], is_national: bool,
                   resolved: Iterable[str] = ()) -> Places:
    """Resolve municipality references; `resolved` are codes already known. Åland codes are dropped (outside the
    frame); a record only on Åland, or local with no place at all, cannot load."""
    codes: set[str] = set(resolved)
    for ref in refs:
        if ref is None or not str(ref).strip():
            continue
        res = resolve_municipality(ctx, ref)
        if not res.code:
            return Places([], "unknown_municipality", f"unknown municipality {str(ref).strip()!r} ({res.message})")
        codes.add(res.code)
    mainland = sorted(c for c in codes if not ctx.resolver.is_aland(c))
    if not is_national and not mainland:
        if codes:
            return Places([], "outside_frame", "all municipalities are on Åland (outside the frame): "
                          + ", ".join(sorted(codes)))
        return Places([], "missing_field", "no municipality and not national")
    return Places(mainland)


def raw_text(record: Any) -> str:
    """The quarantine copy of a record, with e-mail addresses and phone numbers scrubbed (quarantine is stored)."""
    try:
        s = json.dumps(record, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        s = repr(record)
    return (scrub_personal(s) or "")[:2000]


# --- shared loader steps -------------------------------------------------------------------------------------------

def open_or_quarantine(ctx: BuildContext, stats: LoadStats, source: str, path: Path, opener: Any) -> Any:
    """`opener()` (read a file's records or table); a file that cannot be read counts as one record read and set
    aside as `malformed_file` naming the file and what is wrong. Returns None then."""
    stats.files.append(path.name)
    try:
        return opener()
    except MalformedFile as e:
        stats.read += 1
        stats.quarantined += 1
        ctx.quarantine.add(source, path, "file", "malformed_file", f"{path.name}: {e}")
        return None


def reject_wrong_types(fn: Any, *args: Any) -> Any:
    """fn(*args); a field of the wrong type (a string where an object is documented...) rejects the record as
    `bad_type`, not the build."""
    try:
        return fn(*args)
    except (TypeError, AttributeError, ValueError) as e:
        return Reject("bad_type", f"a field has the wrong type: {type(e).__name__}: {e}"[:300])


def reject_if_seen(result: Any, key: str | None, seen: Container[str], what: str) -> Any:
    """The result, or a `duplicate` Reject when a record with the same key was loaded before from this source."""
    if not isinstance(result, Reject) and key in seen:
        return Reject("duplicate", f"{what} {key} already loaded")
    return result


def set_aside(ctx: BuildContext, stats: LoadStats, source: str, path: Path, rec: JsonRecord, result: Any) -> bool:
    """Quarantine the JSON record when `result` is a Reject (counted in stats); True when it was set aside."""
    if isinstance(result, Reject):
        ctx.quarantine.add(source, path, rec.ref, result.reason, result.message, raw_text(rec.record))
        stats.quarantined += 1
        return True
    return False
