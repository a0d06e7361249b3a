"""The public side of the PTV source (issue 10): public organisations' services and channels ->
stg_ptv__public_service and stg_ptv__public_channel (stg_ptv__public_organisation is written by etl/load/ptv.py,
which sorts organisations into NGOs and public ones and calls the functions here). Their rows never feed an
organisation metric. A public service's municipalities come from its service areas (a municipality, a wellbeing
services county or maakunta by code, or an area's own list) and its service locations."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from etl.context import BuildContext
from etl.load.places import resolve_places
from etl.load.ptv_records import NATIONWIDE, Channel, localized, service_org_ids
from etl.load.quarantine import Reject
from etl.load.readers import JsonRecord
from etl.load.values import parse_timestamp, plain_text

PUBLIC_TYPES = ("State", "Municipality", "Region", "RegionalOrganization", "SotePublic")
# service area types naming a wellbeing services county by its code (spellings seen in v11 write docs and v12)
COUNTY_AREA_TYPES = ("WellbeingServicesCounty", "WellbeingServiceCounty", "WellbeingServiceCounties")
PUBLIC_ORGANISATION_COLUMNS: dict[str, str] = {
    "source_id": "varchar", "file": "varchar", "record_ref": "varchar", "org_type": "varchar",
    "business_id": "varchar", "name": "varchar", "name_sv": "varchar", "home_municipality_code": "varchar",
    "website": "varchar", "updated_at": "timestamp",
}
PUBLIC_SERVICE_COLUMNS: dict[str, str] = {
    "source_id": "varchar", "file": "varchar", "record_ref": "varchar", "org_source_id": "varchar",
    "org_name": "varchar", "org_type": "varchar", "name_fi": "varchar", "name_sv": "varchar", "name_en": "varchar",
    "class_codes": "varchar[]", "languages": "varchar[]", "area_type": "varchar", "municipality_codes": "varchar[]",
    "channel_ids": "varchar[]", "url": "varchar", "updated_at": "timestamp",
}
PUBLIC_CHANNEL_COLUMNS: dict[str, str] = {
    "source_id": "varchar", "file": "varchar", "record_ref": "varchar", "org_source_id": "varchar",
    "channel_type": "varchar", "name": "varchar", "municipality_code": "varchar", "lat": "double", "lon": "double",
    "address": "varchar", "url": "varchar", "phone": "varchar", "service_ids": "varchar[]",
}


def public_owner(s: Any, orgs: dict[str, dict[str, Any]],
                 public_orgs: dict[str, dict[str, Any]]) -> dict[str, Any] | None:
    """The public organisation of a service that has no NGO among its organisations (an NGO's service stays an
    organisation activity whoever else is named); None otherwise or when the links are malformed (the NGO path
    then reports the record)."""
    if not isinstance(s, dict) or not public_orgs:
        return None
    try:
        ids = service_org_ids(s)
    except (TypeError, AttributeError):
        return None
    if any(i in orgs for i in ids):
        return None
    return next((public_orgs[i] for i in ids if i in public_orgs), None)


def county_municipalities(con: Any, ctx: BuildContext) -> dict[tuple[str, str], list[str]]:
    """(area kind, code) -> municipality codes: wellbeing services counties from the resolver, maakunnat (`Region`
    areas) from the municipality table when the build has loaded it."""
    out: dict[tuple[str, str], list[str]] = {}
    for code, area in sorted(getattr(ctx.resolver, "area_of", {}).items()):
        if area:
            out.setdefault(("county", str(area)), []).append(code)
    try:
        rows = con.execute("select code, maakunta_code from municipality where maakunta_code is not null "
                           "order by code").fetchall()
    except Exception:  # noqa: BLE001 - no municipality table (a loader test): Region areas need their list
        rows = []
    for code, maakunta in rows:
        out.setdefault(("region", str(maakunta).zfill(2)), []).append(str(code))
    return out


def channel_contact(c: dict[str, Any], ch: Channel) -> dict[str, Any]:
    """Street address and web address of a public service channel. No phone number is stored (`phone` stays
    NULL): the project keeps no phone numbers anywhere, because a channel's number cannot be told apart from a
    person's direct line (tests/test_privacy.py scans every table); the card links to the service instead."""
    address = None
    for a in sorted((a for a in c.get("addresses") or [] if isinstance(a, dict)),
                    key=lambda a: 0 if a.get("type") in ("Location", "Visiting") else 1):
        st = a.get("streetAddress") or {}
        street = next((plain_text(x.get("value")) for x in st.get("street") or []
                       if isinstance(x, dict) and x.get("value")), None)
        if street:
            address = " ".join(str(x) for x in (street, st.get("streetNumber")) if x)
            if st.get("postalCode"):
                address += f", {st['postalCode']}"
            break
    return {"address": address, "url": ch.url, "phone": None}


def _area_refs(area: dict[str, Any], counties: dict[tuple[str, str], list[str]]) -> tuple[list[Any], str | None]:
    """Municipality references of one service area, and a description of the area when it cannot be resolved."""
    listed = [m.get("code") if isinstance(m, dict) else m for m in area.get("municipalities") or []]
    listed = [m for m in listed if m]
    kind, code = area.get("type"), area.get("code")
    if kind == "Municipality" and code:
        return [code, *listed], None
    if listed:
        return listed, None
    if code and kind in COUNTY_AREA_TYPES and ("county", str(code).zfill(2)) in counties:
        return list(counties[("county", str(code).zfill(2))]), None
    if code and kind == "Region" and ("region", str(code).zfill(2)) in counties:
        return list(counties[("region", str(code).zfill(2))]), None
    return [], f"{kind or '(no type)'} {code or '(no code)'}"


def public_service(ctx: BuildContext, path: Path, rec: JsonRecord, org: dict[str, Any],
                   channels: dict[str, Channel], channels_of: dict[str, list[str]],
                   counties: dict[tuple[str, str], list[str]]) -> dict[str, Any] | Reject:
    """A public organisation's service. Its served municipalities: the area's municipalities (a municipality, a
    county or maakunta by code, or any area's own list) and the municipalities of its service locations. A
    limited-area service whose area resolves to no municipality and that has no location cannot be placed."""
    s = rec.record
    if not s.get("id"):
        return Reject("missing_field", "missing id")
    sid = str(s["id"])
    names = s.get("serviceNames")
    name_fi, name_sv, name_en = (localized(names, ("Name",), lang) for lang in ("fi", "sv", "en"))
    if not (name_fi or name_sv or name_en):
        return Reject("missing_field", "missing service name (serviceNames type Name)")
    linked_ids = [str((c.get("serviceChannel") or {}).get("id")) for c in s.get("serviceChannels") or []
                  if isinstance(c, dict) and (c.get("serviceChannel") or {}).get("id")]
    linked_ids = list(dict.fromkeys(linked_ids + channels_of.get(sid, [])))
    linked = [channels[c] for c in linked_ids if c in channels]
    area_type = s.get("areaType") if s.get("areaType") in (*NATIONWIDE, "LimitedType") else "LimitedType"
    national = area_type in NATIONWIDE
    refs: list[Any] = []
    unresolved: list[str] = []
    if not national:
        for area in s.get("areas") or []:
            if isinstance(area, dict):
                got, problem = _area_refs(area, counties)
                refs += got
                if problem:
                    unresolved.append(problem)
        refs += [m.get("code") if isinstance(m, dict) else m for m in s.get("municipalities") or []]
    location_refs = [c.municipality_raw for c in linked if c.type == "ServiceLocation" and c.municipality_raw]
    if not national and not [r for r in refs if r] and not location_refs:
        shown = ", ".join(unresolved) or "no areas"
        return Reject("unresolved_area", f"limited-area service whose area cannot be resolved to a municipality "
                      f"({shown}) and with no service location")
    places = resolve_places(ctx, refs + location_refs, national)
    if places.reason:
        return Reject(places.reason, places.message or "")
    classes = []
    for c in s.get("serviceClasses") or []:
        if isinstance(c, dict):
            code = c.get("code") or str(c.get("uri") or "").rstrip("/").rsplit("/", 1)[-1]
            if code:
                classes.append(str(code).strip())
    return {
        "source_id": sid, "file": path.name, "record_ref": rec.ref, "org_source_id": org["source_id"],
        "org_name": org["name"], "org_type": org["org_type"], "name_fi": name_fi, "name_sv": name_sv,
        "name_en": name_en, "class_codes": list(dict.fromkeys(classes)),
        "languages": list(dict.fromkeys(str(x).lower() for x in s.get("languages") or [] if x)),
        "area_type": area_type, "municipality_codes": [] if national else places.codes,
        "channel_ids": linked_ids,
        "url": next((c.url for c in linked if c.type in ("WebPage", "EChannel") and c.url), None),
        "updated_at": parse_timestamp(s.get("modified")),
    }
