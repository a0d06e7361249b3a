"""Build the warehouse: raw -> staging -> core -> marts in a temporary file, check, then swap atomically.

The app opens the warehouse read-only, so `os.replace` of a finished file never disturbs a running dashboard:
open connections keep reading the old file until they reconnect on the next build id.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from . import checks, loaders, paths
from .context import BuildContext, EtlError, LoadStats, write_table
from .municipality import MunicipalityResolver

ORG_LOADERS = ["ptv", "ytj", "stea", "lahella", "template"]
ORG_SUBDIRS = ["ptv", "ytj", "stea", "lahella", "template"]


@dataclass
class BuildResult:
    build_id: str
    db_path: Path
    is_demo: bool
    stats: list[LoadStats]
    counts: dict[str, int]
    checks: list[checks.CheckResult]
    seconds: float
    skipped: bool = False
    step_seconds: dict[str, float] = field(default_factory=dict)

    @property
    def warnings(self) -> list[str]:
        return [c.message for c in self.checks if not c.ok and c.severity == "warn"]


def has_org_sources(folder: Path) -> bool:
    return any(f.is_file() and not f.name.endswith(".meta.json")
               for sub in ORG_SUBDIRS if (folder / sub).is_dir() for f in (folder / sub).rglob("*"))


def choose_org_dirs(offline_dir: Path, *, demo: bool = False) -> tuple[list[Path], bool]:
    """Real organisation sources when any are present (data/raw, then the offline dir); else the demo set."""
    if not demo:
        real = [d for d in dict.fromkeys([paths.RAW_DIR, offline_dir]) if d.is_dir() and has_org_sources(d)]
        if real:
            return real, False
    return [paths.DEMO_DIR], True


def input_files(ctx: BuildContext) -> list[Path]:
    from .load.need import FILES as NEED_FILES
    files = [f for f in (ctx.offline_dir / "statfi").glob("*") if f.suffix in (".json", ".csv")]
    files += [ctx.reference_dir / "need" / name for name in NEED_FILES if (ctx.reference_dir / "need" / name).exists()]
    files += [f for f in (ctx.reference_dir / "taxonomy").glob("*.csv")]
    from .public_services import vocabulary_files  # service paths: the PTV code list and the project's override
    files += vocabulary_files(ctx.reference_dir)
    files += [f for f in (ctx.offline_dir / "sotkanet").glob("*.csv")]
    for d in ctx.org_dirs:
        for sub in ORG_SUBDIRS:
            files += [f for f in (d / sub).rglob("*") if f.is_file() and not f.name.endswith(".meta.json")]
    return sorted(set(files))


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def git_commit() -> str | None:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=paths.ROOT, capture_output=True,
                              text=True, timeout=5).stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


# What the build reads besides the listed inputs: reference tables used by the loaders and the checks, and the
# project's own code (Python and SQL of the ETL package). All enter the fingerprint by content.
REFERENCE_GLOBS = ("sources/*.csv", "sources/*.json", "geo/*.csv")
CODE_DIR = paths.ROOT / "etl"
CODE_SUFFIXES = (".py", ".sql")


def _relative_name(f: Path, roots: list[Path]) -> str:
    """A file's path below the input folder it came from, so a moved checkout or data folder keeps its fingerprint."""
    for root in roots:
        try:
            return f.relative_to(root).as_posix()
        except ValueError:
            continue
    return f.name


def code_files(code_dir: Path | None = None) -> list[Path]:
    code_dir = Path(code_dir or CODE_DIR)
    return sorted(f for f in code_dir.rglob("*") if f.is_file() and f.suffix in CODE_SUFFIXES
                  and "__pycache__" not in f.parts)


def fingerprint(files: list[Path], is_demo: bool, *, ctx: BuildContext | None = None,
                hashes: dict[Path, str] | None = None) -> str:
    """Content only: the inputs' names and sha256, the reference tables the build reads, the ETL code and SQL,
    and the build options. No git commit, no file times: a dirty tree, a tarball deployment or a file rewritten
    with its old size and time rebuilds; a `touch` or a fresh clone with the same content does not.
    `hashes` (path -> sha256) is filled so the build does not read the inputs twice."""
    hashes = {} if hashes is None else hashes
    roots = [*ctx.org_dirs, ctx.offline_dir, ctx.reference_dir] if ctx else []
    extra = {f.with_name(f.name + ".meta.json") for f in files}          # sidecars: url and retrieval time
    if ctx:
        extra |= {f for g in REFERENCE_GLOBS for f in ctx.reference_dir.glob(g)}
        extra |= {d / "DEMO.json" for d in ctx.org_dirs}                     # the demo's seed and scale
    extra = sorted(f for f in extra if f.is_file())
    h = hashlib.sha256(json.dumps({"fingerprint": 2, "is_demo": bool(is_demo)}).encode())
    for label, group, base in (("input", files, roots), ("read", extra, roots), ("code", code_files(), [CODE_DIR])):
        for f in group:
            digest = hashes.get(f) or sha256_file(f)
            if label == "input":
                hashes[f] = digest
            h.update(f"{label}|{_relative_name(f, base)}|{digest}\n".encode())
    return h.hexdigest()[:16]


def existing_fingerprint(db: Path) -> str | None:
    if not db.exists():
        return None
    try:
        con = duckdb.connect(str(db), read_only=True)
        try:
            return con.execute("select input_fingerprint from _meta_build").fetchone()[0]
        finally:
            con.close()
    except duckdb.Error:
        return None


# The build's DuckDB memory_limit unless JARJESTOKARTTA_DUCKDB_MEMORY_LIMIT says otherwise. From harmonise on DuckDB
# holds the memory, and the process peaks at about 1.3x the limit plus its own ~0.2 GB (DuckDB's working memory
# beyond its buffer pool): at demo scale 100 with the loaders in their own process, 1GB peaked at 1,526 MB in the
# marts, 768MB at 1,130 MB (harmonise + marts: 288 s CPU against 266 s at 1GB), 640MB at 1,015 MB with the marts
# much slower (319 s CPU, spilling). The target is 1.5 GB for the whole build (issue 14).
MEMORY_LIMIT_ENV = "JARJESTOKARTTA_DUCKDB_MEMORY_LIMIT"
DEFAULT_MEMORY_LIMIT = "768MB"
# While the Python loaders run they hold the large indexes (PTV's channels and connections) and DuckDB only takes
# their staging rows: DuckDB's share is kept small then, and given the build's limit back for harmonise and marts.
# Applies when the limit is the default one; a JARJESTOKARTTA_DUCKDB_MEMORY_LIMIT set by hand holds throughout.
LOAD_MEMORY_LIMIT = "256MB"


def connect_build(db_file: Path) -> tuple[duckdb.DuckDBPyConnection, Path]:
    """The build's connection with a `temp_directory` for what does not fit in memory (`JARJESTOKARTTA_DUCKDB_TEMP_DIR`,
    default a folder beside the build file) and a DuckDB `memory_limit`: `JARJESTOKARTTA_DUCKDB_MEMORY_LIMIT` (e.g.
    `4GB`, `150MB`), default `DEFAULT_MEMORY_LIMIT` (768MB). The build's SQL is written to spill under a limit: a
    statement joins the wide rows once, after the narrow keys are ranked, numbered and aggregated apart, and counts
    distinct values by grouping first (a window or several hash joins over wide rows, and distinct aggregates under
    GROUPING SETS, do not spill; 2026-12-01 they stopped the scale-100 build at 1GB). The scale-10 demo builds
    with 150MB.
    Returns the connection and the spill folder (removed after the build when it is the default one)."""
    config, spill = build_config(db_file)
    return duckdb.connect(str(db_file), config=config), spill


def build_config(db_file: Path, *, loading: bool = False) -> tuple[dict[str, str], Path]:
    """The build connection's DuckDB settings (see :func:`connect_build`) and its spill folder; `loading`: the
    limit while the Python loaders run (LOAD_MEMORY_LIMIT, unless a limit was set by hand)."""
    limit = os.environ.get(MEMORY_LIMIT_ENV) or (LOAD_MEMORY_LIMIT if loading else DEFAULT_MEMORY_LIMIT)
    spill = Path(os.environ.get("JARJESTOKARTTA_DUCKDB_TEMP_DIR") or db_file.with_name(db_file.name + ".spill"))
    return {"temp_directory": str(spill), "memory_limit": limit}, spill


def _meta_files(ctx: BuildContext, files: list[Path], hashes: dict[Path, str] | None = None) -> pd.DataFrame:
    """One row per input file: its source, sha256, size and when/where it was retrieved (from the sidecar)."""
    rows = []
    for f in files:
        sidecar = f.with_name(f.name + ".meta.json")
        meta = json.loads(sidecar.read_text(encoding="utf-8")) if sidecar.exists() else {}
        rows.append({
            "source_id": _source_of(f, ctx), "file": f.name, "path": str(f), "url": meta.get("url"),
            "retrieved_at": meta.get("retrieved_at") or dt.datetime.fromtimestamp(
                f.stat().st_mtime, dt.timezone.utc).isoformat(timespec="seconds"),
            "retrieved_from_sidecar": bool(meta), "sha256": (hashes or {}).get(f) or sha256_file(f),
            "bytes": f.stat().st_size,
        })
    return pd.DataFrame(rows, columns=["source_id", "file", "path", "url", "retrieved_at",
                                       "retrieved_from_sidecar", "sha256", "bytes"])


def _meta_sources(files_df: pd.DataFrame, stats: list[LoadStats],
                  extra_rows: dict[str, int] | None = None) -> pd.DataFrame:
    """One row per source: registry texts (title, licence, attribution) plus the files' provenance."""
    from .sources import source_registry
    registry = source_registry(stats)   # the PTV row names the API version the build read
    loaded = {s.source: s.loaded for s in stats}
    loaded["demo"] = sum(s.loaded for s in stats if s.source in ORG_LOADERS) or None
    loaded.update(extra_rows or {})
    rows = []
    for sid, group in files_df.groupby("source_id", sort=True):
        reg = registry.get(sid, {})
        hashes = sorted(group["sha256"])
        rows.append({
            "source_id": sid, "title": reg.get("title", sid), "publisher": reg.get("publisher"),
            "url": group["url"].dropna().iloc[0] if group["url"].notna().any() else reg.get("url"),
            "licence": reg.get("licence"), "attribution_fi": reg.get("attribution_fi"),
            "attribution_sv": reg.get("attribution_sv"), "attribution_en": reg.get("attribution_en"),
            "retrieved_at": max(group["retrieved_at"]), "files": len(group),
            "file": group["file"].iloc[0] if len(group) == 1 else f"{len(group)} files",
            # one file: its own hash; several: the hash of their sorted hashes (changes when any file changes)
            "sha256": hashes[0] if len(hashes) == 1 else hashlib.sha256("".join(hashes).encode()).hexdigest(),
            "bytes": int(group["bytes"].sum()), "rows": loaded.get(sid),
        })
    return pd.DataFrame(rows)


def _source_of(f: Path, ctx: BuildContext) -> str:
    parts = f.parts
    if ctx.is_demo and any(str(f).startswith(str(d)) for d in ctx.org_dirs):
        return "demo"
    if f.name.startswith("municipality_key_"):
        return "statfi_classification"
    for key in ("statfi", "sotkanet", "ptv", "ytj", "stea", "lahella", "template"):
        if key in parts:
            return key
    name = f.name
    if f.parent.name in ("taxonomy", "vocabulary") or f.name == "ptv_service_classes_ptvserclass2.csv":
        return "taxonomy"
    return {"need_coefficients_county.csv": "thl_need", "deprivation_index_diak_2019_2021.csv": "diak",
            "unemployment_tem_monthly_municipality.csv": "tem",
            "swedish_speaking_population_municipality.csv": "sotkanet_swedish"}.get(name, f.parent.name)


def build(*, db_path: Path | None = None, offline_dir: Path | None = None, reference_dir: Path | None = None,
          org_dirs: list[Path] | None = None, is_demo: bool | None = None, only: list[str] | None = None,
          force: bool = False, progress: bool = True, log=print) -> BuildResult:
    t0 = time.perf_counter()
    db_path = Path(db_path or paths.db_path())
    offline_dir = Path(offline_dir or paths.offline_dir())
    reference_dir = Path(reference_dir or paths.reference_dir())
    if org_dirs is None:
        org_dirs, auto_demo = choose_org_dirs(offline_dir, demo=bool(is_demo))
        is_demo = auto_demo if is_demo is None else is_demo
    is_demo = bool(is_demo)
    if is_demo and not any(has_org_sources(d) for d in org_dirs):
        raise EtlError(f"demo build asked for but {org_dirs[0]} holds no demo files; run `python -m etl demo`")
    ctx = BuildContext(offline_dir=offline_dir, reference_dir=reference_dir, org_dirs=list(org_dirs),
                       is_demo=is_demo, progress=progress)
    files = input_files(ctx)
    hashes: dict[Path, str] = {}
    fp = fingerprint(files, is_demo, ctx=ctx, hashes=hashes)
    if not force and not only and existing_fingerprint(db_path) == fp:
        log(f"warehouse {db_path} is up to date with its inputs (use --force to rebuild)")
        return BuildResult("", db_path, is_demo, [], {}, [], time.perf_counter() - t0, skipped=True)

    db_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = db_path.with_name(f".{db_path.name}.{os.getpid()}.tmp")
    for p in (tmp, tmp.with_name(tmp.name + ".wal")):
        p.unlink(missing_ok=True)
    con, spill = connect_build(tmp)
    step_seconds: dict[str, float] = {}
    stats: list[LoadStats] = []
    try:
        def step(name: str, fn):
            s0 = time.perf_counter()
            result = fn()
            step_seconds[name] = round(time.perf_counter() - s0, 3)
            if isinstance(result, LoadStats):
                result.seconds = step_seconds[name]
                stats.append(result)
                log(result.summary())
            else:
                log(f"{name}: {step_seconds[name]:.1f} s")
            return result

        from .load import need, statfi
        step("statfi", lambda: statfi.load(con, ctx))
        rows = con.execute("select code, name_fi, name_sv, name_en, area_code from municipality").df()
        ctx.resolver = MunicipalityResolver(rows.to_dict("records"))
        step("need", lambda: need.load(con, ctx))
        wanted = [s for s in ORG_LOADERS if not only or s in only]
        size = loaders.input_bytes(files, ctx.org_dirs)
        child = loaders.in_child(size)
        load_config = build_config(tmp, loading=True)[0]   # a limit set by hand holds here too
        if not child:
            con.execute(f"set memory_limit = '{load_config['memory_limit']}'")
        s0 = time.perf_counter()
        con, load_stats, load_seconds = loaders.run(
            con, lambda: connect_build(tmp)[0], tmp, load_config, ctx, ORG_LOADERS, wanted, child=child,
            report=lambda result: log(result.summary()), size=size)
        step_seconds.update(load_seconds)
        stats.extend(load_stats)
        log(f"loaders: {time.perf_counter() - s0:.1f} s{' (child process)' if child else ''}")
        if not child:   # a reopened connection has the build's limit already
            con.execute(f"set memory_limit = '{build_config(tmp)[0]['memory_limit']}'")
        from . import harmonise, marts
        counts = step("harmonise", lambda: harmonise.build_core(con, reference_dir, is_demo=is_demo))
        # --- service paths (issue 10): path dimensions and the public PTV side as its own core tables ---------
        from . import public_services
        public_counts = step("public_services", lambda: public_services.build_public_core(con, reference_dir))
        counts = {**(counts or {}), **public_counts}
        con.execute("create or replace table _build_ref as select current_date as ref_date")
        step("marts", lambda: marts.build_marts(con))
        write_table(con, "quarantine", ctx.quarantine.frame())
        files_df = _meta_files(ctx, files, hashes)
        write_table(con, "_meta_files", files_df)
        extra_rows = dict(con.execute("select source, count(*) from need_indicator group by source").fetchall())
        extra_rows["statfi_classification"] = con.execute("select count(*) from municipality").fetchone()[0]
        extra_rows["taxonomy"] = con.execute("select (select count(*) from dim_activity_type) + "
                                             "(select count(*) from dim_target_group)").fetchone()[0]
        write_table(con, "_meta_sources", _meta_sources(files_df, stats, extra_rows))

        results = (checks.check_geography(con, reference_dir) + checks.check_core(con)
                   + checks.check_accounting(stats) + checks.check_marts(con))
        failed = [c for c in results if not c.ok and c.severity == "block"]
        table_counts = {r[0]: r[1] for r in con.execute(
            "select table_name, estimated_size from duckdb_tables() order by table_name").fetchall()}
        table_counts.update({k: int(v) for k, v in (counts or {}).items() if isinstance(v, (int, float))})
        build_id = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:6]
        demo_meta = _demo_marker(org_dirs) if is_demo else {}
        meta = pd.DataFrame([{
            "build_id": build_id, "built_at": dt.datetime.now(dt.timezone.utc).replace(tzinfo=None),
            "git_commit": git_commit(), "is_demo": is_demo,
            "demo_seed": demo_meta.get("seed"), "demo_scale": demo_meta.get("scale"),
            "counts": json.dumps(table_counts), "load_stats": json.dumps([
                {"source": s.source, "read": s.read, "loaded": s.loaded, "quarantined": s.quarantined,
                 "seconds": s.seconds, "notes": s.notes} for s in stats]),
            "warnings": json.dumps([c.message for c in results if not c.ok and c.severity == "warn"]),
            "checks": json.dumps([c.as_dict() for c in results]),
            "duration_s": round(time.perf_counter() - t0, 2), "input_fingerprint": fp,
            "step_seconds": json.dumps(step_seconds),
        }])
        write_table(con, "_meta_build", meta)
        con.execute("checkpoint")
    except Exception:
        con.close()
        _remove_spill(spill, tmp)
        tmp.unlink(missing_ok=True)
        raise
    con.close()
    _remove_spill(spill, tmp)
    if failed:
        tmp.unlink(missing_ok=True)
        raise EtlError("blocking checks failed; the previous warehouse is kept:\n" +
                       "\n".join(f"  - {c.name}: {c.message}" for c in failed))
    os.replace(tmp, db_path)
    return BuildResult(build_id, db_path, is_demo, stats, table_counts, results, time.perf_counter() - t0,
                       step_seconds=step_seconds)


def _remove_spill(spill: Path, tmp: Path) -> None:
    """The default spill folder goes with the build; a configured one is the operator's and stays."""
    if spill == tmp.with_name(tmp.name + ".spill"):
        shutil.rmtree(spill, ignore_errors=True)


def _demo_marker(org_dirs: list[Path]) -> dict:
    for d in org_dirs:
        marker = d / "DEMO.json"
        if marker.exists():
            return json.loads(marker.read_text(encoding="utf-8"))
    return {}


def run_checks(db_path: Path | None = None) -> list[checks.CheckResult]:
    """Re-run the checks on an existing warehouse (read-only)."""
    db_path = Path(db_path or paths.db_path())
    if not db_path.exists():
        raise EtlError(f"no warehouse at {db_path}; build it with `python -m etl all`")
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        stats = [LoadStats(**{k: v for k, v in s.items() if k in ("source", "read", "loaded", "quarantined")})
                 for s in json.loads(con.execute("select load_stats from _meta_build").fetchone()[0])]
        return (checks.check_geography(con, paths.reference_dir()) + checks.check_core(con)
                + checks.check_accounting(stats) + checks.check_marts(con))
    finally:
        con.close()
