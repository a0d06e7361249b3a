"""Property-based tests (hypothesis) of the source loaders: the template CSV/XLSX register, STEA CSV and the JSON
connectors (PTV, Lähellä, YTJ) are fed random, truncated, wrongly encoded, wrongly delimited, binary and oversized
files and random JSON values in their documented fields.

Properties, for every generated input (`check_run`):
  * a well-formed generated file (valid CSV/XLSX/JSON, whatever its values) loads: the loader raises nothing;
    only generated malformed input may raise, and only an `etl.context.EtlError` whose message names the file;
  * read == loaded + quarantined, and, where the test knows how many records it wrote, read == that number
    (nothing is dropped silently);
  * the staging tables hold exactly `loaded` rows;
  * the quarantine holds exactly `quarantined` rows for the source, every one with a reason code from
    `etl.context.REASON_CODES`, a non-empty `file` and `record_ref`, `raw` of at most 2,000 characters,
    and the rows can be written to a DuckDB table (as the build does).

Every example writes its files into a fresh `tempfile` directory. The module runs well over 1,000 generated cases
(see `max_examples` per test) in about a minute. Deterministic regressions for the bugs the fuzzing found are at
the end of the file.
"""
from __future__ import annotations

import codecs
import csv
import io
import json
import random
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

import duckdb
import pytest
from hypothesis import HealthCheck, Phase, assume, example, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from etl.context import RAW_MAX_CHARS, REASON_CODES, EtlError, write_table
from etl.load import lahella, ptv, stea, template, ytj

# no "explain" phase: it re-runs failing cases many times and adds nothing the minimal example does not show
FUZZ = dict(deadline=None, database=None, phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                   HealthCheck.data_too_large, HealthCheck.filter_too_much])

# the staging tables whose rows are counted in LoadStats.loaded (derived organisation tables are not counted)
COUNTED_STAGING: dict[Any, tuple[str, ...]] = {
    template: ("stg_template__activity",),
    stea: ("stg_stea__grant",),
    lahella: ("stg_lahella__activity",),
    ytj: ("stg_ytj__company",),
    ptv: ("stg_ptv__organisation", "stg_ptv__activity", "stg_ptv__channel"),
}
ALL_STAGING: dict[Any, tuple[str, ...]] = {
    template: ("stg_template__activity", "stg_template__organisation"),
    stea: ("stg_stea__grant", "stg_stea__organisation"),
    lahella: ("stg_lahella__activity", "stg_lahella__organisation"),
    ytj: ("stg_ytj__company", "stg_ytj__organisation"),
    ptv: ("stg_ptv__organisation", "stg_ptv__activity", "stg_ptv__channel"),
}


_CON: list[duckdb.DuckDBPyConnection] = []


def _connection() -> duckdb.DuckDBPyConnection:
    """One in-memory database for the module (connecting costs ~20 ms): loaders replace their staging tables on
    every run, so the counts below always belong to the run just made."""
    if not _CON:
        _CON.append(duckdb.connect())
        _CON[0].execute("set threads = 1")
    return _CON[0]


# --- the properties -----------------------------------------------------------------------------------------------

def check_run(loader, ctx, *, well_formed: bool, expect_read: int | None = None, expect_malformed_ok: bool = True):
    """Run `loader` on `ctx` and assert every property; returns (con, stats).

    `well_formed`: the test generated a well-formed file (valid CSV/XLSX/JSON, whatever its values): it must load,
    an EtlError fails the test. Only generated malformed input may raise an EtlError, and its message must name the
    file; check_run then returns None."""
    con = _connection()
    try:
        stats = loader.load(con, ctx)
    except EtlError as e:
        assert not well_formed, f"a well-formed input was refused: {e}"
        names = [p.name for base in ctx.org_dirs for p in Path(base).rglob("*") if p.is_file()]
        assert any(n in str(e) for n in names), f"the error does not name the file ({names}): {e}"
        return None
    assert stats.read == stats.loaded + stats.quarantined, stats
    qrows = [r for r in ctx.quarantine.rows if r["source"] == loader.SOURCE]
    assert len(qrows) == stats.quarantined == ctx.quarantine.count(loader.SOURCE)
    assert len(ctx.quarantine.rows) == len(qrows), "a loader wrote quarantine rows for another source"
    for r in qrows:
        assert r["reason_code"] in REASON_CODES, r
        assert r["file"], r
        assert str(r["record_ref"]).strip(), r
        assert r["raw"] is None or (isinstance(r["raw"], str) and len(r["raw"]) <= RAW_MAX_CHARS), r
        assert isinstance(r["message"], str) and r["message"], r
    staged = sum(con.execute(f'select count(*) from "{t}"').fetchone()[0] for t in COUNTED_STAGING[loader])
    assert staged == stats.loaded, (staged, stats)
    for t in ALL_STAGING[loader]:   # every staging table exists, also when nothing loaded
        con.execute(f'select * from "{t}" limit 0')
    # the quarantine is stored by the build: it must fit its table
    write_table(con, "quarantine", ctx.quarantine.frame())
    assert con.execute("select count(*) from quarantine").fetchone()[0] == len(qrows)
    if expect_read is not None:
        malformed = [r for r in qrows if r["reason_code"] == "malformed_file"]
        if expect_malformed_ok and malformed and stats.read == len(malformed):
            pass  # the whole file was set aside (with a reason): allowed for files the test cannot vouch for
        else:
            assert stats.read == expect_read, (stats, qrows[:3])
    return con, stats


def write(base: Path, sub: str, name: str, data: bytes) -> Path:
    folder = base / sub
    folder.mkdir(parents=True, exist_ok=True)
    p = folder / name
    p.write_bytes(data)
    return p


# --- strategies: text and values ------------------------------------------------------------------------------------

HOSTILE = [
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "[click](javascript:alert(1))", "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>", "**bold** # h1 | a | b |", "$$x^2$$", "`code` ```", "\u200b\u202e",
    "'; drop table organisation; --", '" or 1=1 --', "Ã¤Ã¶", "\ufeff", "\x85\u2028\u2029", "=cmd|' /C calc'!A0",
    "@SUM(1+1)", "+358 40 123 4567", "matti.meikalainen@example.fi",
]
MUNICIPALITIES = [
    "Helsinki", "helsingfors", "HELSINKI", " Oulu ", "091", "91", "1", "KU091", "ku564", "Maarianhamina", "Mariehamn",
    "478", "170", "Pertunmaa", "588", "Honkajoki", "Koski Tl", "Pedersören kunta", "Helsinkki", "000", "999", "1234",
    "-1", "٠٩١", "²", "Hèlsinki", "Helsinki\u200b", "Hel\u202esinki", "Espoo; Vantaa", "Tampere,Nokia", "city/FI/Oulu",
    "state/FI/Uusimaa", "city/FI/Säkyl??", "Ii", "Ii kunta", "Pyhtää stad", "", " ", "NULL", "None",
] + HOSTILE
text = st.text(max_size=40)
nasty_text = st.one_of(text, st.sampled_from(HOSTILE), st.text(alphabet=st.characters(codec="utf-8"), max_size=20))
municipality = st.one_of(st.sampled_from(MUNICIPALITIES), text, st.from_regex(r"(KU)?\d{1,4}", fullmatch=True))
municipality_list = st.lists(municipality, max_size=4).map("; ".join)


def _cell_strategy(column: str) -> st.SearchStrategy[str]:
    specific = {
        "jarjesto": st.sampled_from(["Seura ry", "Testiyhdistys r.y.", "Förening rf", "", " "]),
        "y_tunnus": st.sampled_from(["1234567-1", "1234567-0", "0123456-2", "123456-2", "12345678", "", "abc"]),
        "toiminnan_nimi": st.sampled_from(["Kerho", "Vertaisryhmä", "Kahvila", ""]),
        "toimintamuoto": st.sampled_from(["vertaistuki", "Neuvonta ja ohjaus", "muu", "Food and material aid", ""]),
        "kohderyhmat": st.sampled_from(["omaiset;Ikääntyneet", "Unga", "Mental health", "x", ""]),
        "kunnat": municipality_list,
        "toimintatapa": st.sampled_from(["lähi", "etä", "puhelin", "hybridi", "online", "LÄHI", "paikan päällä", ""]),
        "valtakunnallinen": st.sampled_from(["kyllä", "ei", "yes", "no", "1", "0", "ehkä", ""]),
        "kielet": st.sampled_from(["fi;sv", "suomi, ruotsi", "English", "xx", "fisl", ""]),
        "kuvaus": nasty_text,
        "verkkosivu": st.sampled_from(["https://example.org", "http://x.fi/a?b=c", "www.example.org",
                                       "javascript:alert(1)", "data:text/html,x", "ftp://x", ""]),
        "paivitetty": st.sampled_from(["2025-03-01", "1.2.2025", "31.2.2025", "2025-13-01", "0.0.0000",
                                       "9999-12-31", "1.1.1", "eilen", ""]),
        "yhteyshenkilo": st.sampled_from(["Maija Meikäläinen", ""]),
        "sahkoposti": st.sampled_from(["maija.meikalainen@example.org", "info@example.org", ""]),
        # STEA
        "vuosi": st.sampled_from(["2024", "2025.0", "1899", "20 24", "vuonna 2024", "", "2100", "٢٠٢٤"]),
        "kayttotarkoitus": nasty_text, "avustuslaji": st.sampled_from(["Ak 10", "C", "Ay", ""]),
        "alue": municipality, "avustuskokonaisuus": text, "jarjestoluokka": text,
        "haettu": st.sampled_from(["1 234,50", "1234.5", "1.234,50", "1,234.50", "2 500 €", "12\u00a0000", "paljon",
                                   "-5", "1e5", "9" * 400, "", "0"]),
        "ehdotettu": st.sampled_from(["10 000", "", "x"]), "myonnetty": st.sampled_from(["1 000,00", "", "0", "∞"]),
    }
    return st.one_of(specific.get(column, text), nasty_text) if column in specific else nasty_text


def _header_name(canon: str, aliases: dict[str, tuple[str, ...]]) -> st.SearchStrategy[str]:
    names = [canon, *aliases[canon]]
    variants = {"jarjesto": ["Järjestö", "JÄRJESTÖ"], "toiminnan_nimi": ["Toiminnan nimi", "toiminnan-nimi"],
                "y_tunnus": ["Y-tunnus"], "yhteyshenkilo": ["Yhteyshenkilö"], "sahkoposti": ["Sähköposti"],
                "vuosi": ["Vuosi"], "myonnetty": ["Myönnetty"]}
    return st.sampled_from(names + variants.get(canon, []))


@st.composite
def table_spec(draw, aliases: dict[str, tuple[str, ...]], required: tuple[str, ...], max_rows: int = 8):
    """(header, rows): the required columns plus a random subset of the others, in random order, and rows of
    cells that fit (or deliberately do not fit) the header."""
    optional = [c for c in aliases if c not in required]
    cols = list(required) + draw(st.lists(st.sampled_from(optional), unique=True, max_size=len(optional)))
    cols = draw(st.permutations(cols))
    header = [draw(_header_name(c, aliases)) for c in cols]
    n = draw(st.integers(0, max_rows))
    rows = []
    for _ in range(n):
        shape = draw(st.sampled_from(["fit", "fit", "fit", "fit", "short", "long", "blank", "empty"]))
        if shape == "blank":
            rows.append([""] * len(cols))
            continue
        if shape == "empty":
            rows.append([])
            continue
        row = [draw(_cell_strategy(c)) for c in cols]
        if shape == "short":
            row = row[: draw(st.integers(0, len(row)))]
        elif shape == "long":
            row += draw(st.lists(nasty_text, min_size=1, max_size=3))
        rows.append(row)
    return header, rows


ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1"]


def encode_csv(header: list[str], rows: list[list[str]], delimiter: str, encoding: str, lineterminator: str) -> bytes:
    buf = io.StringIO()
    # csv.writer leaves a lone "\r" unquoted when the line terminator is "\n" (Python < 3.12): quote everything
    # then, as Excel does, so that the file is unambiguous
    breaks = any("\r" in c or "\n" in c for r in [header, *rows] for c in r)
    w = csv.writer(buf, delimiter=delimiter, lineterminator=lineterminator,
                   quoting=csv.QUOTE_ALL if breaks else csv.QUOTE_MINIMAL)
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue().encode(encoding, errors="replace")


def _no_nul(rows: list[list[str]]) -> bool:
    return not any("\x00" in c for r in rows for c in r)


# --- 1. template CSV: structured, all encodings and delimiters ------------------------------------------------------

@settings(max_examples=200, **FUZZ)
@given(spec=table_spec(template.ALIASES, template.REQUIRED), encoding=st.sampled_from(ENCODINGS),
       delimiter=st.sampled_from([";", ",", "\t"]), terminator=st.sampled_from(["\n", "\r\n"]))
def test_template_csv_every_row_accounted(make_ctx, spec, encoding, delimiter, terminator):
    header, rows = spec
    assume(_no_nul(rows))
    data = encode_csv(header, rows, delimiter, encoding, terminator)
    with tempfile.TemporaryDirectory() as d:
        write(Path(d), "template", "rekisteri.csv", data)
        ctx = make_ctx(Path(d))
        # a well-formed CSV in a supported encoding and delimiter: every data row is read, none is lost
        check_run(template, ctx, well_formed=True, expect_read=len(rows), expect_malformed_ok=False)


# --- 2. template XLSX: structured, typed cells ---------------------------------------------------------------------

def _xlsx_safe(v: Any) -> Any:
    if isinstance(v, str):
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
        return ILLEGAL_CHARACTERS_RE.sub("", v)
    return v


xlsx_cell = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=False,
                      allow_infinity=False, width=32), st.datetimes(min_value=datetime(1900, 3, 1),
                      max_value=datetime(2100, 1, 1)), nasty_text)


@settings(max_examples=60, **FUZZ)
@given(spec=table_spec(template.ALIASES, template.REQUIRED, max_rows=6), typed=st.lists(xlsx_cell, max_size=30))
def test_template_xlsx_every_row_accounted(make_ctx, spec, typed):
    header, rows = spec
    pool = list(typed)
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    out_rows = []
    for r in rows:
        # mix typed values (numbers, dates, booleans, None) into the text cells
        cells = [pool.pop() if pool and i % 3 == 0 else c for i, c in enumerate(r)]
        cells = [_xlsx_safe(c) for c in cells]
        out_rows.append(cells)
        ws.append(cells)
    buf = io.BytesIO()
    wb.save(buf)
    # trailing rows with no value at all are not written to the sheet: they hold nothing to lose
    last = max((i + 1 for i, r in enumerate(out_rows) if any(c is not None and str(c) != "" for c in r)), default=0)
    with tempfile.TemporaryDirectory() as d:
        write(Path(d), "template", "rekisteri.xlsx", buf.getvalue())
        ctx = make_ctx(Path(d))
        _con, stats = check_run(template, ctx, well_formed=True)
        assert last <= stats.read <= len(out_rows), (last, stats, len(out_rows))


# --- 3. STEA CSV: structured -------------------------------------------------------------------------------------

@settings(max_examples=100, **FUZZ)
@given(spec=table_spec(stea.ALIASES, stea.REQUIRED), encoding=st.sampled_from(ENCODINGS),
       delimiter=st.sampled_from([";", ",", "\t"]))
def test_stea_csv_every_row_accounted(make_ctx, spec, encoding, delimiter):
    header, rows = spec
    assume(_no_nul(rows))
    data = encode_csv(header, rows, delimiter, encoding, "\r\n")
    with tempfile.TemporaryDirectory() as d:
        write(Path(d), "stea", "avustukset.csv", data)
        check_run(stea, make_ctx(Path(d)), well_formed=True, expect_read=len(rows), expect_malformed_ok=False)


# --- 4. binary garbage, truncation, wrong encodings and delimiters ----------------------------------------------

GOOD_TEMPLATE = ("jarjesto;y_tunnus;toiminnan_nimi;kunnat;kuvaus\n"
                 "Seura ry;1234567-1;Kerhö;Oulu;Äänekosken <b>kerho</b>\n"
                 "Förening rf;;Träff;Vaasa;Välkommen!\n")
GOOD_STEA = ("jarjesto;y_tunnus;vuosi;haettu;myonnetty\n"
             "Seura ry;1234567-1;2024;\"12 000,00\";1 000\nFörening rf;;2025;500;0\n")
GOOD_JSON = {
    "lahella": ("lahella", json.dumps({"items": [{"_key": "L1", "group": "G1", "traits": {
        "translations": {"fi": {"name": "Kerhö"}}, "region": ["city/FI/Oulu"]}}],
        "groups": {"G1": {"name": "Seura ry"}}}, ensure_ascii=False)),
    "ytj": ("ytj", json.dumps({"companies": [{"businessId": {"value": "0123456-2"},
                                              "names": [{"name": "Äänekosken seura ry", "type": "1"}],
                                              "companyForms": [{"type": "29"}]}]}, ensure_ascii=False)),
    "ptv": ("ptv/organizations", json.dumps({"itemList": [{"id": "o1", "organizationType": "Organization",
                                                            "organizationNames": [{"type": "Name", "language": "fi",
                                                                                   "value": "Säätiö"}]}]},
                                            ensure_ascii=False)),
}
LOADERS_BY_NAME = {"template": template, "stea": stea, "lahella": lahella, "ytj": ytj, "ptv": ptv}


def _target(kind: str) -> tuple[Any, str, str]:
    """(loader, subfolder, file name) for a kind of input file."""
    return {
        "template.csv": (template, "template", "t.csv"), "template.xlsx": (template, "template", "t.xlsx"),
        "stea.csv": (stea, "stea", "s.csv"), "lahella": (lahella, "lahella", "p.json"),
        "ytj": (ytj, "ytj", "c.json"), "ptv": (ptv, "ptv/organizations", "o.json"),
        "ptv.services": (ptv, "ptv/services", "s.json"), "ptv.channels": (ptv, "ptv/channels", "c.json"),
    }[kind]


KINDS = ["template.csv", "template.xlsx", "stea.csv", "lahella", "ytj", "ptv", "ptv.services", "ptv.channels"]


@settings(max_examples=150, **FUZZ)
@given(kind=st.sampled_from(KINDS), data=st.one_of(
    st.binary(max_size=2000),
    st.binary(max_size=200).map(lambda b: codecs.BOM_UTF8 + b),
    st.binary(max_size=200).map(lambda b: codecs.BOM_UTF16_LE + b),
    st.binary(max_size=200).map(lambda b: codecs.BOM_UTF16_BE + b),
    st.binary(max_size=200).map(lambda b: b"PK\x03\x04" + b),
    st.text(max_size=300).map(lambda s: s.encode("utf-8")),
    st.text(max_size=100).map(lambda s: s.encode("utf-16-le")),
))
def test_binary_garbage_never_crashes(make_ctx, kind, data):
    loader, sub, name = _target(kind)
    with tempfile.TemporaryDirectory() as d:
        write(Path(d), sub, name, data)
        check_run(loader, make_ctx(Path(d)), well_formed=False)


def _good_bytes(kind: str, encoding: str) -> bytes:
    if kind == "template.csv":
        return GOOD_TEMPLATE.encode(encoding)
    if kind == "stea.csv":
        return GOOD_STEA.encode(encoding)
    if kind == "template.xlsx":
        wb = Workbook()
        ws = wb.active
        for line in GOOD_TEMPLATE.splitlines():
            ws.append(line.split(";"))
        buf = io.BytesIO()
        wb.save(buf)
        return buf.getvalue()
    key = "ptv" if kind.startswith("ptv") else kind
    return GOOD_JSON[key][1].encode(encoding)


@settings(max_examples=120, **FUZZ)
@given(kind=st.sampled_from(["template.csv", "template.xlsx", "stea.csv", "lahella", "ytj", "ptv"]),
       encoding=st.sampled_from(ENCODINGS + ["utf-16-le", "utf-16-be"]), cut=st.integers(0, 10**6),
       flips=st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), max_size=3))
def test_truncated_reencoded_and_corrupted_files(make_ctx, kind, encoding, cut, flips):
    """Valid files re-encoded (Latin-1, cp1252, UTF-16 with and without BOM, UTF-8 with BOM), cut at a random byte
    (mid-character, mid-row, mid-zip) and with a few bytes overwritten."""
    loader, sub, name = _target(kind)
    good = _good_bytes(kind, encoding)
    data = bytearray(good)
    for pos, byte in flips:
        if data:
            data[pos % len(data)] = byte
    data = bytes(data[: cut % (len(data) + 1)])
    with tempfile.TemporaryDirectory() as d:
        write(Path(d), sub, name, data)
        check_run(loader, make_ctx(Path(d)), well_formed=data == good)


@settings(max_examples=40, **FUZZ)
@given(kind=st.sampled_from(["template.csv", "stea.csv"]), delimiter=st.sampled_from(["|", ":", " ", ".", "\x1f"]),
       encoding=st.sampled_from(ENCODINGS))
def test_wrong_delimiter_is_set_aside_with_a_reason(make_ctx, kind, delimiter, encoding):
    loader, sub, name = _target(kind)
    good = GOOD_TEMPLATE if kind == "template.csv" else GOOD_STEA
    with tempfile.TemporaryDirectory() as d:
        write(Path(d), sub, name, good.replace(";", delimiter).encode(encoding))
        ctx = make_ctx(Path(d))
        res = check_run(loader, ctx, well_formed=False)
        assert res is not None
        # one header cell: the required columns are missing, and the file is set aside saying so
        assert [r["reason_code"] for r in ctx.quarantine.rows] == ["malformed_file"]
        assert "missing required column" in ctx.quarantine.rows[0]["message"]


# --- 5. JSON connectors: random values in the documented fields ----------------------------------------------------

scalar = st.one_of(st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(), st.text(max_size=20),
                   st.sampled_from(HOSTILE))
junk = st.recursive(scalar, lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=8), c, max_size=4),
                    max_leaves=10)


def deep(depth: int) -> Any:
    v: Any = "x"
    for _ in range(depth):
        v = [v]
    return v


deep_junk = st.integers(10, 300).map(deep)


# a value of the wrong type for whatever the field documents: numbers and strings for lists and objects, a
# non-empty list for an object or a string
wrong_type = st.one_of(st.integers(-5, 5), st.floats(allow_nan=True), st.text(min_size=1, max_size=5),
                       st.lists(st.integers(0, 3), min_size=1, max_size=2), st.just([{}]), st.just({"x": 1}))


def field(plausible: st.SearchStrategy) -> st.SearchStrategy:
    """A documented field: mostly a plausible value, often one of the wrong type (strings for lists, numbers for
    strings, nulls, nested junk, deeply nested arrays)."""
    return st.one_of(plausible, plausible, wrong_type, junk, deep_junk)


def maybe_list(s: st.SearchStrategy, max_size: int = 3) -> st.SearchStrategy:
    return field(st.lists(s, max_size=max_size))


def opt(**fields: st.SearchStrategy) -> st.SearchStrategy[dict]:
    return st.fixed_dictionaries({}, optional=fields)


timestamp = st.one_of(st.sampled_from(["2025-01-15T10:00:00", "2025-01-15T10:00:00Z", "2025-01-15",
                                       "0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00", "", "eilen"]),
                      st.integers(-(2**70), 2**70), st.floats())

# Lähellä
lahella_channel = opt(
    id=field(st.text(max_size=5)),
    type=field(st.one_of(st.sampled_from(["place", "online", "phone", "hybrid"]),
                         st.lists(st.sampled_from(["place", "online", "phone", "hybrid", "x"]), max_size=3))),
    map=field(opt(center=field(opt(coordinates=field(st.lists(st.one_of(st.floats(), st.text(max_size=5)),
                                                                max_size=3)))))),
    translations=field(st.dictionaries(st.sampled_from(["fi", "sv", "en"]), field(opt(
        address=field(opt(city=field(municipality), street=field(text))))))),
)
lahella_traits = opt(
    translations=field(st.dictionaries(st.sampled_from(["fi", "sv", "en", "xx"]), field(opt(
        name=field(nasty_text), description=field(nasty_text), summary=field(nasty_text))))),
    type=field(st.sampled_from(["hobby", "support", "voluntary"])),
    format=maybe_list(st.sampled_from(["hm_ryhmat", "hm_kohtaamispaikka"])),
    theme=maybe_list(st.sampled_from(["ht_urheilu", "ht_hyvinvointi"])),
    demographic=maybe_list(st.sampled_from(["ageGroup/range:65-99", "ageGroup/range:", "gender/gender"])),
    locale=maybe_list(st.sampled_from(["fi-FI", "sv", "en", "fisl", "", "x"])),
    region=maybe_list(st.one_of(st.sampled_from(["city/FI/Helsinki", "state/FI/Uusimaa", "state/FI/Ahvenanmaa",
                                                 "state/FI/Atlantis", "city/FI/Säkyl??"]), municipality)),
    contacts=maybe_list(opt(type=field(st.sampled_from(["www", "email", "phone"])),
                            value=field(st.sampled_from(["https://example.org", "javascript:alert(1)",
                                                         "maija.meikalainen@example.org", "040 765 4321"])))),
    channels=maybe_list(lahella_channel),
)
lahella_record = st.one_of(
    # mostly with a key and an organiser: the traits are only read for records that get past them
    st.fixed_dictionaries({"_key": st.one_of(st.text(min_size=1, max_size=4), field(st.text(max_size=4))),
                           "group": st.one_of(st.sampled_from(["G1", "G2"]), field(opt(
                               id=field(st.sampled_from(["G1", "G3"]))))),
                           "traits": st.one_of(lahella_traits, field(lahella_traits))},
                          optional={"id": field(st.text(max_size=4)),
                                    "status": field(st.sampled_from(["published", "draft", ""])),
                                    "updatedAt": field(timestamp), "modified": field(timestamp)}),
    junk)
lahella_groups = field(st.dictionaries(st.sampled_from(["G1", "G2", "G3"]), field(opt(
    name=field(nasty_text), businessId=field(st.sampled_from(["4444444-7", "1234567-0", "", "x"]))))))


@settings(max_examples=200, **FUZZ)
@given(records=st.lists(lahella_record, max_size=6), envelope=st.sampled_from(["items", "bare", "items+junk"]),
       groups=lahella_groups)
def test_lahella_random_values(make_ctx, records, envelope, groups):
    doc: Any = records if envelope == "bare" else {"items": records, "groups": groups, "hasMore": False}
    if envelope == "items+junk":
        doc["groups"] = deep(50)
    with tempfile.TemporaryDirectory() as d:
        write(Path(d), "lahella", "page1.json", json.dumps(doc, ensure_ascii=False).encode("utf-8"))
        check_run(lahella, make_ctx(Path(d)), well_formed=True, expect_read=len(records), expect_malformed_ok=False)


# PTV
ORG_IDS = ["o1", "o2", "o3"]
ptv_localized = maybe_list(opt(type=field(st.sampled_from(["Name", "AlternativeName", "Description", "Summary"])),
                               language=field(st.sampled_from(["fi", "sv", "en"])),
                               value=field(st.one_of(nasty_text, st.just('{"blocks": [{"text": "Draft"}]}'),
                                                     st.just('{"blocks": 5}'), st.just('{"blocks": [{"text": 5}]}')))))
ptv_muni = opt(code=field(municipality))
ptv_address = opt(type=field(st.sampled_from(["Visiting", "Postal", "Location"])),
                  streetAddress=field(opt(municipality=field(ptv_muni),
                                          latitude=field(st.sampled_from(["6672000", "60.17", "x", "", "1e400"])),
                                          longitude=field(st.sampled_from(["385000", "24.94", "x", ""])))))
ptv_org = st.one_of(opt(
    id=field(st.sampled_from(ORG_IDS)), organizationType=field(st.sampled_from(["Organization", "Municipality"])),
    organizationNames=ptv_localized, businessCode=field(st.sampled_from(["1234567-1", "1234567-0", ""])),
    municipality=field(ptv_muni), addresses=maybe_list(ptv_address),
    webPages=maybe_list(opt(url=field(st.sampled_from(["https://example.org", "javascript:alert(1)"])),
                            value=field(text))),
    emails=maybe_list(opt(value=field(st.just("maija.meikalainen@example.org")))),
    phoneNumbers=maybe_list(opt(number=field(st.just("401234567")), prefixNumber=field(st.just("+358")))),
    modified=field(timestamp)), junk)
ptv_channel = st.one_of(opt(
    id=field(st.sampled_from(["c1", "c2", "c3"])), organizationId=field(st.sampled_from(ORG_IDS)),
    serviceChannelType=field(st.sampled_from(["ServiceLocation", "Phone", "WebPage", "EChannel"])),
    serviceChannelNames=ptv_localized, addresses=maybe_list(ptv_address),
    webPages=maybe_list(opt(url=field(st.sampled_from(["https://example.org/c", "data:text/html,x"])))),
    services=maybe_list(opt(service=field(opt(id=field(st.sampled_from(["s1", "s2"]))))))), junk)
ptv_service = st.one_of(opt(
    id=field(st.sampled_from(["s1", "s2", "s3"])), serviceNames=ptv_localized, serviceDescriptions=ptv_localized,
    mainOrganization=field(opt(id=field(st.sampled_from(ORG_IDS)))),
    organizations=maybe_list(opt(roleType=field(st.sampled_from(["Responsible", "Producer", "Other"])),
                                 organization=field(opt(id=field(st.sampled_from(ORG_IDS)))))),
    areaType=field(st.sampled_from(["Nationwide", "NationwideExceptAlandIslands", "LimitedType"])),
    areas=maybe_list(opt(type=field(st.sampled_from(["Municipality", "Region", "BusinessRegion"])),
                         code=field(municipality), municipalities=maybe_list(ptv_muni))),
    serviceChannels=maybe_list(opt(serviceChannel=field(opt(id=field(st.sampled_from(["c1", "c2", "c9"])))))),
    serviceClasses=maybe_list(opt(code=field(st.sampled_from(["P4.12", "P1"])))),
    targetGroups=maybe_list(opt(code=field(st.sampled_from(["KR1.1", "KR2"])))),
    languages=maybe_list(st.sampled_from(["fi", "sv", "FI", ""])), modified=field(timestamp)), junk)


@settings(max_examples=150, **FUZZ)
@given(orgs=st.lists(ptv_org, max_size=4), channels=st.lists(ptv_channel, max_size=4),
       services=st.lists(ptv_service, max_size=4), envelope=st.sampled_from(["itemList", "items", "bare"]))
# found by the fuzzer: items with nothing but an id under `itemList` are the API's guid-list index page, one record
@example(orgs=[], channels=[], services=[{"id": "s1"}, {"id": "s1"}], envelope="itemList")
def test_ptv_random_values(make_ctx, orgs, channels, services, envelope):
    def wrap(recs):
        return recs if envelope == "bare" else {"pageNumber": 1, envelope: recs}

    def records_read(recs):
        """A guid-list index page (`itemList` of objects with an id and at most a name) is one record read and set
        aside as `index_page`; any other page counts each of its items."""
        index = envelope == "itemList" and recs and all(
            isinstance(r, dict) and r.get("id") and set(r) <= {"id", "name"} for r in recs)
        return 1 if index else len(recs)
    with tempfile.TemporaryDirectory() as d:
        for sub, recs in (("organizations", orgs), ("channels", channels), ("services", services)):
            write(Path(d), f"ptv/{sub}", "page1.json", json.dumps(wrap(recs), ensure_ascii=False).encode("utf-8"))
        check_run(ptv, make_ctx(Path(d)), well_formed=True,
                  expect_read=sum(records_read(recs) for recs in (orgs, channels, services)),
                  expect_malformed_ok=False)


# YTJ
ytj_company = st.one_of(st.fixed_dictionaries({
    # mostly a valid id: the other fields are only read for records that get past it
    "businessId": st.one_of(st.fixed_dictionaries({"value": st.sampled_from(["0123456-2", "1234567-1", "2222222-9"])},
                                                  optional={"registrationDate": field(timestamp)}),
                            st.sampled_from(["0123456-2", "2222222-9"]), field(st.just({"value": "1234567-0"}))),
}, optional=dict(
    names=maybe_list(opt(name=field(nasty_text), type=field(st.sampled_from(["1", "2", 1])),
                         endDate=field(st.sampled_from([None, "", "2020-01-01"])))),
    companyForms=maybe_list(opt(type=field(st.sampled_from(["6", "18", "29", "16", 6])),
                                endDate=field(st.sampled_from([None, "2000-01-01"])))),
    addresses=maybe_list(opt(type=field(st.sampled_from([1, 2, "1"])),
                             postOffices=maybe_list(opt(municipalityCode=field(municipality), city=field(text))))),
    mainBusinessLine=field(opt(type=field(st.sampled_from(["94999", 94999])),
                               descriptions=maybe_list(opt(languageCode=field(st.sampled_from(["1", 1, "3"])),
                                                           description=field(nasty_text))))),
    website=field(st.one_of(opt(url=field(st.sampled_from(["www.example.org", "javascript:alert(1)", " WWW.x.fi"]))),
                            st.sampled_from(["https://example.org", "www.example.org"]))),
    registrationDate=field(timestamp), lastModified=field(timestamp))), junk)


@settings(max_examples=150, **FUZZ)
@given(records=st.lists(ytj_company, max_size=6), envelope=st.sampled_from(["companies", "bare"]))
def test_ytj_random_values(make_ctx, records, envelope):
    doc = records if envelope == "bare" else {"totalResults": len(records), "companies": records}
    with tempfile.TemporaryDirectory() as d:
        write(Path(d), "ytj", "companies.json", json.dumps(doc, ensure_ascii=False).encode("utf-8"))
        check_run(ytj, make_ctx(Path(d)), well_formed=True, expect_read=len(records), expect_malformed_ok=False)


@settings(max_examples=60, **FUZZ)
@given(doc=junk, kind=st.sampled_from(["lahella", "ytj", "ptv", "ptv.services", "ptv.channels"]))
def test_json_documents_of_any_shape(make_ctx, doc, kind):
    """Top-level documents that are not a list nor an envelope (numbers, strings, null, objects without the list)."""
    loader, sub, name = _target(kind)
    with tempfile.TemporaryDirectory() as d:
        write(Path(d), sub, name, json.dumps(doc).encode("utf-8"))
        check_run(loader, make_ctx(Path(d)), well_formed=False)


# --- 6. municipality strings --------------------------------------------------------------------------------------

@settings(max_examples=100, **FUZZ)
@given(munis=st.lists(municipality, min_size=1, max_size=5), national=st.sampled_from(["", "kyllä", "ei"]))
def test_random_municipality_strings(make_ctx, munis, national):
    """Each municipality string through the template register, Lähellä (region and channel city) and YTJ."""
    rows = [["Seura ry", "Kerho", m, national] for m in munis]
    items = [{"_key": f"L{i}", "group": "G1", "traits": {"translations": {"fi": {"name": "Kerho"}},
                                                          "region": [m, f"city/FI/{m}"]}}
             for i, m in enumerate(munis)]
    items += [{"_key": f"P{i}", "group": "G1", "traits": {"translations": {"fi": {"name": "Kerho"}}, "channels": [
        {"type": ["place"], "translations": {"fi": {"address": {"city": m}}}}]}} for i, m in enumerate(munis)]
    companies = [{"businessId": {"value": "0123456-2"}, "names": [{"name": "Seura ry", "type": "1"}],
                  "addresses": [{"type": 1, "postOffices": [{"municipalityCode": m}]}]} for m in munis[:1]]
    with tempfile.TemporaryDirectory() as d:
        base = Path(d)
        write(base, "template", "r.csv", encode_csv(["jarjesto", "toiminnan_nimi", "kunnat", "valtakunnallinen"],
                                                    rows, ";", "utf-8", "\n"))
        write(base, "lahella", "p.json", json.dumps({"items": items}).encode("utf-8"))
        write(base, "ytj", "c.json", json.dumps(companies).encode("utf-8"))
        if "\x00" not in "".join(munis):
            check_run(template, make_ctx(base), well_formed=True, expect_read=len(rows), expect_malformed_ok=False)
        check_run(lahella, make_ctx(base), well_formed=True, expect_read=len(items), expect_malformed_ok=False)
        check_run(ytj, make_ctx(base), well_formed=True, expect_read=len(companies), expect_malformed_ok=False)


# --- 7. oversized inputs (few, bounded) -------------------------------------------------------------------------

BIG = 5_000_000


@pytest.mark.timeout(120)
def test_template_csv_5mb_cell_keeps_the_other_rows(make_ctx, tmp_path):
    """One pasted 5 MB description must not set aside the whole register: the other rows still load."""
    rows = [["Seura ry", "Kerho", "Oulu", "ok"], ["Seura ry", "Iso kuvaus", "Oulu", "x" * BIG],
            ["Förening rf", "Träff", "Vaasa", "ok"]]
    write(tmp_path, "template", "iso.csv", encode_csv(["jarjesto", "toiminnan_nimi", "kunnat", "kuvaus"], rows, ";",
                                                      "utf-8", "\n"))
    con, stats = check_run(template, make_ctx(tmp_path), well_formed=True, expect_read=3, expect_malformed_ok=False)
    assert stats.loaded >= 2
    names = {r[0] for r in con.execute("select name_fi from stg_template__activity").fetchall()}
    assert {"Kerho", "Träff"} <= names


@pytest.mark.timeout(120)
def test_template_xlsx_5mb_cell(make_ctx, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["jarjesto", "toiminnan_nimi", "kunnat", "kuvaus"])
    ws.append(["Seura ry", "Kerho", "Oulu", "y" * BIG])
    ws.append(["Förening rf", "Träff", "Vaasa", "ok"])
    (tmp_path / "template").mkdir()
    wb.save(tmp_path / "template" / "iso.xlsx")
    con, stats = check_run(template, make_ctx(tmp_path), well_formed=True, expect_read=2, expect_malformed_ok=False)
    assert stats.loaded == 2


@pytest.mark.timeout(120)
def test_lahella_5mb_description_and_name(make_ctx, tmp_path):
    items = [{"_key": "L1", "group": "G1", "traits": {"translations": {"fi": {"name": "n" * BIG,
                                                                              "description": "<p>" + "d" * BIG}},
                                                      "region": ["city/FI/Oulu"]}},
             {"_key": "L2", "group": "G1", "traits": {"translations": {"fi": {"name": "Kerho"}},
                                                      "region": ["city/FI/Oulu"]}}]
    write(tmp_path, "lahella", "p.json", json.dumps({"items": items, "groups": {"G1": {"name": "Seura ry"}}}).encode())
    _con, stats = check_run(lahella, make_ctx(tmp_path), well_formed=True, expect_read=2, expect_malformed_ok=False)
    assert stats.loaded == 2


@pytest.mark.timeout(120)
def test_template_csv_20000_rows(make_ctx, tmp_path):
    rng = random.Random(20_000)
    munis = ["Oulu", "Helsinki", "Helsinkki", "Maarianhamina", "", "Vaasa; Mustasaari", "091"]
    rows = [["Seura ry" if i % 97 else "", f"Kerho {i}", rng.choice(munis), rng.choice(["lähi", "etä", "x", ""]),
             rng.choice(["", "ei", "kyllä"])] for i in range(20_000)]
    write(tmp_path, "template", "iso.csv", encode_csv(
        ["jarjesto", "toiminnan_nimi", "kunnat", "toimintatapa", "valtakunnallinen"], rows, ";", "cp1252", "\r\n"))
    ctx = make_ctx(tmp_path)
    _con, stats = check_run(template, ctx, well_formed=True, expect_read=20_000, expect_malformed_ok=False)
    assert 0 < stats.loaded < 20_000
    assert {r["reason_code"] for r in ctx.quarantine.rows} >= {"unknown_municipality", "bad_value", "missing_field"}


@pytest.mark.timeout(120)
def test_stea_csv_20000_rows(make_ctx, tmp_path):
    rows = [["Seura ry", "1234567-1", str(1990 + i % 120), f"{i} 000,00", "x" if i % 50 == 0 else str(i)]
            for i in range(20_000)]
    write(tmp_path, "stea", "s.csv", encode_csv(["jarjesto", "y_tunnus", "vuosi", "haettu", "myonnetty"], rows, ";",
                                                "utf-16", "\n"))
    _con, stats = check_run(stea, make_ctx(tmp_path), well_formed=True, expect_read=20_000, expect_malformed_ok=False)
    assert stats.quarantined > 0 and stats.loaded > 15_000


# --- 8. regressions: the minimal inputs the fuzzing found ---------------------------------------------------------
# Each is the smallest failing case for one bug; see tests/README.md and the report to the lead.

@pytest.mark.parametrize("kind, data", [
    # a UTF-8 file with BOM cut in the middle of a character (e.g. a truncated download)
    ("template.csv", codecs.BOM_UTF8 + "jarjesto;toiminnan_nimi\nSeura;Kerhö".encode()[:-1]),
    ("stea.csv", codecs.BOM_UTF8 + b"jarjesto;vuosi\n\xc3"),
    # a UTF-16 file cut at an odd byte, or with an unpaired surrogate
    ("template.csv", "jarjesto;toiminnan_nimi\nSeura;Kerho\n".encode("utf-16")[:-1]),
    ("template.csv", codecs.BOM_UTF16_LE + b"a\x00\x00\xd8;\x00"),
], ids=["utf8-bom-truncated", "stea-utf8-bom-truncated", "utf16-odd-length", "utf16-lone-surrogate"])
def test_regression_undecodable_file_with_bom(make_ctx, tmp_path, kind, data):
    loader, sub, name = _target(kind)
    write(tmp_path, sub, name, data)
    ctx = make_ctx(tmp_path)
    res = check_run(loader, ctx, well_formed=False)
    assert res is not None
    assert [r["reason_code"] for r in ctx.quarantine.rows] in (["malformed_file"], ["bad_encoding"])


@pytest.mark.parametrize("kind", ["lahella", "ytj", "ptv"])
def test_regression_deeply_nested_json_file(make_ctx, tmp_path, kind):
    """`[[[[...` 100,000 deep: json.loads raises RecursionError, which read_json does not catch."""
    loader, sub, name = _target(kind)
    write(tmp_path, sub, name, b"[" * 100_000 + b"]" * 100_000)
    ctx = make_ctx(tmp_path)
    assert check_run(loader, ctx, well_formed=False) is not None
    assert [r["reason_code"] for r in ctx.quarantine.rows] == ["malformed_file"]


def _one(loader, tmp_path, make_ctx, kind, records):
    _l, sub, name = _target(kind)
    write(tmp_path, sub, name, json.dumps(records).encode())
    ctx = make_ctx(tmp_path)
    return check_run(loader, ctx, well_formed=True, expect_read=len(records), expect_malformed_ok=False), ctx


NAME_FI = {"fi": {"name": "Kerho"}}


@pytest.mark.parametrize("traits", [
    {"translations": ["fi"]},                                           # list where an object is documented
    {"translations": NAME_FI, "channels": 5},                           # number where a list is documented
    {"translations": NAME_FI, "region": 5},
    {"translations": NAME_FI, "contacts": 5, "region": ["city/FI/Oulu"]},
    {"translations": NAME_FI, "locale": 5, "region": ["city/FI/Oulu"]},
    {"translations": NAME_FI, "format": 5, "region": ["city/FI/Oulu"]},
    {"translations": NAME_FI, "channels": [{"type": "place", "translations": ["x"]}]},
    {"translations": NAME_FI, "channels": [{"type": "place", "translations": {"fi": "Oulu"}}]},
    {"translations": NAME_FI, "channels": [{"type": "online", "map": "x"}]},
], ids=["translations-list", "channels-int", "region-int", "contacts-int", "locale-int", "format-int",
        "channel-translations-list", "channel-translation-str", "channel-map-str"])
def test_regression_lahella_wrong_types(make_ctx, tmp_path, traits):
    (_con, stats), ctx = _one(lahella, tmp_path, make_ctx, "lahella", [{"_key": "L1", "group": "G1", "traits": traits}])
    assert stats.read == 1


ORG = {"id": "o1", "organizationType": "Organization",
       "organizationNames": [{"type": "Name", "language": "fi", "value": "Seura ry"}]}


@pytest.mark.parametrize("kind, record", [
    ("ptv", {**ORG, "organizationNames": 5}),
    ("ptv", {**ORG, "organizationNames": [{"type": "Name", "language": "fi", "value": '{"blocks": [{"text": 5}]}'}]}),
    ("ptv", {**ORG, "municipality": "091"}),
    ("ptv", {**ORG, "addresses": [{"type": "Visiting", "streetAddress": "Katu 1"}]}),
    ("ptv", {**ORG, "webPages": 5}),
    ("ptv.channels", {"id": "c1", "organizationId": "o1", "addresses": [{"streetAddress": "Katu 1"}]}),
    ("ptv.channels", {"id": "c1", "organizationId": "o1", "services": 5}),
    ("ptv.services", {"id": "s1", "mainOrganization": "o1"}),
    ("ptv.services", {"id": "s1", "mainOrganization": {"id": "o1"}, "areaType": "Nationwide",
                      "serviceNames": [{"type": "Name", "language": "fi", "value": "Kerho"}],
                      "serviceChannels": [{"serviceChannel": "c1"}]}),
    ("ptv.services", {"id": "s1", "mainOrganization": {"id": "o1"}, "languages": 5,
                      "serviceNames": [{"type": "Name", "language": "fi", "value": "Kerho"}],
                      "areaType": "Nationwide"}),
], ids=["org-names-int", "draftjs-text-int", "org-municipality-str", "org-street-str", "org-webpages-int",
        "channel-street-str", "channel-services-int", "service-mainorg-str", "service-channel-str",
        "service-languages-int"])
def test_regression_ptv_wrong_types(make_ctx, tmp_path, kind, record):
    write(tmp_path, "ptv/organizations", "o.json", json.dumps([ORG]).encode())
    _l, sub, name = _target(kind)
    records = [record]
    if kind == "ptv":
        sub, name = "ptv/organizations", "o.json"
    write(tmp_path, sub, name, json.dumps(records).encode())
    ctx = make_ctx(tmp_path)
    expect = len(records) + (0 if kind == "ptv" else 1)
    check_run(ptv, ctx, well_formed=True, expect_read=expect, expect_malformed_ok=False)


@pytest.mark.parametrize("record", [
    {"businessId": {"value": "0123456-2"}, "names": 5},
    {"businessId": {"value": "0123456-2"}, "names": [{"name": "Seura ry", "type": "1"}], "mainBusinessLine": "x"},
    {"businessId": {"value": "0123456-2"}, "names": [{"name": "Seura ry", "type": "1"}],
     "addresses": [{"type": 1, "postOffices": ["Helsinki"]}]},
    {"businessId": {"value": "0123456-2"}, "names": [{"name": "Seura ry", "type": "1"}], "companyForms": 6},
    {"businessId": {"value": "0123456-2"}, "names": [{"name": "Seura ry", "type": "1"}],
     "mainBusinessLine": {"descriptions": ["x"]}},
], ids=["names-int", "mainbusinessline-str", "postoffice-str", "companyforms-int", "descriptions-str"])
def test_regression_ytj_wrong_types(make_ctx, tmp_path, record):
    _one(ytj, tmp_path, make_ctx, "ytj", [record])


def test_regression_truncated_xlsx_sheet(make_ctx, tmp_path):
    """An XLSX whose worksheet XML is damaged: openpyxl opens the zip, then fails while iterating the rows,
    outside read_xlsx_table's try block."""
    data = bytearray(_good_bytes("template.xlsx", "utf-8"))
    import zipfile
    src = zipfile.ZipFile(io.BytesIO(bytes(data)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for item in src.infolist():
            body = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                body = body[: len(body) // 2]     # cut in the middle of <sheetData>
            z.writestr(item, body)
    write(tmp_path, "template", "t.xlsx", out.getvalue())
    ctx = make_ctx(tmp_path)
    assert check_run(template, ctx, well_formed=False) is not None
    assert [r["reason_code"] for r in ctx.quarantine.rows] == ["malformed_file"]


# --- 9. the property check itself can fail --------------------------------------------------------------------------

class _Refuses:
    """A loader that refuses every file with an EtlError."""
    SOURCE = "template"

    def __init__(self, message: str) -> None:
        self.message = message

    def load(self, con, ctx):
        raise EtlError(self.message)


def test_check_run_fails_when_a_well_formed_file_is_refused(make_ctx, tmp_path):
    write(tmp_path, "template", "t.csv", GOOD_TEMPLATE.encode())
    ctx = make_ctx(tmp_path)
    with pytest.raises(AssertionError, match="a well-formed input was refused"):
        check_run(_Refuses("t.csv: cannot be read"), ctx, well_formed=True)
    with pytest.raises(AssertionError, match="does not name the file"):
        check_run(_Refuses("cannot be read"), ctx, well_formed=False)
    assert check_run(_Refuses("t.csv: cannot be read"), ctx, well_formed=False) is None
