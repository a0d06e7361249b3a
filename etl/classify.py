"""Activity type and target group from source codes and Finnish/Swedish keywords (the crosswalk lives here).

The vocabulary and the code/keyword crosswalk are read from ``<reference_dir>/taxonomy/`` (activity_types.csv,
target_groups.csv, crosswalk.csv). This module adds only what the crosswalk lacks: Swedish keywords, Finnish keywords
for the two types the crosswalk has none for (liikunta_harrastus, vaikuttaminen), the target-group keywords, and the
order in which keyword rules are tried.

Classification is split in two so that the harmoniser can run the expensive part in SQL:

1. ``keyword_hits(text)`` -> the set of activity types / target groups whose keyword pattern occurs in the
   lowercased text (after removing a few known false friends, see ``GUARD_PATTERN``). The patterns are plain
   alternations that mean the same in Python ``re`` and in DuckDB's RE2, so ``etl.harmonise`` evaluates them with
   ``regexp_matches`` over millions of rows and gets the same hits.
2. ``decide_activity(class_codes, hits)`` / ``decide_target_groups(target_codes, hits)`` -> the result. These are
   pure functions of a small key, so they are evaluated once per distinct (codes, hits) combination.

Activity type, in this order:
- codes: ``template:<type>`` directly (high); crosswalk rows for ``ptv:`` service classes and Lähellä
  ``lahella_type:`` / ``lahella_format:`` / ``lahella_theme:`` / ``lahella_event:`` with the crosswalk's confidence.
  A crosswalk row with two options (``vertaistuki|vapaaehtoistoiminta``) is narrowed by keywords (medium; without a
  deciding keyword the first option, low); ``(klubitalo if keyword)`` gives klubitalo only when the keyword occurs
  (medium); ``kerho_ryhma`` from a code becomes ``klubitalo``/``vertaistuki`` when those keywords occur (the
  crosswalk's "keyword override" note; medium). Several code results: best confidence, then taxonomy order.
  method ``code``.
- keywords: the first rule in ``KEYWORD_PRIORITY`` that hits; method ``keyword``, confidence from the crosswalk row.
- nothing: ``muu``, method ``default``, confidence ``low``. Nothing is dropped.

Target groups (multi-valued):
- ``template:<group>`` codes are the respondent's own choice: used alone (code, high).
- otherwise age codes (``age:65-99`` -> ikaantyneet; ranges up to 12 -> lapset_perheet; 13..29 -> nuoret;
  code, high) together with keyword hits (keyword, medium).
- nothing specific but a PTV ``ptv:KR*`` citizen group -> kaikki (code, low); nothing at all -> kaikki
  (default, low). Every activity gets at least one row.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

CONFIDENCE_RANK = {"high": 0, "medium": 1, "low": 2}
# Keywords are looked for in the name and the first this many characters of the description: what an activity
# is, is said early, and the cap bounds the cost of the few very long descriptions (the SQL path applies it too).
MAX_DESCRIPTION_CHARS = 2000

# Crosswalk (source_system, source_field) -> the prefix the loaders use in `class_codes`.
CODE_PREFIX = {
    ("ptv", "serviceClasses"): "ptv",
    ("lahella", "traits.type"): "lahella_type",
    ("lahella", "traits.format"): "lahella_format",
    ("lahella", "traits.theme"): "lahella_theme",
    ("lahella", "channels[].events[].type"): "lahella_event",
}

# Keyword rules are tried in this order; the first that hits wins. Specific service forms come first because they
# are rarely mentioned in passing (a clubhouse, a peer group, a support person, a crisis line, food aid, work
# activity); then the broad forms; "tapahtuma"/"tilaisuus" and "ryhmä"/"kerho" last, because almost every
# description mentions a group or an event. Low-confidence rules (tapahtumat, kerho_ryhma) are therefore last and
# the high-confidence one (klubitalo) first.
KEYWORD_PRIORITY = (
    "klubitalo", "vertaistuki", "tukihenkilotoiminta", "kriisiapu", "aineellinen_apu", "tyollistaminen",
    "vapaaehtoistoiminta", "kohtaamispaikka", "neuvonta_ohjaus", "retket_leirit", "vaikuttaminen",
    "liikunta_harrastus", "tapahtumat", "kerho_ryhma",
)

# Swedish keywords (stems, lowercased) per activity type; Finnish ones come from crosswalk.csv.
SWEDISH_ACTIVITY_KEYWORDS = {
    "vertaistuki": "kamratstöd",
    "neuvonta_ohjaus": "rådgivning|handledning",
    "kohtaamispaikka": "mötesplats",
    "vapaaehtoistoiminta": "frivillig",
    "tukihenkilotoiminta": "stödperson|vänverksamhet|vänträff|vänkurs",
    "kerho_ryhma": "klubb|grupp",
    "retket_leirit": "utflykt|läger",
    "tapahtumat": "evenemang|föreläsning",
    "kriisiapu": "kris",
    "klubitalo": "klubbhus",
    "tyollistaminen": "sysselsättning|arbetsverksamhet",
    "aineellinen_apu": "mathjälp|matutdelning",
    "liikunta_harrastus": "motion",
    "vaikuttaminen": "påverkan|intressebevakning",
}
# Finnish keywords for the types the crosswalk has no keyword row for (same confidence as given here).
EXTRA_FINNISH_KEYWORDS = {
    "liikunta_harrastus": ("liikunta|jumppa|kuntosali|urheilu", "low"),
    "vaikuttaminen": ("vaikuttamis|kokemusasiantunt|edunvalvon", "low"),
}
# Known false friends, removed from the text before matching: kohderyhmä/målgrupp ("target group", not a group
# activity), lomake ("form", not loma = holiday), kristillinen/kristen/Kristiina (not kris = crisis), emotion
# (English, not motion = exercise).
GUARD_PATTERN = "kohderyhm|målgrupp|lomak|kristi|kristen|kristl|emotion"

# Target-group keywords (Finnish | Swedish stems), lowercased text.
TARGET_GROUP_KEYWORDS = {
    "mielenterveys": "mielenterv|masennu|ahdistu|psykiat|psykisk|mental",
    "paihteet": "päihte|alkoholi|huume|riippuvuu|peliongelm|missbruk|beroende|drog",
    "ikaantyneet": "ikäänty|ikäihmi|seniori|vanhus|eläkeläi|äldre|pensionär",
    "lapset_perheet": "lapsi|lapse|lasten|perhe|vauva|barn|famil|föräld",
    "nuoret": "nuor|\\bung",
    "vammaiset": "vammai|kehitysvam|näkövam|kuulovam|liikuntavam|funktionsneds|funktionshind|handikapp",
    "pitkaaikaissairaat": "pitkäaikaissair|diabet|syöpä|reuma|epilep|parkinson|långtidssjuk|cancer",
    "omaiset": "omais|anhörig|närstående",
    "maahanmuuttajat": "maahanmuutt|turvapaik|pakolai|kotoutu|monikulttuur|invandr|flykting|migrant",
    "yksinaisyys": "yksinäi|ensam",
    "talous_velka": "velka|velkoj|talous|raha-asi|skuld|ekonomi",
    "tyottomat": "työttö|osatyökyk|työkyvy|arbetslös|arbetsför",
}
# Lähellä.fi age symbols (lahella-cli): baby 0-1, child 2-6, schoolAge 7-12, young 13-17, youngAdult 18-29.
AGE_SYMBOLS = {"baby": "lapset_perheet", "child": "lapset_perheet", "schoolage": "lapset_perheet",
               "young": "nuoret", "youngadult": "nuoret", "senior": "ikaantyneet", "elderly": "ikaantyneet"}
# Codes that may be overridden by a more specific keyword (crosswalk note on hm_ryhmat).
CODE_KEYWORD_OVERRIDES = {"kerho_ryhma": ("klubitalo", "vertaistuki"), "kohtaamispaikka": ("klubitalo",)}


@dataclass(frozen=True)
class CodeRule:
    kind: str                   # direct | split | if_keyword | keywords
    options: tuple[str, ...]
    confidence: str


@dataclass(frozen=True)
class KeywordRule:
    code: str                   # activity type or target group
    pattern: str                # lowercase alternation, same meaning in Python re and RE2
    confidence: str


@dataclass
class Taxonomy:
    activity_types: list[dict]          # code, label_fi, label_sv, label_en, description_en, sort_order
    target_groups: list[dict]           # code, label_fi, label_sv, label_en, population_denominator, sort_order
    code_rules: dict[str, CodeRule]     # 'ptv:P4.12' -> rule
    activity_keywords: list[KeywordRule]  # in KEYWORD_PRIORITY order
    target_keywords: list[KeywordRule]    # in target_groups file order
    guard_pattern: str = GUARD_PATTERN
    _compiled: dict = field(default_factory=dict, repr=False)

    @property
    def type_codes(self) -> set[str]:
        return {r["code"] for r in self.activity_types}

    @property
    def group_codes(self) -> set[str]:
        return {r["code"] for r in self.target_groups}

    def type_order(self, code: str) -> int:
        return self._orders("types")[code]

    def group_order(self, code: str) -> int:
        return self._orders("groups")[code]

    def _orders(self, which: str) -> dict[str, int]:
        key = "order_" + which
        if key not in self._compiled:
            rows = self.activity_types if which == "types" else self.target_groups
            self._compiled[key] = {r["code"]: r["sort_order"] for r in rows}
        return self._compiled[key]

    def compiled(self) -> tuple[re.Pattern, list[tuple[str, re.Pattern]], list[tuple[str, re.Pattern]]]:
        if "re" not in self._compiled:
            self._compiled["re"] = (
                re.compile(self.guard_pattern),
                [(r.code, re.compile(r.pattern)) for r in self.activity_keywords],
                [(r.code, re.compile(r.pattern)) for r in self.target_keywords],
            )
        return self._compiled["re"]


def _read_csv(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def load_taxonomy(reference_dir: Path) -> Taxonomy:
    """Read the vocabulary and the crosswalk from `<reference_dir>/taxonomy/`."""
    tdir = Path(reference_dir) / "taxonomy"
    types = _read_csv(tdir / "activity_types.csv")
    groups = _read_csv(tdir / "target_groups.csv")
    for i, r in enumerate(types, start=1):
        r["sort_order"] = i
    for i, r in enumerate(groups, start=1):
        r["sort_order"] = i
    type_codes = {r["code"] for r in types}

    code_rules: dict[str, CodeRule] = {}
    fi_keywords: dict[str, tuple[str, str]] = {}
    for row in _read_csv(tdir / "crosswalk.csv"):
        target = (row["dashboard_activity_type"] or "").strip()
        conf = (row["confidence"] or "").strip()
        if row["source_system"] == "keyword":
            if target in type_codes:
                fi_keywords[target] = (row["source_code"].strip().lower(), conf if conf in CONFIDENCE_RANK else "medium")
            continue
        prefix = CODE_PREFIX.get((row["source_system"], row["source_field"]))
        if prefix is None:
            continue
        key = f"{prefix}:{row['source_code'].strip()}"
        conf = conf if conf in CONFIDENCE_RANK else "low"
        m = re.fullmatch(r"\((\w+) if keyword\)", target)
        if target in type_codes:
            code_rules[key] = CodeRule("direct", (target,), conf)
        elif "|" in target and all(t in type_codes for t in target.split("|")):
            code_rules[key] = CodeRule("split", tuple(target.split("|")), conf)
        elif m and m.group(1) in type_codes:
            code_rules[key] = CodeRule("if_keyword", (m.group(1),), conf)
        elif target == "(classify by keywords)":
            code_rules[key] = CodeRule("keywords", (), conf)
        # anything else ("(theme: …)", "(funding)", "(generic NGO activity)") is not an activity type

    activity_keywords = []
    for code in KEYWORD_PRIORITY:
        if code not in type_codes:
            continue
        parts, conf = [], None
        if code in fi_keywords:
            parts.append(fi_keywords[code][0])
            conf = fi_keywords[code][1]
        if code in EXTRA_FINNISH_KEYWORDS:
            parts.append(EXTRA_FINNISH_KEYWORDS[code][0])
            conf = conf or EXTRA_FINNISH_KEYWORDS[code][1]
        if code in SWEDISH_ACTIVITY_KEYWORDS:
            parts.append(SWEDISH_ACTIVITY_KEYWORDS[code])
        if parts:
            activity_keywords.append(KeywordRule(code, "|".join(parts), conf or "medium"))
    target_keywords = [KeywordRule(r["code"], TARGET_GROUP_KEYWORDS[r["code"]], "medium")
                       for r in groups if r["code"] in TARGET_GROUP_KEYWORDS]
    return Taxonomy(types, groups, code_rules, activity_keywords, target_keywords)


# ---------------------------------------------------------------------------------------------------------------
# keywords

def prepare_text(name: str | None, description: str | None, taxonomy: Taxonomy) -> str:
    """Lowercased name + description with the false friends removed (mirrored in SQL by etl/sql/core_act_text.sql)."""
    guard, _a, _t = taxonomy.compiled()
    text = " ".join(s for s in (name, description[:MAX_DESCRIPTION_CHARS] if description else None) if s).lower()
    return guard.sub(" ", text)


def keyword_hits(text: str, taxonomy: Taxonomy) -> tuple[frozenset[str], frozenset[str]]:
    """(activity types, target groups) whose keyword pattern occurs in prepared `text`."""
    _g, act, tg = taxonomy.compiled()
    return (frozenset(c for c, rx in act if rx.search(text)), frozenset(c for c, rx in tg if rx.search(text)))


# ---------------------------------------------------------------------------------------------------------------
# decisions over (codes, hits)

def _first_by_priority(candidates: Iterable[str]) -> str | None:
    wanted = set(candidates)
    return next((c for c in KEYWORD_PRIORITY if c in wanted), None)


def decide_activity(class_codes: Sequence[str] | None, hits: Iterable[str],
                    taxonomy: Taxonomy) -> tuple[str, str, str]:
    """(activity_type, method, confidence) from codes and the keyword hits."""
    hits = frozenset(hits)
    types = taxonomy.type_codes
    candidates: list[tuple[str, str]] = []        # (type, confidence)
    for code in class_codes or ():
        if code is None:
            continue
        if code.startswith("template:"):
            t = code.split(":", 1)[1].strip()
            if t in types:
                candidates.append((t, "high"))
            continue
        rule = taxonomy.code_rules.get(code)
        if rule is None:
            continue
        if rule.kind == "direct":
            t = rule.options[0]
            override = _first_by_priority(o for o in CODE_KEYWORD_OVERRIDES.get(t, ()) if o in hits)
            candidates.append((override, "medium") if override else (t, rule.confidence))
        elif rule.kind == "split":
            chosen = _first_by_priority(o for o in rule.options if o in hits)
            candidates.append((chosen, "medium") if chosen else (rule.options[0], "low"))
        elif rule.kind == "if_keyword" and rule.options[0] in hits:
            candidates.append((rule.options[0], "medium"))
    if candidates:
        t, conf = min(candidates, key=lambda c: (CONFIDENCE_RANK[c[1]], taxonomy.type_order(c[0])))
        return t, "code", conf
    for rule in taxonomy.activity_keywords:
        if rule.code in hits:
            return rule.code, "keyword", rule.confidence
    return "muu", "default", "low"


def _age_groups(code: str) -> list[str]:
    value = code.split(":", 1)[1].strip().lower()
    if value in AGE_SYMBOLS:
        return [AGE_SYMBOLS[value]]
    m = re.fullmatch(r"(\d+)\s*-\s*(\d+|\*)?", value)
    if not m:
        return []
    lo = int(m.group(1))
    hi = lo if m.group(2) in (None, "*") else int(m.group(2))   # open range: judged by its lower end
    if lo >= 60:
        return ["ikaantyneet"]
    if hi <= 12:
        return ["lapset_perheet"]
    if lo >= 13 and hi <= 29:
        return ["nuoret"]
    if lo <= 12 and hi <= 29:
        return ["lapset_perheet", "nuoret"]
    return []                                                     # adults, or all ages: nothing specific


def decide_target_groups(target_codes: Sequence[str] | None, hits: Iterable[str],
                         taxonomy: Taxonomy) -> list[tuple[str, str, str]]:
    """[(target_group, method, confidence)] in taxonomy order; never empty."""
    groups = taxonomy.group_codes
    codes = [c for c in (target_codes or ()) if c]
    template = {c.split(":", 1)[1].strip() for c in codes if c.startswith("template:")} & groups
    if template:
        return [(g, "code", "high") for g in sorted(template, key=taxonomy.group_order)]
    found: dict[str, tuple[str, str]] = {}
    for c in codes:
        if c.startswith("age:"):
            for g in _age_groups(c):
                found.setdefault(g, ("code", "high"))
    for g in hits:
        if g in groups:
            found.setdefault(g, ("keyword", "medium"))
    if found:
        return [(g, *found[g]) for g in sorted(found, key=taxonomy.group_order)]
    if any(c.startswith("ptv:KR") for c in codes):
        return [("kaikki", "code", "low")]
    return [("kaikki", "default", "low")]


# ---------------------------------------------------------------------------------------------------------------
# the single-record API

def classify_activity(class_codes: Sequence[str] | None, name: str | None, description: str | None,
                      taxonomy: Taxonomy) -> tuple[str, str, str]:
    """(activity_type, method, confidence) for one activity."""
    act_hits, _tg = keyword_hits(prepare_text(name, description, taxonomy), taxonomy)
    return decide_activity(class_codes, act_hits, taxonomy)


def classify_target_groups(target_codes: Sequence[str] | None, name: str | None, description: str | None,
                           taxonomy: Taxonomy) -> list[tuple[str, str, str]]:
    """[(target_group, method, confidence)] for one activity; at least one row (`kaikki` when nothing else)."""
    _act, tg_hits = keyword_hits(prepare_text(name, description, taxonomy), taxonomy)
    return decide_target_groups(target_codes, tg_hits, taxonomy)
