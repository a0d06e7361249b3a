"""Activities of the synthetic world: one plain record per activity (type, municipalities, mode, names, languages,
description, target groups), drawn organisation by organisation. The writers turn records into source formats."""
from __future__ import annotations

from dataclasses import dataclass

from .organisations import Org
from .places import Muni
from .vocabulary import (COMMON_TYPES, DEMO_DESC_FI, NATIONAL_NAMES_FI, RARE_MIN_POP, THEMES, TYPE_NAMES_FI,
                         TYPE_NAMES_SV, TYPE_SENTENCE_FI, TYPES)
from .world import World


@dataclass
class Activity:
    type: str
    munis: list[str]          # municipality codes; empty for a nationwide activity
    national: bool
    mode: str                 # in_person, online, phone, hybrid
    name_fi: str
    name_sv: str | None
    langs: list[str]
    desc_fi: str
    tg: list[str]             # target-group (theme) codes
    modified: float           # days before BASE_DATE
    n: int                    # running number among NGO activities (ids in Lähellä.fi)


def pick_type(w: World, muni: Muni) -> str:
    t = TYPES[w.cdf_pick(w.type_cdf)]
    need = RARE_MIN_POP.get(t)
    if need and muni.pop < need and w.area_largest.get(muni.area) != muni.code:
        t = COMMON_TYPES[w.cdf_pick(w.common_cdf)]
    return t


def activity_munis(w: World, o: Org, t: str) -> list[str]:
    if o.kind == "national":
        first = w.mcodes[w.cdf_pick(w.m_cdf)]
    elif w.r.random() < 0.8:
        first = o.base
    else:
        nb = w.munis[o.base].neighbours
        first = w.r.choice(nb) if nb else o.base
    munis = [first]
    if t not in RARE_MIN_POP and w.r.random() < 0.12:
        nb = [c for c in w.munis[first].neighbours]
        w.r.shuffle(nb)
        munis += nb[: w.r.randint(1, 3)]
    return munis


def make_activity(w: World, o: Org, forced: tuple[str, str] | None, n: int) -> Activity:
    """One activity of `o`; `forced` = (type, municipality) for the big-city anchors."""
    r = w.r
    national = False
    if forced:
        t, munis = forced[0], [forced[1]]
    else:
        if o.kind == "national" and r.random() < 0.13:
            national = True
            t = r.choice(["neuvonta_ohjaus", "neuvonta_ohjaus", "kriisiapu", "vertaistuki"])
            munis = []
        else:
            base = w.munis[o.base]
            t = pick_type(w, base)
            munis = activity_munis(w, o, t)
            if t in RARE_MIN_POP:
                m0 = w.munis[munis[0]]
                if m0.pop < RARE_MIN_POP[t] and w.area_largest.get(m0.area) != m0.code:
                    t = COMMON_TYPES[w.cdf_pick(w.common_cdf)]
    theme = THEMES[o.theme] if r.random() < 0.85 else THEMES[w.cdf_pick(w.theme_cdf)]
    tg_codes = [theme[0]] + ([THEMES[7][0]] if theme[0] in ("ikaantyneet", "vammaiset") and r.random() < 0.2
                             else [])
    first = w.munis[munis[0]] if munis else w.munis[o.base]
    sv = o.lang == "sv" or (first.lang != "00" and r.random() < first.swedish_share * 0.4)
    p_fi, p_sv = w.place(), w.place(sv=True)
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
    a = Activity(type=t, munis=munis, national=national, mode=mode, name_fi=name_fi, name_sv=name_sv, langs=langs,
                 desc_fi=desc_fi, tg=tg_codes, modified=r.uniform(1, 700), n=n)
    if o.kind == "nonngo":   # a municipality's or company's own service, listed among organisations in PTV
        a.name_fi = f"Demokunnan palvelu {w.place()}"
    return a
