"""Staging tables: their typed shapes (docs/data-model.md) and the writers every loader uses. Name fields are
scrubbed of personal data here, in the one place every staged row passes."""
from __future__ import annotations

import operator
from typing import Any

import pandas as pd

from etl.context import LoadStats
from etl.load.values import scrub_personal
from etl.text import clip

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

# Maximum lengths of the free-text fields (docs/data-model.md, "Field lengths"). A longer text is cut to the limit,
# ending in "…", after its personal data is scrubbed (clip); a longer URL is dropped (a cut URL is a wrong link).
# Either way the load notes say how many values of which column.
NAME_MAX, SHORT_MAX, TEXT_MAX, URL_MAX = 300, 200, 5_000, 2_000
FIELD_LIMITS: dict[str, int] = {
    **{c: NAME_MAX for c in NAME_COLUMNS},
    "company_form": SHORT_MAX, "main_business_line": SHORT_MAX, "grant_type": SHORT_MAX, "area_text": SHORT_MAX,
    "description": TEXT_MAX, "purpose": TEXT_MAX,
    "url": URL_MAX, "website": URL_MAX,
}
URL_COLUMNS = ("url", "website")


def _scrub_names(columns: dict[str, str], rows: list[dict[str, Any]]) -> None:
    for col in (c for c in NAME_COLUMNS if columns.get(c) == "varchar"):
        for r in rows:
            v = r.get(col)
            if v:
                r[col] = scrub_personal(v)


def _bound_fields(columns: dict[str, str], rows: list[dict[str, Any]]) -> dict[str, int]:
    """Values over their column's FIELD_LIMITS cut (texts, visibly) or dropped (URLs); returns column -> count."""
    cut: dict[str, int] = {}
    for col, limit in FIELD_LIMITS.items():
        if columns.get(col) != "varchar":
            continue
        for r in rows:
            v = r.get(col)
            if type(v) is str and len(v) > limit:
                r[col] = None if col in URL_COLUMNS else clip(v, limit)
                cut[col] = cut.get(col, 0) + 1
    return cut


def _insert_staging(con: Any, name: str, columns: dict[str, str], rows: list[dict[str, Any]]) -> dict[str, int]:
    if not rows:
        return {}
    _scrub_names(columns, rows)
    cut = _bound_fields(columns, rows)
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
    return cut


def _note_cuts(stats: LoadStats | None, name: str, cut: dict[str, int]) -> None:
    if stats is None:
        return
    for col, n in sorted(cut.items()):
        what = "dropped (a cut URL is a wrong link)" if col in URL_COLUMNS else "cut, ending in …"
        stats.notes.append(f"{name}: {n:,} value(s) of {col} longer than {FIELD_LIMITS[col]:,} characters "
                           f"{what} (field limit, docs/data-model.md)")


def write_staging(con: Any, name: str, columns: dict[str, str], rows: list[dict[str, Any]],
                  stats: LoadStats | None = None) -> None:
    """Create `name` with exactly these typed columns (also when there are no rows, so downstream SQL always
    finds it) and insert the rows. The name is ours, never user input. Values over the field limits are noted in
    `stats`."""
    _create_staging(con, name, columns)
    _note_cuts(stats, name, _insert_staging(con, name, columns, rows))


class StagingWriter:
    """write_staging in batches: rows go to the table every `batch` rows, in order, so a large source never holds
    all its rows in memory. `close()` writes the rest; the table exists (empty) from the start."""

    def __init__(self, con: Any, name: str, columns: dict[str, str], batch: int = 50_000,
                 stats: LoadStats | None = None) -> None:
        self.con, self.name, self.columns, self.batch, self.stats = con, name, columns, batch, stats
        self.rows: list[dict[str, Any]] = []
        self.cut: dict[str, int] = {}
        _create_staging(con, name, columns)

    def append(self, row: dict[str, Any]) -> None:
        self.rows.append(row)
        if len(self.rows) >= self.batch:
            self.flush()

    def flush(self) -> None:
        for col, n in _insert_staging(self.con, self.name, self.columns, self.rows).items():
            self.cut[col] = self.cut.get(col, 0) + n
        self.rows = []

    def close(self) -> None:
        self.flush()
        _note_cuts(self.stats, self.name, self.cut)
