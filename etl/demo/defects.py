"""Planted defects: the deliberate errors the demo carries so that every validation and quarantine path of the ETL
has examples, and their tally (written to ``DEMO.json`` as ``planted_defects``).

Each decision is taken where the record is drawn (the caller passes its random stream), so the defects sit at the
same place in the random sequence as the rest of the record.
"""
from __future__ import annotations

import random

from etl.bizid import check_digit

LAHELLA_MOJIBAKE_REGION = "city/FI/Säkyl\ufffd\ufffd"   # the broken region value seen in the real schema


def invalid_bid(body: int) -> str:
    """A business id with a wrong check digit."""
    s = f"{body:07d}"
    c = check_digit(s)
    return f"{s}-{(c + 3) % 10 if c is not None else 1}"


def misspell(name: str) -> str:
    """Swap two inner letters and double one: 'Tampere' -> 'Tapmeree' (never a real municipality name)."""
    if len(name) < 4:
        return name + "xx"
    i = 1
    s = name[:i] + name[i + 1] + name[i] + name[i + 2:]
    return s + s[-1]


class Defects:
    def __init__(self):
        self.tally: dict = {"invalid_business_ids": [], "template_misspelled_municipality": 0,
                            "template_aland": 0, "template_html_name": 0, "template_missing_business_id": 0,
                            "lahella_mojibake_region": 0, "stea_missing_business_id": 0, "ptv_not_an_ngo": 0,
                            "template_duplicates_of_ptv": 0}
        self._stea_invalid_done = False

    def _invalid(self, source: str, bid: str) -> str:
        self.tally["invalid_business_ids"].append({"source": source, "business_id": bid})
        return bid

    # organisations ------------------------------------------------------------------------------------------------
    def ptv_invalid_business_id(self, ptv_orgs: list) -> None:
        """One PTV organisation (the middle one) is published with an invalid business id and is not in YTJ."""
        if ptv_orgs:
            bad = ptv_orgs[len(ptv_orgs) // 2]
            bad.bid_written = self._invalid("ptv", invalid_bid(int(bad.bid[:7])))
            bad.in_ytj = False

    def not_an_ngo(self, n: int) -> None:
        """Municipalities and companies among the PTV organisations (planned as kind 'nonngo')."""
        self.tally["ptv_not_an_ngo"] = n

    # template -----------------------------------------------------------------------------------------------------
    def template_row(self, r: random.Random, bid: str, munis: list[str]) -> tuple[str, list[str]]:
        """A survey row loses its business id (10 %) or gets its first municipality misspelled (0.2 %)."""
        if r.random() < 0.10:
            bid = ""
            self.tally["template_missing_business_id"] += 1
        if munis and r.random() < 0.002:
            munis[0] = misspell(munis[0])
            self.tally["template_misspelled_municipality"] += 1
        return bid, munis

    def template_duplicate_of_ptv(self) -> None:
        self.tally["template_duplicates_of_ptv"] += 1

    def template_extra_rows(self, world, orgs: list) -> list[tuple]:
        """Rows added at the end of the survey: Åland, bad business id, HTML, misspelling.

        Returns ``(organisation, activity name, business id, municipalities)`` tuples for the template writer."""
        r = world.r
        fi_orgs = [o for o in orgs if o.kind == "local" and o.lang == "fi"]
        rows: list[tuple] = []
        sv = [o for o in orgs if o.kind == "local" and o.lang == "sv"] or fi_orgs
        rows.append((sv[0], "Klubb på Åland (DEMO)", sv[0].bid_written, "Maarianhamina"))
        rows.append((sv[-1], "Kerho Ahvenanmaalla (DEMO)", sv[-1].bid_written, "Jomala"))
        self.tally["template_aland"] = 2
        for _ in range(2):
            o = fi_orgs[r.randrange(len(fi_orgs))]
            bad = self._invalid("template", invalid_bid(9_000_000 + r.randrange(1_000_000)))
            rows.append((o, f"Kerho {world.place()}", bad, world.munis[o.base].name_fi))
        o = fi_orgs[r.randrange(len(fi_orgs))]
        rows.append((o, f"<b>Demo</b> Kerho {world.place()}", o.bid_written, world.munis[o.base].name_fi))
        self.tally["template_html_name"] = 1
        while self.tally["template_misspelled_municipality"] < 2:
            o = fi_orgs[r.randrange(len(fi_orgs))]
            rows.append((o, f"Kerho {world.place()}", o.bid_written, misspell(world.munis[o.base].name_fi)))
            self.tally["template_misspelled_municipality"] += 1
        return rows

    # Lähellä.fi ---------------------------------------------------------------------------------------------------
    def lahella_region(self, item: dict, seq: int) -> None:
        """Every thousandth item (the 10th, 1010th, ...) carries the mojibake region value."""
        if seq % 1000 == 10:
            item["traits"]["region"] = [LAHELLA_MOJIBAKE_REGION]
            self.tally["lahella_mojibake_region"] += 1

    # STEA ---------------------------------------------------------------------------------------------------------
    def stea_business_id(self, r: random.Random, o) -> str:
        """The first STEA-only organisation gets an invalid id; up to two local ones lose theirs (2 % each)."""
        if not self._stea_invalid_done and o.kind == "stea_only":
            self._stea_invalid_done = True
            return self._invalid("stea", invalid_bid(int(o.bid[:7])))
        if self.tally["stea_missing_business_id"] < 2 and o.kind == "local" and r.random() < 0.02:
            self.tally["stea_missing_business_id"] += 1
            return ""
        return o.bid_written
