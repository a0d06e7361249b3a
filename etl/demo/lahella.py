"""Lähellä.fi output: activities as the search API's item envelopes (``lahella/activities_NNNN.json``, 5,000 items a
file, each file carrying the groups (organisations) its items refer to, ``hasMore`` false on the last)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from .activities import Activity
from .organisations import Org
from .serialise import dumps
from .vocabulary import BASE_DATE, DEMO_DESC_SV
from .world import World

CHUNK = 5000
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


def item(w: World, o: Org, a: Activity, seq: int) -> dict:
    """The item of one activity; `seq` counts Lähellä.fi items from 1 (planted defects key on it)."""
    ltype, fmt, theme = TYPE_LAHELLA[a.type]
    tr = {"fi": {"name": a.name_fi, "summary": f"<p>{a.desc_fi}</p>"}}
    if a.name_sv:
        tr["sv"] = {"name": a.name_sv, "summary": f"<p>{DEMO_DESC_SV}</p>"}
    regions = [w.munis[c].region for c in a.munis]
    channels = []
    for c in a.munis[:2]:
        m = w.munis[c]
        lon, lat = w.point(m)
        street, no, pc = w.street(False)
        channels.append({"id": f"ch{a.n}_{c}", "type": ["hybrid" if a.mode == "hybrid" else "place"],
                         "map": {"center": {"type": "Point", "coordinates": [lon, lat]}, "zoom": 14},
                         "translations": {"fi": {"address": {"street": f"{street} {no}", "postalCode": pc,
                                                             "city": m.name_fi, "country": "FI"}}}})
    if not channels:
        channels.append({"id": f"ch{a.n}", "type": ["phone" if a.mode == "phone" else "online"]})
    demo = []
    for tg in a.tg:
        demo += AGE_BY_THEME.get(tg, [])
    if not demo:
        demo = ["ageGroup/range:18-29", "ageGroup/range:30-64", "ageGroup/range:65-99"]
    locale = [{"fi": "fi-FI", "sv": "sv"}[lng] for lng in a.langs]
    start = int((BASE_DATE - dt.timedelta(days=a.modified)).timestamp() * 1000)
    out = {"_key": str(90000000 + a.n), "status": "published", "group": o.group,
           "tags": {"visibility": {"start": start, "end": start + 365 * 86400000}},
           "traits": {"type": ltype, "requiredLocales": ["fi"], "translations": tr, "theme": theme,
                      "format": fmt, "locale": locale, "demographic": sorted(set(demo)) + ["gender/gender"],
                      "region": regions, "pricing": ["free"],
                      "contacts": [{"id": "c1", "type": "www",
                                    "value": o.website or f"https://demo.example.org/lahella/{a.n}"}],
                      "channels": channels}}
    w.defects.lahella_region(out, seq)
    return out


class LahellaWriter:
    """Streams items into chunk files; a file is written once the next one starts (so hasMore is known)."""

    def __init__(self, folder: Path, files: list[Path], w: World):
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.files = files
        self.w = w
        self.items: list[str] = []
        self.groups: dict[str, dict] = {}
        self.n_files = 0
        self.count = 0
        self.pending: tuple[Path, list[str], dict] | None = None

    def add(self, o: Org, a: Activity) -> None:
        self.items.append(dumps(item(self.w, o, a, self.count + 1)))
        self.groups[o.group] = {"name": o.name, "businessId": o.bid_written}
        self.count += 1
        if len(self.items) >= CHUNK:
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
            f.write(dumps(dict(sorted(groups.items()))))
            f.write("}\n")
        self.files.append(path)

    def close(self) -> None:
        if self.items or not self.pending:
            self._rotate()
        self._write(*self.pending, has_more=False)

