"""Places of the synthetic world: real municipalities (codes, names, languages, population, candidate points inside
each boundary, nearest neighbours in the same wellbeing county) and fictional place words and street addresses."""
from __future__ import annotations

import csv
import json
import math
import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np

PLACE_A = ["Kuusi", "Koivu", "Mänty", "Kataja", "Paju", "Leppä", "Haapa", "Pihlaja", "Tammi", "Vaahtera", "Kivi",
           "Kallio", "Sammal", "Kanerva", "Mustikka", "Puolukka", "Lakka", "Kaisla", "Ulpukka", "Apila"]
PLACE_B = ["mäki", "lahti", "niemi", "ranta", "harju", "laakso", "joki", "puro", "saari", "metsä", "kangas", "rinne",
           "lampi", "suo", "vaara"]
PLACE_A_SV = ["Gran", "Björk", "Tall", "En", "Vide", "Al", "Asp", "Rönn", "Ek", "Lönn", "Sten", "Häll", "Mossa",
              "Ljung", "Blåbär", "Lingon", "Hjortron", "Vass", "Näckros", "Klöver"]
PLACE_B_SV = ["backa", "vik", "näs", "strand", "ås", "dal", "å", "bäck", "ö", "skog", "hed", "lid", "sjö", "mosse", "berg"]
STREETS_FI = ["Demokatu", "Esimerkkitie", "Kuvitelmankuja", "Testipolku", "Mallikatu"]
STREETS_SV = ["Demogatan", "Exempelvägen", "Testgränden"]


@dataclass
class Muni:
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


@dataclass(frozen=True)
class Address:
    """A fictional street address at a real point inside a municipality."""
    street: str
    number: str
    postcode: str
    muni: str
    lon: float
    lat: float


def place_word(r: random.Random, sv: bool = False) -> str:
    """A fictional place word ('Koivuranta', 'Björkvik') for names."""
    if sv:
        return r.choice(PLACE_A_SV) + r.choice(PLACE_B_SV)
    return r.choice(PLACE_A) + r.choice(PLACE_B)


def street(r: random.Random, sv: bool) -> tuple[str, str, str]:
    """A fictional street, house number and postcode."""
    s = r.choice(STREETS_SV if sv else STREETS_FI)
    return s, str(r.randint(1, 60)), f"{r.randint(0, 99999):05d}"


def point(r: random.Random, m: Muni) -> tuple[float, float]:
    """One of the municipality's candidate points (lon, lat)."""
    p = m.lonlat[r.randrange(len(m.lonlat))]
    return float(p[0]), float(p[1])


def address(r: random.Random, m: Muni, sv: bool) -> Address:
    """Street first, then the point: the order in which the PTV records draw them."""
    s, no, pc = street(r, sv)
    lon, lat = point(r, m)
    return Address(s, no, pc, m.code, lon, lat)


def load_municipalities(offline: Path, reference: Path, rng: np.random.Generator) -> dict[str, Muni]:
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
    out: dict[str, Muni] = {}
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
        out[code] = Muni(code=code, name_fi=k["municipality_name_fi"], name_sv=k["municipality_name_sv"],
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

