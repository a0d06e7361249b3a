"""The build itself: build info, sources, row counts, quarantined rows, whether a table exists."""
from __future__ import annotations

import json

import duckdb
import pandas as pd

from app.queries.base import _df


def build_info(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return _df(con, "select build_id, built_at, git_commit, is_demo, demo_seed, demo_scale, counts, warnings, "
                    "checks, duration_s from _meta_build limit 1")


def sources(con: duckdb.DuckDBPyConnection, *, lang: str = "fi") -> pd.DataFrame:
    return _df(con, """
        select source_id, title, publisher, url, licence,
               case $lang when 'sv' then attribution_sv when 'en' then attribution_en else attribution_fi end
                   as attribution,
               retrieved_at, rows, bytes, file, sha256
        from _meta_sources order by source_id, file""", {"lang": lang})


def row_counts(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The build's own row counts (_meta_build.counts, a JSON object table -> rows)."""
    info = build_info(con)
    raw = info["counts"].iloc[0] if len(info) else None
    counts = raw if isinstance(raw, dict) else json.loads(raw or "{}")
    flat = []
    for k, v in counts.items():
        if isinstance(v, dict):          # nested {"stage": {"table": n}}
            flat.extend((f"{k}.{kk}", vv) for kk, vv in v.items())
        else:
            flat.append((k, v))
    return pd.DataFrame(flat, columns=["table", "rows"]).sort_values("table", ignore_index=True)


def quarantine_summary(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return _df(con, """
        select source, reason_code, count(*) as rows
        from quarantine group by source, reason_code order by source, rows desc, reason_code""")


def quarantine_rows(con: duckdb.DuckDBPyConnection, *, source: str | None = None, reason_code: str | None = None,
                    limit: int = 500, with_raw: bool = False) -> pd.DataFrame:
    """Rows set aside: source, file name (never a server path), place in the file, reason. The raw record only with
    `with_raw` (an operator setting, app.db.show_raw_records)."""
    raw = ", raw" if with_raw else ""
    return _df(con, f"""
        select source, parse_filename(file) as file, record_ref, reason_code, message{raw}
        from quarantine
        where ($source is null or source = $source) and ($reason_code is null or reason_code = $reason_code)
        order by source, file, record_ref limit $limit""", {"source": source, "reason_code": reason_code, "limit": limit})


def has_table(con: duckdb.DuckDBPyConnection, *, name: str) -> bool:
    df = _df(con, "select count(*) as n from information_schema.tables where table_name = $name", {"name": name})
    return bool(df["n"].iloc[0])
