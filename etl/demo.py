"""Synthetic demo dataset in the real source formats (PTV v11, PRH YTJ v3, STEA Excel, Lähellä.fi, our template).

Nothing here is real. Every organisation name carries "(DEMO)" or starts with "Demo"/"Kuvitteellinen", every
description starts with "[DEMO]", every web address is under the reserved domain example.org, and the output folder
gets a ``DEMO.json`` marker. Business ids (Y-tunnus) are drawn from the range 9000000-9999999 with a valid check
digit (``etl.bizid.check_digit``) so that the loaders' validation paths are exercised; real ids in that range may
exist, which is why every record is also marked as demo in its text.

Deterministic: the same ``seed`` and ``scale`` give byte-identical files (dates are derived from the seed relative to
the fixed date 2026-10-01; the XLSX is written with fixed document properties and fixed zip entry times).

Streaming: organisations are planned in memory (a few hundred bytes each), activities are generated organisation by
organisation and written straight to page files, so scale 100 (about 1.5 million activities) stays well under 2 GB.

Usage: ``python -m etl.demo --scale 1 --seed 42 --out data/demo`` (the project CLI ``python -m etl demo`` calls
:func:`generate`).
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import math
import random
import re
import shutil
import sys
import time
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from etl import paths
from etl.bizid import check_digit

OWNED = ("ptv", "ytj", "stea", "lahella", "template")
MARKER = "DEMO.json"
BASE_DATE = dt.datetime(2026, 10, 1, 12, 0, 0, tzinfo=dt.timezone.utc)
DEMO_DESC_FI = "[DEMO] Synteettinen esimerkkiaineisto – ei todellinen toiminta."
DEMO_DESC_SV = "[DEMO] Syntetiskt exempeldata – ingen verklig verksamhet."
PTV_PAGE_SIZE = 100
LAHELLA_CHUNK = 5000
YTJ_CHUNK = 50000
SURVEY_AREAS = ("08", "15", "17")  # counties whose own survey fills the template (Pirkanmaa, Keski-Suomi, Pohjanmaa)
SERVICE_CLASS_URI = "http://uri.suomi.fi/codelist/ptv/ptvserclass2/code/"
TARGET_GROUP_URI = "http://uri.suomi.fi/codelist/ptv/ptvkohderyhmat/code/"
BIG_CITIES = ("091", "837", "853", "049", "564", "179", "092", "297", "398", "405")  # anchors: every type present

# --- vocabulary -------------------------------------------------------------------------------------------------
# theme code (= target group), fi association word, fi umbrella word, fi foundation word, sv theme, fi target phrase,
# sv target phrase, weight, STEA jarjestoluokka
THEMES = [
    ("mielenterveys", "Mielenterveysyhdistys", "Mielenterveysliitto", "Mielenterveyssäätiö", "psykisk hälsa",
     "mielenterveyskuntoutujille", "för personer med psykisk ohälsa", 0.16, "Mielenterveys"),
    ("paihteet", "Päihdetyön yhdistys", "Raittiusliitto", "Päihdetyön säätiö", "missbruksarbete",
     "päihdekuntoutujille", "för personer i missbruksrehabilitering", 0.06, "Päihteet ja riippuvuudet"),
    ("ikaantyneet", "Vanhustyön yhdistys", "Vanhustyön liitto", "Vanhustyön säätiö", "äldre",
     "ikäihmisille", "för äldre", 0.14, "Ikääntyneet"),
    ("lapset_perheet", "Perheyhdistys", "Perheliitto", "Lastensäätiö", "barnfamiljer",
     "lapsiperheille", "för barnfamiljer", 0.12, "Lapset ja perheet"),
    ("nuoret", "Nuorten tuki -yhdistys", "Nuorisoliitto", "Nuorisosäätiö", "unga",
     "nuorille", "för unga", 0.08, "Nuoret"),
    ("vammaiset", "Vammaisyhdistys", "Vammaisliitto", "Vammaissäätiö", "personer med funktionsnedsättning",
     "vammaisille henkilöille", "för personer med funktionsnedsättning", 0.10, "Vammaiset"),
    ("pitkaaikaissairaat", "Sydän- ja diabetesyhdistys", "Potilasliitto", "Terveyssäätiö", "långtidssjuka",
     "pitkäaikaissairaille", "för långtidssjuka", 0.10, "Pitkäaikaissairaat"),
    ("omaiset", "Omaishoitajayhdistys", "Omaishoitajaliitto", "Omaishoidon säätiö", "anhöriga",
     "omaishoitajille ja läheisille", "för anhöriga och närstående", 0.06, "Omaiset"),
    ("maahanmuuttajat", "Monikulttuurinen yhdistys", "Monikulttuurisuusliitto", "Kotoutumissäätiö", "invandrare",
     "maahanmuuttajille", "för invandrare", 0.04, "Maahanmuuttajat"),
    ("yksinaisyys", "Yhteisöllisyysyhdistys", "Yhteisöliitto", "Yhteisösäätiö", "gemenskap",
     "yksinäisyyttä kokeville", "för den som känner sig ensam", 0.04, "Yksinäisyys"),
    ("talous_velka", "Talousapuyhdistys", "Talousapuliitto", "Talousapusäätiö", "skuldsatta",
     "velkaantuneille", "för skuldsatta", 0.02, "Talous- ja velkaongelmat"),
    ("tyottomat", "Työttömien yhdistys", "Työttömien liitto", "Työttömien säätiö", "arbetslösa",
     "työttömille", "för arbetslösa", 0.04, "Työttömät"),
    ("kaikki", "Hyvinvointiyhdistys", "Hyvinvointiliitto", "Hyvinvointisäätiö", "välfärd",
     "kaikille avoin", "öppen för alla", 0.04, "Yleinen hyvinvointi"),
]
THEME_W = np.array([t[7] for t in THEMES]) / sum(t[7] for t in THEMES)

# activity type -> share of activities
TYPE_SHARE = {
    "vertaistuki": .16, "neuvonta_ohjaus": .12, "kohtaamispaikka": .08, "vapaaehtoistoiminta": .08,
    "tukihenkilotoiminta": .07, "kerho_ryhma": .12, "retket_leirit": .05, "tapahtumat": .07, "kriisiapu": .02,
    "klubitalo": .01, "tyollistaminen": .03, "aineellinen_apu": .04, "liikunta_harrastus": .07,
    "vaikuttaminen": .03, "muu": .05,
}
TYPES = list(TYPE_SHARE)
TYPE_W = np.array(list(TYPE_SHARE.values())) / sum(TYPE_SHARE.values())
COMMON_TYPES = [t for t in TYPES if t not in ("kriisiapu", "klubitalo", "tyollistaminen")]
COMMON_W = np.array([TYPE_SHARE[t] for t in COMMON_TYPES]) / sum(TYPE_SHARE[t] for t in COMMON_TYPES)
# rare types need a large enough municipality (else they are re-drawn): white spots
RARE_MIN_POP = {"klubitalo": 25000, "kriisiapu": 20000, "tyollistaminen": 8000}

# names carry the crosswalk keywords of their type ({tg} target phrase, {p} fictional place word); muu has none
TYPE_NAMES_FI = {
    "vertaistuki": ["Vertaistukiryhmä {tg}", "Vertaistukitoiminta {tg}", "Vertaisryhmä {tg}"],
    "neuvonta_ohjaus": ["Neuvonta ja ohjaus {tg}", "Keskusteluapu {tg}", "Neuvontapiste {p}"],
    "kohtaamispaikka": ["Kohtaamispaikka {p}", "Olohuone {p}", "Päiväkeskus {p}"],
    "vapaaehtoistoiminta": ["Vapaaehtoistoiminta {tg}", "Vapaaehtoisten verkosto {p}"],
    "tukihenkilotoiminta": ["Ystävätoiminta {tg}", "Tukihenkilötoiminta {tg}", "Kummitoiminta {tg}"],
    "kerho_ryhma": ["Kerho {tg}", "Käsityökerho {p}", "Keskusteluryhmä {tg}"],
    "retket_leirit": ["Virkistysleiri {tg}", "Retkipäivä {p}", "Kesäleiri {tg}"],
    "tapahtumat": ["Luentosarja {tg}", "Teematapahtuma {p}", "Hyvinvointiseminaari {p}"],
    "kriisiapu": ["Kriisikeskus {p}", "Kriisipuhelin {p}", "Turvakoti {p}"],
    "klubitalo": ["Klubitalo {p}"],
    "tyollistaminen": ["Työpaja {p}", "Kuntouttava työtoiminta {p}", "Tuettu työ {p}"],
    "aineellinen_apu": ["Ruoka-apu {p}", "Yhteisöruokailu {p}", "Ruokakassijakelu {p}"],
    "liikunta_harrastus": ["Liikuntapäivät {tg}", "Kuntosalivuoro {tg}", "Vesijumppa {p}"],
    "vaikuttaminen": ["Kokemusasiantuntijatoiminta {p}", "Vaikuttamistoiminta {tg}"],
    "muu": ["Jäsenilta {p}", "Yhteinen asia {p}", "Toimintapäivä {p}"],
}
TYPE_NAMES_SV = {
    "vertaistuki": "Kamratstödsgrupp {tg}", "neuvonta_ohjaus": "Rådgivning {tg}", "kohtaamispaikka": "Mötesplats {p}",
    "vapaaehtoistoiminta": "Frivilligverksamhet {p}", "tukihenkilotoiminta": "Vänverksamhet {tg}",
    "kerho_ryhma": "Klubb {tg}", "retket_leirit": "Rekreationsläger {tg}", "tapahtumat": "Föreläsningsserie {tg}",
    "kriisiapu": "Krisjour {p}", "klubitalo": "Klubbhus {p}", "tyollistaminen": "Arbetsverkstad {p}",
    "aineellinen_apu": "Matutdelning {p}", "liikunta_harrastus": "Motionsgrupp {tg}",
    "vaikuttaminen": "Påverkansarbete {p}", "muu": "Medlemskväll {p}",
}
TYPE_SENTENCE_FI = {
    "vertaistuki": "Vertaistukea samassa elämäntilanteessa oleville.",
    "neuvonta_ohjaus": "Maksutonta neuvontaa ja ohjausta.",
    "kohtaamispaikka": "Matalan kynnyksen kohtaamispaikka, avoimet ovet arkipäivisin.",
    "vapaaehtoistoiminta": "Tule mukaan vapaaehtoiseksi.",
    "tukihenkilotoiminta": "Koulutetut tukihenkilöt ja ystävätoiminta.",
    "kerho_ryhma": "Kerho kokoontuu viikoittain.",
    "retket_leirit": "Virkistys- ja leiritoimintaa.",
    "tapahtumat": "Avoimia luentoja ja tapahtumia.",
    "kriisiapu": "Kriisiapua ja keskustelua kriisin kohdanneille.",
    "klubitalo": "Klubitalo on mielenterveyskuntoutujien yhteisö.",
    "tyollistaminen": "Kuntouttavaa työtoimintaa ja työpajatoimintaa.",
    "aineellinen_apu": "Ruoka-apua ja yhteisöruokailua.",
    "liikunta_harrastus": "Liikuntaa omaan tahtiin.",
    "vaikuttaminen": "Kokemusasiantuntijat vaikuttavat palveluihin.",
    "muu": "",
}
NATIONAL_NAMES_FI = {
    "neuvonta_ohjaus": ["Neuvontapuhelin {tg}", "Chat-keskusteluapu {tg}"],
    "kriisiapu": ["Valtakunnallinen kriisipuhelin {p}"],
    "vertaistuki": ["Verkkovertaistukiryhmä {tg}"],
}
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
# Lähellä.fi: type, format, theme
TYPE_LAHELLA = {
    "vertaistuki": ("support", ["hm_ryhmat"], ["ht_hyvinvointi"]),
    "neuvonta_ohjaus": ("support", ["hm_oppaat"], ["ht_hyvinvointi"]),
    "kohtaamispaikka": ("hobby", ["hm_kohtaamispaikka"], ["ht_hyvinvointi"]),
    "vapaaehtoistoiminta": ("voluntary", [], []),
    "tukihenkilotoiminta": ("support", [], ["ht_hyvinvointi"]),
    "kerho_ryhma": ("hobby", ["hm_harrastukset"], ["ht_kadentaidot"]),
    "retket_leirit": ("hobby", ["hm_leirit"], ["ht_luonto"]),
    "tapahtumat": ("hobby", ["hm_tilaisuudet"], ["ht_kulttuuri"]),
    "kriisiapu": ("support", [], []),
    "klubitalo": ("support", [], ["ht_hyvinvointi"]),
    "tyollistaminen": ("support", [], []),
    "aineellinen_apu": ("support", [], []),
    "liikunta_harrastus": ("hobby", [], ["ht_urheilu"]),
    "vaikuttaminen": ("support", [], ["ht_vaikuttaminen"]),
    "muu": ("support", [], []),
}
AGE_BY_THEME = {"ikaantyneet": ["ageGroup/range:65-99"], "nuoret": ["ageGroup/range:13-17", "ageGroup/range:18-29"],
                "lapset_perheet": ["ageGroup/range:2-6", "ageGroup/range:7-12", "ageGroup/range:30-64"]}
MODE_TEMPLATE = {"in_person": "lähi", "online": "etä", "phone": "puhelin", "hybrid": "hybridi"}

PLACE_A = ["Kuusi", "Koivu", "Mänty", "Kataja", "Paju", "Leppä", "Haapa", "Pihlaja", "Tammi", "Vaahtera", "Kivi",
           "Kallio", "Sammal", "Kanerva", "Mustikka", "Puolukka", "Lakka", "Kaisla", "Ulpukka", "Apila"]
PLACE_B = ["mäki", "lahti", "niemi", "ranta", "harju", "laakso", "joki", "puro", "saari", "metsä", "kangas", "rinne",
           "lampi", "suo", "vaara"]
PLACE_A_SV = ["Gran", "Björk", "Tall", "En", "Vide", "Al", "Asp", "Rönn", "Ek", "Lönn", "Sten", "Häll", "Mossa",
              "Ljung", "Blåbär", "Lingon", "Hjortron", "Vass", "Näckros", "Klöver"]
PLACE_B_SV = ["backa", "vik", "näs", "strand", "ås", "dal", "å", "bäck", "ö", "skog", "hed", "lid", "sjö", "mosse", "berg"]
STREETS_FI = ["Demokatu", "Esimerkkitie", "Kuvitelmankuja", "Testipolku", "Mallikatu"]
STREETS_SV = ["Demogatan", "Exempelvägen", "Testgränden"]
STEA_KOKONAISUUS = ["Sosiaalisen hyvinvoinnin edistäminen", "Terveyden edistäminen",
                    "Osallisuuden ja yhdenvertaisuuden edistäminen", "Ehkäisevä päihde- ja mielenterveystyö"]
STEA_LAJIT = {"Ay": "[DEMO] Yleisavustus yhdistyksen toimintaan", "Ak 6": "[DEMO] Järjestötoiminnan kehittäminen",
              "Ak 10": "[DEMO] Kohdennettu toiminta-avustus: {act}", "C": "[DEMO] Hanke: {act}",
              "B 5": "[DEMO] Toimitilojen hankinta"}


@dataclass
class DemoResult:
    files: list[Path]
    organisations: int
    activities: int
    grants: int
    seconds: float
    planted: dict = field(default_factory=dict)


@dataclass
class _Muni:
    code: str
    name_fi: str
    name_sv: str
    area: str
    area_name: str
    lang: str          # '00' fi, '01' bilingual fi majority, '02' sv, '03' bilingual sv majority
    pop: int
    lonlat: np.ndarray  # (k, 2) candidate points inside the municipality, EPSG:4326
    region: str = ""
    neighbours: tuple[str, ...] = ()

    @property
    def swedish_share(self) -> float:
        return {"00": 0.0, "01": 0.12, "03": 0.6, "02": 0.9}[self.lang]


class _Org:
    __slots__ = ("idx", "uuid", "name", "lang", "form", "kind", "theme", "base", "home", "bid", "bid_written",
                 "sources", "in_ytj", "n_act", "website", "modified", "group", "grants", "ptv_type")

    def __init__(self, idx: int):
        self.idx = idx
        self.grants = False
        self.ptv_type = "Organization"


# --- helpers ----------------------------------------------------------------------------------------------------
def _iso(days: float) -> str:
    return (BASE_DATE - dt.timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _bid(body: int) -> str | None:
    s = f"{body:07d}"
    c = check_digit(s)
    return None if c is None else f"{s}-{c}"


def _invalid_bid(body: int) -> str:
    s = f"{body:07d}"
    c = check_digit(s)
    return f"{s}-{(c + 3) % 10 if c is not None else 1}"


def _dumps(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


class _PageWriter:
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
        self.buf.append(_dumps(item))
        self.count += 1
        if len(self.buf) >= PTV_PAGE_SIZE:
            self._flush()

    def _flush(self) -> None:
        n = len(self.pages) + 1
        path = self.folder / f"page_{n:04d}.json"
        head = f'{{"pageNumber":{n},"pageSize":{PTV_PAGE_SIZE},"pageCount":'.encode()
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


class _LahellaWriter:
    def __init__(self, folder: Path, files: list[Path]):
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.files = files
        self.items: list[str] = []
        self.groups: dict[str, dict] = {}
        self.n_files = 0
        self.count = 0
        self.pending: tuple[Path, list[str], dict] | None = None

    def add(self, item: dict, group_id: str, group: dict) -> None:
        self.items.append(_dumps(item))
        self.groups[group_id] = group
        self.count += 1
        if len(self.items) >= LAHELLA_CHUNK:
            self._rotate()

    def _rotate(self) -> None:
        if self.pending:
            self._write(*self.pending, has_more=True)
        self.n_files += 1
        self.pending = (self.folder / f"activities_{self.n_files:04d}.json", self.items, self.groups)
        self.items, self.groups = [], {}

    def _write(self, path: Path, items: list[str], groups: dict, has_more: bool) -> None:
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.write('{"items":[')
            f.write(",".join(items))
            f.write('],"hasMore":' + ("true" if has_more else "false") + ',"groups":')
            f.write(_dumps(dict(sorted(groups.items()))))
            f.write("}\n")
        self.files.append(path)

    def close(self) -> None:
        if self.items or not self.pending:
            self._rotate()
        self._write(*self.pending, has_more=False)


# --- reference data ---------------------------------------------------------------------------------------------
def _load_municipalities(offline: Path, reference: Path, rng: np.random.Generator) -> dict[str, _Muni]:
    from pyproj import Transformer
    from shapely import contains_xy
    from shapely.geometry import shape

    statfi = offline / "statfi"
    with open(statfi / "municipality_key_2025.csv", encoding="utf-8") as f:
        key = {r["municipality_code"]: r for r in csv.DictReader(f)}
    with open(statfi / "vaestoalue_kunta_vaki2024.json", encoding="utf-8") as f:
        features = json.load(f)["features"]
    region: dict[str, str] = {}
    rv = reference / "sources" / "lahella_region_values.csv"
    if rv.exists():
        with open(rv, encoding="utf-8") as f:
            for r in csv.DictReader(f):
                if r["level"] == "kunta" and r["kuntanumero_2021"] and not r["note"]:
                    region.setdefault(r["kuntanumero_2021"], r["lahella_region_value"])
    to_wgs = Transformer.from_crs(3067, 4326, always_xy=True)
    out: dict[str, _Muni] = {}
    cents: dict[str, tuple[float, float]] = {}
    for feat in sorted(features, key=lambda ft: ft["properties"]["kunta"]):
        p = feat["properties"]
        code = p["kunta"]
        k = key.get(code)
        if k is None:
            continue
        geom = shape(feat["geometry"])
        rp = geom.representative_point()
        cents[code] = (rp.x, rp.y)
        radius = max(800.0, min(6000.0, math.sqrt(geom.area) / 5))
        cand = np.array([rp.x, rp.y]) + rng.uniform(-radius, radius, size=(96, 2))
        inside = cand[contains_xy(geom, cand[:, 0], cand[:, 1])][:32]
        pts = np.vstack([[rp.x, rp.y], inside])
        lon, lat = to_wgs.transform(pts[:, 0], pts[:, 1])
        out[code] = _Muni(code=code, name_fi=k["municipality_name_fi"], name_sv=k["municipality_name_sv"],
                          area=k["hyvinvointialue_code"], area_name=k["hyvinvointialue_name_fi"],
                          lang=k["kielisuhde_code"], pop=int(p["vaesto"] or 0),
                          lonlat=np.round(np.column_stack([lon, lat]), 5),
                          region=region.get(code, f"city/FI/{k['municipality_name_fi']}"))
    by_area: dict[str, list[str]] = {}
    for c, m in out.items():
        by_area.setdefault(m.area, []).append(c)
    for c, m in out.items():
        x, y = cents[c]
        others = sorted((math.hypot(cents[o][0] - x, cents[o][1] - y), o) for o in by_area[m.area] if o != c)
        m.neighbours = tuple(o for _, o in others[:4])
    return out


# --- generation -------------------------------------------------------------------------------------------------
class _Gen:
    def __init__(self, out: Path, scale: float, seed: int, offline: Path, reference: Path, progress: bool):
        self.out, self.scale, self.seed, self.progress = out, scale, seed, progress
        self.np = np.random.default_rng(seed)
        self.r = random.Random(seed)
        self.files: list[Path] = []
        self.t0 = time.perf_counter()
        self.munis_all = _load_municipalities(offline, reference, np.random.default_rng(seed + 1))
        self.munis = {c: m for c, m in self.munis_all.items() if m.area != "91"}
        self.mcodes = sorted(self.munis)
        pops = np.array([self.munis[c].pop for c in self.mcodes], dtype=float)
        self.mweight = pops ** 0.85 / (pops ** 0.85).sum()
        self.area_largest = {}
        for c in self.mcodes:
            m = self.munis[c]
            if m.area not in self.area_largest or m.pop > self.munis[self.area_largest[m.area]].pop:
                self.area_largest[m.area] = c
        self.used_names: set[str] = set()
        self.planted: dict = {"invalid_business_ids": [], "template_misspelled_municipality": 0,
                              "template_aland": 0, "template_html_name": 0, "template_missing_business_id": 0,
                              "lahella_mojibake_region": 0, "stea_missing_business_id": 0, "ptv_not_an_ngo": 0,
                              "template_duplicates_of_ptv": 0}
        self.n_activities = 0
        self.n_grants = 0
        self.lahella_n = 0

    def log(self, msg: str) -> None:
        if self.progress:
            print(f"[demo {time.perf_counter() - self.t0:6.1f}s] {msg}", file=sys.stderr, flush=True)

    # names -------------------------------------------------------------------------------------------------------
    def place(self, sv: bool = False) -> str:
        if sv:
            return self.r.choice(PLACE_A_SV) + self.r.choice(PLACE_B_SV)
        return self.r.choice(PLACE_A) + self.r.choice(PLACE_B)

    def unique(self, name: str, suffix: str) -> str:
        full = f"{name} {suffix}"
        n = 2
        while full in self.used_names:
            full = f"{name} {n} {suffix}"
            n += 1
        self.used_names.add(full)
        return full

    def org_name(self, o: _Org) -> str:
        t = THEMES[o.theme]
        if o.ptv_type == "Municipality":
            return self.unique(f"Demokunta {self.place()} – perusturva", "(DEMO)")
        if o.ptv_type == "Company":
            return self.unique(f"Demoyritys {self.place()}", "Oy (DEMO)")
        if o.lang == "sv":
            p = self.place(sv=True)
            if o.form == "18":
                return self.unique(f"Demostiftelsen {p}", "sr (DEMO)")
            if self.r.random() < 0.5:
                return self.unique(f"Demoföreningen för {t[4]} i {p}", "rf (DEMO)")
            return self.unique(f"Demoföreningen {p}", "rf (DEMO)")
        p = self.place()
        if o.form == "18":
            return self.unique(f"Kuvitteellinen {t[3]} {p}", "sr (DEMO)")
        word = t[2] if o.kind == "national" else t[1]
        if self.r.random() < 0.55:
            return self.unique(f"Kuvitteellinen {word} {p}", "ry (DEMO)")
        return self.unique(f"Demo-{word} {p}", "ry (DEMO)")

    # planning ----------------------------------------------------------------------------------------------------
    def plan(self) -> list[_Org]:
        n_org = max(20, round(3000 * self.scale))
        n_act = max(n_org, round(15000 * self.scale))
        n_stea_only = max(2, round(0.03 * n_org))
        n_nonngo = max(1, round(0.03 * n_org))
        total = n_org + n_stea_only + n_nonngo
        bodies = self.np.choice(1_000_000, size=int(total * 1.25) + 50, replace=False) + 9_000_000
        ids = [b for b in (_bid(int(x)) for x in bodies) if b][: total + 5]
        spare = ids[total:]
        homes = self.np.choice(len(self.mcodes), size=total, p=self.mweight)
        themes = self.np.choice(len(THEMES), size=total, p=THEME_W)
        u = self.np.random((total, 8))
        orgs: list[_Org] = []
        helsinki_like = ["091", "091", "091", "837", "853", "564"]
        for i in range(total):
            o = _Org(i)
            o.uuid = str(uuid.UUID(int=self.r.getrandbits(128), version=4))
            o.theme = int(themes[i])
            base = self.mcodes[int(homes[i])]
            if i < n_org:
                o.kind = "national" if u[i, 0] < 0.05 else "local"
            elif i < n_org + n_stea_only:
                o.kind = "stea_only"
            else:
                o.kind = "nonngo"
                o.ptv_type = "Municipality" if u[i, 0] < 0.5 else "Company"
            if o.kind == "national":
                base = self.r.choice(helsinki_like)
            o.base = base
            m = self.munis[base]
            o.home = base
            if o.kind == "local" and u[i, 1] < 0.11:   # headquarters effect: registered elsewhere
                big = self.area_largest[m.area]
                o.home = big if big != base else (m.neighbours[0] if m.neighbours else base)
            o.lang = "sv" if u[i, 2] < m.swedish_share * (0.85 if o.kind != "nonngo" else 0) else "fi"
            o.form = "18" if u[i, 3] < 0.06 else "6"
            o.bid = ids[i]
            o.bid_written = o.bid
            if o.kind in ("local", "national"):
                sur = m.area in SURVEY_AREAS
                pv = u[i, 4]
                if sur:
                    primary = "template" if pv < 0.50 else ("lahella" if pv < 0.60 else "ptv")
                else:
                    primary = "lahella" if pv < 0.11 else "ptv"
                if o.kind == "national":
                    primary = "ptv"
                o.sources = [primary]
                if u[i, 5] < 0.08:
                    extra = "lahella" if primary != "lahella" else "ptv"
                    o.sources.append(extra)
                o.in_ytj = u[i, 6] < 0.85
                o.grants = u[i, 7] < (0.6 if o.kind == "national" else 0.22)
            elif o.kind == "stea_only":
                o.sources = []
                o.in_ytj = u[i, 6] < 0.5
                o.grants = True
            else:
                o.sources = ["ptv"]
                o.in_ytj = False
            o.group = str(7100000000 + int(self.r.random() * 899999999))
            o.modified = self.r.uniform(5, 900)
            o.name = self.org_name(o)
            slug = f"org{i:06d}"
            o.website = f"https://demo.example.org/{slug}" if self.r.random() < 0.8 else None
            orgs.append(o)
        # activity counts: 1 + multinomial share (national organisations much larger)
        ngo = [o for o in orgs if o.kind in ("local", "national")]
        w = np.array([(8.0 if o.kind == "national" else 1.0) for o in ngo]) * self.np.lognormal(0, 0.7, len(ngo))
        extra = self.np.multinomial(max(0, n_act - len(ngo)), w / w.sum())
        for o, e in zip(ngo, extra):
            o.n_act = 1 + int(e)
        for o in orgs:
            if o.kind == "nonngo":
                o.n_act = 1
            elif o.kind == "stea_only":
                o.n_act = 0
        # planted: one PTV organisation with an invalid business id
        ptv_orgs = [o for o in ngo if "ptv" in o.sources]
        if ptv_orgs:
            bad = ptv_orgs[len(ptv_orgs) // 2]
            bad.bid_written = _invalid_bid(int(bad.bid[:7]))
            bad.in_ytj = False
            self.planted["invalid_business_ids"].append({"source": "ptv", "business_id": bad.bid_written})
        self.spare_bids = spare
        self.planted["ptv_not_an_ngo"] = n_nonngo
        return orgs

    def anchors(self, orgs: list[_Org]) -> dict[int, list[tuple[str, str]]]:
        """Big cities get every activity type (forced extra activities, attached to an organisation there)."""
        k = 3 if self.scale < 0.5 else len(BIG_CITIES)
        out: dict[int, list[tuple[str, str]]] = {}
        for city in BIG_CITIES[:k]:
            local = [o for o in orgs if o.kind == "local" and o.base == city and "ptv" in o.sources]
            if not local:
                local = [o for o in orgs if o.kind == "national"]
            for t in TYPES:
                if t == "muu":
                    continue
                o = local[self.r.randrange(len(local))]
                out.setdefault(o.idx, []).append((t, city))
        return out

    # activities --------------------------------------------------------------------------------------------------
    def pick_type(self, muni: _Muni) -> str:
        t = TYPES[int(np.searchsorted(self.type_cdf, self.r.random()))]
        need = RARE_MIN_POP.get(t)
        if need and muni.pop < need and self.area_largest.get(muni.area) != muni.code:
            t = COMMON_TYPES[int(np.searchsorted(self.common_cdf, self.r.random()))]
        return t

    def activity_munis(self, o: _Org, t: str) -> list[str]:
        if o.kind == "national":
            first = self.mcodes[int(np.searchsorted(self.m_cdf, self.r.random()))]
        elif self.r.random() < 0.8:
            first = o.base
        else:
            nb = self.munis[o.base].neighbours
            first = self.r.choice(nb) if nb else o.base
        munis = [first]
        if t not in RARE_MIN_POP and self.r.random() < 0.12:
            nb = [c for c in self.munis[first].neighbours]
            self.r.shuffle(nb)
            munis += nb[: self.r.randint(1, 3)]
        return munis

    def make_activity(self, o: _Org, forced: tuple[str, str] | None) -> dict:
        r = self.r
        national = False
        if forced:
            t, munis = forced[0], [forced[1]]
        else:
            if o.kind == "national" and r.random() < 0.13:
                national = True
                t = r.choice(["neuvonta_ohjaus", "neuvonta_ohjaus", "kriisiapu", "vertaistuki"])
                munis = []
            else:
                base = self.munis[o.base]
                t = self.pick_type(base)
                munis = self.activity_munis(o, t)
                if t in RARE_MIN_POP:
                    m0 = self.munis[munis[0]]
                    if m0.pop < RARE_MIN_POP[t] and self.area_largest.get(m0.area) != m0.code:
                        t = COMMON_TYPES[int(np.searchsorted(self.common_cdf, r.random()))]
        theme = THEMES[o.theme] if r.random() < 0.85 else THEMES[int(np.searchsorted(self.theme_cdf, r.random()))]
        tg_codes = [theme[0]] + ([THEMES[7][0]] if theme[0] in ("ikaantyneet", "vammaiset") and r.random() < 0.2
                                 else [])
        first = self.munis[munis[0]] if munis else self.munis[o.base]
        sv = o.lang == "sv" or (first.lang != "00" and r.random() < first.swedish_share * 0.4)
        p_fi, p_sv = self.place(), self.place(sv=True)
        if national:
            name_fi = r.choice(NATIONAL_NAMES_FI[t]).format(tg=theme[5], p=p_fi)
            mode = "phone" if ("puhelin" in name_fi.lower()) else "online"
        else:
            name_fi = r.choice(TYPE_NAMES_FI[t]).format(tg=theme[5], p=p_fi)
            mode = "hybrid" if r.random() < 0.08 else ("online" if r.random() < 0.02 else "in_person")
        name_sv = TYPE_NAMES_SV[t].format(tg=theme[6], p=p_sv) if sv else None
        langs = ["sv", "fi"] if (sv and o.lang == "sv") else (["fi", "sv"] if sv else ["fi"])
        if o.lang == "sv" and first.lang == "02" and r.random() < 0.5:
            langs = ["sv"]
        desc_fi = " ".join(s for s in (DEMO_DESC_FI, TYPE_SENTENCE_FI[t], f"Toiminta on tarkoitettu: {theme[5]}.") if s)
        return {"type": t, "munis": munis, "national": national, "mode": mode, "name_fi": name_fi,
                "name_sv": name_sv, "langs": langs, "desc_fi": desc_fi, "tg": tg_codes,
                "modified": r.uniform(1, 700), "n": self.n_activities}

    # writers ------------------------------------------------------------------------------------------------------
    def street(self, m: _Muni, sv: bool) -> tuple[str, str, str]:
        s = self.r.choice(STREETS_SV if sv else STREETS_FI)
        return s, str(self.r.randint(1, 60)), f"{self.r.randint(0, 99999):05d}"

    def point(self, m: _Muni) -> tuple[float, float]:
        p = m.lonlat[self.r.randrange(len(m.lonlat))]
        return float(p[0]), float(p[1])

    def ptv_org(self, o: _Org) -> dict:
        m = self.munis[o.base]
        home = self.munis[o.home]
        sv = o.lang == "sv"
        street, no, pc = self.street(m, sv)
        lon, lat = self.point(m)
        lang = "sv" if sv else "fi"
        desc = DEMO_DESC_SV if sv else DEMO_DESC_FI
        return {
            "id": o.uuid, "organizationType": o.ptv_type, "businessCode": o.bid_written,
            "organizationNames": [{"type": "Name", "language": lang, "value": o.name}],
            "organizationDescriptions": [{"type": "Summary", "language": lang, "value": desc}],
            "areaType": "Nationwide" if o.kind == "national" else "LimitedType",
            "municipality": {"code": home.code, "name": [{"language": "fi", "value": home.name_fi},
                                                        {"language": "sv", "value": home.name_sv}]},
            "addresses": [{"type": "Visiting", "streetAddress": {
                "street": [{"language": lang, "value": street}], "streetNumber": no, "postalCode": pc,
                "municipality": {"code": m.code}, "latitude": str(lat), "longitude": str(lon)}}],
            "webPages": [{"url": o.website, "language": lang}] if o.website else [],
            "publishingStatus": "Published", "modified": _iso(o.modified),
        }

    def ptv_service(self, o: _Org, a: dict) -> tuple[dict, list[dict]]:
        r = self.r
        sid = str(uuid.UUID(int=r.getrandbits(128), version=4))
        t = a["type"]
        names = [{"type": "Name", "language": "fi", "value": a["name_fi"]}]
        descs = [{"type": "Summary", "language": "fi", "value": a["desc_fi"]}]
        if a["name_sv"]:
            names.append({"type": "Name", "language": "sv", "value": a["name_sv"]})
            descs.append({"type": "Summary", "language": "sv", "value": DEMO_DESC_SV})
        classes = [r.choice(TYPE_PTV[t])]
        if t == "muu" and r.random() < 0.5:
            classes = []
        if o.theme in (0, 1) and "P5.7" not in classes and r.random() < 0.5:
            classes.append("P5.7")
        kw = [{"language": "fi", "value": TYPE_KEYWORD[t]}] if TYPE_KEYWORD[t] else []
        channels = []
        for code in (a["munis"] or [None]):
            cid = str(uuid.UUID(int=r.getrandbits(128), version=4))
            if code is None:
                ctype = "Phone" if a["mode"] == "phone" else "EChannel"
                ch = {"id": cid, "serviceChannelType": ctype, "organizationId": o.uuid,
                      "serviceChannelNames": [{"type": "Name", "language": "fi", "value": a["name_fi"]}],
                      "areaType": "Nationwide", "addresses": [], "services": [{"service": {"id": sid}}]}
            else:
                m = self.munis[code]
                street, no, pc = self.street(m, "sv" in a["langs"] and a["langs"][0] == "sv")
                lon, lat = self.point(m)
                ch = {"id": cid, "serviceChannelType": "ServiceLocation", "organizationId": o.uuid,
                      "serviceChannelNames": [{"type": "Name", "language": "fi", "value": a["name_fi"]}],
                      "areaType": "LimitedType",
                      "addresses": [{"type": "Location", "streetAddress": {
                          "street": [{"language": "fi", "value": street}], "streetNumber": no, "postalCode": pc,
                          "municipality": {"code": code}, "latitude": str(lat), "longitude": str(lon)}}],
                      "services": [{"service": {"id": sid}}]}
            channels.append(ch)
        svc = {
            "id": sid, "type": "Service", "fundingType": "PubliclyFunded", "serviceChargeType": "FreeOfCharge",
            "serviceNames": names, "serviceDescriptions": descs,
            "areaType": "Nationwide" if a["national"] else "LimitedType",
            "areas": [] if a["national"] else [{"type": "Municipality", "municipalities": [
                {"code": c, "name": [{"language": "fi", "value": self.munis[c].name_fi}]} for c in a["munis"]]}],
            "languages": a["langs"],
            "serviceClasses": [{"code": c, "uri": SERVICE_CLASS_URI + c} for c in classes],
            "targetGroups": [{"code": "KR1", "uri": TARGET_GROUP_URI + "KR1"}],
            "keywords": kw,
            "organizations": [{"roleType": "Responsible", "organization": {"id": o.uuid}}],
            "serviceChannels": [{"serviceChannel": {"id": c["id"]}} for c in channels],
            "publishingStatus": "Published", "modified": _iso(a["modified"]),
        }
        return svc, channels

    def lahella_item(self, o: _Org, a: dict) -> dict:
        ltype, fmt, theme = TYPE_LAHELLA[a["type"]]
        tr = {"fi": {"name": a["name_fi"], "summary": f"<p>{a['desc_fi']}</p>"}}
        if a["name_sv"]:
            tr["sv"] = {"name": a["name_sv"], "summary": f"<p>{DEMO_DESC_SV}</p>"}
        regions = [self.munis[c].region for c in a["munis"]]
        channels = []
        for c in a["munis"][:2]:
            m = self.munis[c]
            lon, lat = self.point(m)
            street, no, pc = self.street(m, False)
            channels.append({"id": f"ch{a['n']}_{c}", "type": ["hybrid" if a["mode"] == "hybrid" else "place"],
                             "map": {"center": {"type": "Point", "coordinates": [lon, lat]}, "zoom": 14},
                             "translations": {"fi": {"address": {"street": f"{street} {no}", "postalCode": pc,
                                                                 "city": m.name_fi, "country": "FI"}}}})
        if not channels:
            channels.append({"id": f"ch{a['n']}", "type": ["phone" if a["mode"] == "phone" else "online"]})
        demo = []
        for tg in a["tg"]:
            demo += AGE_BY_THEME.get(tg, [])
        if not demo:
            demo = ["ageGroup/range:18-29", "ageGroup/range:30-64", "ageGroup/range:65-99"]
        locale = [{"fi": "fi-FI", "sv": "sv"}[lng] for lng in a["langs"]]
        start = int((BASE_DATE - dt.timedelta(days=a["modified"])).timestamp() * 1000)
        item = {"_key": str(90000000 + a["n"]), "status": "published", "group": o.group,
                "tags": {"visibility": {"start": start, "end": start + 365 * 86400000}},
                "traits": {"type": ltype, "requiredLocales": ["fi"], "translations": tr, "theme": theme,
                           "format": fmt, "locale": locale, "demographic": sorted(set(demo)) + ["gender/gender"],
                           "region": regions, "pricing": ["free"],
                           "contacts": [{"id": "c1", "type": "www",
                                         "value": o.website or f"https://demo.example.org/lahella/{a['n']}"}],
                           "channels": channels}}
        self.lahella_n += 1
        if self.lahella_n % 1000 == 10:   # planted: the mojibake region value seen in the real schema
            item["traits"]["region"] = ["city/FI/Säkyl\ufffd\ufffd"]
            self.planted["lahella_mojibake_region"] += 1
        return item

    def template_row(self, o: _Org, a: dict) -> list[str]:
        r = self.r
        sv_org = o.lang == "sv"
        munis = [(self.munis[c].name_sv if sv_org else self.munis[c].name_fi) for c in a["munis"]]
        bid = o.bid_written
        if r.random() < 0.10:
            bid = ""
            self.planted["template_missing_business_id"] += 1
        if munis and r.random() < 0.002:
            munis[0] = _misspell(munis[0])
            self.planted["template_misspelled_municipality"] += 1
        d = (BASE_DATE - dt.timedelta(days=a["modified"])).date().isoformat()
        return [o.name, bid, a["name_sv"] if (sv_org and a["name_sv"]) else a["name_fi"],
                a["type"], ";".join(a["tg"]), ";".join(munis), MODE_TEMPLATE[a["mode"]],
                "kyllä" if a["national"] else "ei", ";".join(a["langs"]),
                DEMO_DESC_SV if sv_org else a["desc_fi"], o.website or "", d]

    # main --------------------------------------------------------------------------------------------------------
    def run(self) -> DemoResult:
        self.type_cdf = np.cumsum(TYPE_W)
        self.type_cdf[-1] = 1.0
        self.common_cdf = np.cumsum(COMMON_W)
        self.common_cdf[-1] = 1.0
        self.theme_cdf = np.cumsum(THEME_W)
        self.theme_cdf[-1] = 1.0
        self.m_cdf = np.cumsum(self.mweight)
        self.m_cdf[-1] = 1.0
        orgs = self.plan()
        anchors = self.anchors(orgs)
        self.log(f"planned {len(orgs)} organisations")
        out = self.out
        ptv_org_w = _PageWriter(out / "ptv" / "organizations", self.files)
        svc_w = _PageWriter(out / "ptv" / "services", self.files)
        ch_w = _PageWriter(out / "ptv" / "channels", self.files)
        lah_w = _LahellaWriter(out / "lahella", self.files)
        (out / "template").mkdir(parents=True, exist_ok=True)
        tpath = out / "template" / "toimintarekisteri_demo.csv"
        tf = open(tpath, "w", encoding="utf-8-sig", newline="")
        tw = csv.writer(tf, delimiter=";", lineterminator="\r\n")
        tw.writerow(["jarjesto", "y_tunnus", "toiminnan_nimi", "toimintamuoto", "kohderyhmat", "kunnat",
                     "toimintatapa", "valtakunnallinen", "kielet", "kuvaus", "verkkosivu", "paivitetty"])
        n_template = 0
        self.grant_acts: dict[int, str] = {}
        for o in orgs:
            if "ptv" in o.sources:
                ptv_org_w.add(self.ptv_org(o))
            if o.kind == "stea_only":
                continue
            forced = anchors.get(o.idx, [])
            for k in range(o.n_act + len(forced)):
                a = self.make_activity(o, forced[k - o.n_act] if k >= o.n_act else None)
                if o.kind == "nonngo":
                    a["name_fi"] = f"Demokunnan palvelu {self.place()}"
                src = o.sources[0] if len(o.sources) == 1 or self.r.random() < 0.8 else o.sources[1]
                if k >= o.n_act:
                    src = "ptv" if "ptv" in o.sources else o.sources[0]
                if src == "ptv":
                    svc, chans = self.ptv_service(o, a)
                    svc_w.add(svc)
                    for c in chans:
                        ch_w.add(c)
                    if (o.kind != "nonngo" and a["munis"] and self.munis[a["munis"][0]].area in SURVEY_AREAS
                            and self.r.random() < 0.15):
                        tw.writerow(self.template_row(o, a))
                        n_template += 1
                        self.planted["template_duplicates_of_ptv"] += 1
                elif src == "lahella":
                    lah_w.add(self.lahella_item(o, a), o.group, {"name": o.name, "businessId": o.bid_written})
                else:
                    tw.writerow(self.template_row(o, a))
                    n_template += 1
                if o.kind != "nonngo":
                    self.n_activities += 1
                    self.grant_acts.setdefault(o.idx, a["name_fi"])
            if self.progress and o.idx % 50000 == 0 and o.idx:
                self.log(f"{o.idx} organisations, {self.n_activities} activities")
        n_template += self.plant_template(tw, orgs)
        tf.close()
        self.files.append(tpath)
        ptv_org_w.close()
        svc_w.close()
        ch_w.close()
        lah_w.close()
        self.counts = {"ptv_organizations": ptv_org_w.count, "ptv_services": svc_w.count,
                       "ptv_channels": ch_w.count, "lahella_items": lah_w.count, "template_rows": n_template}
        self.log(f"activities written: {self.counts}")
        self.write_ytj(orgs)
        self.log("ytj written")
        self.write_stea(orgs)
        self.log(f"stea written ({self.n_grants} rows)")
        n_orgs = sum(1 for o in orgs if o.kind != "nonngo")
        self.counts.update({"organisations": n_orgs, "activities": self.n_activities, "grants": self.n_grants})
        marker = out / MARKER
        with open(marker, "w", encoding="utf-8", newline="\n") as f:
            json.dump({"synthetic": True, "seed": self.seed, "scale": self.scale, "generator": "etl.demo",
                       "note": "Synthetic demo data — not real organisations", "reference_date": "2026-10-01",
                       "counts": self.counts, "planted_defects": self.planted}, f, ensure_ascii=False, indent=2)
            f.write("\n")
        self.files.append(marker)
        secs = round(time.perf_counter() - self.t0, 2)
        self.log(f"done: {len(self.files)} files")
        return DemoResult(files=sorted(self.files), organisations=n_orgs, activities=self.n_activities,
                          grants=self.n_grants, seconds=secs, planted=self.planted)

    def plant_template(self, tw, orgs: list[_Org]) -> int:
        """Deliberate defects so the quarantine has examples: Åland, bad business id, HTML, misspelling."""
        r = self.r
        fi_orgs = [o for o in orgs if o.kind == "local" and o.lang == "fi"]
        rows = 0

        def row(o: _Org, name: str, bid: str, munis: str) -> None:
            nonlocal rows
            tw.writerow([o.name, bid, name, "kerho_ryhma", "kaikki", munis, "lähi", "ei", "fi",
                         DEMO_DESC_FI, "", "2026-05-04"])
            rows += 1

        sv = [o for o in orgs if o.kind == "local" and o.lang == "sv"] or fi_orgs
        row(sv[0], "Klubb på Åland (DEMO)", sv[0].bid_written, "Maarianhamina")
        row(sv[-1], "Kerho Ahvenanmaalla (DEMO)", sv[-1].bid_written, "Jomala")
        self.planted["template_aland"] = 2
        for k in range(2):
            o = fi_orgs[r.randrange(len(fi_orgs))]
            bad = _invalid_bid(9_000_000 + r.randrange(1_000_000))
            row(o, f"Kerho {self.place()}", bad, self.munis[o.base].name_fi)
            self.planted["invalid_business_ids"].append({"source": "template", "business_id": bad})
        o = fi_orgs[r.randrange(len(fi_orgs))]
        row(o, f"<b>Demo</b> Kerho {self.place()}", o.bid_written, self.munis[o.base].name_fi)
        self.planted["template_html_name"] = 1
        while self.planted["template_misspelled_municipality"] < 2:
            o = fi_orgs[r.randrange(len(fi_orgs))]
            row(o, f"Kerho {self.place()}", o.bid_written, _misspell(self.munis[o.base].name_fi))
            self.planted["template_misspelled_municipality"] += 1
        return rows

    def write_ytj(self, orgs: list[_Org]) -> None:
        folder = self.out / "ytj"
        folder.mkdir(parents=True, exist_ok=True)
        chosen = [o for o in orgs if o.in_ytj and o.kind != "nonngo"]
        for part in range(max(1, math.ceil(len(chosen) / YTJ_CHUNK))):
            chunk = chosen[part * YTJ_CHUNK:(part + 1) * YTJ_CHUNK]
            path = folder / f"companies_{part + 1:04d}.json"
            with open(path, "w", encoding="utf-8", newline="\n") as f:
                f.write(f'{{"totalResults":{len(chosen)},"companies":[')
                for k, o in enumerate(chunk):
                    if k:
                        f.write(",")
                    f.write(_dumps(self.ytj_company(o)))
                f.write("]}\n")
            self.files.append(path)

    def ytj_company(self, o: _Org) -> dict:
        home = self.munis[o.home]
        reg = (BASE_DATE - dt.timedelta(days=400 + int(self.r.random() * 15000))).date().isoformat()
        form = {"6": ("Aatteellinen yhdistys", "Ideell förening", "Non-profit association"),
                "18": ("Säätiö", "Stiftelse", "Foundation")}[o.form]
        street, no, pc = self.street(home, o.lang == "sv")
        city = home.name_sv if o.lang == "sv" else home.name_fi
        return {
            "businessId": {"value": o.bid, "registrationDate": reg, "source": "3"},
            "names": [{"name": o.name, "type": "1", "registrationDate": reg, "version": 1, "source": "1"}],
            "mainBusinessLine": {"type": "94999", "descriptions": [
                {"languageCode": "1", "description": "Muualla luokittelemattomien järjestöjen toiminta"},
                {"languageCode": "2", "description": "Övriga intresseorganisationer"}], "registrationDate": reg},
            "website": {"url": o.website} if o.website else None,
            "companyForms": [{"type": o.form, "descriptions": [
                {"languageCode": str(i + 1), "description": d} for i, d in enumerate(form)],
                "registrationDate": reg}],
            "addresses": [{"type": 1, "street": street, "buildingNumber": no, "postCode": pc,
                           "postOffices": [{"city": city.upper(), "languageCode": "2" if o.lang == "sv" else "1",
                                            "municipalityCode": home.code}], "country": "FI"}],
            "status": "2", "registrationDate": reg, "lastModified": _iso(o.modified),
        }

    def write_stea(self, orgs: list[_Org]) -> None:
        from openpyxl import Workbook
        folder = self.out / "stea"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "stea_avustukset_demo.xlsx"
        wb = Workbook(write_only=True)
        fixed = dt.datetime(2026, 10, 1, 0, 0, 0)
        wb.properties.created = fixed
        wb.properties.modified = fixed
        wb.properties.creator = "etl.demo (synthetic demo data)"
        wb.properties.title = "STEA-avustukset DEMO – synteettinen aineisto"
        ws = wb.create_sheet("avustukset")
        ws.append(["jarjesto", "y_tunnus", "vuosi", "kayttotarkoitus", "avustuslaji", "alue", "avustuskokonaisuus",
                   "jarjestoluokka", "haettu", "ehdotettu", "myonnetty"])
        r = self.r
        bad_done = missing_done = 0
        for o in orgs:
            if not o.grants or o.kind == "nonngo":
                continue
            m = self.munis[o.base]
            start = r.choice([2022, 2022, 2023, 2024, 2025, 2026])
            end = r.choice([y for y in range(start, 2027)] + [2026])
            big = o.kind == "national"
            lajit = ["Ay"] if big else [r.choice(["Ak 10", "Ak 10", "C", "Ak 6"])]
            if r.random() < 0.03:
                lajit.append("B 5")
            bid = o.bid_written
            if not bad_done and o.kind == "stea_only":
                bid = _invalid_bid(int(o.bid[:7]))
                self.planted["invalid_business_ids"].append({"source": "stea", "business_id": bid})
                bad_done = 1
            elif missing_done < 2 and o.kind == "local" and r.random() < 0.02:
                bid = ""
                missing_done += 1
            if big:
                alue = "Valtakunnallinen"
            else:
                alue = m.area_name if r.random() < 0.5 else m.name_fi
            act = self.grant_acts.get(o.idx, "yhdistyksen toiminta")
            for year in range(start, end + 1):
                for laji in lajit:
                    base = math.exp(r.gauss(13.3 if big else 10.6, 0.8))
                    haettu = round(base, -2)
                    rejected = r.random() < 0.05
                    ehd = 0 if rejected else round(haettu * r.uniform(0.6, 1.0), -2)
                    myon = 0 if rejected else ehd
                    ws.append([o.name, bid, year, STEA_LAJIT[laji].format(act=act), laji, alue,
                               r.choice(STEA_KOKONAISUUS), THEMES[o.theme][8], haettu, ehd, myon])
                    self.n_grants += 1
        self.planted["stea_missing_business_id"] = missing_done
        buf = io.BytesIO()
        wb.save(buf)
        _write_deterministic_zip(buf.getvalue(), path)
        self.files.append(path)


def _misspell(name: str) -> str:
    """Swap two inner letters and double one: 'Tampere' -> 'Tapmeree' (never a real municipality name)."""
    if len(name) < 4:
        return name + "xx"
    i = 1
    s = name[:i] + name[i + 1] + name[i] + name[i + 2:]
    return s + s[-1]


def _write_deterministic_zip(data: bytes, path: Path) -> None:
    """Re-pack a zip (xlsx) with fixed entry times so that the bytes depend only on the content."""
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=(2026, 10, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":   # openpyxl stamps the save time into dcterms:modified
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                              rb"\g<1>2026-10-01T00:00:00Z\g<2>", data)
            dst.writestr(zi, data)


def _clean(out_dir: Path) -> None:
    for name in OWNED:
        d = out_dir / name
        if d.is_dir():
            shutil.rmtree(d)
    m = out_dir / MARKER
    if m.exists():
        m.unlink()


def generate(out_dir: Path, *, scale: float = 1.0, seed: int = 42, offline_dir: Path | None = None,
             reference_dir: Path | None = None, progress: bool = True) -> DemoResult:
    """Write the synthetic demo dataset under `out_dir` (its own subfolders are emptied first)."""
    if scale <= 0:
        raise ValueError("scale must be > 0")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    _clean(out_dir)
    gen = _Gen(out_dir, scale, seed, Path(offline_dir or paths.offline_dir()),
               Path(reference_dir or paths.reference_dir()), progress)
    return gen.run()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m etl.demo", description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=paths.DEMO_DIR)
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args(argv)
    res = generate(args.out, scale=args.scale, seed=args.seed, progress=not args.quiet)
    print(f"{len(res.files)} files, {res.organisations} organisations, {res.activities} activities, "
          f"{res.grants} grant rows in {res.seconds} s -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
