"""Organisations of the synthetic world: how many, of which kind, where, in which language, which sources publish
them, their business ids and names, and how many activities each runs.

Kinds: ``local`` and ``national`` associations and foundations (the NGOs), ``stea_only`` (grants but no activity
listings) and ``nonngo`` (municipalities and companies that PTV lists among organisations: a planted defect).
"""
from __future__ import annotations

import uuid

import numpy as np

from etl.bizid import check_digit

from .vocabulary import BIG_CITIES, SURVEY_AREAS, THEME_W, THEMES, TYPES
from .world import World


class Org:
    __slots__ = ("idx", "uuid", "name", "lang", "form", "kind", "theme", "base", "home", "bid", "bid_written",
                 "sources", "in_ytj", "n_act", "website", "modified", "group", "grants", "ptv_type")

    def __init__(self, idx: int):
        self.idx = idx
        self.grants = False
        self.ptv_type = "Organization"


def valid_bid(body: int) -> str | None:
    s = f"{body:07d}"
    c = check_digit(s)
    return None if c is None else f"{s}-{c}"


def _unique(w: World, name: str, suffix: str) -> str:
    full = f"{name} {suffix}"
    n = 2
    while full in w.used_names:
        full = f"{name} {n} {suffix}"
        n += 1
    w.used_names.add(full)
    return full


def org_name(w: World, o: Org) -> str:
    t = THEMES[o.theme]
    if o.ptv_type == "Municipality":
        return _unique(w, f"Demokunta {w.place()} – perusturva", "(DEMO)")
    if o.ptv_type == "Company":
        return _unique(w, f"Demoyritys {w.place()}", "Oy (DEMO)")
    if o.lang == "sv":
        p = w.place(sv=True)
        if o.form == "18":
            return _unique(w, f"Demostiftelsen {p}", "sr (DEMO)")
        if w.r.random() < 0.5:
            return _unique(w, f"Demoföreningen för {t[4]} i {p}", "rf (DEMO)")
        return _unique(w, f"Demoföreningen {p}", "rf (DEMO)")
    p = w.place()
    if o.form == "18":
        return _unique(w, f"Kuvitteellinen {t[3]} {p}", "sr (DEMO)")
    word = t[2] if o.kind == "national" else t[1]
    if w.r.random() < 0.55:
        return _unique(w, f"Kuvitteellinen {word} {p}", "ry (DEMO)")
    return _unique(w, f"Demo-{word} {p}", "ry (DEMO)")


def plan(w: World) -> list[Org]:
    """All organisations, in a fixed order (their index is their position); activity counts included."""
    n_org = max(20, round(3000 * w.scale))
    n_act = max(n_org, round(15000 * w.scale))
    n_stea_only = max(2, round(0.03 * n_org))
    n_nonngo = max(1, round(0.03 * n_org))
    total = n_org + n_stea_only + n_nonngo
    bodies = w.np.choice(1_000_000, size=int(total * 1.25) + 50, replace=False) + 9_000_000
    ids = [b for b in (valid_bid(int(x)) for x in bodies) if b][: total + 5]
    homes = w.np.choice(len(w.mcodes), size=total, p=w.mweight)
    themes = w.np.choice(len(THEMES), size=total, p=THEME_W)
    u = w.np.random((total, 8))
    orgs: list[Org] = []
    helsinki_like = ["091", "091", "091", "837", "853", "564"]
    for i in range(total):
        o = Org(i)
        o.uuid = str(uuid.UUID(int=w.r.getrandbits(128), version=4))
        o.theme = int(themes[i])
        base = w.mcodes[int(homes[i])]
        if i < n_org:
            o.kind = "national" if u[i, 0] < 0.05 else "local"
        elif i < n_org + n_stea_only:
            o.kind = "stea_only"
        else:
            o.kind = "nonngo"
            o.ptv_type = "Municipality" if u[i, 0] < 0.5 else "Company"
        if o.kind == "national":
            base = w.r.choice(helsinki_like)
        o.base = base
        m = w.munis[base]
        o.home = base
        if o.kind == "local" and u[i, 1] < 0.11:   # headquarters effect: registered elsewhere
            big = w.area_largest[m.area]
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
        o.group = str(7100000000 + int(w.r.random() * 899999999))
        o.modified = w.r.uniform(5, 900)
        o.name = org_name(w, o)
        slug = f"org{i:06d}"
        o.website = f"https://demo.example.org/{slug}" if w.r.random() < 0.8 else None
        orgs.append(o)
    # activity counts: 1 + multinomial share (national organisations much larger)
    ngo = [o for o in orgs if o.kind in ("local", "national")]
    weight = np.array([(8.0 if o.kind == "national" else 1.0) for o in ngo]) * w.np.lognormal(0, 0.7, len(ngo))
    extra = w.np.multinomial(max(0, n_act - len(ngo)), weight / weight.sum())
    for o, e in zip(ngo, extra):
        o.n_act = 1 + int(e)
    for o in orgs:
        if o.kind == "nonngo":
            o.n_act = 1
        elif o.kind == "stea_only":
            o.n_act = 0
    w.defects.ptv_invalid_business_id([o for o in ngo if "ptv" in o.sources])
    w.defects.not_an_ngo(n_nonngo)
    return orgs


def anchors(w: World, orgs: list[Org]) -> dict[int, list[tuple[str, str]]]:
    """Big cities get every activity type (forced extra activities, attached to an organisation there)."""
    k = 3 if w.scale < 0.5 else len(BIG_CITIES)
    out: dict[int, list[tuple[str, str]]] = {}
    for city in BIG_CITIES[:k]:
        local = [o for o in orgs if o.kind == "local" and o.base == city and "ptv" in o.sources]
        if not local:
            local = [o for o in orgs if o.kind == "national"]
        for t in TYPES:
            if t == "muu":
                continue
            o = local[w.r.randrange(len(local))]
            out.setdefault(o.idx, []).append((t, city))
    return out
