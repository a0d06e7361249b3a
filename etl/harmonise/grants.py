"""Grants -> grant (etl/sql/core_grant.sql).

- org_id by valid business id, else by normalised organisation name when it names exactly one organisation.
- area from `area_text` (STEA `alue`): national ('Valtakunnallinen', ...) -> NULL/NULL; a wellbeing services county
  (fi/sv), a maakunta that lies in one county only, or a municipality (fi/sv) -> its area, 'alue'; otherwise the
  organisation's home area, 'home'; otherwise NULL.

Python resolves each distinct area text and normalises each new organisation name once; the join is SQL.
"""
from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pandas as pd

from etl import paths
from etl.harmonise.common import register, register_mapping, stage, tables
from etl.municipality import normalise_place
from etl.sqlrun import run_sql
from etl.text import normalise_name

NATIONAL_AREA_TEXTS = {"valtakunnallinen", "koko maa", "koko suomi", "suomi", "riksomfattande", "hela landet",
                       "finland", "national", "nationwide"}
GRANT_COLUMNS = ["file", "record_ref", "organisation_name", "business_id", "business_id_raw", "business_id_valid",
                 "year", "purpose", "grant_type", "area_text", "requested", "proposed", "granted"]
GRANT_TYPES = ["varchar", "varchar", "varchar", "varchar", "varchar", "boolean", "integer", "varchar", "varchar",
               "varchar", "double", "double", "double"]


def _area_names(con: Any, reference_dir: Path) -> dict[str, str]:
    """normalised place name -> area code (wellbeing services counties fi/sv, single-county maakunnat)."""
    names: dict[str, str] = {}
    maakunta: dict[str, set[str]] = {}
    rows: list[dict] = []
    if "area" in tables(con):
        rows += [{"code": c, "fi": fi, "sv": sv} for c, fi, sv in
                 con.execute("select code, name_fi, name_sv from area").fetchall()]
    candidates = [paths.offline_dir() / "statfi" / "municipality_key_2025.csv",
                  Path(reference_dir) / "raw" / "statfi" / "municipality_key_2025.csv"]
    key_file = next((p for p in candidates if p.is_file()), None)
    if key_file is not None:
        with open(key_file, encoding="utf-8", newline="") as f:
            for r in csv.DictReader(f):
                code = r["hyvinvointialue_code"]
                rows.append({"code": code, "fi": r["hyvinvointialue_name_fi"], "sv": r["hyvinvointialue_name_sv"]})
                for key in ("maakunta_name_fi", "maakunta_name_sv"):
                    if r.get(key):
                        maakunta.setdefault(normalise_place(r[key]), set()).add(code)
    for r in rows:
        for key in ("fi", "sv"):
            if r[key]:
                names.setdefault(normalise_place(r[key]), r["code"])
    for name, codes in maakunta.items():
        if len(codes) == 1:
            names.setdefault(name, next(iter(codes)))
    return names


def _register_area_texts(con: Any, reference_dir: Path) -> None:
    """Work table _core_area_text(area_text, area_code, is_national) for the area texts that name a place."""
    area_of_name = _area_names(con, reference_dir)
    muni = {}
    for code, fi, sv, area in con.execute("select code, name_fi, name_sv, area_code from municipality").fetchall():
        for n in (fi, sv):
            if n:
                muni.setdefault(normalise_place(n), area)
    texts = [r[0] for r in con.execute(
        "select distinct area_text from _core_grant_stg where area_text is not null").fetchall()]
    rows = []
    for text in texts:
        key = normalise_place(text)
        if key in NATIONAL_AREA_TEXTS:
            rows.append((text, None, True))
        elif key in area_of_name:
            rows.append((text, area_of_name[key], False))
        elif key in muni:
            rows.append((text, muni[key], False))
    register(con, "_core_area_text", pd.DataFrame(rows, columns=["area_text", "area_code", "is_national"]),
             {"area_text": "varchar", "area_code": "varchar", "is_national": "boolean"})


def build_grants(con: Any, reference_dir: Path) -> None:
    """Writes grant; needs organisation and the organisation work tables (etl.harmonise.organisations)."""
    present = [t for t in ("stg_stea__grant",) if t in tables(con)]  # grants have one source
    stage(con, "_core_grant_stg", present, GRANT_COLUMNS, GRANT_TYPES)
    _register_area_texts(con, reference_dir)
    names = [r[0] for r in con.execute(
        "select distinct organisation_name from _core_grant_stg where organisation_name is not null "
        "and organisation_name not in (select name from _core_nn)").fetchall()]
    register_mapping(con, "_core_nn_more", names, normalise_name, ("name", "nn"))
    con.execute("insert into _core_nn select name, nn from _core_nn_more")
    run_sql(con, "core_grant")
