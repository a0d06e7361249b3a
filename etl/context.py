"""The build context every loader receives, and the quarantine sink.

Nothing is dropped silently: a loader either writes a record to its staging table or calls
``ctx.quarantine.add(...)`` with the source, the file, the place in the file and a reason code.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

REASON_CODES = (
    "missing_field", "bad_type", "bad_value", "unknown_municipality", "outside_frame", "duplicate",
    "malformed_file", "bad_encoding", "not_an_ngo", "bad_business_id", "empty_row",
    "private_company", "unresolved_area", "index_page",  # PTV public side (issue 10)
)
RAW_MAX_CHARS = 2000
MESSAGE_MAX_CHARS = 1000  # quarantine messages quote values; both are scrubbed, then cut (etl.text.clip)


class EtlError(Exception):
    """A failure the build cannot go on from; the message names the file and what is wrong."""


@dataclass
class LoadStats:
    source: str
    read: int = 0
    loaded: int = 0
    quarantined: int = 0
    seconds: float = 0.0
    files: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def balanced(self) -> bool:
        return self.read == self.loaded + self.quarantined

    def summary(self) -> str:
        return (f"{self.source}: read {self.read:,} · loaded {self.loaded:,} · set aside {self.quarantined:,}"
                f" · {self.seconds:.1f} s")


class Quarantine:
    """Collects rejected input records; written to the `quarantine` table at the end of the build."""

    columns = ["source", "file", "record_ref", "reason_code", "message", "raw"]

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []

    def add(self, source: str, file: str | Path, record_ref: str, reason_code: str, message: str,
            raw: Any = None) -> None:
        if reason_code not in REASON_CODES:
            raise ValueError(f"unknown quarantine reason code {reason_code!r}")
        if raw is not None and not isinstance(raw, str):
            try:
                raw = json.dumps(raw, ensure_ascii=False, default=str)
            except (TypeError, ValueError):
                raw = repr(raw)
        from .text import clip  # a rejected record may carry contact details in any field: scrubbed, then cut
        self.rows.append({
            "source": source, "file": Path(file).name if file else "", "record_ref": str(record_ref),
            "reason_code": reason_code, "message": clip(message, MESSAGE_MAX_CHARS),
            "raw": clip(raw, RAW_MAX_CHARS) if raw else None,
        })

    def count(self, source: str | None = None) -> int:
        return sum(1 for r in self.rows if source is None or r["source"] == source)

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=self.columns)


@dataclass
class BuildContext:
    offline_dir: Path
    reference_dir: Path
    org_dirs: list[Path]
    quarantine: Quarantine = field(default_factory=Quarantine)
    resolver: Any = None                 # etl.municipality.MunicipalityResolver, set after geography
    is_demo: bool = False
    progress: bool = True

    def timer(self) -> "_Timer":
        return _Timer()


class _Timer:
    def __enter__(self) -> "_Timer":
        self.t0 = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self.t0


def write_table(con: Any, name: str, df: pd.DataFrame) -> None:
    """Replace table `name` with the frame's rows (the name is ours, never user input)."""
    con.register("_df_tmp", df)
    try:
        con.execute(f'create or replace table "{name}" as select * from _df_tmp')
    finally:
        con.unregister("_df_tmp")
