"""PRH YTJ v3 `/companies` responses -> stg_ytj__company (every company) and stg_ytj__organisation (only the
company forms the PRH code list marks as NGO candidates: 6 aatteellinen yhdistys, 18 säätiö, 29 muu yhdistys)."""
from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from etl.bizid import normalise_business_id
from etl.context import BuildContext, LoadStats
from etl.load.places import resolve_municipality
from etl.load.quarantine import Reject, open_or_quarantine, reject_if_seen, reject_wrong_types, set_aside
from etl.load.readers import json_records, source_files
from etl.load.staging import ORGANISATION_COLUMNS, StagingWriter
from etl.load.values import parse_timestamp, plain_text
from etl.text import safe_url

SOURCE = "ytj"
COMPANY_COLUMNS: dict[str, str] = {
    "file": "varchar", "record_ref": "varchar", "business_id": "varchar", "name": "varchar",
    "company_form_code": "varchar", "company_form": "varchar", "home_municipality_code": "varchar",
    "main_business_line_code": "varchar", "main_business_line": "varchar", "registration_date": "date",
    "website": "varchar",
}


def company_forms(reference_dir: Path) -> dict[str, tuple[str, bool]]:
    """YTJ company form code -> (Finnish name, is an NGO candidate)."""
    with open(reference_dir / "sources" / "ytj_yritysmuoto_codes_partial.csv", encoding="utf-8") as f:
        return {r["ytj_yritysmuoto_code"]: (r["name_fi"], r["is_ngo_candidate"] == "1") for r in csv.DictReader(f)}


def load(con: Any, ctx: BuildContext) -> LoadStats:
    return load_files(con, ctx, source_files(ctx, "ytj", (".json",)))


def load_files(con: Any, ctx: BuildContext, files: list[Path]) -> LoadStats:
    stats = LoadStats(SOURCE)
    forms = company_forms(ctx.reference_dir)
    # staged in batches, in order: a national register is not held whole (only the current page is)
    companies = StagingWriter(con, "stg_ytj__company", COMPANY_COLUMNS, stats=stats)
    orgs = StagingWriter(con, "stg_ytj__organisation", ORGANISATION_COLUMNS, stats=stats)
    seen: set[str] = set()
    for path in files:
        records = open_or_quarantine(ctx, stats, SOURCE, path, lambda: json_records(path, ("companies",)))
        if records is None:
            continue
        for rec in records:
            stats.read += 1
            result = reject_wrong_types(_company, ctx, path, rec.ref, rec.record, forms)
            result = reject_if_seen(result, None if isinstance(result, Reject) else result[0]["business_id"], seen,
                                    "company")
            if set_aside(ctx, stats, SOURCE, path, rec, result):
                continue
            company, org = result
            seen.add(company["business_id"])
            companies.append(company)
            if org:
                orgs.append(org)
            stats.loaded += 1
    companies.close()
    orgs.close()
    return stats


def _current(items: Any) -> list[dict[str, Any]]:
    """Entries still in force (no endDate)."""
    return [i for i in items or [] if isinstance(i, dict) and not i.get("endDate")]


def _registered_name(c: dict[str, Any], type_code: str) -> str | None:
    names = [n for n in _current(c.get("names")) if str(n.get("type")) == type_code]
    return plain_text(names[0].get("name")) if names else None


def _home_municipality(c: dict[str, Any]) -> str | None:
    """Street address (type 1) first, else postal (type 2); the first post office's municipality code."""
    addresses = [a for a in c.get("addresses") or [] if isinstance(a, dict)]
    for wanted in ("1", "2"):
        for a in addresses:
            if str(a.get("type")) == wanted:
                for po in a.get("postOffices") or []:
                    if po.get("municipalityCode"):
                        return str(po["municipalityCode"])
    return None


def _website(c: dict[str, Any]) -> str | None:
    w = c.get("website")
    url = w.get("url") if isinstance(w, dict) else w
    if isinstance(url, str) and url.strip().lower().startswith("www."):
        url = "https://" + url.strip()  # PRH stores many sites without a scheme
    return safe_url(url)


def _company(ctx: BuildContext, path: Path, ref: str, c: Any,
             forms: dict[str, tuple[str, bool]]) -> tuple[dict[str, Any], dict[str, Any] | None] | Reject:
    if not isinstance(c, dict):
        return Reject("bad_type", f"expected a company object, found {type(c).__name__}")
    bid_obj = c.get("businessId")
    raw_bid = bid_obj.get("value") if isinstance(bid_obj, dict) else bid_obj
    if not raw_bid:
        return Reject("missing_field", "missing businessId.value")
    bid = normalise_business_id(raw_bid)
    if not bid:
        # YTJ is the register itself: an id failing the check digit is a broken record, not a typo to match by name
        return Reject("bad_business_id", f"business id {raw_bid!r} fails the check digit")
    name = _registered_name(c, "1")
    if not name:
        return Reject("missing_field", "no current registered name (names type 1 without endDate)")
    home_raw = _home_municipality(c)
    home = None
    if home_raw:
        res = resolve_municipality(ctx, home_raw)
        if not res.code:
            return Reject("unknown_municipality", f"unknown municipality {home_raw!r} ({res.message})")
        home = res.code
    form_codes = [str(f.get("type")) for f in _current(c.get("companyForms")) if f.get("type") is not None]
    form_code = form_codes[0] if form_codes else None
    form_name, is_ngo = forms.get(form_code or "", (None, False))
    line = c.get("mainBusinessLine") or {}
    line_fi = next((d.get("description") for d in line.get("descriptions") or []
                    if str(d.get("languageCode")) == "1"), None)
    reg = parse_timestamp(bid_obj.get("registrationDate") if isinstance(bid_obj, dict) else None) \
        or parse_timestamp(c.get("registrationDate"))
    website = _website(c)
    company = {"file": path.name, "record_ref": ref, "business_id": bid, "name": name,
               "company_form_code": form_code, "company_form": form_name, "home_municipality_code": home,
               "main_business_line_code": str(line["type"]) if line.get("type") else None,
               "main_business_line": plain_text(line_fi), "registration_date": reg.date() if reg else None,
               "website": website}
    org = None
    if is_ngo:
        org = {"source": SOURCE, "source_id": bid, "file": path.name, "record_ref": ref, "business_id": bid,
               "business_id_raw": str(raw_bid), "business_id_valid": True, "name": name,
               # type 2 is the parallel name, usually the Swedish form
               "name_sv": _registered_name(c, "2"), "company_form": form_name, "home_municipality_code": home,
               "main_business_line": plain_text(line_fi), "website": website,
               "updated_at": parse_timestamp(c.get("lastModified"))}
    return company, org
