"""Lähellä.fi admin API pages `{"items": [...], "hasMore": ..., "groups": {...}}` -> stg_lahella__activity and
stg_lahella__organisation (derived from the organiser groups of loaded activities; not counted in LoadStats).

Contacts of type email/phone are personal or near-personal and are dropped; only `www` contacts are kept (as url)."""
from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from etl.context import BuildContext, LoadStats
from etl.load.places import resolve_places
from etl.load.quarantine import Reject, open_or_quarantine, reject_if_seen, reject_wrong_types, set_aside
from etl.load.readers import json_records, source_files
from etl.load.staging import ACTIVITY_COLUMNS, ORGANISATION_COLUMNS, StagingWriter, write_staging
from etl.load.values import business_id_fields, parse_timestamp, plain_text, scrub_personal
from etl.municipality import normalise_place
from etl.text import safe_url

SOURCE = "lahella"
LANGS = ("fi", "sv", "en")


class RegionLookup:
    """Lähellä region values -> municipality codes.

    `city/FI/<name>` goes through the saved region value list first (it carries the 2021 municipality number for
    pre-merger names such as Honkajoki and Valtimo and for the mojibake `Säkyl??`), then through the resolver.
    `state/FI/<maakunta>` lists every municipality of that maakunta: a maakunta-wide listing counts in each of its
    municipalities (Åland ones are dropped later, as everywhere)."""

    def __init__(self, reference_dir: Path, offline_dir: Path) -> None:
        self.city_code: dict[str, str] = {}
        with open(reference_dir / "sources" / "lahella_region_values.csv", encoding="utf-8") as f:
            for r in csv.DictReader(f):
                if r["level"] == "kunta" and r["kuntanumero_2021"]:
                    self.city_code[r["lahella_region_value"]] = r["kuntanumero_2021"]
        self.maakunta: dict[str, list[str]] = {}
        with open(offline_dir / "statfi" / "municipality_key_2025.csv", encoding="utf-8") as f:
            for r in csv.DictReader(f):
                for key in (r["maakunta_name_fi"], r["maakunta_name_sv"]):
                    self.maakunta.setdefault(normalise_place(key), []).append(r["municipality_code"])

    def refs(self, value: str) -> list[str]:
        """Municipality references (codes or names) for one region value; the raw value when unknown, so that
        the resolver reports it with its candidates."""
        value = str(value).strip()
        if value in self.city_code:
            return [self.city_code[value]]
        if value.lower().startswith("state/"):
            return self.maakunta.get(normalise_place(value.split("/", 2)[-1]), [value.split("/", 2)[-1]])
        if value.lower().startswith("city/"):
            return [value.split("/", 2)[-1]]
        return [value]


def load(con: Any, ctx: BuildContext) -> LoadStats:
    return load_files(con, ctx, source_files(ctx, "lahella", (".json",)))


def load_files(con: Any, ctx: BuildContext, files: list[Path]) -> LoadStats:
    stats = LoadStats(SOURCE)
    regions = RegionLookup(ctx.reference_dir, ctx.offline_dir)
    activities = StagingWriter(con, "stg_lahella__activity", ACTIVITY_COLUMNS, stats=stats)  # in batches, in order
    orgs: dict[str, dict[str, Any]] = {}
    seen: set[str] = set()
    for path in files:
        records = open_or_quarantine(ctx, stats, SOURCE, path, lambda: json_records(path, ("items",)))
        if records is None:
            continue
        for rec in records:
            stats.read += 1
            groups = rec.page.get("groups") if isinstance(rec.page, dict) else None
            result = reject_wrong_types(_activity, ctx, regions, path, rec.ref, rec.record,
                                        groups if isinstance(groups, dict) else {})
            result = reject_if_seen(result, None if isinstance(result, Reject) else result[0]["source_id"], seen,
                                    "activity")
            if set_aside(ctx, stats, SOURCE, path, rec, result):
                continue
            act, org = result
            seen.add(act["source_id"])
            activities.append(act)
            stats.loaded += 1
            if org and org["source_id"] not in orgs:
                orgs[org["source_id"]] = org
    activities.close()
    write_staging(con, "stg_lahella__organisation", ORGANISATION_COLUMNS, list(orgs.values()), stats)
    return stats


def _tr(traits: dict[str, Any], lang: str, key: str) -> str | None:
    t = (traits.get("translations") or {}).get(lang) or {}
    return plain_text(t.get(key)) if isinstance(t, dict) else None


def _first_tr(traits: dict[str, Any], key: str) -> str | None:
    return next((v for lang in LANGS if (v := _tr(traits, lang, key))), None)


def _locale(value: str) -> str:
    v = str(value).strip().lower()
    return v.split("-")[0][:2] if v not in ("fisl",) else "fse"  # fisl = Finnish sign language


def _channel_types(ch: dict[str, Any]) -> set[str]:
    t = ch.get("type")
    return {str(x) for x in (t if isinstance(t, list) else [t]) if x}


def _place_cities(channels: list[dict[str, Any]]) -> list[str]:
    cities: list[str] = []
    for ch in channels:
        if "place" not in _channel_types(ch) and "hybrid" not in _channel_types(ch):
            continue
        for lang in LANGS:
            addr = (((ch.get("translations") or {}).get(lang) or {}).get("address") or {})
            if isinstance(addr, dict) and addr.get("city"):
                cities.append(str(addr["city"]))
                break
    return cities


def _mode(types: set[str]) -> str:
    if "hybrid" in types or ("place" in types and types & {"online", "phone"}):
        return "hybrid"
    if "place" in types or not types:
        return "in_person"
    return "online" if "online" in types else "phone"


def _coords(channels: list[dict[str, Any]]) -> tuple[float | None, float | None]:
    for ch in channels:
        coords = ((ch.get("map") or {}).get("center") or {}).get("coordinates")
        if isinstance(coords, list) and len(coords) == 2:
            try:
                return float(coords[1]), float(coords[0])  # GeoJSON order is [lon, lat]
            except (TypeError, ValueError):
                continue
    return None, None


def _activity(ctx: BuildContext, regions: RegionLookup, path: Path, ref: str, a: Any, groups: dict[str, Any]
              ) -> tuple[dict[str, Any], dict[str, Any] | None] | Reject:
    if not isinstance(a, dict):
        return Reject("bad_type", f"expected an activity object, found {type(a).__name__}")
    key = a.get("_key") or a.get("id")
    if not key:
        return Reject("missing_field", "missing _key")
    status = a.get("status")
    if status and status != "published":
        return Reject("bad_value", f"status {status!r} is not published")
    traits = a.get("traits") if isinstance(a.get("traits"), dict) else {}
    names = {lang: _tr(traits, lang, "name") for lang in LANGS}
    if not any(names.values()):
        return Reject("missing_field", "missing activity name (traits.translations.*.name)")
    group = a.get("group")
    group_id = str(group.get("id") or group.get("_key")) if isinstance(group, dict) else (str(group) if group else None)
    if not group_id:
        return Reject("missing_field", "missing organiser (group)")
    ginfo = groups.get(group_id) if isinstance(groups.get(group_id), dict) else {}
    channels = [c for c in traits.get("channels") or [] if isinstance(c, dict)]
    types = set().union(*(_channel_types(c) for c in channels)) if channels else set()
    region_values = [str(r) for r in traits.get("region") or [] if r]
    # a nationwide online/phone listing names no region; it is not spread over municipalities
    national = bool(types) and not types & {"place", "hybrid"} and not region_values
    cities = _place_cities(channels)
    refs = cities if cities else [ref_ for v in region_values for ref_ in regions.refs(v)]
    places = resolve_places(ctx, refs, national)
    if places.reason:
        return Reject(places.reason, places.message or "")
    www = next((c.get("value") for c in traits.get("contacts") or [] if isinstance(c, dict) and c.get("type") == "www"),
               None)
    desc = _first_tr(traits, "description") or _first_tr(traits, "summary")
    lat, lon = _coords(channels)
    bid = business_id_fields(ginfo.get("businessId"))
    org_name = plain_text(ginfo.get("name"))
    languages: list[str] = []
    for loc in traits.get("locale") or []:
        if (code := _locale(loc)) and code not in languages:
            languages.append(code)
    act = {
        "source": SOURCE, "source_id": str(key), "file": path.name, "record_ref": ref, "org_source_id": group_id,
        "org_business_id": bid["business_id"], "org_name": org_name, "name_fi": names["fi"], "name_sv": names["sv"],
        "name_en": names["en"], "description": scrub_personal(desc),
        "class_codes": ([f"lahella_type:{traits['type']}"] if traits.get("type") else [])
        + [f"lahella_format:{f}" for f in traits.get("format") or []]
        + [f"lahella_theme:{t}" for t in traits.get("theme") or []],
        "target_codes": [f"age:{d.split(':', 1)[1]}" for d in traits.get("demographic") or []
                         if str(d).startswith("ageGroup/range:")],
        "mode": _mode(types), "is_national": national, "municipality_codes": places.codes, "languages": languages,
        "url": safe_url(www),
        "updated_at": parse_timestamp(a.get("updatedAt") or a.get("updated") or a.get("modified")),
        "lat": lat, "lon": lon,
    }
    org = None
    if org_name:  # groups without a name in the page cannot be matched or shown; the activity keeps the group id
        org = {"source": SOURCE, "source_id": group_id, "file": path.name, "record_ref": f"$.groups.{group_id}",
               **bid, "name": org_name}
    return act, org
