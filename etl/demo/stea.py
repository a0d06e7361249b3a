"""STEA grants output: ``stea/stea_avustukset_demo.xlsx``, one row per organisation, year and grant kind, written
with fixed document properties and fixed zip entry times so that the bytes depend only on the content."""
from __future__ import annotations

import datetime as dt
import io
import math
import re
import zipfile
from pathlib import Path

from .organisations import Org
from .vocabulary import THEMES
from .world import World

FILE = "stea_avustukset_demo.xlsx"
HEADER = ["jarjesto", "y_tunnus", "vuosi", "kayttotarkoitus", "avustuslaji", "alue", "avustuskokonaisuus",
          "jarjestoluokka", "haettu", "ehdotettu", "myonnetty"]
KOKONAISUUS = ["Sosiaalisen hyvinvoinnin edistäminen", "Terveyden edistäminen",
               "Osallisuuden ja yhdenvertaisuuden edistäminen", "Ehkäisevä päihde- ja mielenterveystyö"]
LAJIT = {"Ay": "[DEMO] Yleisavustus yhdistyksen toimintaan", "Ak 6": "[DEMO] Järjestötoiminnan kehittäminen",
         "Ak 10": "[DEMO] Kohdennettu toiminta-avustus: {act}", "C": "[DEMO] Hanke: {act}",
         "B 5": "[DEMO] Toimitilojen hankinta"}


def write(w: World, orgs: list[Org], grant_acts: dict[int, str], folder: Path, files: list[Path]) -> int:
    """Grants of every organisation marked ``grants``; `grant_acts` names each one's first activity (the purpose
    of targeted grants). Returns the number of grant rows."""
    from openpyxl import Workbook
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / FILE
    wb = Workbook(write_only=True)
    fixed = dt.datetime(2026, 10, 1, 0, 0, 0)
    wb.properties.created = fixed
    wb.properties.modified = fixed
    wb.properties.creator = "etl.demo (synthetic demo data)"
    wb.properties.title = "STEA-avustukset DEMO – synteettinen aineisto"
    ws = wb.create_sheet("avustukset")
    ws.append(HEADER)
    r = w.r
    n_rows = 0
    for o in orgs:
        if not o.grants or o.kind == "nonngo":
            continue
        m = w.munis[o.base]
        start = r.choice([2022, 2022, 2023, 2024, 2025, 2026])
        end = r.choice([y for y in range(start, 2027)] + [2026])
        big = o.kind == "national"
        lajit = ["Ay"] if big else [r.choice(["Ak 10", "Ak 10", "C", "Ak 6"])]
        if r.random() < 0.03:
            lajit.append("B 5")
        bid = w.defects.stea_business_id(r, o)
        if big:
            alue = "Valtakunnallinen"
        else:
            alue = m.area_name if r.random() < 0.5 else m.name_fi
        act = grant_acts.get(o.idx, "yhdistyksen toiminta")
        for year in range(start, end + 1):
            for laji in lajit:
                base = math.exp(r.gauss(13.3 if big else 10.6, 0.8))
                haettu = round(base, -2)
                rejected = r.random() < 0.05
                ehd = 0 if rejected else round(haettu * r.uniform(0.6, 1.0), -2)
                myon = 0 if rejected else ehd
                ws.append([o.name, bid, year, LAJIT[laji].format(act=act), laji, alue,
                           r.choice(KOKONAISUUS), THEMES[o.theme][8], haettu, ehd, myon])
                n_rows += 1
    buf = io.BytesIO()
    wb.save(buf)
    _write_deterministic_zip(buf.getvalue(), path)
    files.append(path)
    return n_rows


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
