"""STEA grant export (XLSX/CSV) -> stg_stea__grant (one row per grant row) and stg_stea__organisation (derived:
one row per business id, or per normalised name when the id is missing or invalid; not counted in LoadStats)."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from etl.context import BuildContext, LoadStats
from etl.load.quarantine import Reject, open_or_quarantine
from etl.load.readers import add_note, iter_table, source_files
from etl.load.staging import ORGANISATION_COLUMNS, StagingWriter, write_staging
from etl.load.values import BadValue, business_id_fields, parse_euros, parse_int, plain_text
from etl.text import normalise_name

SOURCE = "stea"
GRANT_COLUMNS: dict[str, str] = {
    "file": "varchar", "record_ref": "varchar", "organisation_name": "varchar", "business_id": "varchar",
    "business_id_raw": "varchar", "business_id_valid": "boolean", "year": "integer", "purpose": "varchar",
    "grant_type": "varchar", "area_text": "varchar", "requested": "double", "proposed": "double", "granted": "double",
}
ALIASES: dict[str, tuple[str, ...]] = {
    "jarjesto": ("organisation", "organization"), "y_tunnus": ("business_id", "ytunnus"), "vuosi": ("year",),
    "kayttotarkoitus": ("purpose",), "avustuslaji": ("grant_type",), "alue": ("area",),
    "avustuskokonaisuus": (), "jarjestoluokka": (), "haettu": ("requested",), "ehdotettu": ("proposed",),
    "myonnetty": ("granted",),
}
REQUIRED = ("jarjesto", "vuosi")
YEAR_RANGE = (1990, 2100)
BATCH = 50_000   # grant rows per staging insert


def load(con: Any, ctx: BuildContext) -> LoadStats:
    return load_files(con, ctx, source_files(ctx, "stea", (".csv", ".xlsx", ".xlsm")))


class _GrantWriter(StagingWriter):
    """stg_stea__grant in batches; each written batch (its names scrubbed and bounded, as staged) feeds the
    organisations derived from it, in order, so neither the rows nor the sheet are ever held whole."""

    def __init__(self, con: Any, stats: LoadStats) -> None:
        super().__init__(con, "stg_stea__grant", GRANT_COLUMNS, batch=BATCH, stats=stats)
        self.orgs = OrganisationDeriver()

    def flush(self) -> None:
        rows = self.rows
        super().flush()
        for g in rows:
            self.orgs.add(g)


def load_files(con: Any, ctx: BuildContext, files: list[Path]) -> LoadStats:
    stats = LoadStats(SOURCE)
    grants = _GrantWriter(con, stats)
    for path in files:
        table = open_or_quarantine(ctx, stats, SOURCE, path, lambda: iter_table(path, ALIASES, REQUIRED))
        if table is None:
            continue
        add_note(stats, f"{path.name}: encoding {table.encoding}, delimiter {table.delimiter!r}")
        for row in table.rows:
            stats.read += 1
            result = _grant(path, row.ref, row.values, row.extra_cells)
            if isinstance(result, Reject):
                ctx.quarantine.add(SOURCE, path, row.ref, result[0], result[1], row.raw)
                stats.quarantined += 1
            else:
                grants.append(result)
                stats.loaded += 1
    grants.close()
    write_staging(con, "stg_stea__organisation", ORGANISATION_COLUMNS, grants.orgs.rows(), stats)
    return stats


# Per distinct value, computed once: a grant export repeats each organisation's id every year and a handful of
# years; the validation is the same function of the text either way.
@lru_cache(maxsize=65536)
def _business_id(raw: str) -> tuple[tuple[str, Any], ...]:
    return tuple(business_id_fields(raw).items())


@lru_cache(maxsize=4096)
def _year(text: str) -> int | None:
    return parse_int(text, "vuosi", *YEAR_RANGE)   # BadValue is raised, not cached


def _euros(text: str, column: str) -> float | None:
    """parse_euros, with its commonest case first: whole euros as plain ASCII digits (what a numeric cell gives)."""
    if text.isdigit() and text.isascii():
        return float(text)
    return parse_euros(text, column)


def _grant(path: Path, ref: str, v: dict[str, str], extra_cells: int) -> dict[str, Any] | Reject:
    if not any(v.values()):
        return Reject("empty_row", "empty row")
    if extra_cells:
        return Reject("bad_value", f"{extra_cells} cell(s) beyond the header's columns (a stray delimiter?)")
    name = plain_text(v["jarjesto"])
    if not name:
        return Reject("missing_field", "missing organisation name (jarjesto)")
    if not v["vuosi"]:
        return Reject("missing_field", "missing year (vuosi)")
    try:
        year = _year(v["vuosi"])
        euros = {col: _euros(v[src], src)
                 for col, src in (("requested", "haettu"), ("proposed", "ehdotettu"), ("granted", "myonnetty"))}
    except BadValue as e:
        return Reject("bad_type", str(e))
    return {"file": path.name, "record_ref": ref, "organisation_name": name, **dict(_business_id(v["y_tunnus"])),
            "year": year, "purpose": plain_text(v["kayttotarkoitus"]), "grant_type": plain_text(v["avustuslaji"]),
            "area_text": plain_text(v["alue"]), **euros}


class OrganisationDeriver:
    """One organisation per business id (else per normalised name); the name of its latest year wins. Grants are
    added in file order; `rows()` gives the organisations in the order their keys first appeared."""

    def __init__(self) -> None:
        self.orgs: dict[str, dict[str, Any]] = {}
        self.latest: dict[str, int] = {}

    def add(self, g: dict[str, Any]) -> None:
        key = g["business_id"] or f"name:{normalise_name(g['organisation_name'])}"
        org = self.orgs.get(key)
        if org is None:
            self.orgs[key] = {"source": SOURCE, "source_id": key, "file": g["file"], "record_ref": g["record_ref"],
                              "business_id": g["business_id"], "business_id_raw": g["business_id_raw"],
                              "business_id_valid": g["business_id_valid"], "name": g["organisation_name"]}
            self.latest[key] = g["year"]
        elif g["year"] > self.latest[key]:
            org["name"] = g["organisation_name"]
            self.latest[key] = g["year"]

    def rows(self) -> list[dict[str, Any]]:
        return list(self.orgs.values())


def derive_organisations(grants: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One organisation per business id (else per normalised name); the name of its latest year wins."""
    d = OrganisationDeriver()
    for g in grants:
        d.add(g)
    return d.rows()
