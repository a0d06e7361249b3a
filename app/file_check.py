"""Read-only warehouse look-ups for the file check (pages/8_tarkista_aineisto.py via app.upload_check): the
municipality rows the build's resolver is made from, and organisations that an uploaded file's rows may duplicate.
SQL with bound named parameters ($name); no streamlit import."""
from __future__ import annotations

from typing import Any

import duckdb

from app.queries.base import _cursor  # the warehouse cursor (switches to the attached catalog)


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    cur = _cursor(con)
    try:
        res = cur.execute(sql, params or {})
        names = [d[0] for d in res.description]
        return [dict(zip(names, r)) for r in res.fetchall()]
    finally:
        cur.close()


def municipality_rows(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """(code, name_fi, name_sv, name_en, area_code, is_aland): what etl.build gives MunicipalityResolver."""
    return _rows(con, """
        select code, name_fi, name_sv, name_en, area_code, is_aland from municipality order by code""")


def organisations_by_business_id(con: duckdb.DuckDBPyConnection, business_ids: list[str]) -> dict[str, dict]:
    """business_id -> {org_id, name} for the ids that are in the warehouse."""
    if not business_ids:
        return {}
    rows = _rows(con, """
        select business_id, min(org_id) as org_id, min(name) as name
        from organisation where list_contains($business_ids, business_id)
        group by business_id""", {"business_ids": sorted(set(business_ids))})
    return {r["business_id"]: r for r in rows}


def organisations_by_name(con: duckdb.DuckDBPyConnection, names: list[str]) -> dict[str, list[dict]]:
    """normalised name -> [{org_id, name, business_id, municipality_codes}] (home municipality and the
    municipalities of its activities), for the names that are in the warehouse."""
    if not names:
        return {}
    rows = _rows(con, """
        with o as (
            select org_id, name, business_id, name_normalised, home_municipality_code
            from organisation where list_contains($names, name_normalised)
        ), places as (
            select a.org_id, am.municipality_code
            from activity a join activity_municipality am using (activity_id)
            where a.org_id in (select org_id from o)
        )
        select o.name_normalised, o.org_id, o.name, o.business_id,
               list_sort(list_distinct(list_filter(
                   list_concat([any_value(o.home_municipality_code)], list(p.municipality_code)),
                   c -> c is not null))) as municipality_codes
        from o left join places p using (org_id)
        group by o.name_normalised, o.org_id, o.name, o.business_id order by o.org_id""", {"names": sorted(set(names))})
    out: dict[str, list[dict]] = {}
    for r in rows:
        out.setdefault(r["name_normalised"], []).append(r)
    return out
