"""PTV (Palvelutietovaranto) output: organisations, services and service channels as API v11 page files.

Two steps, kept apart so that another API version (v12) or another kind of service can reuse the first:
``draw_*`` turn world-model records into plain PTV records (ids, service classes, channel locations; every random
draw of the PTV output happens here, in a fixed order), and ``*_v11`` serialise a plain record to the v11 JSON shape
without drawing anything. ``PtvWriter`` streams the serialised items into ``ptv/{organizations,services,channels}``
(API v11); ``ptv_v12.PtvV12Writer`` converts the same items to API v12 pages under ``ptv/v12/`` (the default, chosen in
``dataset.py``), so both versions carry the same records and the same random draws.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

from .activities import Activity
from .organisations import Org
from .places import Address, Muni
from .serialise import dumps, iso
from .vocabulary import DEMO_DESC_FI, DEMO_DESC_SV
from .world import World

PAGE_SIZE = 100
SERVICE_CLASS_URI = "http://uri.suomi.fi/codelist/ptv/ptvserclass2/code/"
TARGET_GROUP_URI = "http://uri.suomi.fi/codelist/ptv/ptvkohderyhmat/code/"
# PTV service classes per type (crosswalk.csv); P8.4 = generic NGO activity (no type by itself)
TYPE_PTV = {
    "vertaistuki": ["P4.12", "P5.16", "P10.8"], "neuvonta_ohjaus": ["P4.13", "P5.17", "P15.1", "P3.7", "P28.5"],
    "kohtaamispaikka": ["P8.4"], "vapaaehtoistoiminta": ["P4.12", "P5.16"], "tukihenkilotoiminta": ["P8.4"],
    "kerho_ryhma": ["P25.5", "P28.2"], "retket_leirit": ["P8.4"], "tapahtumat": ["P8.4"], "kriisiapu": ["P5.7"],
    "klubitalo": ["P5.13"], "tyollistaminen": ["P4.8", "P10.7", "P10.4"], "aineellinen_apu": ["P4.14"],
    "liikunta_harrastus": ["P27.1"], "vaikuttaminen": ["P8.4"], "muu": ["P8.4"],
}
TYPE_KEYWORD = {
    "vertaistuki": "vertaistuki", "neuvonta_ohjaus": "neuvonta", "kohtaamispaikka": "kohtaamispaikat",
    "vapaaehtoistoiminta": "vapaaehtoistoiminta", "tukihenkilotoiminta": "tukihenkilötoiminta",
    "kerho_ryhma": "kerhot", "retket_leirit": "leirit", "tapahtumat": "luennot", "kriisiapu": "kriisiapu",
    "klubitalo": "klubitalo", "tyollistaminen": "työtoiminta", "aineellinen_apu": "ruoka-apu",
    "liikunta_harrastus": "liikunta", "vaikuttaminen": "kokemusasiantuntijuus", "muu": None,
}


# --- plain PTV records ------------------------------------------------------------------------------------------
@dataclass
class PtvOrganisation:
    org: Org
    home: Muni             # municipality of registration
    lang: str              # 'fi' or 'sv': the language of its name, description and address
    visiting: Address


@dataclass
class PtvChannel:
    id: str
    kind: str              # ServiceLocation (has a location), Phone or EChannel (nationwide)
    location: Address | None


@dataclass
class PtvService:
    id: str
    org: Org
    activity: Activity
    areas: list[Muni]      # empty for a nationwide service
    classes: list[str]     # service class codes
    keyword: str | None
    channels: list[PtvChannel]


def _uuid4(w: World) -> str:
    return str(uuid.UUID(int=w.r.getrandbits(128), version=4))


def draw_organisation(w: World, o: Org) -> PtvOrganisation:
    sv = o.lang == "sv"
    return PtvOrganisation(org=o, home=w.munis[o.home], lang="sv" if sv else "fi",
                           visiting=w.address(w.munis[o.base], sv))


def draw_service(w: World, o: Org, a: Activity) -> PtvService:
    """The service of one activity: one channel per municipality, or one phone/e-channel if nationwide."""
    r = w.r
    sid = _uuid4(w)
    classes = [r.choice(TYPE_PTV[a.type])]
    if a.type == "muu" and r.random() < 0.5:
        classes = []
    if o.theme in (0, 1) and "P5.7" not in classes and r.random() < 0.5:
        classes.append("P5.7")
    channels = []
    for code in (a.munis or [None]):
        cid = _uuid4(w)
        if code is None:
            channels.append(PtvChannel(cid, "Phone" if a.mode == "phone" else "EChannel", None))
        else:
            sv_street = "sv" in a.langs and a.langs[0] == "sv"
            channels.append(PtvChannel(cid, "ServiceLocation", w.address(w.munis[code], sv_street)))
    return PtvService(id=sid, org=o, activity=a, areas=[w.munis[c] for c in a.munis], classes=classes,
                      keyword=TYPE_KEYWORD[a.type], channels=channels)


# --- API v11 ----------------------------------------------------------------------------------------------------
def _address_v11(kind: str, lang: str, a: Address) -> dict:
    return {"type": kind, "streetAddress": {
        "street": [{"language": lang, "value": a.street}], "streetNumber": a.number, "postalCode": a.postcode,
        "municipality": {"code": a.muni}, "latitude": str(a.lat), "longitude": str(a.lon)}}


def organisation_v11(p: PtvOrganisation) -> dict:
    o, home, lang = p.org, p.home, p.lang
    return {
        "id": o.uuid, "organizationType": o.ptv_type, "businessCode": o.bid_written,
        "organizationNames": [{"type": "Name", "language": lang, "value": o.name}],
        "organizationDescriptions": [{"type": "Summary", "language": lang,
                                      "value": DEMO_DESC_SV if lang == "sv" else DEMO_DESC_FI}],
        "areaType": "Nationwide" if o.kind == "national" else "LimitedType",
        "municipality": {"code": home.code, "name": [{"language": "fi", "value": home.name_fi},
                                                    {"language": "sv", "value": home.name_sv}]},
        "addresses": [_address_v11("Visiting", lang, p.visiting)],
        "webPages": [{"url": o.website, "language": lang}] if o.website else [],
        "publishingStatus": "Published", "modified": iso(o.modified),
    }


def service_v11(s: PtvService) -> dict:
    a = s.activity
    names = [{"type": "Name", "language": "fi", "value": a.name_fi}]
    descs = [{"type": "Summary", "language": "fi", "value": a.desc_fi}]
    if a.name_sv:
        names.append({"type": "Name", "language": "sv", "value": a.name_sv})
        descs.append({"type": "Summary", "language": "sv", "value": DEMO_DESC_SV})
    return {
        "id": s.id, "type": "Service", "fundingType": "PubliclyFunded", "serviceChargeType": "FreeOfCharge",
        "serviceNames": names, "serviceDescriptions": descs,
        "areaType": "Nationwide" if a.national else "LimitedType",
        "areas": [] if a.national else [{"type": "Municipality", "municipalities": [
            {"code": m.code, "name": [{"language": "fi", "value": m.name_fi}]} for m in s.areas]}],
        "languages": a.langs,
        "serviceClasses": [{"code": c, "uri": SERVICE_CLASS_URI + c} for c in s.classes],
        "targetGroups": [{"code": "KR1", "uri": TARGET_GROUP_URI + "KR1"}],
        "keywords": [{"language": "fi", "value": s.keyword}] if s.keyword else [],
        "organizations": [{"roleType": "Responsible", "organization": {"id": s.org.uuid}}],
        "serviceChannels": [{"serviceChannel": {"id": c.id}} for c in s.channels],
        "publishingStatus": "Published", "modified": iso(a.modified),
    }


def channel_v11(s: PtvService, ch: PtvChannel) -> dict:
    loc = ch.location
    return {"id": ch.id, "serviceChannelType": ch.kind, "organizationId": s.org.uuid,
            "serviceChannelNames": [{"type": "Name", "language": "fi", "value": s.activity.name_fi}],
            "areaType": "Nationwide" if loc is None else "LimitedType",
            "addresses": [] if loc is None else [_address_v11("Location", "fi", loc)],
            "services": [{"service": {"id": s.id}}]}


# --- page files -------------------------------------------------------------------------------------------------
class PageWriter:
    """PTV-style page envelopes, 100 items a page; pageCount is patched in place when the stream closes."""
    PLACEHOLDER = 10

    def __init__(self, folder: Path, files: list[Path]):
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.buf: list[str] = []
        self.pages: list[tuple[Path, int]] = []
        self.files = files
        self.count = 0

    def add(self, item: dict) -> None:
        self.buf.append(dumps(item))
        self.count += 1
        if len(self.buf) >= PAGE_SIZE:
            self._flush()

    def _flush(self) -> None:
        n = len(self.pages) + 1
        path = self.folder / f"page_{n:04d}.json"
        head = f'{{"pageNumber":{n},"pageSize":{PAGE_SIZE},"pageCount":'.encode()
        with open(path, "wb") as f:
            f.write(head + b" " * self.PLACEHOLDER + b',"itemList":[')
            f.write(",".join(self.buf).encode("utf-8"))
            f.write(b"]}\n")
        self.pages.append((path, len(head)))
        self.files.append(path)
        self.buf = []

    def close(self) -> None:
        if self.buf or not self.pages:
            self._flush()
        total = len(self.pages) if self.count else 0
        for path, off in self.pages:
            with open(path, "r+b") as f:
                f.seek(off)
                f.write(str(total).ljust(self.PLACEHOLDER).encode())


class PtvWriterBase:
    """Draws the plain records and hands their v11 items to the streams ``organisations``, ``services`` and
    ``channels`` (each with ``add(item)`` and ``count``) a subclass sets up; ``public.py`` adds to them too."""
    organisations: PageWriter
    services: PageWriter
    channels: PageWriter

    def add_organisation(self, w: World, o: Org) -> None:
        self.organisations.add(organisation_v11(draw_organisation(w, o)))

    def add_service(self, w: World, o: Org, a: Activity) -> None:
        s = draw_service(w, o, a)
        self.services.add(service_v11(s))
        for ch in s.channels:
            self.channels.add(channel_v11(s, ch))


class PtvWriter(PtvWriterBase):
    """The three PTV v11 streams under `folder` (``ptv/``)."""

    def __init__(self, folder: Path, files: list[Path]):
        self.organisations = PageWriter(folder / "organizations", files)
        self.services = PageWriter(folder / "services", files)
        self.channels = PageWriter(folder / "channels", files)

    def close(self) -> dict[str, int]:
        """Finish the page files; returns the item counts."""
        for pw in (self.organisations, self.services, self.channels):
            pw.close()
        return {"ptv_organizations": self.organisations.count, "ptv_services": self.services.count,
                "ptv_channels": self.channels.count}


PTV_VERSIONS = ("11", "12")
