"""The shared state of one synthetic world: the two seeded random streams, the mainland municipalities with their
sampling weights, the names already used and the tally of planted defects.

Every draw goes through ``World.r`` (Python) or ``World.np`` (numpy) in a fixed order, so the same seed and scale
give the same world; callers must not reorder draws.
"""
from __future__ import annotations

import random
from pathlib import Path

import numpy as np

from .defects import Defects
from .places import Address, Muni, address, load_municipalities, place_word, point, street
from .vocabulary import COMMON_W, THEME_W, TYPE_W


def _cdf(weights: np.ndarray) -> np.ndarray:
    c = np.cumsum(weights)
    c[-1] = 1.0
    return c


class World:
    def __init__(self, scale: float, seed: int, offline: Path, reference: Path):
        self.scale, self.seed = scale, seed
        self.np = np.random.default_rng(seed)
        self.r = random.Random(seed)
        munis_all = load_municipalities(offline, reference, np.random.default_rng(seed + 1))
        self.munis: dict[str, Muni] = {c: m for c, m in munis_all.items() if m.area != "91"}  # no Åland
        self.mcodes = sorted(self.munis)
        pops = np.array([self.munis[c].pop for c in self.mcodes], dtype=float)
        self.mweight = pops ** 0.85 / (pops ** 0.85).sum()
        self.area_largest: dict[str, str] = {}
        for c in self.mcodes:
            m = self.munis[c]
            if m.area not in self.area_largest or m.pop > self.munis[self.area_largest[m.area]].pop:
                self.area_largest[m.area] = c
        self.type_cdf = _cdf(TYPE_W)
        self.common_cdf = _cdf(COMMON_W)
        self.theme_cdf = _cdf(THEME_W)
        self.m_cdf = _cdf(self.mweight)
        self.used_names: set[str] = set()
        self.defects = Defects()

    def place(self, sv: bool = False) -> str:
        return place_word(self.r, sv)

    def street(self, sv: bool) -> tuple[str, str, str]:
        return street(self.r, sv)

    def point(self, m: Muni) -> tuple[float, float]:
        return point(self.r, m)

    def address(self, m: Muni, sv: bool) -> Address:
        return address(self.r, m, sv)

    def cdf_pick(self, cdf: np.ndarray) -> int:
        """Index drawn from a cumulative distribution with one Python random number."""
        return int(np.searchsorted(cdf, self.r.random()))
