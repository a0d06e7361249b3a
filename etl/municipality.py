"""Resolve municipality references (code, Finnish/Swedish/English name, former name) to the 2025 code."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from rapidfuzz import process, fuzz

# Municipalities merged since 2015: former code and name -> current code (Statistics Finland merger lists).
FORMER_MUNICIPALITIES: dict[str, tuple[str, str, int]] = {
    # former code: (former name, current code, year of merger)
    "588": ("Pertunmaa", "507", 2025),
    "099": ("Honkajoki", "214", 2021),
    "911": ("Valtimo", "541", 2020),
    "174": ("Juankoski", "297", 2017),
    "442": ("Luvia", "051", 2017),
    "838": ("Tarvasjoki", "423", 2015),
}
_SUFFIXES = re.compile(r"\s+(kunta|kaupunki|stad|kommun|municipality|town|city)$")


def normalise_place(value: object) -> str:
    s = unicodedata.normalize("NFC", str(value or "")).strip().lower()
    s = re.sub(r"[\u2010-\u2015_]", "-", s)
    s = re.sub(r"\s*-\s*", "-", s)
    s = re.sub(r"\s+", " ", s)
    s = _SUFFIXES.sub("", s)
    s = re.sub(r"^(city|state)/fi/", "", s)
    return s


@dataclass(frozen=True)
class Resolution:
    code: str | None
    method: str               # code | name | former_name | none
    candidates: tuple[str, ...] = ()

    @property
    def message(self) -> str:
        if self.code:
            return ""
        if self.candidates:
            return "closest: " + ", ".join(self.candidates)
        return "no close match"


class MunicipalityResolver:
    """Built from the `municipality` table rows (code, name_fi, name_sv, name_en, area_code)."""

    def __init__(self, rows: list[dict]) -> None:
        self.area_of: dict[str, str] = {}
        self.name_of: dict[str, str] = {}
        self._by_name: dict[str, str] = {}
        for r in rows:
            code = str(r["code"]).zfill(3)
            self.area_of[code] = r.get("area_code")
            self.name_of[code] = r["name_fi"]
            for key in ("name_fi", "name_sv", "name_en"):
                if r.get(key):
                    self._by_name.setdefault(normalise_place(r[key]), code)
        # WFS spelling of Mariehamn and the official long name of Pedersöre seen in Lähellä.fi values
        for alias, code in (("maarianhamina-mariehamn", "478"), ("pedersören", "599")):
            if code in self.area_of:
                self._by_name.setdefault(alias, code)
        self._former: dict[str, str] = {}
        for old_code, (old_name, new_code, _year) in FORMER_MUNICIPALITIES.items():
            self._former[old_code] = new_code
            self._former[normalise_place(old_name)] = new_code
        self._choices = list(self._by_name.keys())

    def resolve(self, value: object) -> Resolution:
        if value is None:
            return Resolution(None, "none")
        raw = str(value).strip()
        if not raw:
            return Resolution(None, "none")
        digits = re.sub(r"^(KU|ku)", "", raw)
        if digits.isdigit() and len(digits) <= 3:
            code = digits.zfill(3)
            if code in self.area_of:
                return Resolution(code, "code")
            if code in self._former:
                return Resolution(self._former[code], "former_code")
            return Resolution(None, "none", ())
        key = normalise_place(raw)
        if key in self._by_name:
            return Resolution(self._by_name[key], "name")
        if key.replace("-", " ") in self._by_name:
            return Resolution(self._by_name[key.replace("-", " ")], "name")
        if key in self._former:
            return Resolution(self._former[key], "former_name")
        close = process.extract(key, self._choices, scorer=fuzz.WRatio, limit=3, score_cutoff=60)
        names = tuple(dict.fromkeys(f"{self.name_of[self._by_name[c]]} ({self._by_name[c]})" for c, _s, _i in close))
        return Resolution(None, "none", names)

    def is_aland(self, code: str) -> bool:
        return self.area_of.get(code) == "91"
