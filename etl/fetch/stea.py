"""STEA grants: ``GET /api/organisation/{id}`` for a range of ids -> ``<out_dir>/stea/organisation_<id>.json``,
plus one CSV in the export's columns -> ``<out_dir>/stea/stea_api_<date>.csv`` so the loader reads one format.

Ids are integers (about 1-2 500, not contiguous): 404 means "no such organisation" and is skipped, not an error;
other failures are retried by the client. A small ``delay`` between requests (crawlers use 0.1 s).

JSON fields (from public crawlers, docs/data-sources.md §4): ``organisationId, name, businessId, nameHistory[],
allAidTargets[{year, organisationName, requested, proposed, granted, purpose, ...}]``. **Unverified:** the keys for
the grant type (avustuslaji) and the region (alue) inside ``allAidTargets``; the converter tries the candidates in
``GRANT_TYPE_KEYS`` / ``AREA_KEYS`` and leaves the column empty when none is present. Licence not stated by STEA.
"""
from __future__ import annotations

import csv
import io
import json
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable

from etl.fetch.http import FetchResult, HttpStatusError, base_url as _base_url, client_for, make_progress, meta_path

SOURCE = "stea"
ENV_URL = "JARJESTOKARTTA_STEA_URL"
DEFAULT_URL = "https://avustukset.stea.fi"
EXPORT_COLUMNS = ["jarjesto", "y_tunnus", "vuosi", "kayttotarkoitus", "avustuslaji", "alue", "haettu", "ehdotettu",
                  "myonnetty"]
GRANT_TYPE_KEYS = ("aidType", "grantType", "aidTypeName", "avustuslaji", "type")
AREA_KEYS = ("area", "region", "alue", "areaName", "regionName")
PURPOSE_KEYS = ("purpose", "purposeName", "kayttotarkoitus", "name")


def _first(d: dict, keys: Iterable[str]) -> Any:
    for k in keys:
        v = d.get(k)
        if v not in (None, ""):
            return v.get("fi") or v.get("name") or "" if isinstance(v, dict) else v
    return ""


def organisation_rows(doc: dict) -> list[dict[str, Any]]:
    """One export row per ``allAidTargets`` entry of one organisation JSON."""
    rows = []
    for t in doc.get("allAidTargets") or []:
        if not isinstance(t, dict):
            continue
        rows.append({
            "jarjesto": t.get("organisationName") or doc.get("name") or "",
            "y_tunnus": doc.get("businessId") or "",
            "vuosi": t.get("year") if t.get("year") is not None else "",
            "kayttotarkoitus": _first(t, PURPOSE_KEYS),
            "avustuslaji": _first(t, GRANT_TYPE_KEYS),
            "alue": _first(t, AREA_KEYS),
            "haettu": _num(t.get("requested")),
            "ehdotettu": _num(t.get("proposed")),
            "myonnetty": _num(t.get("granted")),
        })
    return rows


def _num(v: Any) -> Any:
    return "" if v is None else v


def export_csv_bytes(docs: Iterable[dict]) -> bytes:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=EXPORT_COLUMNS, lineterminator="\n")
    w.writeheader()
    for doc in docs:
        w.writerows(organisation_rows(doc))
    return buf.getvalue().encode("utf-8")


def _org_validator(doc: Any) -> None:
    if not isinstance(doc, dict):
        raise ValueError("expected a JSON object")


def fetch_stea(out_dir: Path, *, base_url: str | None = None, force: bool = False, progress: bool = True,
               ids: Iterable[int] | None = None, first_id: int = 1, last_id: int = 2500, delay: float = 0.1,
               date: str | None = None, **opts: Any) -> FetchResult:
    """Fetch STEA organisations ``ids`` (default ``first_id..last_id``) and write the export-format CSV."""
    t0 = time.perf_counter()
    root = _base_url(base_url, ENV_URL, DEFAULT_URL)
    id_list = list(ids) if ids is not None else list(range(first_id, last_id + 1))
    result = FetchResult(SOURCE)
    dest_dir = Path(out_dir) / SOURCE
    with client_for(SOURCE, {**opts, "delay": delay}) as client, make_progress(progress) as bar:
        task = bar.add_task("STEA organisations", total=len(id_list))
        for org_id in id_list:
            url = f"{root}/api/organisation/{int(org_id)}"
            missing = client.cache_path(url).with_suffix(".404")
            if missing.exists() and not force:
                result.skipped.append(str(org_id))
                bar.advance(task)
                continue
            try:
                page = client.get_json_cached(url, force=force, validate=_org_validator)
            except HttpStatusError as e:
                if e.status != 404:
                    raise
                missing.parent.mkdir(parents=True, exist_ok=True)
                missing.write_text(url + "\n", encoding="utf-8")
                result.skipped.append(str(org_id))
                bar.advance(task)
                continue
            result.files.append(client.save_page(dest_dir / f"organisation_{int(org_id)}.json", page))
            bar.advance(task)
        # the CSV covers every organisation_<id>.json in the folder (earlier runs too), and replaces older
        # stea_api_*.csv files so the loader never reads the same grants twice
        all_json = sorted(dest_dir.glob("organisation_*.json"), key=lambda q: _id_of(q))
        all_json = [q for q in all_json if not q.name.endswith(".meta.json")]
        if all_json:
            day = date or datetime.now(timezone.utc).strftime("%Y-%m-%d")
            dest = dest_dir / f"stea_api_{day}.csv"
            docs = [json.loads(q.read_text(encoding="utf-8")) for q in all_json]
            client.save(dest, export_csv_bytes(docs), url=f"{root}/api/organisation/{{id}}",
                        extra={"derived_from": [q.name for q in all_json], "organisations": len(docs)})
            result.files.append(dest)
            for old in dest_dir.glob("stea_api_*.csv"):
                if old != dest:
                    old.unlink()
                    meta_path(old).unlink(missing_ok=True)
    result.requests, result.bytes = client.requests, client.bytes
    result.seconds = time.perf_counter() - t0
    return result


def _id_of(path: Path) -> int:
    digits = path.stem.split("_")[-1]
    return int(digits) if digits.isdigit() else 0


def write_export(json_files: Iterable[Path], dest: Path) -> Path:
    """Convert already fetched ``organisation_<id>.json`` files to the export CSV (no network)."""
    docs = [json.loads(Path(p).read_text(encoding="utf-8")) for p in json_files]
    from etl.fetch.http import write_atomic
    write_atomic(Path(dest), export_csv_bytes(docs))
    return Path(dest)
