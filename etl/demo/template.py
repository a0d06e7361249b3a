"""Our own template (the counties' survey): ``template/toimintarekisteri_demo.csv``, `;`-separated, UTF-8 with BOM,
CRLF line ends, one row per activity, organisation and municipalities by name."""
from __future__ import annotations

import csv
from pathlib import Path

from .activities import Activity
from .organisations import Org
from .serialise import iso_date
from .vocabulary import DEMO_DESC_FI, DEMO_DESC_SV
from .world import World

FILE = "toimintarekisteri_demo.csv"
HEADER = ["jarjesto", "y_tunnus", "toiminnan_nimi", "toimintamuoto", "kohderyhmat", "kunnat", "toimintatapa",
          "valtakunnallinen", "kielet", "kuvaus", "verkkosivu", "paivitetty"]
MODE_TEMPLATE = {"in_person": "lähi", "online": "etä", "phone": "puhelin", "hybrid": "hybridi"}


class TemplateWriter:
    def __init__(self, folder: Path, files: list[Path], w: World):
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / FILE
        self.files = files
        self.w = w
        self._f = open(self.path, "w", encoding="utf-8-sig", newline="")
        self._csv = csv.writer(self._f, delimiter=";", lineterminator="\r\n")
        self._csv.writerow(HEADER)
        self.count = 0

    def add(self, o: Org, a: Activity) -> None:
        w = self.w
        sv_org = o.lang == "sv"
        munis = [(w.munis[c].name_sv if sv_org else w.munis[c].name_fi) for c in a.munis]
        bid, munis = w.defects.template_row(w.r, o.bid_written, munis)
        self._row([o.name, bid, a.name_sv if (sv_org and a.name_sv) else a.name_fi,
                   a.type, ";".join(a.tg), ";".join(munis), MODE_TEMPLATE[a.mode],
                   "kyllä" if a.national else "ei", ";".join(a.langs),
                   DEMO_DESC_SV if sv_org else a.desc_fi, o.website or "", iso_date(a.modified)])

    def add_planted(self, orgs: list[Org]) -> None:
        """The rows that carry planted defects (see ``defects.Defects.template_extra_rows``)."""
        for o, name, bid, munis in self.w.defects.template_extra_rows(self.w, orgs):
            self._row([o.name, bid, name, "kerho_ryhma", "kaikki", munis, "lähi", "ei", "fi",
                       DEMO_DESC_FI, "", "2026-05-04"])

    def _row(self, row: list[str]) -> None:
        self._csv.writerow(row)
        self.count += 1

    def close(self) -> None:
        self._f.close()
        self.files.append(self.path)
