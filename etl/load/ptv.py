"""Suomi.fi PTV v11 organisations, services and service channels -> stg_ptv__organisation, stg_ptv__activity
(one per service of an NGO) and stg_ptv__channel; the public side (issue 10) -> stg_ptv__public_organisation,
stg_ptv__public_service and stg_ptv__public_channel.

Counting unit: organisation + service + channel records. NGO = organizationType "Organization" (data-sources.md
§2.5). Public organisations (State, Municipality, Region, RegionalOrganization, SotePublic) load with their services
and channels into the public staging tables, which never feed an organisation metric. Companies and SotePrivate are
set aside as `private_company`, any other type as `not_an_ngo`, so the record balance still holds. A guid-list page
(`itemList` of `{id, name}` only: the index the API pages through) is not a file of records: it counts as one record
read and set aside as `index_page`."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from sys import intern
from typing import Any, Callable, Iterator

from etl.context import BuildContext, LoadStats
from etl.load import ptv_v12, ptv_workers
from etl.load.places import resolve_municipality, resolve_places
from etl.load.quarantine import Reject, reject_if_seen, reject_wrong_types, set_aside
from etl.load.ptv_public import (PUBLIC_CHANNEL_COLUMNS, PUBLIC_ORGANISATION_COLUMNS, PUBLIC_SERVICE_COLUMNS,
                                  PUBLIC_TYPES, channel_contact, county_municipalities, public_owner,
                                  public_service)
from etl.load.ptv_records import (NATIONWIDE, SOURCE, Channel, ChannelIndex, localized, read_all as read_v11,
                                  service_org_ids)
from etl.load.readers import JsonRecord, source_files
from etl.load.staging import ACTIVITY_COLUMNS, ORGANISATION_COLUMNS, StagingWriter, write_staging
from etl.load.values import business_id_fields, parse_timestamp, scrub_personal
from etl.ptv.settings import ORG_TYPE_TO_V12
from etl.text import safe_url

NGO_TYPES = ("Organization",)
PRIVATE_TYPES = ("Company", "SotePrivate")
CHANNEL_COLUMNS: dict[str, str] = {
    "source_id": "varchar", "file": "varchar", "record_ref": "varchar", "org_source_id": "varchar",
    "channel_type": "varchar", "name": "varchar", "municipality_code": "varchar", "lat": "double", "lon": "double",
    "service_ids": "varchar[]",
}


def load(con: Any, ctx: BuildContext) -> LoadStats:
    """The PTV source, either API version: v12 pages (``ptv/v12/``) when :func:`etl.load.ptv_v12.use_v12` says so,
    adapted to v11 records by etl/load/ptv_v12.py; else the v11 pages. Both go through :func:`load_files`."""
    if ptv_v12.use_v12(ctx):
        v12 = ptv_v12.prepare(con, ctx)
        return load_files(con, ctx, v12.files, records=v12.records, stats=v12.stats, index=v12.channel_index,
                          workers=ptv_workers.worker_count([*v12.files["services"], *v12.files["channels"]]),
                          jobs=v12.jobs, worker_setup=v12.worker_setup)
    return load_files(con, ctx, {kind: source_files(ctx, f"ptv/{kind}", (".json",))
                                 for kind in ("organizations", "services", "channels")})


def v11_records(ctx: BuildContext, stats: LoadStats, kind: str, paths: list[Path], file_rows: list[dict[str, Any]],
                compute: Callable[[Path, JsonRecord], Any], workers: Any = None) -> Iterator[tuple[Path, Any, Any]]:
    """`(path, record, compute(path, record))` for the records of v11 pages (`workers` are for v12 pages)."""
    for path, rec in read_v11(ctx, stats, paths, file_rows):
        yield path, rec, compute(path, rec)


def load_files(con: Any, ctx: BuildContext, files: dict[str, list[Path]], *, records: Any = None,
               stats: LoadStats | None = None, index: Any = None, workers: int = 0, jobs: Any = None,
               worker_setup: Any = None) -> LoadStats:
    """`records` (default: v11 pages, :func:`v11_records`), `stats` and the channel `index` (default: in memory,
    etl.load.ptv_records.ChannelIndex) are the v12 adapter's hook (etl/load/ptv_v12.py); with `jobs` and
    `worker_setup` (what a worker does, by kind, and how a worker process sets itself up: etl.load.ptv_v12),
    `workers` processes decide the channels and services when above 0 (etl/load/ptv_workers.py).

    Per record, what the rules decide (:class:`Rules`: pure, so a worker may run them) is kept apart from applying
    it (here, in reading order: duplicates, the channel index, staging rows, quarantine)."""
    records = records or v11_records
    stats = stats or LoadStats(SOURCE)
    index = index or ChannelIndex()
    # Files are parsed one at a time and dropped once their records are handled (the parsed JSON of every file at
    # once was most of the build's peak memory). Quarantine rows for unreadable files still come first, as if
    # every file had been read before any record: they are set aside here and put in front at the end.
    first_row = len(ctx.quarantine.rows)
    kinds = ("organizations", "services", "channels")
    file_rows: dict[str, list[dict[str, Any]]] = {kind: [] for kind in kinds}
    stats.files += [f"{path.parent.name}/{path.name}" for kind in kinds for path in files.get(kind, [])]

    # the NGOs' staging rows are written in batches; `orgs` keeps what their services read of them
    org_rows = StagingWriter(con, "stg_ptv__organisation", ORGANISATION_COLUMNS, stats=stats)
    orgs: dict[str, dict[str, Any]] = {}
    public_orgs: dict[str, dict[str, Any]] = {}
    private_ids: set[str] = set()   # Company / SotePrivate organisations: their services and channels say so

    def organisation_outcome(path: Path, rec: JsonRecord) -> Any:
        return reject_wrong_types(_organisation, ctx, path, rec)

    for path, rec, result in records(ctx, stats, "organizations", files.get("organizations", []),
                                     file_rows["organizations"], organisation_outcome):
        if isinstance(result, Reject) and result.reason == "private_company" and isinstance(rec.record, dict):
            private_ids.add(str(rec.record.get("id")))
        key = None if isinstance(result, Reject) else result["source_id"]
        result = reject_if_seen(result, key, public_orgs if key in public_orgs else orgs, "organisation")
        if set_aside(ctx, stats, SOURCE, path, rec, result):
            continue
        if "org_type" in result:
            public_orgs[result["source_id"]] = result
        else:
            orgs[result["source_id"]] = {k: result[k] for k in ("source_id", "business_id", "name")}
            org_rows.append(result)
        stats.loaded += 1
    counties = county_municipalities(con, ctx)

    rules = Rules(ctx, orgs, public_orgs, private_ids, counties, index.channels, index.channels_of)
    pool = ptv_workers.Workers(workers, jobs(rules), *worker_setup(rules)) if workers and jobs else None
    try:
        _channels_and_services(con, ctx, stats, files, file_rows, records, index, pool, rules)
    finally:
        if pool is not None:
            pool.close()

    ctx.quarantine.rows[first_row:first_row] = [row for kind in kinds for row in file_rows[kind]]
    org_rows.close()
    write_staging(con, "stg_ptv__public_organisation", PUBLIC_ORGANISATION_COLUMNS, list(public_orgs.values()), stats)
    return stats


@dataclass
class Rules:
    """What the rules of a channel or a service read besides the record, and the rules themselves
    (:meth:`channel`, :meth:`service`: pure, what they decide is applied by the caller). Picklable: a worker process
    gets a copy (etl/load/ptv_workers.py; `channels` is the channel index's dict of the group being read, the same
    object the index fills)."""
    ctx: BuildContext
    orgs: dict[str, dict[str, Any]]
    public_orgs: dict[str, dict[str, Any]]
    private_ids: set[str]
    counties: dict[tuple[str, str], list[str]]
    channels: dict[str, Channel]
    channels_of: dict[str, list[str]]

    def channel(self, path: Path, rec: JsonRecord) -> tuple[Any, bool, Any, Any]:
        """(the channel's facts or a Reject, public, its row or a Reject, its public contact or the error)"""
        ch = reject_wrong_types(_parse_channel, rec.record) if isinstance(rec.record, dict) else None
        if isinstance(ch, Reject):
            return ch, False, None, None
        public = ch is not None and str(rec.record.get("organizationId") or "") in self.public_orgs
        result = reject_wrong_types(_channel_row, self.ctx, path, rec, ch,
                                    self.public_orgs if public else self.orgs, self.private_ids)
        contact = None
        if public and not isinstance(result, Reject):
            try:
                contact = channel_contact(rec.record, ch)
            except Exception as e:  # noqa: BLE001 - raised where it always was: when the row is written
                contact = e
        return ch, public, result, contact

    def service(self, path: Path, rec: JsonRecord) -> tuple[bool, Any]:
        """(public, its row or a Reject)"""
        public_org = public_owner(rec.record, self.orgs, self.public_orgs) if self.public_orgs else None
        if public_org is not None:
            return True, reject_wrong_types(public_service, self.ctx, path, rec, public_org, self.channels,
                                            self.channels_of, self.counties)
        return False, reject_wrong_types(_service, self.ctx, path, rec, self.orgs, self.channels, self.channels_of,
                                         self.private_ids)


def _channels_and_services(con: Any, ctx: BuildContext, stats: LoadStats, files: dict[str, list[Path]],
                           file_rows: dict[str, list[dict[str, Any]]], records: Any, index: Any, pool: Any,
                           rules: Rules) -> None:
    channel_rows = StagingWriter(con, "stg_ptv__channel", CHANNEL_COLUMNS, stats=stats)
    public_channel_rows = StagingWriter(con, "stg_ptv__public_channel", PUBLIC_CHANNEL_COLUMNS, stats=stats)
    loaded_channels: set[str] = set()
    for path, rec, (ch, public, result, contact) in records(ctx, stats, "channels", files.get("channels", []),
                                                            file_rows["channels"], rules.channel, pool):
        if isinstance(ch, Reject):
            set_aside(ctx, stats, SOURCE, path, rec, ch)
            continue
        if ch:
            index.add(ch)
        result = reject_if_seen(result, None if isinstance(result, Reject) else result["source_id"], loaded_channels,
                                "channel")
        if set_aside(ctx, stats, SOURCE, path, rec, result):
            continue
        if public:
            if isinstance(contact, BaseException):
                raise contact
            public_channel_rows.append({**result, **contact})
        else:
            channel_rows.append(result)
        loaded_channels.add(result["source_id"])
        stats.loaded += 1
    index.close()
    del loaded_channels
    channel_rows.flush()   # not held through the services (close() at the end notes the cut texts in order)
    public_channel_rows.flush()
    # channels and services are written in batches as they load: a large export's rows are not all held at once
    activities = StagingWriter(con, "stg_ptv__activity", ACTIVITY_COLUMNS, stats=stats)
    public_services = StagingWriter(con, "stg_ptv__public_service", PUBLIC_SERVICE_COLUMNS, stats=stats)
    loaded_services: set[str] = set()
    for path, rec, (public, result) in records(ctx, stats, "services", files.get("services", []),
                                               file_rows["services"], rules.service, pool):
        result = reject_if_seen(result, None if isinstance(result, Reject) else result["source_id"], loaded_services,
                                "service")
        if set_aside(ctx, stats, SOURCE, path, rec, result):
            continue
        (public_services if public else activities).append(result)
        loaded_services.add(intern(result["source_id"]))
        stats.loaded += 1
    index.drop()
    del loaded_services
    activities.close()
    channel_rows.close()
    public_services.close()
    public_channel_rows.close()


# --- coordinates -----------------------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _tm35_to_wgs84() -> Any:
    from pyproj import Transformer
    return Transformer.from_crs("EPSG:3067", "EPSG:4326", always_xy=True)


def _latlon(lat: Any, lon: Any) -> tuple[float | None, float | None]:
    """PTV v11 gives coordinates as strings, in ETRS-TM35FIN metres (northing in `latitude`) for most records;
    accept WGS84 degrees too."""
    try:
        y, x = float(str(lat).replace(",", ".")), float(str(lon).replace(",", "."))
    except (TypeError, ValueError):
        return None, None
    if 59.0 <= y <= 70.5 and 19.0 <= x <= 32.0:
        return y, x
    if 6_600_000 <= y <= 7_800_000 and 50_000 <= x <= 800_000:
        lo, la = _tm35_to_wgs84().transform(x, y)
        return round(la, 6), round(lo, 6)
    return None, None


# --- organisations -------------------------------------------------------------------------------------------

def _organisation(ctx: BuildContext, path: Path, rec: JsonRecord) -> dict[str, Any] | Reject:
    o = rec.record
    if not isinstance(o, dict):
        return Reject("bad_type", f"expected an organisation object, found {type(o).__name__}")
    if not o.get("id"):
        return Reject("missing_field", "missing id")
    org_type = o.get("organizationType")
    if org_type in PRIVATE_TYPES:
        return Reject("private_company", f"organizationType {org_type!r} is a private service provider")
    if org_type not in NGO_TYPES and org_type not in PUBLIC_TYPES:
        return Reject("not_an_ngo", f"organizationType {org_type!r} is neither Organization nor a public type")
    names = o.get("organizationNames")
    name = localized(names, ("Name",), "fi") or localized(names, ("Name", "AlternativeName"), None)
    if not name:
        return Reject("missing_field", "missing organisation name (organizationNames)")
    if org_type in PUBLIC_TYPES:
        # one vocabulary whichever API version was read: v12's (v11 Region / SotePublic -> RegionalOrganization)
        return {"source_id": str(o["id"]), "file": path.name, "record_ref": rec.ref,
                "org_type": ORG_TYPE_TO_V12.get(org_type, org_type),
                "business_id": business_id_fields(o.get("businessCode"))["business_id"], "name": name,
                "name_sv": localized(names, ("Name",), "sv"), "home_municipality_code": _org_home(ctx, o),
                "website": _website(o), "updated_at": parse_timestamp(o.get("modified"))}
    return {"source": SOURCE, "source_id": str(o["id"]), "file": path.name, "record_ref": rec.ref,
            **business_id_fields(o.get("businessCode")), "name": name,
            "name_sv": localized(names, ("Name",), "sv"), "company_form": None,
            "home_municipality_code": _org_home(ctx, o), "main_business_line": None,
            "website": _website(o), "updated_at": parse_timestamp(o.get("modified"))}


def _website(o: dict[str, Any]) -> str | None:
    return next((u for w in o.get("webPages") or [] if isinstance(w, dict)
                 if (u := safe_url(w.get("url") or w.get("value")))), None)


def _org_home(ctx: BuildContext, o: dict[str, Any]) -> str | None:
    """Visiting address first, then postal. Lenient on purpose: a bad address must not make the NGO (and with it
    all its services) disappear; the home municipality is only used for the 'registered in' view."""
    refs = [((o.get("municipality") or {}).get("code"))]
    for wanted in ("Visiting", "Postal"):
        refs += [((a.get("streetAddress") or {}).get("municipality") or {}).get("code")
                 for a in o.get("addresses") or [] if isinstance(a, dict) and a.get("type") == wanted]
    for ref in refs:
        if ref and (res := resolve_municipality(ctx, ref)).code:
            return res.code
    return None


# --- channels --------------------------------------------------------------------------------------------------

def _parse_channel(c: dict[str, Any]) -> Channel | None:
    if not c.get("id"):
        return None
    addresses = [a for a in c.get("addresses") or [] if isinstance(a, dict)]
    # the location address, not the postal one, says where the service is given
    addresses.sort(key=lambda a: 0 if a.get("type") in ("Location", "Visiting") else 1)
    muni, lat, lon = None, None, None
    for a in addresses:
        street = a.get("streetAddress") or {}
        if (street.get("municipality") or {}).get("code"):
            muni = str(street["municipality"]["code"])
            lat, lon = _latlon(street.get("latitude"), street.get("longitude"))
            break
    url = next((u for w in c.get("webPages") or [] if isinstance(w, dict)
                if (u := safe_url(w.get("url") or w.get("value")))), None)
    # ids, types and codes interned: the channel index of a national export holds millions of them, many repeated
    service_ids = [intern(str(s["service"]["id"])) for s in c.get("services") or []
                   if isinstance(s, dict) and isinstance(s.get("service"), dict) and s["service"].get("id")]
    return Channel(intern(str(c["id"])), intern(str(c.get("serviceChannelType") or "")),
                   intern(muni) if muni else muni, lat, lon, url, service_ids)


def _channel_row(ctx: BuildContext, path: Path, rec: JsonRecord, ch: Channel | None,
                 orgs: dict[str, dict[str, Any]], private_ids: set[str] = frozenset()) -> dict[str, Any] | Reject:
    """The channel of a loaded organisation (`orgs`: the NGOs, or the public organisations)."""
    c = rec.record
    if ch is None:
        return Reject("missing_field", "missing channel id") if isinstance(c, dict) else \
            Reject("bad_type", f"expected a channel object, found {type(c).__name__}")
    org_id = str(c.get("organizationId") or "")
    if org_id in private_ids:
        return Reject("private_company", f"channel organisation {org_id} is a private service provider")
    if org_id not in orgs:
        return Reject("not_an_ngo", f"channel organisation {org_id or '(none)'} is not a loaded NGO "
                      "or public organisation")
    code = None
    if ch.municipality_raw:
        res = resolve_municipality(ctx, ch.municipality_raw)
        if not res.code:
            return Reject("unknown_municipality", f"unknown municipality {ch.municipality_raw!r} ({res.message})")
        code = res.code
    return {"source_id": ch.id, "file": path.name, "record_ref": rec.ref, "org_source_id": org_id,
            "channel_type": ch.type, "name": localized(c.get("serviceChannelNames"), ("Name",), "fi")
            or localized(c.get("serviceChannelNames"), ("Name",), None), "municipality_code": code,
            "lat": ch.lat, "lon": ch.lon, "service_ids": ch.service_ids}


# --- services --------------------------------------------------------------------------------------------------

def _service_org(s: dict[str, Any], orgs: dict[str, dict[str, Any]]) -> dict[str, Any] | None:
    """The first organisation of the service (main, responsible, producer, other) that is in `orgs`."""
    return next((orgs[i] for i in service_org_ids(s) if i in orgs), None)


def _service(ctx: BuildContext, path: Path, rec: JsonRecord, orgs: dict[str, dict[str, Any]],
             channels: dict[str, Channel], channels_of: dict[str, list[str]],
             private_ids: set[str] = frozenset()) -> dict[str, Any] | Reject:
    s = rec.record
    if not isinstance(s, dict):
        return Reject("bad_type", f"expected a service object, found {type(s).__name__}")
    if not s.get("id"):
        return Reject("missing_field", "missing id")
    sid = str(s["id"])
    org = _service_org(s, orgs)
    if org is None:
        if any(i in private_ids for i in service_org_ids(s)):
            return Reject("private_company", "its organisation is a private service provider "
                          "(no NGO or public organisation)")
        return Reject("not_an_ngo", "no responsible, producing or main organisation is a loaded NGO "
                      "or public organisation")
    names = s.get("serviceNames")
    name_fi = localized(names, ("Name",), "fi")
    name_sv = localized(names, ("Name",), "sv")
    name_en = localized(names, ("Name",), "en")
    if not (name_fi or name_sv or name_en):
        return Reject("missing_field", "missing service name (serviceNames type Name)")
    linked_ids = [str((c.get("serviceChannel") or {}).get("id")) for c in s.get("serviceChannels") or []
                  if isinstance(c, dict) and (c.get("serviceChannel") or {}).get("id")]
    linked_ids += channels_of.get(sid, [])
    linked = [channels[c] for c in dict.fromkeys(linked_ids) if c in channels]
    locations = [c for c in linked if c.type == "ServiceLocation"]
    national = s.get("areaType") in NATIONWIDE and not locations
    refs = [c.municipality_raw for c in locations]
    if s.get("areaType") == "LimitedType":
        for area in s.get("areas") or []:
            if not isinstance(area, dict):
                continue
            if area.get("type") == "Municipality":
                refs.append(area.get("code"))
            else:  # region-like areas list their municipalities: the service is offered in each of them
                refs += [m.get("code") for m in area.get("municipalities") or [] if isinstance(m, dict)]
    places = resolve_places(ctx, refs, national)
    if places.reason:
        return Reject(places.reason, places.message or "")
    mode = "in_person" if locations else "phone" if any(c.type == "Phone" for c in linked) else "online"
    lat, lon = next(((c.lat, c.lon) for c in locations if c.lat is not None), (None, None))
    descs = s.get("serviceDescriptions")
    description = (localized(descs, ("Description", "Summary"), "fi")
                   or localized(descs, ("Description", "Summary"), None))
    return {
        "source": SOURCE, "source_id": sid, "file": path.name, "record_ref": rec.ref,
        "org_source_id": org["source_id"], "org_business_id": org["business_id"], "org_name": org["name"],
        "name_fi": name_fi, "name_sv": name_sv, "name_en": name_en, "description": scrub_personal(description),
        "class_codes": [f"ptv:{c['code']}" for c in s.get("serviceClasses") or [] if isinstance(c, dict) and c.get("code")],
        "target_codes": [f"ptv:{t['code']}" for t in s.get("targetGroups") or [] if isinstance(t, dict) and t.get("code")],
        "mode": mode, "is_national": national, "municipality_codes": places.codes,
        "languages": list(dict.fromkeys(str(x).lower() for x in s.get("languages") or [] if x)),
        "url": next((c.url for c in linked if c.type in ("WebPage", "EChannel") and c.url), None),
        "updated_at": parse_timestamp(s.get("modified")), "lat": lat, "lon": lon,
    }


