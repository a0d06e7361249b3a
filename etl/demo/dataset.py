"""One run of the generator: build the world, route each activity to the source that publishes it, stream every
record through its writer, append the public PTV records (``public``, own random stream), then write YTJ, STEA
and the ``DEMO.json`` marker.

Routing (which source lists an activity) belongs to the world model, but it is interleaved with the writers' draws
from the same random stream, so it lives here, in the one loop that fixes the order of all draws.
"""
from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import stea, ytj
from .activities import make_activity
from .lahella import LahellaWriter
from .organisations import anchors, plan
from .ptv import PTV_VERSIONS, PtvWriter, PtvWriterBase
from .ptv_v12 import PtvV12Writer
from .public import write_public
from .template import TemplateWriter
from .vocabulary import SURVEY_AREAS
from .world import World

MARKER = "DEMO.json"


@dataclass
class DemoResult:
    files: list[Path]
    organisations: int
    activities: int
    grants: int
    seconds: float
    planted: dict = field(default_factory=dict)


def ptv_writer(folder: Path, files: list[Path], version: str = "12") -> PtvWriterBase:
    """The PTV writer for an API version: "12" (default) writes ``ptv/v12/``, "11" ``ptv/{organizations,...}``."""
    if str(version) not in PTV_VERSIONS:
        raise ValueError(f"PTV API version {version!r}: choose 11 or 12")
    return PtvWriter(folder, files) if str(version) == "11" else PtvV12Writer(folder, files)


def run(out: Path, scale: float, seed: int, offline: Path, reference: Path, progress: bool,
        ptv_version: str = "12") -> DemoResult:
    t0 = time.perf_counter()

    def log(msg: str) -> None:
        if progress:
            print(f"[demo {time.perf_counter() - t0:6.1f}s] {msg}", file=sys.stderr, flush=True)

    w = World(scale, seed, offline, reference)
    r = w.r
    files: list[Path] = []
    orgs = plan(w)
    forced_by_org = anchors(w, orgs)
    log(f"planned {len(orgs)} organisations")
    ptv_w = ptv_writer(out / "ptv", files, ptv_version)
    lah_w = LahellaWriter(out / "lahella", files, w)
    tpl_w = TemplateWriter(out / "template", files, w)
    n_activities = 0
    grant_acts: dict[int, str] = {}
    for o in orgs:
        if "ptv" in o.sources:
            ptv_w.add_organisation(w, o)
        if o.kind == "stea_only":
            continue
        forced = forced_by_org.get(o.idx, [])
        for k in range(o.n_act + len(forced)):
            a = make_activity(w, o, forced[k - o.n_act] if k >= o.n_act else None, n_activities)
            src = o.sources[0] if len(o.sources) == 1 or r.random() < 0.8 else o.sources[1]
            if k >= o.n_act:
                src = "ptv" if "ptv" in o.sources else o.sources[0]
            if src == "ptv":
                ptv_w.add_service(w, o, a)
                if (o.kind != "nonngo" and a.munis and w.munis[a.munis[0]].area in SURVEY_AREAS
                        and r.random() < 0.15):   # the county survey lists it again
                    tpl_w.add(o, a)
                    w.defects.template_duplicate_of_ptv()
            elif src == "lahella":
                lah_w.add(o, a)
            else:
                tpl_w.add(o, a)
            if o.kind != "nonngo":
                n_activities += 1
                grant_acts.setdefault(o.idx, a.name_fi)
        if progress and o.idx % 50000 == 0 and o.idx:
            log(f"{o.idx} organisations, {n_activities} activities")
    tpl_w.add_planted(orgs)
    tpl_w.close()
    # the public side of PTV (issue 10): its own random stream, appended after every other PTV record, so the
    # rest of the output is the same with or without it
    n_public = write_public(w, ptv_w)
    counts = ptv_w.close()
    counts["ptv_public_services"] = n_public
    lah_w.close()
    counts.update({"lahella_items": lah_w.count, "template_rows": tpl_w.count})
    log(f"activities written: {counts}")
    ytj.write(w, orgs, out / "ytj", files)
    log("ytj written")
    n_grants = stea.write(w, orgs, grant_acts, out / "stea", files)
    log(f"stea written ({n_grants} rows)")
    n_orgs = sum(1 for o in orgs if o.kind != "nonngo")
    counts.update({"organisations": n_orgs, "activities": n_activities, "grants": n_grants})
    planted = w.defects.tally
    marker = out / MARKER
    with open(marker, "w", encoding="utf-8", newline="\n") as f:
        json.dump({"synthetic": True, "seed": seed, "scale": scale, "generator": "etl.demo",
                   "note": "Synthetic demo data — not real organisations", "reference_date": "2026-10-01",
                   "counts": counts, "planted_defects": planted}, f, ensure_ascii=False, indent=2)
        f.write("\n")
    files.append(marker)
    secs = round(time.perf_counter() - t0, 2)
    log(f"done: {len(files)} files")
    return DemoResult(files=sorted(files), organisations=n_orgs, activities=n_activities, grants=n_grants,
                      seconds=secs, planted=planted)
