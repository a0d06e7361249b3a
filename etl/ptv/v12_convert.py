"""A pure converter from v11-shaped PTV records (as the demo draws them) to v12 pages, and the writer of those pages.

Every page it produces is a v12 search or reference-data response of the official document (the schema per file:
:func:`etl.ptv.settings.schema_name_for`). What v12 cannot say that v11 did (so a v11 -> v12 -> v11 round trip loses
it; see :mod:`etl.load.ptv_v12`): addresses carry no municipality (a channel's municipality is the first municipality
of its area, an organisation's home municipality the first municipality of its area, so a whole-country organisation
has none: harmonise then takes the registered seat from YTJ, docs/methods.md); a service location's address keeps one
street name per language; a web/phone/e-service channel keeps one web address per language;
``SotePublic``/``SotePrivate``/``Region`` organisation types become ``RegionalOrganization``/``Company``.
"""
from __future__ import annotations

import json
import math
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Mapping

from etl.ptv.settings import (
    AREA_TO_V12, CHANNEL_TYPE_TO_V12, CHARGE_TO_V12, CODE_SCHEMAS, CODE_URIS, COUNTY_AREA_TYPES, FUNDING_TYPES, LANGS,
    MAX_PAGE_SIZE, NIL_UUID, ORG_TYPE_TO_V12, ORG_TYPES, REGION_AREA_TYPES, SERVICE_LANGUAGES, SERVICE_TYPE_TO_V12,
    empty_service_hours, paginate,
)

# --- small helpers -----------------------------------------------------------------------------------------------

def _dicts(items: Any) -> list[dict[str, Any]]:
    return [i for i in items or [] if isinstance(i, dict)] if isinstance(items, list) else []


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value != "" else None


def _lang(value: Any) -> str | None:
    return value if value in LANGS else None


def _uniq(items: Iterable[Any]) -> list[Any]:
    return list(dict.fromkeys(i for i in items if i))


def iso_utc(value: Any) -> str | None:
    """A v11 timestamp as an RFC 3339 UTC date-time (``2025-03-01T09:30:00Z``); naive values are taken as UTC,
    like the loader does."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        dt = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if dt.tzinfo:
        dt = dt.astimezone(timezone.utc).replace(tzinfo=None)
    return dt.isoformat() + "Z"


@lru_cache(maxsize=1)
def _wgs84_to_tm35() -> Any:
    from pyproj import Transformer
    return Transformer.from_crs("EPSG:4326", "EPSG:3067", always_xy=True)


def coordinates_to_v12(lat: Any, lon: Any) -> list[dict[str, Any]]:
    """v11 coordinate strings (ETRS-TM35FIN metres with the northing in `latitude`, or WGS84 degrees) as the v12
    ``CoordinateResponse`` list (EPSG:3067 only)."""
    try:
        y, x = float(str(lat).replace(",", ".")), float(str(lon).replace(",", "."))
    except (TypeError, ValueError):
        return []
    if not (math.isfinite(x) and math.isfinite(y)):
        return []
    if 59.0 <= y <= 70.5 and 19.0 <= x <= 32.0:
        x, y = _wgs84_to_tm35().transform(x, y)
    return [{"system": "EPSG:3067", "source": "User", "easting": x, "northing": y}]


# --- v11 -> v12 --------------------------------------------------------------------------------------------------

class Codes:
    """Code names and region / county members seen while converting (become the reference-data pages)."""

    def __init__(self) -> None:
        self.names: dict[str, dict[str, dict[str, str]]] = {k: {} for k in CODE_SCHEMAS}
        self.members: dict[str, dict[str, list[str]]] = {"region-codes": {}, "wellbeing-services-county-codes": {}}

    def add(self, kind: str, code: str, names: Any = None) -> None:
        entry = self.names[kind].setdefault(code, {})
        for n in _dicts(names):
            if (lang := _lang(n.get("language"))) and (v := _str(n.get("value"))):
                entry.setdefault(lang, v)

    def add_area(self, kind: str, code: str, names: Any, members: list[str]) -> None:
        self.add(kind, code, names)
        known = self.members[kind].setdefault(code, [])
        known += [m for m in members if m not in known]

    def pages(self, page_size: int) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for kind, codes in self.names.items():
            items = []
            for code, names in codes.items():
                item: dict[str, Any] = {"code": code, "isValid": True, "name": names}
                if kind in self.members:
                    item["municipalities"] = self.members[kind].get(code, [])
                else:
                    item = {"code": code, "uri": CODE_URIS[kind] + code, "parentUri": None, "isValid": True,
                            "name": names}
                items.append(item)
            if items:
                for n, page in enumerate(paginate(items, page_size), start=1):
                    out[f"codes/{kind}_page_{n:04d}.json"] = page
        return out


def _localized_by_lang(items: Any, types: tuple[str, ...]) -> dict[str, str]:
    """{language: first value of the first matching type} in the order languages first appear."""
    out: dict[str, str] = {}
    for t in types:
        for i in _dicts(items):
            lang = _lang(i.get("language"))
            if lang and i.get("type") == t and (v := _str(i.get("value"))):
                out.setdefault(lang, v)
    return out


def _languages(*groups: Any) -> list[str]:
    langs: list[str] = []
    for g in groups:
        for i in _dicts(g):
            if (lang := _lang(i.get("language"))) and lang not in langs:
                langs.append(lang)
    return langs


def _web_pages_by_lang(pages: Any, default: str | None) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for w in _dicts(pages):
        url = _str(w.get("url")) or _str(w.get("value"))
        lang = _lang(w.get("language")) or default
        if url and lang:
            out.setdefault(lang, []).append(url)
    return out


def _muni_code(address: dict[str, Any]) -> str | None:
    street = address.get("streetAddress") if isinstance(address.get("streetAddress"), dict) else {}
    muni = street.get("municipality") if isinstance(street.get("municipality"), dict) else {}
    code = muni.get("code")
    return str(code) if code not in (None, "") else None


def _street_address(address: dict[str, Any], *, accessibility: bool = False) -> dict[str, Any] | None:
    street = address.get("streetAddress")
    if not isinstance(street, dict):
        return None
    names = {lang: v for i in _dicts(street.get("street"))
             if (lang := _lang(i.get("language"))) and (v := _str(i.get("value")))}
    out = {"addressSource": {"source": "UserEntered"}, "streetName": names,
           "addressDetail": str(street.get("streetNumber") or ""), "postalCode": str(street.get("postalCode") or ""),
           "coordinates": coordinates_to_v12(street.get("latitude"), street.get("longitude")),
           "additionalInformation": {}}
    if accessibility:
        out["accessibilityRegisterServicePointId"] = None
    return out


def _area_to_v12(area_type: Any, areas: Any, codes: Codes, first: list[str] = ()) -> dict[str, Any] | None:
    v12 = AREA_TO_V12.get(area_type)
    if v12 is None:
        return None
    if v12 != "LimitedArea":
        return {"areaType": v12}
    munis, regions, counties = list(first), [], []
    for a in _dicts(areas):
        members = [str(m["code"]) for m in _dicts(a.get("municipalities")) if m.get("code")]
        code = str(a["code"]) if a.get("code") not in (None, "") else None
        if a.get("type") == "Municipality":
            munis += [code] if code else members
        elif code and a.get("type") in REGION_AREA_TYPES:
            regions.append(code)
            codes.add_area("region-codes", code, a.get("name"), members)
        elif code and a.get("type") in COUNTY_AREA_TYPES:
            counties.append(code)
            codes.add_area("wellbeing-services-county-codes", code, a.get("name"), members)
        else:   # hospital districts, business sub-regions...: v12 has no such area; keep their municipalities
            munis += members
    return {"areaType": "LimitedArea", "municipalities": _uniq(munis), "regions": _uniq(regions),
            "wellbeingServicesCounties": _uniq(counties)}


def _require_id(rec: Any, what: str) -> str:
    if not isinstance(rec, dict) or not rec.get("id"):
        raise ValueError(f"a v11 {what} without an id cannot be written as v12")
    return str(rec["id"])


def organization_to_v12(o: dict[str, Any], codes: Codes | None = None) -> dict[str, Any]:
    codes = codes or Codes()
    cid = _require_id(o, "organisation")
    names = o.get("organizationNames")
    descs = o.get("organizationDescriptions")
    langs = _languages(names, descs)
    name, alt = _localized_by_lang(names, ("Name",)), _localized_by_lang(names, ("AlternativeName",))
    summary, desc = _localized_by_lang(descs, ("Summary",)), _localized_by_lang(descs, ("Description",))
    pages = _web_pages_by_lang(o.get("webPages"), langs[0] if langs else "fi")
    langs += [lang for lang in pages if lang not in langs]
    versions = {lang: {"name": name.get(lang) or alt.get(lang) or "", "alternativeName": alt.get(lang),
                       "isAlternativeNamePrimary": False, "description": desc.get(lang),
                       "summary": summary.get(lang), "contactEmails": [],
                       "contactWebPages": [{"name": "", "url": u} for u in pages.get(lang, [])],
                       "contactPhoneNumbers": []} for lang in langs}
    addresses = _dicts(o.get("addresses"))
    muni = (o.get("municipality") or {}) if isinstance(o.get("municipality"), dict) else {}
    home = _uniq([str(muni["code"]) if muni.get("code") else None]
                 + [_muni_code(a) for t in ("Visiting", "Postal") for a in addresses if a.get("type") == t])[:1]
    otype = ORG_TYPE_TO_V12.get(o.get("organizationType"), o.get("organizationType"))
    if otype not in ORG_TYPES:
        raise ValueError(f"organisation {cid}: organizationType {o.get('organizationType')!r} has no v12 type")
    area_type = "LimitedType" if otype in ("Municipality", "RegionalOrganization") else o.get("areaType")
    area = _area_to_v12(area_type or "LimitedType", o.get("areas"), codes, home)
    if otype == "Municipality":
        area = {"areaType": "LimitedArea", "municipalities": (area or {}).get("municipalities", [])[:1]}
        if not area["municipalities"]:
            raise ValueError(f"organisation {cid}: a municipality organisation needs its municipality")
    return {
        "contentId": cid, "parentOrganizationContentId": _str(o.get("parentOrganizationId")),
        "languageVersions": versions, "businessId": str(o.get("businessCode") or ""), "oid": _str(o.get("oid")),
        "eInvoiceAddresses": [], "publishedAt": iso_utc(o.get("modified")),
        "contactAddresses": {"foreignAddresses": [], "postOfficeBoxAddresses": [],
                             "streetAddresses": [s for a in addresses if a.get("type") == "Postal"
                                                 if (s := _street_address(a))]},
        "location": {"foreignAddresses": [], "otherAddresses": [],
                     "streetAddresses": [s for a in addresses if a.get("type") == "Visiting"
                                         if (s := _street_address(a))]},
        "organizationType": otype, "area": area,
    }


def _code_list(items: Any, kind: str, codes: Codes) -> list[str]:
    out = []
    for i in _dicts(items):
        code = _str(i.get("code")) or (_str(i.get("uri")) or "").rstrip("/").rsplit("/", 1)[-1] or None
        if code:
            out.append(code)
            codes.add(kind, code, i.get("name"))
    return _uniq(out)


def service_to_v12(s: dict[str, Any], codes: Codes | None = None) -> dict[str, Any]:
    codes = codes or Codes()
    sid = _require_id(s, "service")
    stype = SERVICE_TYPE_TO_V12.get(s.get("type"), "Service")
    names, descs = s.get("serviceNames"), s.get("serviceDescriptions")
    langs = _languages(names, descs)
    name, alt = _localized_by_lang(names, ("Name",)), _localized_by_lang(names, ("AlternativeName",))
    summary, desc = _localized_by_lang(descs, ("Summary",)), _localized_by_lang(descs, ("Description",))
    instr = _localized_by_lang(descs, ("UserInstruction",))
    keywords: dict[str, list[str]] = {}
    for k in _dicts(s.get("keywords")):
        if (lang := _lang(k.get("language"))) and (v := _str(k.get("value"))):
            keywords.setdefault(lang, []).append(v)
    versions = {}
    for lang in langs:
        v = {"name": name.get(lang) or alt.get(lang) or "", "alternativeName": alt.get(lang),
             "summary": summary.get(lang), "description": desc.get(lang), "userInstructions": instr.get(lang),
             "conditions": None, "legislationLinks": [], "freelyAssignedKeywords": keywords.get(lang, []),
             "voucher": {"voucherType": "NotUsed"}, "chargeTypeAdditionalInformation": None}
        if stype != "Service":
            v.update({"processingTimeAdditionalInformation": None, "deadlineAdditionalInformation": None,
                      "validityTimeAdditionalInformation": None})
        versions[lang] = v
    links = _dicts(s.get("organizations"))
    by_role: dict[str, list[str]] = {}
    for link in links:
        oid = (link.get("organization") or {}).get("id") if isinstance(link.get("organization"), dict) else None
        if oid:
            by_role.setdefault(str(link.get("roleType")), []).append(str(oid))
    main_org = s.get("mainOrganization") if isinstance(s.get("mainOrganization"), dict) else {}
    main = _str(main_org.get("id")) or next(iter(by_role.get("Responsible", [])), None) or NIL_UUID
    other = _uniq([o for o in by_role.get("Responsible", []) + by_role.get("OtherResponsible", []) if o != main])
    return {
        "contentId": sid, "organizationContentId": main,
        "generalDescriptionContentId": _str(s.get("generalDescriptionId")),
        "targetGroups": _code_list(s.get("targetGroups"), "target-groups", codes),
        "industrialClasses": _uniq(_str(i.get("uri")) for i in _dicts(s.get("industrialClasses"))),
        "lifeEvents": _code_list(s.get("lifeEvents"), "life-events", codes),
        "ontologyTerms": _uniq(_str(i.get("uri")) for i in _dicts(s.get("ontologyTerms"))),
        "serviceClasses": _code_list(s.get("serviceClasses"), "service-classes", codes),
        "producers": {"selfProducedProducers": {"organizations": _uniq(by_role.get("Producer", []))},
                      "procuredProducers": {"organizations": [], "other": []},
                      "otherProducers": {"organizations": [], "other": []}},
        "otherResponsibleOrganizations": other,
        "chargeType": CHARGE_TO_V12.get(s.get("serviceChargeType")),
        "fundingType": s.get("fundingType") if s.get("fundingType") in FUNDING_TYPES else None,
        "serviceLanguages": _uniq(str(x).lower() for x in s.get("languages") or []
                                  if str(x).lower() in SERVICE_LANGUAGES),
        "area": _area_to_v12(s.get("areaType") or "Nationwide", s.get("areas"), codes),
        "publishedAt": iso_utc(s.get("modified")), "serviceType": stype, "languageVersions": versions,
    }


def channel_to_v12(c: dict[str, Any], codes: Codes | None = None) -> dict[str, Any]:
    codes = codes or Codes()
    cid = _require_id(c, "channel")
    ctype = CHANNEL_TYPE_TO_V12.get(c.get("serviceChannelType"))
    if ctype is None:
        raise ValueError(f"channel {cid}: serviceChannelType {c.get('serviceChannelType')!r} has no v12 type")
    names, descs = c.get("serviceChannelNames"), c.get("serviceChannelDescriptions")
    langs = _languages(names, descs)
    name = _localized_by_lang(names, ("Name",))
    alt = _localized_by_lang(names, ("AlternativeName",))
    summary, desc = _localized_by_lang(descs, ("Summary", "ShortDescription")), \
        _localized_by_lang(descs, ("Description",))
    pages = _web_pages_by_lang(c.get("webPages"), langs[0] if langs else "fi")
    langs += [lang for lang in pages if lang not in langs]
    addresses = _dicts(c.get("addresses"))
    # the loader's channel municipality: the first address with a municipality, location addresses first
    ordered = sorted(addresses, key=lambda a: 0 if a.get("type") in ("Location", "Visiting") else 1)
    muni = next((m for a in ordered if (m := _muni_code(a))), None)
    area = _area_to_v12(c.get("areaType") or ("LimitedType" if muni else None), c.get("areas"), codes,
                        [muni] if muni else [])
    out: dict[str, Any] = {
        "contentId": cid, "organizationContentId": _str(c.get("organizationId")) or NIL_UUID,
        "allowedConnectionType": "AllOrganizations",
        "serviceLanguages": _uniq(str(x).lower() for x in c.get("languages") or []
                                  if str(x).lower() in SERVICE_LANGUAGES),
        "area": area, "publishedAt": iso_utc(c.get("modified")), "serviceChannelType": ctype,
    }
    versions: dict[str, Any] = {}
    for lang in langs:
        base = {"name": name.get(lang) or alt.get(lang) or "", "summary": summary.get(lang),
                "description": desc.get(lang)}
        url = next(iter(pages.get(lang, [])), None)
        web = {"url": url, "name": None}
        if ctype == "ServiceLocation":
            base.update({"alternativeName": alt.get(lang), "isAlternativeNamePrimary": False, "contactEmails": [],
                         "contactFaxNumbers": [], "contactPhoneNumbers": [],
                         "contactWebPages": [{"name": "", "url": u} for u in pages.get(lang, [])]})
        elif ctype == "WebPage":
            base.update({"accessibilityClassificationLevel": "Unknown", "webAddress": web, "supportEmails": [],
                         "supportPhoneNumbers": []})
        elif ctype == "EService":
            base.update({"accessibilityClassificationLevel": "Unknown", "webAddress": web, "attachmentLinks": [],
                         "supportEmails": [], "supportPhoneNumbers": []})
        elif ctype == "TelephoneService":
            base.update({"webAddress": web, "supportEmails": [], "phoneNumbers": []})
        else:   # PrintableForm
            base.update({"attachmentLinks": [{"name": "", "url": u, "additionalInformation": None}
                                             for u in pages.get(lang, [])],
                         "supportEmails": [], "supportPhoneNumbers": [], "formIdentifier": None, "formFiles": []})
        versions[lang] = base
    out["languageVersions"] = versions
    if ctype == "ServiceLocation":
        out["location"] = {"foreignAddresses": [], "otherAddresses": [],
                           "streetAddresses": [s for a in ordered if a.get("type") != "Postal"
                                               if (s := _street_address(a, accessibility=True))]}
        out["contactAddresses"] = {"foreignAddresses": [], "postOfficeBoxAddresses": [],
                                   "streetAddresses": [s for a in ordered if a.get("type") == "Postal"
                                                       if (s := _street_address(a))]}
    if ctype in ("ServiceLocation", "EService", "TelephoneService"):
        out["serviceHours"] = empty_service_hours()
    if ctype == "EService":
        out["electronicSignature"] = {"type": "NotRequired"}
        out["electronicIdentification"] = "NotRequired"
    if ctype == "PrintableForm":
        out["deliveryAddresses"] = []
    return out


def connection_v12(service_id: str, channel_id: str) -> dict[str, Any]:
    return {"serviceContentId": service_id, "channelContentId": channel_id,
            "contactAddresses": {"foreignAddresses": [], "postOfficeBoxAddresses": [], "streetAddresses": []},
            "chargeType": None, "serviceHours": empty_service_hours(), "languageVersions": {}, "publishedAt": None}


def connections_of(services: Iterable[dict[str, Any]], channels: Iterable[dict[str, Any]]) -> list[tuple[str, str]]:
    """(service id, channel id) pairs named on either side (v11 services list channels and channels list services),
    service-major in each service's own channel order, then the pairs only the channels name."""
    pairs: dict[tuple[str, str], None] = {}
    for s in services:
        for link in _dicts(s.get("serviceChannels")):
            ch = link.get("serviceChannel") if isinstance(link.get("serviceChannel"), dict) else {}
            if ch.get("id") and s.get("id"):
                pairs.setdefault((str(s["id"]), str(ch["id"])), None)
    for c in channels:
        for link in _dicts(c.get("services")):
            sv = link.get("service") if isinstance(link.get("service"), dict) else {}
            if sv.get("id") and c.get("id"):
                pairs.setdefault((str(sv["id"]), str(c["id"])), None)
    return list(pairs)


def v11_to_v12_pages(organizations: Iterable[dict[str, Any]], services: Iterable[dict[str, Any]],
                     channels: Iterable[dict[str, Any]], *, page_size: int = MAX_PAGE_SIZE) -> dict[str, dict]:
    """v11-shaped records (as the demo writes them) -> v12 pages ``{relative path under ptv/v12/: page}``.

    Pure: no files, no network. Every page is a v12 search or reference-data response (see
    :func:`schema_name_for`). Raises ValueError for a record v12 cannot express (no id, unknown type)."""
    codes = Codes()
    services, channels = list(services), list(channels)
    out: dict[str, dict] = {}
    kinds = (("organizations", [organization_to_v12(o, codes) for o in organizations]),
             ("services", [service_to_v12(s, codes) for s in services]),
             ("channels", [channel_to_v12(c, codes) for c in channels]),
             ("connections", [connection_v12(s, c) for s, c in connections_of(services, channels)]))
    for kind, items in kinds:
        for n, page in enumerate(paginate(items, page_size), start=1):
            out[f"{kind}/page_{n:04d}.json"] = page
    out.update(codes.pages(page_size))
    return out


def write_v12_pages(root: Any, pages: Mapping[str, dict]) -> list[Any]:
    """Write :func:`v11_to_v12_pages` output under ``root`` (the ``ptv/v12`` folder); returns the paths."""
    written = []
    for rel, doc in sorted(pages.items()):
        path = Path(root) / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(doc, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
        written.append(path)
    return written
