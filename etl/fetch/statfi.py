"""Statistics Finland: municipalities with population (WFS) and the regional classification key
-> ``<out_dir>/statfi/``.

1. WFS 2.0 GetFeature ``vaestoalue:kunta_vaki{year}`` as GeoJSON (EPSG:3067 by default)
   -> ``statfi/vaestoalue_kunta_vaki{year}.json``, the unmodified answer (same format as the recorded copy in
   ``shared/data/raw/statfi``). Verified before it replaces anything: a FeatureCollection, ``numberReturned ==
   len(features)``, not fewer features than ``numberMatched`` (a server-side cap would silently cut the map), and
   every feature carries the properties the loader reads.
2. Classification API v2 correspondence tables ``kunta_1_{Y}0101#<target>_1_{Y}0101`` -> one CSV
   ``statfi/municipality_key_{Y}.csv`` with exactly the columns of ``municipality_key_2025.csv``.

What is verified and what is not (classification API; no live access while this was written):

- Shape used: ``GET .../correspondenceTables/<id>/maps?content=data&meta=max&lang=<fi|sv|en>&format=json`` answers a
  list of ``{"sourceItem": {"code", "classificationItemNames": [{"lang"?, "name"}]}, "targetItem": {...}}`` (as in
  docs/data-sources.md §5.2 and public clients). Names are taken from the entry whose ``lang`` equals the
  requested language, else the first entry. One request per table and language.
- Targets ``hyvinvointialue``, ``maakunta`` and ``seutukunta`` are used by public code. ``kielisuhde`` and
  ``kuntaryhmitys`` correspondence ids are **unverified** guesses with the same pattern; when the API answers 4xx
  for them the columns are left empty (a note goes into the sidecar) instead of failing the whole key.
- Codes are zero-padded the way the recorded key stores them (municipality 3, county/maakunta/kielisuhde/
  kuntaryhmitys 2 digits); a leading letter prefix (``SK``, ``KU``) is dropped. ``seutukunta_code`` is kept as the
  API gives it, since the recorded key has unpadded values (``63``, ``146``) — **unverified** against the live API.
- ``hyvinvointialue`` code for Helsinki is 90 and for Åland 91 in the classification itself.
"""
from __future__ import annotations

import csv
import io
import json
import re
import time
from pathlib import Path
from typing import Any

from etl.context import EtlError
from etl.fetch.http import Client, FetchResult, HttpStatusError, base_url, client_for, full_url, make_progress

SOURCE = "statfi"
ENV_WFS_URL = "JARJESTOKARTTA_STATFI_WFS_URL"
DEFAULT_WFS_URL = "https://geo.stat.fi/geoserver/vaestoalue/wfs"
ENV_CLASS_URL = "JARJESTOKARTTA_STATFI_CLASSIFICATION_URL"
DEFAULT_CLASS_URL = "https://data.stat.fi/api/classifications/v2"

REQUIRED_PROPERTIES = ("kunta", "nimi", "namn", "name", "vuosi", "til_vuosi", "vaesto", "miehet", "naiset",
                       "ika_0_14", "ika_15_64", "ika_65_")

KEY_COLUMNS = [
    "municipality_code", "municipality_name_fi", "municipality_name_sv", "municipality_name_en",
    "hyvinvointialue_code", "hyvinvointialue_name_fi", "hyvinvointialue_name_sv", "hyvinvointialue_name_en",
    "maakunta_code", "maakunta_name_fi", "maakunta_name_sv", "maakunta_name_en",
    "seutukunta_code", "seutukunta_name_fi",
    "kielisuhde_code", "kielisuhde_name_fi", "kielisuhde_name_en",
    "kuntaryhmitys_code", "kuntaryhmitys_name_fi", "kuntaryhmitys_name_en",
]
# target classification -> (column prefix, languages wanted, code width, required)
TARGETS: dict[str, tuple[str, tuple[str, ...], int, bool]] = {
    "hyvinvointialue": ("hyvinvointialue", ("fi", "sv", "en"), 2, True),
    "maakunta": ("maakunta", ("fi", "sv", "en"), 2, True),
    "seutukunta": ("seutukunta", ("fi",), 0, False),
    "kielisuhde": ("kielisuhde", ("fi", "en"), 2, False),
    "kuntaryhmitys": ("kuntaryhmitys", ("fi", "en"), 2, False),
}


# -- WFS ---------------------------------------------------------------------------------------------------------
def validate_feature_collection(body: bytes | dict) -> dict:
    """Raise ValueError unless ``body`` is a complete WFS GeoJSON answer with the properties the loader needs."""
    doc = json.loads(body) if isinstance(body, (bytes, str)) else body
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        raise ValueError("not a GeoJSON FeatureCollection")
    features = doc.get("features")
    if not isinstance(features, list) or not features:
        raise ValueError("FeatureCollection has no features")
    returned = doc.get("numberReturned")
    if returned is not None and int(returned) != len(features):
        raise ValueError(f"numberReturned {returned} != {len(features)} features (truncated answer)")
    matched = doc.get("numberMatched")
    if isinstance(matched, int) and matched > len(features):
        raise ValueError(f"numberMatched {matched} > {len(features)} features (server paging cap)")
    for i, feat in enumerate(features):
        props = (feat or {}).get("properties") or {}
        missing = [p for p in REQUIRED_PROPERTIES if p not in props]
        if missing:
            raise ValueError(f"feature {i} lacks properties {', '.join(missing)}")
        if not (feat.get("geometry") or {}).get("coordinates"):
            raise ValueError(f"feature {i} ({props.get('kunta')}) has no geometry")
    return doc


def wfs_params(year: int, srs: str | None = "EPSG:3067") -> dict[str, str]:
    params = {"service": "WFS", "version": "2.0.0", "request": "GetFeature",
              "typeNames": f"vaestoalue:kunta_vaki{year}", "outputFormat": "application/json"}
    if srs:
        params["srsName"] = srs
    return params


def fetch_population(client: Client, out_dir: Path, *, year: int, wfs_url: str, srs: str | None) -> Path:
    dest = Path(out_dir) / SOURCE / f"vaestoalue_kunta_vaki{year}.json"
    return client.download(wfs_url, dest, params=wfs_params(year, srs), validate=validate_feature_collection)


# -- classification ----------------------------------------------------------------------------------------------
def _name(item: dict, lang: str) -> str:
    names = item.get("classificationItemNames") or []
    for n in names:
        if isinstance(n, dict) and (n.get("lang") or n.get("language") or "").lower()[:2] == lang:
            return str(n.get("name") or "")
    return str(names[0].get("name") or "") if names and isinstance(names[0], dict) else ""


def _code(value: Any, width: int) -> str:
    text = re.sub(r"^[A-Za-z]+", "", str(value or "").strip())
    return text.zfill(width) if width and text.isdigit() else text


def correspondence_url(root: str, target: str, year: int) -> str:
    return f"{root}/correspondenceTables/kunta_1_{year}0101%23{target}_1_{year}0101/maps"


def build_key_rows(maps: dict[str, dict[str, list[dict]]]) -> list[dict[str, str]]:
    """``maps[target][lang]`` = the API's list for that correspondence table in that language -> key rows.

    The municipality names come from the source items of the ``hyvinvointialue`` table (fi/sv/en).
    """
    rows: dict[str, dict[str, str]] = {}
    for target, by_lang in maps.items():
        prefix, _langs, width, _req = TARGETS[target]
        for lang, entries in by_lang.items():
            for e in entries:
                src, tgt = e.get("sourceItem") or {}, e.get("targetItem") or {}
                muni = _code(src.get("code"), 3)
                if not muni:
                    continue
                row = rows.setdefault(muni, {c: "" for c in KEY_COLUMNS} | {"municipality_code": muni})
                if target == "hyvinvointialue":
                    row[f"municipality_name_{lang}"] = _name(src, lang)
                row[f"{prefix}_code"] = _code(tgt.get("code"), width)
                col = f"{prefix}_name_{lang}"
                if col in row:
                    row[col] = _name(tgt, lang)
    return [rows[k] for k in sorted(rows, key=lambda c: (rows[c]["municipality_name_fi"] or c, c))]


def key_csv_bytes(rows: list[dict[str, str]]) -> bytes:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=KEY_COLUMNS, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue().encode("utf-8")


def fetch_classification(client: Client, out_dir: Path, *, year: int, class_url: str, force: bool = False,
                         progress_bar: Any = None) -> tuple[Path, list[str]]:
    """Write ``statfi/municipality_key_{year}.csv``; returns (path, notes about optional parts left empty)."""
    maps: dict[str, dict[str, list[dict]]] = {}
    urls: list[str] = []
    notes: list[str] = []
    for target, (_prefix, langs, _w, required) in TARGETS.items():
        for lang in langs:
            url = correspondence_url(class_url, target, year)
            params = {"content": "data", "meta": "max", "lang": lang, "format": "json"}
            try:
                page = client.get_json_cached(url, params, force=force, validate=_maps_validator(target))
            except HttpStatusError as e:
                if required:
                    raise
                notes.append(f"{target}: {e}")
                maps.pop(target, None)
                break
            maps.setdefault(target, {})[lang] = page.doc
            urls.append(full_url(url, params))
    rows = build_key_rows(maps)
    if not rows:
        raise EtlError(f"classification API at {class_url} gave no municipalities for {year}")
    dest = Path(out_dir) / SOURCE / f"municipality_key_{year}.csv"
    client.save(dest, key_csv_bytes(rows), url=urls[0],
                extra={"derived_from": urls, "notes": notes, "rows": len(rows)})
    return dest, notes


def _maps_validator(target: str):
    def check(doc: Any) -> None:
        if not isinstance(doc, list) or not doc:
            raise ValueError(f"correspondence kunta -> {target}: expected a non-empty JSON list")
        if not isinstance(doc[0], dict) or "sourceItem" not in doc[0] or "targetItem" not in doc[0]:
            raise ValueError(f"correspondence kunta -> {target}: items lack sourceItem/targetItem")
    return check


def fetch_statfi(out_dir: Path, *, base_url: str | None = None, force: bool = False, progress: bool = True,
                 year: int = 2024, key_year: int | None = None, srs: str | None = "EPSG:3067",
                 classification_url: str | None = None, population: bool = True, classification: bool = True,
                 **opts: Any) -> FetchResult:
    """Population + boundaries (WFS, population on 31.12.``year``) and the classification key (``key_year``,
    default ``year + 1`` = the municipal division the WFS layer uses).

    ``base_url`` / ``JARJESTOKARTTA_STATFI_WFS_URL``: the WFS endpoint; ``classification_url`` /
    ``JARJESTOKARTTA_STATFI_CLASSIFICATION_URL``: the classification API root.
    """
    t0 = time.perf_counter()
    result = FetchResult(SOURCE)
    wfs = base_url_or(base_url, ENV_WFS_URL, DEFAULT_WFS_URL)
    cls = base_url_or(classification_url, ENV_CLASS_URL, DEFAULT_CLASS_URL)
    key_year = key_year or year + 1
    with client_for(SOURCE, opts) as client, make_progress(progress) as bar:
        task = bar.add_task("Statistics Finland", total=int(population) + int(classification))
        if population:
            result.files.append(fetch_population(client, out_dir, year=year, wfs_url=wfs, srs=srs))
            bar.advance(task)
        if classification:
            path, notes = fetch_classification(client, out_dir, year=key_year, class_url=cls, force=force)
            result.files.append(path)
            result.skipped.extend(notes)
            bar.advance(task)
    result.requests, result.bytes = client.requests, client.bytes
    result.seconds = time.perf_counter() - t0
    return result


def base_url_or(explicit: str | None, env: str, default: str) -> str:
    return base_url(explicit, env, default)
