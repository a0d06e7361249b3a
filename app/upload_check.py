"""Check an uploaded activity register file (CSV/XLSX in the template format) the way the build would load it,
without writing anything: the build's own loader (etl.load.template.load_files) into an in-memory DuckDB with a
BuildContext whose municipality resolver is made from the warehouse's `municipality` table (as etl.build does), and
the build's classifier (etl.classify, the single-record form of what etl.harmonise.activities evaluates in SQL).

The upload is written to one temporary file (the loader reads paths), removed in a `finally` however the check ends.
Nothing goes to the warehouse (read-only look-ups in app.file_check), the raw data folder or anywhere else on disk.

Hostile input is refused before the loader sees it (app/upload_guard.py: size, type, encryption, ZIP bomb, row
bounds). Formulas are never evaluated: the loader reads the values Excel saved, and the formula count is reported.
No streamlit import."""
from __future__ import annotations

import io
import logging
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from app import file_check, template_file
from app.i18n import normalise_lang, t
from app.upload_guard import (MAX_BYTES, MAX_CSV_LINES, MAX_ROWS, MAX_UNZIPPED_BYTES,  # noqa: F401 (the page, tests)
                              Message, Refused, screen_upload, unreadable)
from etl import classify
from etl.context import BuildContext
from etl.load import template
from etl.municipality import MunicipalityResolver
from etl.text import normalise_name

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
LOG = logging.getLogger(__name__)


@dataclass
class RowCheck:
    row: int                                   # spreadsheet row number (the header is row 1)
    status: str                                # load | set_aside | example
    values: dict[str, str]                     # the cells by canonical column ('' when empty)
    reason: str | None = None                  # quarantine reason code
    detail: str | None = None                  # the loader's own message
    fix: Message | None = None
    activity_type: str | None = None
    type_method: str | None = None
    target_groups: list[tuple[str, str]] = field(default_factory=list)   # (group, method)
    municipality_codes: list[str] = field(default_factory=list)
    is_national: bool = False
    same_as: list[int] = field(default_factory=list)   # other rows of the file the build merges this one with
    org_key: str | None = None                 # the loader's organisation key (business id or name:…)
    org_status: str | None = None              # new | match_business_id | match_name
    org_match: str | None = None               # the warehouse organisation matched (name, org_id)


@dataclass
class CheckResult:
    file_name: str
    error: Message | None = None
    rows: list[RowCheck] = field(default_factory=list)
    notes: list[Message] = field(default_factory=list)
    municipality_names: dict[str, str] = field(default_factory=dict)

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)

    @property
    def set_aside(self) -> list[RowCheck]:
        return [r for r in self.rows if r.status == "set_aside"]


# --- the check ----------------------------------------------------------------------------------------------------

def check_upload(name: str, data: bytes, warehouse: duckdb.DuckDBPyConnection, *, reference_dir: Path,
                 offline_dir: Path) -> CheckResult:
    """The check of one uploaded file; never raises for bad input (the reason is in `error`)."""
    result = CheckResult(file_name=Path(name or "").name)
    try:
        suffix, formulas = screen_upload(name, data)
        if formulas:
            result.notes.append(Message("check.note.formulas", {"n": formulas}))
        resolver = MunicipalityResolver(file_check.municipality_rows(warehouse))
        result.municipality_names = dict(resolver.name_of)
        ctx = BuildContext(offline_dir=Path(offline_dir), reference_dir=Path(reference_dir), org_dirs=[],
                           resolver=resolver, progress=False)
        table, staged = _load_in_memory(suffix, data, ctx)
    except Refused as e:
        result.error = e.message
        return result
    if table.encoding in ("cp1252", "latin-1"):
        result.notes.append(Message("check.note.encoding", {"encoding": table.encoding}))
    if sum(1 for cell in _all_cells(table) if cell.startswith(FORMULA_PREFIXES)):
        result.notes.append(Message("check.note.formula_text"))
    quarantined = {q["record_ref"]: q for q in ctx.quarantine.rows}
    resolve = lru_cache(maxsize=None)(resolver.resolve)   # a misspelling repeats; fuzzy candidates cost ~1 ms
    taxonomy = template_file.taxonomy(reference_dir)
    for row in table.rows:
        n = int(row.ref.removeprefix("row "))
        if template.is_example_row(row.values):
            result.rows.append(RowCheck(n, "example", row.values))
        elif row.ref in quarantined:
            q = quarantined[row.ref]
            result.rows.append(RowCheck(n, "set_aside", row.values, q["reason_code"], q["message"],
                                        _fix(q["reason_code"], row.values, resolve)))
        elif row.ref in staged:
            result.rows.append(_loaded(n, row.values, staged[row.ref], taxonomy))
    loaded = [r for r in result.rows if r.status == "load"]
    _mark_duplicates(loaded, staged)
    _match_organisations(warehouse, loaded, staged)
    if any(r.same_as for r in loaded):
        result.notes.append(Message("check.note.duplicates"))
    return result


def _name_key(name: str | None) -> str:
    """The build's duplicate name key (etl/sql/core_act_grp.sql): lower case, non-letters/digits as spaces."""
    return " ".join(re.sub(r"[^\w\s]|_", " ", (name or "").lower()).split())


def _mark_duplicates(loaded: list[RowCheck], staged: dict[str, dict]) -> None:
    """Rows the build merges into one activity (same organisation, name, municipality set and national flag;
    etl/sql/core_act_grp.sql): each gets the numbers of the others. The build keeps the richest of them."""
    groups: dict[tuple, list[RowCheck]] = {}
    for r in loaded:
        rec = staged[f"row {r.row}"]
        name = _name_key(rec["name_fi"])
        if name:
            key = (rec["org_source_id"], name, tuple(sorted(set(r.municipality_codes))), r.is_national)
            groups.setdefault(key, []).append(r)
    for members in groups.values():
        for r in members if len(members) > 1 else ():
            r.same_as = [m.row for m in members if m is not r]


def _all_cells(table: Any):
    for row in table.rows:
        yield from (v for v in row.values.values() if v)


def _load_in_memory(suffix: str, data: bytes, ctx: BuildContext) -> tuple[Any, dict[str, dict]]:
    """The build's loader on a temporary copy of the upload, into an in-memory database; the file and the database
    are gone when this returns."""
    folder = tempfile.mkdtemp(prefix="jk-check-")
    con = duckdb.connect(":memory:")
    try:
        path = Path(folder) / f"upload{suffix}"
        with open(path, "wb") as f:
            f.write(data)
        try:
            table = template.read_rows(path)
        except Exception as e:  # noqa: BLE001 - MalformedFile, or anything a hostile file provokes: a message
            raise unreadable(str(e)) from None
        if sum(1 for r in table.rows if not template.is_example_row(r.values)) > MAX_ROWS:
            raise Refused("check.error.too_many_rows", max=MAX_ROWS)
        try:
            template.load_files(con, ctx, [path])
        except Exception:  # noqa: BLE001 - a value the loader did not foresee: a plain message, logged for us
            LOG.exception("file check: the template loader failed on an upload")
            raise Refused("check.error.unreadable") from None
        if any(q["record_ref"] == "file" for q in ctx.quarantine.rows):
            raise unreadable(ctx.quarantine.rows[0]["message"])
        cur = con.execute("""
            select record_ref, org_source_id, org_business_id, org_name, name_fi, description, class_codes,
                   target_codes, municipality_codes, is_national from stg_template__activity""")
        names = [d[0] for d in cur.description]
        staged = {r[0]: dict(zip(names, r)) for r in cur.fetchall()}
        return table, staged
    finally:
        con.close()
        shutil.rmtree(folder, ignore_errors=True)


def _loaded(n: int, values: dict[str, str], rec: dict[str, Any], taxonomy: classify.Taxonomy) -> RowCheck:
    """Classified as etl.harmonise.activities does (the single-record form of its SQL): the keyword hits of the name
    and the description's head, then etl.classify's decisions over the codes and the hits."""
    act_hits, group_hits = classify.keyword_hits(classify.prepare_text(rec["name_fi"], rec["description"], taxonomy),
                                                 taxonomy)
    activity_type, method, _conf = classify.decide_activity(rec["class_codes"], act_hits, taxonomy)
    groups = classify.decide_target_groups(rec["target_codes"], group_hits, taxonomy)
    return RowCheck(n, "load", values, activity_type=activity_type, type_method=method,
                    target_groups=[(g, m) for g, m, _c in groups],
                    municipality_codes=list(rec["municipality_codes"] or []), org_key=rec["org_source_id"],
                    is_national=bool(rec["is_national"]))


def _fix(reason: str, values: dict[str, str], resolve: Any) -> Message:
    if reason == "unknown_municipality":
        for ref in template.split_list(values.get("kunnat")):
            res = resolve(ref)
            if not res.code:
                closest = ", ".join(res.candidates)
                return Message("check.fix.unknown_municipality" if closest else "check.fix.unknown_municipality_none",
                               {"value": ref, "closest": closest})
    if reason == "bad_value":
        mode = values.get("toimintatapa", "")
        if mode and mode.lower() not in template.MODES:
            return Message("check.fix.mode", {"value": mode})
        national = values.get("valtakunnallinen", "")
        if national and national.lower() not in template.BOOLS:
            return Message("check.fix.national", {"value": national})
        return Message("check.fix.extra_cells")
    if reason in ("missing_field", "outside_frame", "empty_row", "bad_type"):
        return Message(f"check.fix.{reason}")
    return Message("check.fix.other")


def _match_organisations(warehouse: duckdb.DuckDBPyConnection, loaded: list[RowCheck],
                         staged: dict[str, dict]) -> None:
    """By business id; else by normalised name within the row's municipalities (read-only look-ups)."""
    recs = {r.row: staged[f"row {r.row}"] for r in loaded}
    by_bid = file_check.organisations_by_business_id(
        warehouse, [rec["org_business_id"] for rec in recs.values() if rec["org_business_id"]])
    by_name = file_check.organisations_by_name(warehouse, [normalise_name(rec["org_name"]) for rec in recs.values()])
    for r in loaded:
        rec = recs[r.row]
        hit = by_bid.get(rec["org_business_id"] or "")
        if hit:
            r.org_status, r.org_match = "match_business_id", f"{hit['name']} ({hit['org_id']})"
            continue
        places = set(r.municipality_codes)
        same = [o for o in by_name.get(normalise_name(rec["org_name"]), [])
                if places & set(o["municipality_codes"] or [])]
        if same:
            r.org_status, r.org_match = "match_name", f"{same[0]['name']} ({same[0]['org_id']})"
        else:
            r.org_status = "new"


def organisation_summary(result: CheckResult) -> dict[str, int]:
    """Distinct organisations of the loaded rows: new, matched (by business id, by name and municipality)."""
    status: dict[str, str] = {}
    for r in result.rows:
        if r.status == "load" and r.org_key:
            # an organisation matched on any of its rows counts as matched
            if status.get(r.org_key) in (None, "new"):
                status[r.org_key] = r.org_status or "new"
    by_bid = sum(1 for s in status.values() if s == "match_business_id")
    by_name = sum(1 for s in status.values() if s == "match_name")
    return {"new": sum(1 for s in status.values() if s == "new"), "matched": by_bid + by_name,
            "by_bid": by_bid, "by_name": by_name}


# --- for the page and the report ----------------------------------------------------------------------------------

def _labels(taxonomy: classify.Taxonomy, lang: str) -> tuple[dict[str, str], dict[str, str]]:
    lang = normalise_lang(lang)
    return ({r["code"]: r[f"label_{lang}"] for r in taxonomy.activity_types},
            {r["code"]: r[f"label_{lang}"] for r in taxonomy.target_groups})


class _Labels:
    """Localised labels looked up once per frame (t() per cell would cost a locale-folder stat each)."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self._cache: dict[str, str] = {}

    def __call__(self, key: str) -> str:
        if key not in self._cache:
            self._cache[key] = t(key, self.lang)
        return self._cache[key]


def rows_frame(result: CheckResult, lang: str, reference_dir: Path) -> pd.DataFrame:
    """Every row: its number, status and, for a loaded row, what the build would make of it (localised)."""
    types, groups = _labels(template_file.taxonomy(reference_dir), lang)
    label = _Labels(lang)
    national = [label("check.national")]
    cols = {c: label(f"check.col.{c}") for c in ("row", "status", "organisation", "activity", "type", "type_method",
                                                "groups", "municipalities", "org_status", "org_match", "reason",
                                                "fix", "note")}
    out = []
    for r in result.rows:
        out.append({
            cols["row"]: r.row, cols["status"]: label(f"check.status.{r.status}"),
            cols["organisation"]: r.values.get("jarjesto", ""), cols["activity"]: r.values.get("toiminnan_nimi", ""),
            cols["type"]: types.get(r.activity_type or "", ""),
            cols["type_method"]: label(f"check.method.{r.type_method}") if r.type_method else "",
            cols["groups"]: ", ".join(f"{groups.get(g, g)} ({label(f'check.method.{m}')})" for g, m in r.target_groups),
            cols["municipalities"]: ", ".join([result.municipality_names.get(c, c) for c in r.municipality_codes]
                                              + (national if r.is_national else [])),
            cols["org_status"]: label(f"check.org.{r.org_status}") if r.org_status else "",
            cols["org_match"]: r.org_match or "",
            cols["reason"]: label(f"reason.{r.reason}") if r.reason else "",
            cols["fix"]: r.fix.text(lang) if r.fix else "",
            cols["note"]: t("check.same_as", lang, rows=", ".join(map(str, r.same_as))) if r.same_as else "",
        })
    return pd.DataFrame(out, columns=list(cols.values()))


def set_aside_frame(result: CheckResult, lang: str) -> pd.DataFrame:
    """The rows that would be set aside: row number, reason, fix and the loader's own message."""
    label = _Labels(lang)
    cols = {c: label(f"check.col.{c}") for c in ("row", "reason", "fix", "detail", "organisation", "activity")}
    return pd.DataFrame([{
        cols["row"]: r.row, cols["reason"]: label(f"reason.{r.reason}"), cols["fix"]: r.fix.text(lang) if r.fix else "",
        cols["detail"]: r.detail or "", cols["organisation"]: r.values.get("jarjesto", ""),
        cols["activity"]: r.values.get("toiminnan_nimi", ""),
    } for r in result.set_aside], columns=list(cols.values()))


def neutralise(value: Any) -> Any:
    """A text cell that a spreadsheet would take for a formula, made plain text with a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def report_xlsx(result: CheckResult, lang: str, reference_dir: Path) -> bytes:
    """The report: sheet 1 every row with its status and the original cells, sheet 2 the set-aside rows with
    reasons and fixes. Every text cell is a string (formula-like text prefix-neutralised), never a formula."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    lang = normalise_lang(lang)
    i = {"fi": 0, "sv": 1, "en": 2}[lang]
    main = rows_frame(result, lang, reference_dir)
    originals = pd.DataFrame([{template.HEADERS[c][i]: r.values.get(c, "") for c in template.HEADERS
                               if c not in template.PERSONAL} for r in result.rows])
    frames = [(t("check.report.sheet_rows", lang), pd.concat([main, originals.add_prefix("» ")], axis=1)
               if len(originals) else main),
              (t("check.report.sheet_set_aside", lang), set_aside_frame(result, lang))]
    wb = Workbook()
    wb.remove(wb.active)
    for title, df in frames:
        ws = wb.create_sheet(title[:31])
        ws.append([str(c) for c in df.columns])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for rec in df.itertuples(index=False):
            ws.append([neutralise(v) for v in rec])
        ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def report_filename(lang: str) -> str:
    return f"{t('check.report.filename', lang)}.xlsx"
