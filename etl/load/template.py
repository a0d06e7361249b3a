"""Our activity register template (CSV/XLSX, one row per activity) -> stg_template__activity/organisation.

Counting unit: data rows. Contact person and e-mail columns are read (so they are recognised) and dropped here;
they never reach a table, not even the quarantine copy of a row."""
from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from etl.context import BuildContext, LoadStats
from etl.load.places import resolve_places
from etl.load.quarantine import Reject, open_or_quarantine
from etl.load.readers import Table, add_note, header_key, read_table, source_files
from etl.load.staging import ACTIVITY_COLUMNS, ORGANISATION_COLUMNS, write_staging
from etl.load.values import BadValue, business_id_fields, parse_date, plain_text, raw_text, scrub_personal, split_list
from etl.text import normalise_name, safe_url

SOURCE = "template"
# The one column definition: canonical name -> the header the downloadable template writes in fi, sv and en
# (etl/template_file.py). The loader accepts all three, plus the older aliases below; header matching ignores case,
# accents, spaces, hyphens and underscores (common.header_key).
HEADERS: dict[str, tuple[str, str, str]] = {
    "jarjesto": ("Järjestö", "Organisation", "Organisation"),
    "y_tunnus": ("Y-tunnus", "FO-nummer", "Business ID"),
    "toiminnan_nimi": ("Toiminnan nimi", "Verksamhetens namn", "Activity name"),
    "toimintamuoto": ("Toimintamuoto", "Verksamhetsform", "Activity type"),
    "kohderyhmat": ("Kohderyhmät", "Målgrupper", "Target groups"),
    "kunnat": ("Kunnat", "Kommuner", "Municipalities"),
    "toimintatapa": ("Toimintatapa", "Verksamhetssätt", "Mode"),
    "valtakunnallinen": ("Valtakunnallinen", "Riksomfattande", "National"),
    "kielet": ("Kielet", "Språk", "Languages"),
    "kuvaus": ("Kuvaus", "Beskrivning", "Description"),
    "verkkosivu": ("Verkkosivu", "Webbplats", "Website"),
    "paivitetty": ("Päivitetty", "Uppdaterad", "Updated"),
    "yhteyshenkilo": ("Yhteyshenkilö", "Kontaktperson", "Contact person"),
    "sahkoposti": ("Sähköposti", "E-post", "Email"),
}
_OLDER_ALIASES: dict[str, tuple[str, ...]] = {
    "jarjesto": ("organisation", "organization"),
    "y_tunnus": ("business_id", "ytunnus"),
    "toiminnan_nimi": ("activity_name",),
    "toimintamuoto": ("activity_type",),
    "kohderyhmat": ("target_groups",),
    "kunnat": ("municipalities",),
    "toimintatapa": ("mode",),
    "valtakunnallinen": ("national",),
    "kielet": ("languages",),
    "kuvaus": ("description",),
    "verkkosivu": ("website",),
    "paivitetty": ("updated",),
    "yhteyshenkilo": ("contact_person",),
    "sahkoposti": ("email",),
}


def _aliases() -> dict[str, tuple[str, ...]]:
    """The older aliases, then the template headers whose matching key is not already covered."""
    out: dict[str, tuple[str, ...]] = {}
    for canon, older in _OLDER_ALIASES.items():
        known = {header_key(a) for a in (canon, *older)}
        extra = []
        for label in HEADERS[canon]:
            if header_key(label) not in known:
                known.add(header_key(label))
                extra.append(label)
        out[canon] = (*older, *extra)
    return out


ALIASES: dict[str, tuple[str, ...]] = _aliases()
REQUIRED = ("jarjesto", "toiminnan_nimi")
PERSONAL = ("yhteyshenkilo", "sahkoposti")
# The template's one example row starts its organisation cell with one of these (any case). It is skipped: not
# read, not loaded, not set aside; the build log notes it (stats.notes). See docs/activity-template.md.
EXAMPLE_MARKERS = ("[ESIMERKKI]", "[EXEMPEL]", "[EXAMPLE]")

# Values the template's drop-down lists offer, per language (fi, sv, en); each maps to the loader's value below.
MODE_LABELS: dict[str, tuple[str, str, str]] = {
    "in_person": ("lähi", "på plats", "in person"), "online": ("etä", "distans", "online"),
    "phone": ("puhelin", "telefon", "phone"), "hybrid": ("hybridi", "hybrid", "hybrid"),
}
BOOL_LABELS: dict[bool, tuple[str, str, str]] = {True: ("kyllä", "ja", "yes"), False: ("ei", "nej", "no")}
LANGUAGE_LABELS: dict[str, tuple[str, str, str]] = {
    "fi": ("suomi", "finska", "Finnish"), "sv": ("ruotsi", "svenska", "Swedish"),
    "en": ("englanti", "engelska", "English"), "se": ("saame", "samiska", "Sami"),
    "ru": ("venäjä", "ryska", "Russian"), "et": ("viro", "estniska", "Estonian"),
    "ar": ("arabia", "arabiska", "Arabic"), "so": ("somali", "somaliska", "Somali"),
    "uk": ("ukraina", "ukrainska", "Ukrainian"), "fse": ("viittomakieli", "teckenspråk", "sign language"),
}

MODES = {"lahi": "in_person", "lähi": "in_person", "in_person": "in_person", "in person": "in_person",
         "eta": "online", "etä": "online", "online": "online", "puhelin": "phone", "phone": "phone",
         "hybridi": "hybrid", "hybrid": "hybrid"}
MODES.update({label.lower(): mode for mode, labels in MODE_LABELS.items() for label in labels})
BOOLS = {"kyllä": True, "kylla": True, "k": True, "ja": True, "yes": True, "y": True, "true": True, "1": True,
         "ei": False, "e": False, "nej": False, "no": False, "n": False, "false": False, "0": False}
LANGUAGES = {"suomi": "fi", "finska": "fi", "finnish": "fi", "ruotsi": "sv", "svenska": "sv", "swedish": "sv",
             "englanti": "en", "engelska": "en", "english": "en", "saame": "se", "samiska": "se", "sami": "se",
             "venäjä": "ru", "ryska": "ru", "russian": "ru", "viro": "et", "estniska": "et", "estonian": "et",
             "arabia": "ar", "arabiska": "ar", "arabic": "ar", "somali": "so", "ukraina": "uk", "ukrainska": "uk",
             "ukrainian": "uk", "viittomakieli": "fse", "teckenspråk": "fse", "sign language": "fse"}
LANGUAGES.update({label.lower(): code for code, labels in LANGUAGE_LABELS.items() for label in labels})


def is_example_row(values: dict[str, str]) -> bool:
    """The template's example row (its organisation cell starts with an EXAMPLE_MARKERS marker)."""
    return (values.get("jarjesto") or "").strip().upper().startswith(EXAMPLE_MARKERS)


def read_rows(path: Path) -> Table:
    """The file's rows as the loader reads them (header aliases, spreadsheet row refs); MalformedFile if it cannot."""
    return read_table(path, ALIASES, REQUIRED)


def _label_map(path: Path) -> dict[str, str]:
    """code and fi/sv/en labels (lower case) -> code."""
    out: dict[str, str] = {}
    with open(path, encoding="utf-8") as f:
        for r in csv.DictReader(f):
            for key in ("code", "label_fi", "label_sv", "label_en"):
                if r.get(key):
                    out.setdefault(r[key].strip().lower(), r["code"])
    return out


def load(con: Any, ctx: BuildContext) -> LoadStats:
    return load_files(con, ctx, source_files(ctx, "template", (".csv", ".xlsx", ".xlsm")))


def load_files(con: Any, ctx: BuildContext, files: list[Path]) -> LoadStats:
    stats = LoadStats(SOURCE)
    types = _label_map(ctx.reference_dir / "taxonomy" / "activity_types.csv")
    groups = _label_map(ctx.reference_dir / "taxonomy" / "target_groups.csv")
    activities: list[dict[str, Any]] = []
    orgs: dict[str, dict[str, Any]] = {}
    for path in files:
        table = open_or_quarantine(ctx, stats, SOURCE, path, lambda: read_rows(path))
        if table is None:
            continue
        add_note(stats, f"{path.name}: encoding {table.encoding}, delimiter {table.delimiter!r}")
        for row in table.rows:
            if is_example_row(row.values):
                add_note(stats, f"{path.name} {row.ref}: the template's example row, skipped")
                continue
            stats.read += 1
            raw = raw_text({k: v for k, v in row.values.items() if v and k not in PERSONAL})
            result = _activity(ctx, path, row.ref, row.values, row.extra_cells, types, groups)
            if isinstance(result, Reject):
                reason, message = result
                ctx.quarantine.add(SOURCE, path, row.ref, reason, message, raw)
                stats.quarantined += 1
                continue
            activities.append(result)
            stats.loaded += 1
            _add_org(orgs, result, path, row.ref)
    write_staging(con, "stg_template__activity", ACTIVITY_COLUMNS, activities, stats)
    write_staging(con, "stg_template__organisation", ORGANISATION_COLUMNS, list(orgs.values()), stats)
    return stats


def _org_key(business_id: str | None, name: str) -> str:
    return business_id or f"name:{normalise_name(name)}"


def _add_org(orgs: dict[str, dict[str, Any]], act: dict[str, Any], path: Path, ref: str) -> None:
    key = act["org_source_id"]
    org = orgs.get(key)
    if org is None:
        orgs[key] = {"source": SOURCE, "source_id": key, "file": path.name, "record_ref": ref,
                     **act.pop("_bid"), "name": act["org_name"], "updated_at": act["updated_at"]}
        return
    act.pop("_bid")
    if act["updated_at"] and (org["updated_at"] is None or act["updated_at"] > org["updated_at"]):
        org["updated_at"] = act["updated_at"]


def _activity(ctx: BuildContext, path: Path, ref: str, v: dict[str, str], extra_cells: int,
              types: dict[str, str], groups: dict[str, str]) -> dict[str, Any] | Reject:
    if not any(val for k, val in v.items()):
        return Reject("empty_row", "empty row")
    if extra_cells:
        return Reject("bad_value", f"{extra_cells} cell(s) beyond the header's columns (a stray delimiter?)")
    org_name = plain_text(v["jarjesto"])
    name = plain_text(v["toiminnan_nimi"])
    if not org_name:
        return Reject("missing_field", "missing organisation name (jarjesto)")
    if not name:
        return Reject("missing_field", "missing activity name (toiminnan_nimi)")
    mode = MODES.get(v["toimintatapa"].lower(), None) if v["toimintatapa"] else "in_person"
    if mode is None:
        return Reject("bad_value", f"toimintatapa {v['toimintatapa']!r} is not lähi/etä/puhelin/hybridi")
    national = BOOLS.get(v["valtakunnallinen"].lower()) if v["valtakunnallinen"] else False
    if national is None:
        return Reject("bad_value", f"valtakunnallinen {v['valtakunnallinen']!r} is not kyllä/ei")
    try:
        updated = parse_date(v["paivitetty"], "paivitetty")
    except BadValue as e:
        return Reject("bad_type", str(e))
    places = resolve_places(ctx, split_list(v["kunnat"]), national)
    if places.reason:
        return Reject(places.reason, places.message or "")
    bid = business_id_fields(v["y_tunnus"])
    type_code = types.get(v["toimintamuoto"].lower()) if v["toimintamuoto"] else None
    targets = sorted({groups[g.lower()] for g in split_list(v["kohderyhmat"]) if g.lower() in groups})
    return {
        "source": SOURCE, "source_id": f"{path.name}:{ref.removeprefix('row ')}", "file": path.name,
        "record_ref": ref, "org_source_id": _org_key(bid["business_id"], org_name),
        "org_business_id": bid["business_id"], "org_name": org_name, "name_fi": name, "name_sv": None,
        "name_en": None, "description": scrub_personal(plain_text(v["kuvaus"])),
        # an unknown type label loads with no class code: the classifier falls back to keywords
        "class_codes": [f"template:{type_code}"] if type_code else [],
        "target_codes": [f"template:{g}" for g in targets], "mode": mode, "is_national": national,
        "municipality_codes": places.codes, "languages": _languages(v["kielet"]),
        "url": safe_url(v["verkkosivu"]), "updated_at": updated, "lat": None, "lon": None, "_bid": bid,
    }


def _languages(value: str) -> list[str]:
    out: list[str] = []
    for part in split_list(value.replace(",", ";")):
        p = part.lower()
        code = p if len(p) == 2 and p.isalpha() else LANGUAGES.get(p)
        if code and code not in out:
            out.append(code)
    return out
