"""STEA grant export (XLSX/CSV) -> stg_stea__grant (one row per grant row) and stg_stea__organisation (derived:
one row per business id, or per normalised name when the id is missing or invalid; not counted in LoadStats)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from etl.context import BuildContext, LoadStats
from etl.load.quarantine import Reject, open_or_quarantine
from etl.load.readers import add_note, read_table, source_files
from etl.load.staging import ORGANISATION_COLUMNS, write_staging
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


def load(con: Any, ctx: BuildContext) -> LoadStats:
    return load_files(con, ctx, source_files(ctx, "stea", (".csv", ".xlsx", ".xlsm")))


def load_files(con: Any, ctx: BuildContext, files: list[Path]) -> LoadStats:
    stats = LoadStats(SOURCE)
    grants: list[dict[str, Any]] = []
    for path in files:
        table = open_or_quarantine(ctx, stats, SOURCE, path, lambda: read_table(path, ALIASES, REQUIRED))
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
    write_staging(con, "stg_stea__grant", GRANT_COLUMNS, grants, stats)
    write_staging(con, "stg_stea__organisation", ORGANISATION_COLUMNS, derive_organisations(grants), stats)
    return stats


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
        year = parse_int(v["vuosi"], "vuosi", *YEAR_RANGE)
        euros = {col: parse_euros(v[src], src)
                 for col, src in (("requested", "haettu"), ("proposed", "ehdotettu"), ("granted", "myonnetty"))}
    except BadValue as e:
        return Reject("bad_type", str(e))
    return {"file": path.name, "record_ref": ref, "organisation_name": name, **business_id_fields(v["y_tunnus"]),
            "year": year, "purpose": plain_text(v["kayttotarkoitus"]), "grant_type": plain_text(v["avustuslaji"]),
            "area_text": plain_text(v["alue"]), **euros}


def derive_organisations(grants: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One organisation per business id (else per normalised name); the name of its latest year wins."""
    orgs: dict[str, dict[str, Any]] = {}
    latest: dict[str, int] = {}
    for g in grants:
        key = g["business_id"] or f"name:{normalise_name(g['organisation_name'])}"
        if key not in orgs:
            orgs[key] = {"source": SOURCE, "source_id": key, "file": g["file"], "record_ref": g["record_ref"],
                         "business_id": g["business_id"], "business_id_raw": g["business_id_raw"],
                         "business_id_valid": g["business_id_valid"], "name": g["organisation_name"]}
            latest[key] = g["year"]
        elif g["year"] > latest[key]:
            orgs[key]["name"] = g["organisation_name"]
            latest[key] = g["year"]
    return list(orgs.values())
