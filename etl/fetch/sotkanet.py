"""THL Sotkanet REST 1.1: indicator values per region -> ``<out_dir>/sotkanet/indicator_<id>.csv``.

``GET /rest/1.1/json?indicator=<id>&years=<y>&years=<y2>&genders=total`` answers
``[{indicator, region, year, gender, value, ...}]`` where ``region`` is Sotkanet's own id. ``GET /rest/1.1/regions``
(``id, code, category, title{fi,sv,en}``) maps the ids:

- category ``KUNTA``: ``code`` is the Statistics Finland municipality code -> ``municipality`` + 3-digit code;
- category ``HYVINVOINTIALUE``: id -> county code from ``need/sotkanet_region_ids_hyvinvointialue.csv`` (new and old
  ids; falls back to the region's ``code`` zero-padded to 2) -> ``area``;
- category ``MAA`` (id 658, whole country) -> ``country`` + ``SSS``;
- every other category (maakunta, seutukunta, ERVA, ...) is left out.

The CSV has the long ``need_indicator`` columns: area_level, code, indicator, period, value, unit, source.
Rows are sorted (area_level, code, period). Licence CC BY 4.0 (THL, Sotkanet).
"""
from __future__ import annotations

import csv
import io
import time
from pathlib import Path
from typing import Any, Iterable

from etl import paths
from etl.fetch.http import FetchResult, base_url as _base_url, client_for, make_progress

SOURCE = "sotkanet"
ENV_URL = "JARJESTOKARTTA_SOTKANET_URL"
DEFAULT_URL = "https://sotkanet.fi/rest/1.1"
COLUMNS = ["area_level", "code", "indicator", "period", "value", "unit", "source"]
COUNTRY_IDS = {"658"}


def read_county_ids(path: Path) -> dict[str, str]:
    """Sotkanet region id (new and old) -> county code '01'..'21', '90', '91'."""
    out: dict[str, str] = {}
    with open(path, encoding="utf-8") as f:
        for r in csv.DictReader(f):
            for col in ("sotkanet_region_id", "sotkanet_region_id_old"):
                if (r.get(col) or "").strip():
                    out[r[col].strip()] = r["county_code"].strip().zfill(2)
    return out


def region_map(regions: list[dict], county_ids: dict[str, str]) -> dict[str, tuple[str, str]]:
    """Sotkanet region id -> (area_level, Statistics Finland code)."""
    out: dict[str, tuple[str, str]] = {}
    for r in regions:
        rid, cat, code = str(r.get("id")), str(r.get("category") or "").upper(), str(r.get("code") or "").strip()
        if cat == "KUNTA" and code.isdigit():
            out[rid] = ("municipality", code.zfill(3))
        elif cat == "HYVINVOINTIALUE":
            county = county_ids.get(rid) or (code.zfill(2) if code.isdigit() else "")
            if county:
                out[rid] = ("area", county)
        elif cat == "MAA" or rid in COUNTRY_IDS:
            out[rid] = ("country", "SSS")
    return out


def indicator_rows(values: list[dict], regions: dict[str, tuple[str, str]], *, indicator: str,
                   unit: str = "", source: str = "sotkanet") -> list[dict[str, Any]]:
    rows = []
    for v in values:
        key = regions.get(str(v.get("region")))
        if key is None or v.get("value") is None:
            continue
        if str(v.get("gender", "total")).lower() != "total":
            continue
        rows.append({"area_level": key[0], "code": key[1], "indicator": indicator, "period": str(v.get("year")),
                     "value": v.get("value"), "unit": unit, "source": source})
    rows.sort(key=lambda r: (r["area_level"], r["code"], r["period"]))
    return rows


def rows_csv_bytes(rows: list[dict]) -> bytes:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue().encode("utf-8")


def _list_validator(what: str):
    def check(doc: Any) -> None:
        if not isinstance(doc, list):
            raise ValueError(f"{what}: expected a JSON array")
    return check


def fetch_sotkanet(out_dir: Path, *, base_url: str | None = None, force: bool = False, progress: bool = True,
                   indicators: Iterable[int] = (127,), years: Iterable[int] = (2023,),
                   names: dict[int, str] | None = None, units: dict[int, str] | None = None,
                   reference_dir: Path | None = None, **opts: Any) -> FetchResult:
    """Fetch ``indicators`` for ``years``; ``names``/``units`` give the indicator name (default
    ``sotkanet_<id>``) and unit written to the CSV."""
    t0 = time.perf_counter()
    root = _base_url(base_url, ENV_URL, DEFAULT_URL)
    ref = Path(reference_dir) if reference_dir else paths.reference_dir()
    county_ids = read_county_ids(ref / "need" / "sotkanet_region_ids_hyvinvointialue.csv")
    names, units = names or {}, units or {}
    years = [int(y) for y in years]
    result = FetchResult(SOURCE)
    with client_for(SOURCE, opts) as client, make_progress(progress) as bar:
        regions_page = client.get_json_cached(f"{root}/regions", force=force, validate=_list_validator("regions"))
        regions = region_map(regions_page.doc, county_ids)
        ind_list = [int(i) for i in indicators]
        task = bar.add_task("Sotkanet indicators", total=len(ind_list))
        for ind in ind_list:
            params = {"indicator": ind, "years": years, "genders": "total"}
            page = client.get_json_cached(f"{root}/json", params, force=force,
                                          validate=_list_validator(f"indicator {ind}"))
            rows = indicator_rows(page.doc, regions, indicator=names.get(ind, f"sotkanet_{ind}"),
                                  unit=units.get(ind, ""))
            dest = Path(out_dir) / SOURCE / f"indicator_{ind}.csv"
            client.save(dest, rows_csv_bytes(rows), url=page.url, status=page.status,
                        extra={"regions_url": regions_page.url, "rows": len(rows)})
            result.files.append(dest)
            bar.advance(task)
    result.requests, result.bytes = client.requests, client.bytes
    result.seconds = time.perf_counter() - t0
    return result
