"""PRH YTJ (open data API v3) output: the registered organisations as ``ytj/companies_NNNN.json``, 50,000 a file."""
from __future__ import annotations

import math
from pathlib import Path

from .organisations import Org
from .serialise import dumps, iso, iso_date
from .world import World

CHUNK = 50000
FORMS = {"6": ("Aatteellinen yhdistys", "Ideell förening", "Non-profit association"),
         "18": ("Säätiö", "Stiftelse", "Foundation")}


def company(w: World, o: Org) -> dict:
    home = w.munis[o.home]
    reg = iso_date(400 + int(w.r.random() * 15000))
    form = FORMS[o.form]
    street, no, pc = w.street(o.lang == "sv")
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
        "status": "2", "registrationDate": reg, "lastModified": iso(o.modified),
    }


def write(w: World, orgs: list[Org], folder: Path, files: list[Path]) -> None:
    """Every NGO marked ``in_ytj`` (never the planted non-NGOs), in planning order."""
    folder.mkdir(parents=True, exist_ok=True)
    chosen = [o for o in orgs if o.in_ytj and o.kind != "nonngo"]
    for part in range(max(1, math.ceil(len(chosen) / CHUNK))):
        chunk = chosen[part * CHUNK:(part + 1) * CHUNK]
        path = folder / f"companies_{part + 1:04d}.json"
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.write(f'{{"totalResults":{len(chosen)},"companies":[')
            for k, o in enumerate(chunk):
                if k:
                    f.write(",")
                f.write(dumps(company(w, o)))
            f.write("]}\n")
        files.append(path)
