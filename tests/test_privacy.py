"""No personal data in the warehouse.

* Every text column (VARCHAR, VARCHAR[], JSON) of every table of the demo warehouse is scanned for personal
  e-mail addresses (`firstname.lastname@` style: `etl.text.EMAIL` + `is_personal_email`) and Finnish phone numbers
  (`etl.text.PHONE`).
* Contact persons, personal e-mails and phone numbers are planted into hand-made template, Lähellä and PTV inputs
  (contact columns, contact lists, PTV organisation/channel `emails` and `phoneNumbers` with the person's name in
  their description fields, e-mails and phone numbers inside free-text descriptions, rejected records); a warehouse
  is built from them and the planted strings must appear nowhere: no table, no column, not the quarantine's `raw`
  copies nor its messages. (A person's name inside free text cannot be recognised, so names are planted only in
  contact fields.)
* Streamlit's usage statistics are switched off (`.streamlit/config.toml`).
"""
from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import duckdb
import pytest

from etl.build import build
from etl.context import write_table
from etl.text import EMAIL, PHONE, is_personal_email

ROOT = Path(__file__).resolve().parent.parent

PERSON = "Pertti Planttinen"
PERSON_2 = "Liisa Lähiö"
EMAILS = ("pertti.planttinen@example.fi", "liisa_lahio@yhdistys.example", "p.planttinen@ptv.example")
PHONES = ("040 111 2233", "+358 50 987 6543", "0451234567", "044-555 6677")
PTV_PHONE = "401112233"          # PTV stores the number without its prefix
PLANTED = (PERSON, PERSON_2, *EMAILS, *PHONES, PTV_PHONE, "0401112233", "+358401112233")


# --- scanning helpers -------------------------------------------------------------------------------------------

def text_columns(con) -> list[tuple[str, str, str]]:
    """(table, column, data_type) of every text-like column of every base table and view."""
    return con.execute("""
        select table_name, column_name, data_type from information_schema.columns
        where data_type like 'VARCHAR%' or data_type = 'JSON'
        order by table_name, ordinal_position""").fetchall()


def column_values(con, table: str, column: str, data_type: str):
    expr = f'array_to_string("{column}", \' | \')' if data_type.endswith("[]") else f'"{column}"::varchar'
    for (v,) in con.execute(f'select distinct {expr} from "{table}" where "{column}" is not null').fetchall():
        if v:
            yield v


# identifiers that PHONE would misread: UUIDs (PTV ids) and hex digests (sha256 of the input files)
IDENTIFIERS = re.compile(r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b"
                         r"|\b[0-9a-fA-F]{32,}\b")


def personal_hits(con) -> list[str]:
    hits: list[str] = []
    for table, column, data_type in text_columns(con):
        for v in column_values(con, table, column, data_type):
            v = IDENTIFIERS.sub(" ", v)
            for m in EMAIL.finditer(v):
                if is_personal_email(m.group(0)):
                    hits.append(f"{table}.{column}: personal e-mail {m.group(0)!r}")
            for m in PHONE.finditer(v):
                hits.append(f"{table}.{column}: phone number {m.group(0)!r} in {v[:120]!r}")
    return hits


def all_values_text(con) -> dict[str, str]:
    """table.column -> every value as text (every column, whatever its type)."""
    out: dict[str, str] = {}
    for table, column in con.execute("""select table_name, column_name from information_schema.columns
                                        order by table_name, ordinal_position""").fetchall():
        rows = con.execute(f'select distinct "{column}"::varchar from "{table}"').fetchall()
        out[f"{table}.{column}"] = "\n".join(str(v) for (v,) in rows if v is not None)
    return out


def assert_nothing_planted(con) -> None:
    values = all_values_text(con)
    leaks = [f"{col}: {needle!r}" for col, text in values.items() for needle in PLANTED if needle in text]
    assert not leaks, "planted personal data stored:\n" + "\n".join(leaks)
    assert not personal_hits(con)


# --- the demo warehouse ---------------------------------------------------------------------------------------

def test_demo_warehouse_has_no_personal_emails_or_phone_numbers(demo_warehouse):
    con = duckdb.connect(str(demo_warehouse), read_only=True)
    try:
        columns = text_columns(con)
        tables = {t for t, _c, _d in columns}
        # the scan really covers the warehouse: core, staging, marts, quarantine and metadata
        assert {"organisation", "activity", "quarantine", "stg_template__activity", "stg_ptv__channel",
                "_meta_build"} <= tables
        hits = personal_hits(con)
        assert not hits, "\n".join(hits[:50])
    finally:
        con.close()


def test_scanner_detects_what_it_looks_for():
    """The patterns used above do catch the planted forms (so a clean scan means something)."""
    con = duckdb.connect()
    con.execute("create table t (a varchar, b varchar[])")
    con.execute("insert into t values ('Soita 040 111 2233', ['x', 'pertti.planttinen@example.fi'])")
    con.execute("insert into t values ('info@example.org', ['toimisto@seura.fi', '2024-01-01'])")
    # a PTV id and a sha256 are identifiers, not phone numbers
    con.execute("insert into t values ('01278801-9510-4938-938c-ff4a5b2642aa', "
                "['8abf0967676011bb05fcce4fbaec32eba47c7fdfcc33aa609849ededdc4d7d05'])")
    hits = personal_hits(con)
    assert len(hits) == 2, hits
    for p in PHONES:
        assert PHONE.search(p), p
    for e in EMAILS:
        m = EMAIL.search(e)
        assert m and is_personal_email(m.group(0)), e


# --- a warehouse built from inputs with planted personal data ---------------------------------------------------

TEMPLATE_CSV = (
    "jarjesto;y_tunnus;toiminnan_nimi;toimintamuoto;kunnat;toimintatapa;kuvaus;verkkosivu;yhteyshenkilo;"
    "sahkoposti;Puhelin\n"
    # loaded rows: contact person and e-mail columns, an unrecognised phone column, contacts in the description
    f"Yksityisyysseura ry;1234567-1;Vertaisryhmä;vertaistuki;Oulu;lähi;Kysy vetäjältä: {EMAILS[0]} tai "
    f"{PHONES[0]}.;https://example.org/ryhma;{PERSON};{EMAILS[0]};{PHONES[1]}\n"
    f"Yksityisyysseura ry;1234567-1;Puhelinapu;neuvonta ja ohjaus;Oulu;puhelin;Soita {PHONES[2]} tai {PHONES[3]};"
    f";{PERSON_2};{EMAILS[1]};{PHONES[2]}\n"
    # rejected rows (unknown municipality, empty name): their quarantine copy must not carry the contacts either
    f"Yksityisyysseura ry;1234567-1;Kerho;kerho;Atlantis;lähi;Lisätietoja {EMAILS[1]}, {PHONES[1]};;{PERSON};"
    f"{EMAILS[0]};{PHONES[0]}\n"
    f"Yksityisyysseura ry;1234567-1;;kerho;Oulu;lähi;{PHONES[3]};;{PERSON_2};{EMAILS[1]};{PHONES[3]}\n"
)

LAHELLA_PAGE = {
    "items": [
        {"_key": "PL1", "status": "published", "group": "PG1", "traits": {
            "translations": {"fi": {"name": "Lukupiiri", "description": f"<p>Vetäjä: {EMAILS[0]}, "
                                                                        f"puh. {PHONES[0]}</p>",
                                    "summary": f"Soita {PHONES[1]}"}},
            "region": ["city/FI/Oulu"], "type": "hobby",
            "contacts": [{"id": "c1", "type": "email", "value": EMAILS[0]},
                         {"id": "c2", "type": "phone", "value": PHONES[1]},
                         {"id": "c3", "type": "person", "value": PERSON},
                         {"id": "c4", "type": "www", "value": "https://example.org/lukupiiri"}]}},
        # rejected (draft; unknown region): contacts everywhere
        {"_key": "PL2", "status": "draft", "group": "PG1", "traits": {
            "translations": {"fi": {"name": "Luonnos", "description": f"{EMAILS[1]} {PHONES[2]}"}},
            "contacts": [{"type": "email", "value": EMAILS[1]}, {"type": "phone", "value": PHONES[2]}]}},
        {"_key": "PL3", "status": "published", "group": "PG1", "traits": {
            "translations": {"fi": {"name": "Kerho", "description": f"{EMAILS[0]} / {PHONES[3]}"}},
            "region": ["city/FI/Atlantis"],
            "contacts": [{"type": "email", "value": EMAILS[0]}, {"type": "phone", "value": PHONES[3]}]}},
    ],
    "hasMore": False,
    "groups": {"PG1": {"name": "Lukuseura ry", "businessId": "4444444-7"}},
}

PTV_ORG = "99999999-9999-4999-8999-999999999999"
PTV_ORGS = [{
    "id": PTV_ORG, "organizationType": "Organization", "businessCode": "2222222-9",
    "organizationNames": [{"type": "Name", "language": "fi", "value": "Yksityisyyssäätiö sr"}],
    "emails": [{"language": "fi", "value": EMAILS[2], "description": PERSON}],
    "phoneNumbers": [{"language": "fi", "prefixNumber": "+358", "number": PTV_PHONE,
                      "additionalInformation": PERSON_2, "isFinnishServiceNumber": False}],
    "addresses": [{"type": "Visiting", "streetAddress": {"municipality": {"code": "564"}}}],
}]
PTV_CHANNELS = [{
    "id": "pc1", "organizationId": PTV_ORG, "serviceChannelType": "Phone",
    "serviceChannelNames": [{"type": "Name", "language": "fi", "value": "Neuvontapuhelin"}],
    "phoneNumbers": [{"prefixNumber": "+358", "number": PTV_PHONE, "additionalInformation": PERSON}],
    "emails": [{"value": EMAILS[2]}],
    "serviceChannelDescriptions": [{"type": "Description", "language": "fi",
                                    "value": f"Vastaa: {PHONES[0]}"}],
}]
PTV_SERVICES = [
    {"id": "ps1", "mainOrganization": {"id": PTV_ORG}, "areaType": "Nationwide", "languages": ["fi"],
     "serviceNames": [{"type": "Name", "language": "fi", "value": "Neuvonta"}],
     "serviceDescriptions": [{"type": "Description", "language": "fi",
                              "value": f"<p>Soita {PHONES[1]} tai {EMAILS[2]}</p>"},
                             {"type": "Summary", "language": "fi", "value": f"{PHONES[0]}"}],
     "serviceChannels": [{"serviceChannel": {"id": "pc1"}}]},
    # rejected: unknown municipality
    {"id": "ps2", "mainOrganization": {"id": PTV_ORG}, "areaType": "LimitedType",
     "areas": [{"type": "Municipality", "code": "998"}],
     "serviceNames": [{"type": "Name", "language": "fi", "value": "Kerho"}],
     "serviceDescriptions": [{"type": "Description", "language": "fi", "value": f"{EMAILS[2]} {PHONES[2]}"}]},
]


def _write_inputs(base: Path) -> None:
    (base / "template").mkdir(parents=True)
    (base / "template" / "rekisteri.csv").write_text(TEMPLATE_CSV, encoding="utf-8")
    (base / "lahella").mkdir()
    (base / "lahella" / "page1.json").write_text(json.dumps(LAHELLA_PAGE, ensure_ascii=False), encoding="utf-8")
    for kind, recs in (("organizations", PTV_ORGS), ("channels", PTV_CHANNELS), ("services", PTV_SERVICES)):
        (base / "ptv" / kind).mkdir(parents=True)
        (base / "ptv" / kind / "page1.json").write_text(json.dumps({"itemList": recs}, ensure_ascii=False),
                                                        encoding="utf-8")


@pytest.fixture(scope="module")
def planted_warehouse(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("privacy")
    inputs = tmp / "inputs"
    _write_inputs(inputs)
    db = tmp / "w.duckdb"
    build(db_path=db, org_dirs=[inputs], is_demo=False, progress=False, log=lambda *a, **k: None)
    return db


@pytest.mark.slow
def test_planted_personal_data_is_stored_nowhere(planted_warehouse):
    con = duckdb.connect(str(planted_warehouse), read_only=True)
    try:
        # the inputs did load (so the absence below is not because nothing was read)
        names = {r[0] for r in con.execute("select name from organisation").fetchall()}
        assert {"Yksityisyysseura ry", "Lukuseura ry", "Yksityisyyssäätiö sr"} <= names
        assert con.execute("select count(*) from activity").fetchone()[0] >= 4
        reasons = {r for (r,) in con.execute("select distinct reason_code from quarantine").fetchall()}
        assert {"unknown_municipality", "missing_field", "bad_value"} <= reasons
        assert_nothing_planted(con)
        # the descriptions keep their text, with the contacts replaced
        desc = con.execute("select description from activity where name_fi = 'Vertaisryhmä'").fetchone()[0]
        assert "[sähköposti poistettu]" in desc and "[puhelin poistettu]" in desc
    finally:
        con.close()


@pytest.mark.slow
def test_quarantine_raw_copies_are_scrubbed(planted_warehouse):
    con = duckdb.connect(str(planted_warehouse), read_only=True)
    try:
        raws = [r for (r,) in con.execute("select raw from quarantine where raw is not null").fetchall()]
        assert len(raws) >= 4
        for raw in raws:
            for needle in PLANTED:
                assert needle not in raw, (needle, raw)
    finally:
        con.close()


# --- personal data in the wrong column / in names -------------------------------------------------------------

def _load_template(make_ctx, tmp_path, csv_text: str):
    from etl.load import template
    (tmp_path / "template").mkdir()
    (tmp_path / "template" / "r.csv").write_text(csv_text, encoding="utf-8")
    ctx = make_ctx(tmp_path)
    con = duckdb.connect()
    template.load(con, ctx)
    write_table(con, "quarantine", ctx.quarantine.frame())   # as the build stores it
    return con, ctx


def test_contacts_in_the_wrong_column_do_not_reach_the_quarantine_message(make_ctx, tmp_path):
    """Shifted columns are the usual spreadsheet accident: an e-mail or phone number lands in `kunnat`,
    `toimintatapa`, `valtakunnallinen` or `paivitetty`. The row is rejected, and the rejection message quotes the
    value; it must not quote the contact (the quarantine table is stored and shown on the data-quality page)."""
    csv_text = ("jarjesto;toiminnan_nimi;kunnat;toimintatapa;valtakunnallinen;paivitetty\n"
                f"Seura ry;Kerho;{EMAILS[0]};;;\n"
                f"Seura ry;Kerho;{PHONES[0]};;;\n"
                f"Seura ry;Kerho;Oulu;{EMAILS[1]};;\n"
                f"Seura ry;Kerho;Oulu;;{PHONES[1]};\n"
                f"Seura ry;Kerho;Oulu;;;{PHONES[2]}\n")
    con, ctx = _load_template(make_ctx, tmp_path, csv_text)
    assert len(ctx.quarantine.rows) == 5
    assert_nothing_planted(con)


def test_contacts_in_names_are_not_stored(make_ctx, tmp_path):
    """Activity and organisation names are free text too: `Soita Pertille 040 111 2233` as an activity name."""
    csv_text = ("jarjesto;toiminnan_nimi;kunnat\n"
                f"Seura ry;Soita Pertille {PHONES[0]};Oulu\n"
                f"Seura ry {EMAILS[0]};Kerho;Oulu\n")
    con, _ctx = _load_template(make_ctx, tmp_path, csv_text)
    assert con.execute("select count(*) from stg_template__activity").fetchone()[0] == 2
    assert_nothing_planted(con)


# --- Streamlit telemetry ---------------------------------------------------------------------------------------

def test_streamlit_usage_statistics_are_off():
    """The dashboard is hosted by public bodies: no telemetry to Streamlit. (`.streamlit/config.toml` is owned by
    the app; this test passes once it exists with `[browser] gatherUsageStats = false`.)"""
    path = ROOT / ".streamlit" / "config.toml"
    assert path.is_file(), f"{path} is missing"
    config = tomllib.loads(path.read_text(encoding="utf-8"))
    assert config.get("browser", {}).get("gatherUsageStats") is False


def test_no_secrets_file_is_committed():
    path = ROOT / ".streamlit" / "secrets.toml"
    assert not path.exists() or ".streamlit/secrets.toml" in (ROOT / ".gitignore").read_text(encoding="utf-8")

