"""Core step of the service paths (issue 10): the path vocabulary as dimension tables and the public side of PTV as
core tables kept apart from the organisations.

* ``dim_service_path`` and ``dim_path_stage`` from ``taxonomy/service_paths.csv`` and ``taxonomy/path_stages.csv``
  (reference dir), with the project's documented overrides (``etl/vocabulary/service_paths_override.csv``) applied;
* ``dim_ptv_service_class`` from ``sources/ptv_service_classes_ptvserclass2.csv`` (the PTV code list);
* ``public_service``, ``public_service_place`` and ``public_service_path`` from the public PTV staging tables
  (``etl/sql/core_public_service.sql``, ``core_public_service_place.sql``, ``core_public_service_path.sql``).

Nothing here reads or writes an organisation table: public services never count in an organisation metric.
"""
from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pandas as pd

from . import paths
from .context import EtlError
from .sqlrun import run_sql

OVERRIDE_FILE = Path(__file__).parent / "vocabulary" / "service_paths_override.csv"
LIST_FIELDS = ("target_groups", "public_service_classes")
DENOMINATORS = ("total", "age_65_plus", "age_0_14", "age_15_64", "unemployed")
PUBLIC_STAGING = ("stg_ptv__public_organisation", "stg_ptv__public_service", "stg_ptv__public_channel")
CORE_TABLES = ("dim_service_path", "dim_path_stage", "dim_ptv_service_class", "public_service",
               "public_service_place", "public_service_path")


def vocabulary_files(reference_dir: Path) -> list[Path]:
    """The inputs of this step beyond taxonomy/*.csv (part of the build fingerprint and of _meta_files)."""
    return [f for f in (reference_dir / "sources" / "ptv_service_classes_ptvserclass2.csv", OVERRIDE_FILE)
            if f.exists()]


def _read_csv(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        raise EtlError(f"missing input: {path} (the service-path vocabulary ships in shared/data/taxonomy)")
    with open(path, encoding="utf-8-sig", newline="") as f:
        return [{k: (v or "").strip() for k, v in r.items()} for r in csv.DictReader(f)]


def _split(value: str) -> list[str]:
    return [p.strip() for p in value.split(";") if p.strip()]


def service_paths(reference_dir: Path, override_file: Path = OVERRIDE_FILE) -> pd.DataFrame:
    rows = _read_csv(reference_dir / "taxonomy" / "service_paths.csv")
    by_code = {r["code"]: r for r in rows}
    for o in _read_csv(override_file) if override_file.exists() else []:
        if o["path_code"] not in by_code or o["field"] not in rows[0]:
            raise EtlError(f"{override_file.name}: unknown path {o['path_code']!r} or field {o['field']!r}")
        by_code[o["path_code"]][o["field"]] = o["value"]
    out = []
    for i, r in enumerate(rows, start=1):
        if r["need_denominator"] not in DENOMINATORS:
            raise EtlError(f"service_paths.csv: path {r['code']}: need_denominator {r['need_denominator']!r} "
                           f"is not one of {', '.join(DENOMINATORS)}")
        out.append({"path_code": r["code"], "sort_order": i, "label_fi": r["label_fi"], "label_sv": r["label_sv"],
                    "label_en": r["label_en"], "target_groups": _split(r["target_groups"]),
                    "public_service_classes": _split(r["public_service_classes"]),
                    "need_denominator": r["need_denominator"], "description_en": r["description_en"]})
    return pd.DataFrame(out)


def path_stages(reference_dir: Path) -> pd.DataFrame:
    rows = _read_csv(reference_dir / "taxonomy" / "path_stages.csv")
    return pd.DataFrame([{
        "stage_code": r["code"], "stage_order": int(r["order"]), "label_fi": r["label_fi"],
        "label_sv": r["label_sv"], "label_en": r["label_en"], "side": r["side"],
        "activity_types": _split(r["activity_types"]), "description_en": r["description_en"]} for r in rows])


def ptv_service_classes(reference_dir: Path) -> pd.DataFrame:
    rows = _read_csv(reference_dir / "sources" / "ptv_service_classes_ptvserclass2.csv")
    return pd.DataFrame([{"code": r["code"], "name_fi": r["name_fi"] or None, "level": int(r["level"] or 0),
                          "parent_code": r["parent_code"] or None} for r in rows])


def _ensure_staging(con: Any) -> None:
    """The public staging tables are written by the PTV loader; a build without it still gets empty ones."""
    from .load.ptv_public import PUBLIC_CHANNEL_COLUMNS, PUBLIC_ORGANISATION_COLUMNS, PUBLIC_SERVICE_COLUMNS
    from .load.staging import write_staging
    existing = {r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()}
    for name, cols in zip(PUBLIC_STAGING, (PUBLIC_ORGANISATION_COLUMNS, PUBLIC_SERVICE_COLUMNS,
                                           PUBLIC_CHANNEL_COLUMNS)):
        if name not in existing:
            write_staging(con, name, cols, [])


def build_dimensions(con: Any, reference_dir: Path, override_file: Path = OVERRIDE_FILE) -> None:
    types = {"dim_service_path": {"target_groups": "varchar[]", "public_service_classes": "varchar[]",
                                  "sort_order": "integer"},
             "dim_path_stage": {"activity_types": "varchar[]", "stage_order": "integer"},
             "dim_ptv_service_class": {"level": "integer"}}
    frames = {"dim_service_path": service_paths(reference_dir, override_file),
              "dim_path_stage": path_stages(reference_dir),
              "dim_ptv_service_class": ptv_service_classes(reference_dir)}
    for name, df in frames.items():
        con.register("_ps_dim", df)
        try:
            cols = ", ".join(f'cast("{c}" as {types[name][c]}) as "{c}"' if c in types[name] else f'"{c}"'
                             for c in df.columns)
            con.execute(f'create or replace table "{name}" as select {cols} from _ps_dim')
        finally:
            con.unregister("_ps_dim")


def build_public_core(con: Any, reference_dir: Path, sql_dir: Path | None = None,
                      override_file: Path = OVERRIDE_FILE) -> dict[str, int]:
    """Dimensions and public core tables; returns their row counts."""
    build_dimensions(con, reference_dir, override_file)
    _ensure_staging(con)
    for table in ("public_service", "public_service_place", "public_service_path"):   # etl/sql/core_<table>.sql
        run_sql(con, f"core_{table}", sql_dir=sql_dir or paths.SQL_DIR)
    return {t: con.execute(f'select count(*) from "{t}"').fetchone()[0] for t in CORE_TABLES}
