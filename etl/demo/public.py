"""The public side of PTV in the synthetic world (issue 10): every wellbeing services county (as a `Region`
organisation), the larger municipalities' own employment, integration and youth services (`Municipality`) and a few
nationwide `State` services, with their service locations.

Drawn from a random stream of its own (``random.Random(seed ^ PUBLIC_STREAM)``) after every other PTV record has
been written, so the organisation and activity output of the generator is byte-identical with or without it (only
the PTV page files gain the public records at their end). As in ``ptv.py``, ``draw_public`` builds plain records
(every draw happens there, in a fixed order) and ``*_v11`` serialise them without drawing, so a later v12 writer can
serialise the same records.

Realistic variety: most municipalities have a service point of the common services (health station, elderly care,
child-health clinic), small ones miss some; some counties publish one county-wide service per field whose area is
the whole county, others one service per office whose area is the office's municipality. Two planted defects: one
service with a class that is not in the PTV code list (kept, shown as 'unknown') and one with a limited area that
names no municipality and has no location (set aside as ``unresolved_area``).
"""
from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field

from .places import Address, Muni, address
from .ptv import SERVICE_CLASS_URI, TARGET_GROUP_URI, _address_v11
from .serialise import iso
from .vocabulary import DEMO_DESC_FI, DEMO_DESC_SV
from .world import World

PUBLIC_STREAM = 0x5EB1C0DE   # seed ^ this: the public records' own random stream

# county services: key, Finnish name, Swedish name, PTV classes, chance of a service point in a municipality of
# at least SMALL inhabitants (smaller ones: scaled down by size), chance the county publishes it county-wide
COUNTY_SERVICES = [
    ("terveysasema", "Terveysasemapalvelut", "Hälsostationstjänster", ["P5.1"], 0.95, 0.2),
    ("mielenterveys", "Mielenterveys- ja päihdepalvelut", "Mentalvårds- och missbrukartjänster", ["P5.7"], 0.7, 0.3),
    ("vanhus", "Ikäihmisten palvelut ja kotihoito", "Äldreomsorg och hemvård", ["P4.2", "P4.3"], 0.9, 0.25),
    ("neuvola", "Neuvolapalvelut", "Rådgivningstjänster", ["P5.2"], 0.9, 0.2),
    ("perhe", "Perhesosiaalityö ja perheneuvola", "Familjesocialt arbete och familjerådgivning",
     ["P3.6", "P3.7"], 0.45, 0.35),
    ("opiskeluhuolto", "Koulu- ja opiskeluhuolto", "Elev- och studerandevård", ["P4.9", "P5.9"], 0.8, 0.2),
    ("vammais", "Vammaispalvelut", "Handikappservice", ["P4.4", "P4.5", "P4.7"], 0.35, 0.4),
    ("kuntoutus", "Kuntoutuspalvelut", "Rehabiliteringstjänster", ["P5.13"], 0.4, 0.3),
    ("kotisairaanhoito", "Kotisairaanhoito ja omaishoidon tuki", "Hemsjukvård och stöd för närståendevård",
     ["P5.14"], 0.6, 0.3),
    ("aikuissosiaalityo", "Aikuissosiaalityö ja toimeentulotuki", "Socialt arbete för vuxna och utkomststöd",
     ["P4.10"], 0.5, 0.3),
    ("tyokyky", "Työkykyä tukevat palvelut", "Tjänster som stöder arbetsförmågan", ["P4.8", "P10.4"], 0.3, 0.35),
]
SMALL = 10_000
# municipalities' own services (since 2025 employment services are municipal): key, names, classes, minimum
# population, chance
MUNICIPAL_SERVICES = [
    ("tyollisyys", "Työllisyyspalvelut", "Sysselsättningstjänster", ["P10.1", "P4.8"], 15_000, 0.8),
    ("kotoutuminen", "Kotoutumispalvelut", "Integrationstjänster", ["P4.11"], 20_000, 0.75),
    ("ohjaamo", "Ohjaamo – nuorten neuvonta", "Ohjaamo – rådgivning för unga", ["P28.5"], 20_000, 0.6),
]
# nationwide state services: org name, service names, classes, area type, share of counties with an office
STATE_SERVICES = [
    ("Demo-Kansaneläkelaitos", "Kuntoutus ja perustoimeentulotuki", "Rehabilitering och grundläggande utkomststöd",
     ["P5.13", "P4.10"], "Nationwide", 1.0),
    ("Demo-oikeusaputoimisto", "Talous- ja velkaneuvonta", "Ekonomi- och skuldrådgivning", ["P15.1"],
     "NationwideExceptAlandIslands", 0.6),
    ("Demo-kotoutumisen osaamiskeskus", "Kotoutumisen neuvonta verkossa", "Integrationsrådgivning på nätet",
     ["P4.11"], "Nationwide", 0.0),
]


@dataclass
class PublicOrg:
    id: str
    type: str              # Region | Municipality | State
    name: str
    name_sv: str
    home: Muni
    visiting: Address
    website: str
    modified: float


@dataclass
class PublicChannel:
    id: str
    kind: str              # ServiceLocation | Phone | EChannel
    name: str
    location: Address | None
    phone: str | None = None


@dataclass
class PublicArea:
    type: str              # Municipality | WellbeingServicesCounty | HospitalDistrict
    code: str
    munis: list[Muni]      # listed municipalities (may be empty: resolved from the code)


@dataclass
class PublicService:
    id: str
    org: PublicOrg
    name_fi: str
    name_sv: str | None
    classes: list[str]
    area_type: str
    areas: list[PublicArea]
    langs: list[str]
    modified: float
    channels: list[PublicChannel] = field(default_factory=list)


def _uuid(r: random.Random) -> str:
    return str(uuid.UUID(int=r.getrandbits(128), version=4))


def _langs(m: Muni) -> list[str]:
    return {"00": ["fi"], "01": ["fi", "sv"], "03": ["sv", "fi"], "02": ["sv", "fi"]}[m.lang]


def _phone(r: random.Random) -> str:
    return f"+358 29 {r.randint(100, 999)} {r.randint(1000, 9999)}"   # a service number, not a person's


def _location(r: random.Random, m: Muni, name: str) -> PublicChannel:
    return PublicChannel(_uuid(r), "ServiceLocation", name, address(r, m, m.lang in ("02", "03")), _phone(r))


def draw_public(w: World) -> tuple[list[PublicOrg], list[PublicService]]:
    """All public organisations and services of the world, in a fixed order of draws from their own stream."""
    r = random.Random(w.seed ^ PUBLIC_STREAM)
    by_area: dict[str, list[Muni]] = {}
    for c in w.mcodes:
        by_area.setdefault(w.munis[c].area, []).append(w.munis[c])
    orgs: list[PublicOrg] = []
    services: list[PublicService] = []

    def org(kind: str, name: str, name_sv: str, home: Muni, slug: str) -> PublicOrg:
        o = PublicOrg(_uuid(r), kind, name, name_sv, home, address(r, home, home.lang in ("02", "03")),
                      f"https://demo.example.org/public/{slug}", r.uniform(5, 300))
        orgs.append(o)
        return o

    for area in sorted(by_area):
        munis = by_area[area]
        hub = w.munis[w.area_largest[area]]
        county = org("Region", f"Demo-hyvinvointialue {hub.area_name} (DEMO)",
                     f"Demo-välfärdsområdet {hub.area_name} (DEMO)", hub, f"hva{area}")
        for key, fi, sv, classes, p_place, p_wide in COUNTY_SERVICES:
            wide = r.random() < p_wide
            points = [m for m in munis if m is hub or r.random() < p_place * min(1.0, 0.3 + 0.7 * m.pop / SMALL)]
            if wide:
                listed = munis if r.random() < 0.5 else []          # half name only the county code
                s = PublicService(_uuid(r), county, f"{fi}, {hub.area_name}", f"{sv}, {hub.area_name}", classes,
                                  "LimitedType", [PublicArea("WellbeingServicesCounty", area, listed)],
                                  ["fi", "sv"] if any(m.lang != "00" for m in munis) else ["fi"], r.uniform(5, 400))
                s.channels = [_location(r, m, f"{fi}, {m.name_fi}") for m in points]
                services.append(s)
                continue
            for m in points:                                        # one service per office, area = its municipality
                s = PublicService(_uuid(r), county, f"{fi}, {m.name_fi}", f"{sv}, {m.name_sv}", classes,
                                  "LimitedType", [PublicArea("Municipality", m.code, [m])], _langs(m),
                                  r.uniform(5, 400))
                s.channels = [_location(r, m, f"{fi}, {m.name_fi}")]
                services.append(s)
    for c in w.mcodes:                                              # the larger municipalities' own services
        m = w.munis[c]
        own = [svc for svc in MUNICIPAL_SERVICES if m.pop >= svc[4] and r.random() < svc[5]]
        if not own:
            continue
        o = org("Municipality", f"Demokunta {m.name_fi} (DEMO)", f"Demokommunen {m.name_sv} (DEMO)", m, f"kunta{c}")
        for key, fi, sv, classes, _min_pop, _p in own:
            served = [m] + ([w.munis[n] for n in m.neighbours[:2]] if key == "tyollisyys" and r.random() < 0.5
                            else [])                                # an employment area with its neighbours
            s = PublicService(_uuid(r), o, f"{fi}, {m.name_fi}", f"{sv}, {m.name_sv}", classes, "LimitedType",
                              [PublicArea("Municipality", x.code, [x]) for x in served], _langs(m), r.uniform(5, 400))
            s.channels = [_location(r, m, f"{fi}, {m.name_fi}")]
            services.append(s)
    helsinki = w.munis["091"]
    for name, fi, sv, classes, area_type, p_office in STATE_SERVICES:
        o = org("State", f"{name} (DEMO)", f"{name} (DEMO)", helsinki, name.lower().replace(" ", "-"))
        s = PublicService(_uuid(r), o, fi, sv, classes, area_type, [], ["fi", "sv", "en"], r.uniform(5, 400))
        s.channels = [PublicChannel(_uuid(r), "Phone", f"{fi} – puhelinpalvelu", None, _phone(r)),
                      PublicChannel(_uuid(r), "EChannel", f"{fi} – verkkoasiointi", None)]
        s.channels += [_location(r, w.munis[w.area_largest[a]], f"{fi}, {w.munis[w.area_largest[a]].name_fi}")
                       for a in sorted(by_area) if r.random() < p_office]
        services.append(s)
    # planted defects: a class not in the PTV code list (kept as 'unknown'); an area that resolves to nothing
    first = services[0]
    odd = PublicService(_uuid(r), first.org, "Kokeilupalvelu (luokka puuttuu koodistosta)", None, ["P99.9"],
                        "LimitedType", first.areas, ["fi"], r.uniform(5, 400))
    odd.channels = [_location(r, first.areas[0].munis[0] if first.areas[0].munis else first.org.home,
                              "Kokeilupalvelu")]
    lost = PublicService(_uuid(r), first.org, "Palvelu ilman tunnistettavaa aluetta", None, ["P5.1"], "LimitedType",
                         [PublicArea("HospitalDistrict", "99", [])], ["fi"], r.uniform(5, 400))
    services += [odd, lost]
    w.defects.tally["ptv_public_unknown_class"] = 1
    w.defects.tally["ptv_public_unresolved_area"] = 1
    return orgs, services


# --- API v11 ----------------------------------------------------------------------------------------------------
def public_organisation_v11(o: PublicOrg) -> dict:
    return {
        "id": o.id, "organizationType": o.type,
        "organizationNames": [{"type": "Name", "language": "fi", "value": o.name},
                              {"type": "Name", "language": "sv", "value": o.name_sv}],
        "organizationDescriptions": [{"type": "Summary", "language": "fi", "value": DEMO_DESC_FI}],
        "areaType": "Nationwide" if o.type == "State" else "LimitedType",
        "municipality": {"code": o.home.code, "name": [{"language": "fi", "value": o.home.name_fi}]},
        "addresses": [_address_v11("Visiting", "fi", o.visiting)],
        "webPages": [{"url": o.website, "language": "fi"}],
        "publishingStatus": "Published", "modified": iso(o.modified),
    }


def public_service_v11(s: PublicService) -> dict:
    names = [{"type": "Name", "language": "fi", "value": s.name_fi}]
    descs = [{"type": "Summary", "language": "fi", "value": DEMO_DESC_FI}]
    if s.name_sv:
        names.append({"type": "Name", "language": "sv", "value": s.name_sv})
        descs.append({"type": "Summary", "language": "sv", "value": DEMO_DESC_SV})
    return {
        "id": s.id, "type": "Service", "fundingType": "PubliclyFunded", "serviceChargeType": "FreeOfCharge",
        "serviceNames": names, "serviceDescriptions": descs, "areaType": s.area_type,
        "areas": [{"type": a.type, "code": a.code, "municipalities": [
            {"code": m.code, "name": [{"language": "fi", "value": m.name_fi}]} for m in a.munis]} for a in s.areas],
        "languages": s.langs,
        "serviceClasses": [{"code": c, "uri": SERVICE_CLASS_URI + c} for c in s.classes],
        "targetGroups": [{"code": "KR1", "uri": TARGET_GROUP_URI + "KR1"}],
        "organizations": [{"roleType": "Responsible", "organization": {"id": s.org.id}}],
        "mainOrganization": {"id": s.org.id},
        "serviceChannels": [{"serviceChannel": {"id": c.id}} for c in s.channels],
        "publishingStatus": "Published", "modified": iso(s.modified),
    }


def public_channel_v11(s: PublicService, ch: PublicChannel) -> dict:
    loc = ch.location
    out = {"id": ch.id, "serviceChannelType": ch.kind, "organizationId": s.org.id,
           "serviceChannelNames": [{"type": "Name", "language": "fi", "value": ch.name}],
           "areaType": "Nationwide" if loc is None else "LimitedType",
           "addresses": [] if loc is None else [_address_v11("Location", "fi", loc)],
           "services": [{"service": {"id": s.id}}]}
    if ch.phone:
        out["phoneNumbers"] = [{"number": ch.phone, "language": "fi", "type": "Phone"}]
    if ch.kind == "EChannel":
        out["webPages"] = [{"url": f"{s.org.website}/asiointi", "language": "fi"}]
    return out


def write_public(w: World, ptv_writer) -> int:
    """Append the public organisations, services and channels to the PTV v11 streams; returns the service count."""
    orgs, services = draw_public(w)
    for o in orgs:
        ptv_writer.organisations.add(public_organisation_v11(o))
    for s in services:
        ptv_writer.services.add(public_service_v11(s))
        for ch in s.channels:
            ptv_writer.channels.add(public_channel_v11(s, ch))
    return len(services)
