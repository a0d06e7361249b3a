"""Harmonisation (etl.harmonise, etl.classify): hand-made staging rows in an in-memory DuckDB -> exact core rows.

The fixture is synthetic (written for this test). Business ids 1234567-1, 2345678-0, 4567890-7 are valid check-digit
combinations; 2345678-1 is not.
"""
from __future__ import annotations

import duckdb
import pytest

from etl import classify, harmonise

ORG_DDL = """(source varchar, source_id varchar, file varchar, record_ref varchar, business_id varchar,
    business_id_raw varchar, business_id_valid boolean, name varchar, name_sv varchar, company_form varchar,
    home_municipality_code varchar, main_business_line varchar, website varchar, updated_at timestamp)"""
ACT_DDL = """(source varchar, source_id varchar, file varchar, record_ref varchar, org_source_id varchar,
    org_business_id varchar, org_name varchar, name_fi varchar, name_sv varchar, name_en varchar,
    description varchar, class_codes varchar[], target_codes varchar[], mode varchar, is_national boolean,
    municipality_codes varchar[], languages varchar[], url varchar, updated_at timestamp, lat double, lon double)"""
GRANT_DDL = """(file varchar, record_ref varchar, organisation_name varchar, business_id varchar,
    business_id_raw varchar, business_id_valid boolean, year integer, purpose varchar, grant_type varchar,
    area_text varchar, requested double, proposed double, granted double)"""
YTJ_COMPANY_DDL = """(file varchar, record_ref varchar, business_id varchar, name varchar, company_form_code varchar,
    company_form varchar, home_municipality_code varchar, main_business_line_code varchar,
    main_business_line varchar, registration_date date, website varchar)"""
SOURCES = ("ptv", "lahella", "template", "stea", "ytj")

MUNICIPALITIES = [  # code, name_fi, name_sv, area_code
    ("020", "Akaa", "Ackas", "08"), ("049", "Espoo", "Esbo", "03"), ("091", "Helsinki", "Helsingfors", "90"),
    ("478", "Maarianhamina", "Mariehamn", "91"), ("564", "Oulu", "Uleåborg", "19"),
    ("837", "Tampere", "Tammerfors", "08"),
]
AREAS = [("03", "Länsi-Uudenmaan hyvinvointialue", "Västra Nylands välfärdsområde"),
         ("08", "Pirkanmaan hyvinvointialue", "Birkalands välfärdsområde"),
         ("19", "Pohjois-Pohjanmaan hyvinvointialue", "Norra Österbottens välfärdsområde"),
         ("90", "Helsingin kaupunki", "Helsingfors stad")]

# organisation rows: source, source_id, business_id, business_id_raw, valid, name, company_form, home
ORGS = [
    ("ptv", "P1", "1234567-1", "1234567-1", True, "Mielenterveysyhdistys Tukeva", None, "837"),
    ("stea", "S1", "1234567-1", "1234567-1", True, "Mielenterveysyhdistys Tukeva r.y.", None, None),
    ("ytj", "Y1", "1234567-1", "1234567-1", True, "Mielenterveysyhdistys Tukeva ry", "Aatteellinen yhdistys", "020"),
    ("template", "T1", "1234567-1", "1234567-1", True, "Tukeva", None, "837"),
    ("ptv", "P3", "2345678-0", "2345678-0", True, "Omaisneuvo ry", None, "091"),
    ("template", "T3", None, None, None, "OMAISNEUVO RY", None, "564"),        # no id: attaches by unique name
    ("ytj", "Y6", "4567890-7", "4567890-7", True, "Hyvän Elämän Säätiö sr", "Säätiö", "091"),  # YTJ only
    ("template", "T2", None, None, None, "Kylän kerho ry", None, "564"),        # no id: name + municipality
    ("lahella", "L2", None, None, None, "Kylän Kerho", None, "564"),
    ("lahella", "L4", None, None, None, "Kylän kerho", None, "091"),           # same name, other municipality
    ("lahella", "L5", None, "2345678-1", False, "Väärä Tunnus ry", None, "091"),  # invalid id, other name
]
# activity rows: source, source_id, org_source_id, org_business_id, org_name, name_fi, description, class_codes,
# target_codes, mode, is_national, municipality_codes, languages
ACTS = [
    ("lahella", "LA1", "L2", None, "Kylän Kerho", "Klubitalon kerho", None, ["lahella_type:support"],
     ["age:65-99"], "in_person", False, ["564"], ["fi"]),
    ("lahella", "LA2", "L2", None, "Kylän Kerho", "Kamratstöd för unga", None, [], [], "in_person", False,
     ["564"], ["sv"]),
    ("lahella", "LA3", "LX", "1234567-1", "Tukeva", "KAHVILA!", "Avoin kahvila kaikille", [], [], "in_person",
     False, ["837"], ["fi"]),
    ("ptv", "PA1", "P1", "1234567-1", None, "Vertaisryhmä mielenterveyskuntoutujille", None, ["ptv:P4.12"],
     ["ptv:KR1"], "in_person", False, ["837"], ["fi"]),
    ("ptv", "PA2", "P1", "1234567-1", None, "Tule vapaaehtoisten joukkoon", None, ["ptv:P4.12"], ["ptv:KR1.1"],
     "hybrid", False, ["837", "020"], ["fi", "sv"]),
    ("ptv", "PA3", "P3", "2345678-0", None, "Omaisneuvonta", None, ["ptv:P4.13"], [], "phone", True, ["091"],
     ["fi"]),
    ("template", "TA1", "T3", None, "Omaisneuvo ry", "Retki Nuuksioon", None, [],
     ["template:omaiset", "template:ikaantyneet"], "in_person", False, ["091"], ["fi"]),
    ("template", "TA2", "T1", None, "Tukeva", "Kahvila", None, ["template:kohtaamispaikka"], [], "in_person",
     False, ["837"], ["fi"]),                                                  # duplicate of LA3
    ("template", "TA3", "T9", None, "Naapuriapu", "Yhteinen ilta", "Tervetuloa", [], [], "online", False,
     ["049", "478"], ["fi"]),                                                  # activity-only organisation
]
# grant rows: record_ref, organisation_name, business_id, valid, year, area_text, granted
GRANTS = [
    ("row 2", "Mielenterveysyhdistys Tukeva ry", "1234567-1", True, 2023, "Valtakunnallinen", 1000.0),
    ("row 3", "Omaisneuvo ry", None, None, 2023, "Pirkanmaan hyvinvointialue", 2000.0),
    ("row 4", "Omaisneuvo ry", "2345678-0", True, 2024, "Oulu", 3000.0),
    ("row 5", "Hyvän Elämän Säätiö", "4567890-7", True, 2024, "Jokin muu paikka", 4000.0),
    ("row 6", "Tuntematon ry", None, None, 2024, None, 5000.0),
    ("row 7", "Tuntematon ry", None, None, 2024, "Birkalands välfärdsområde", 6000.0),
    ("row 8", "Omaisneuvo ry", "5678901-2", True, 2025, None, 7000.0),   # same name, another valid id: no match
]


def make_con(*, reverse: bool = False, with_area: bool = True) -> duckdb.DuckDBPyConnection:
    """A connection holding the staging tables above (row order reversed when `reverse`)."""
    con = duckdb.connect()
    con.execute("create table municipality (code varchar, name_fi varchar, name_sv varchar, area_code varchar, "
                "is_aland boolean)")
    con.executemany("insert into municipality values (?, ?, ?, ?, ?)",
                    [(*m, m[3] == "91") for m in MUNICIPALITIES])
    if with_area:
        con.execute("create table area (code varchar, name_fi varchar, name_sv varchar)")
        con.executemany("insert into area values (?, ?, ?)", AREAS)
    for src in SOURCES:
        con.execute(f"create table stg_{src}__organisation {ORG_DDL}")
        if src not in ("stea", "ytj"):
            con.execute(f"create table stg_{src}__activity {ACT_DDL}")
    con.execute(f"create table stg_stea__activity {ACT_DDL}")       # exists, empty
    con.execute(f"create table stg_ytj__activity {ACT_DDL}")
    con.execute(f"create table stg_stea__grant {GRANT_DDL}")
    con.execute(f"create table stg_ytj__company {YTJ_COMPANY_DDL}")
    order = (lambda rows: list(reversed(rows))) if reverse else list
    for i, (src, sid, bid, raw, valid, name, form, home) in enumerate(order(ORGS)):
        con.execute(f"insert into stg_{src}__organisation values (?, ?, 'f.json', ?, ?, ?, ?, ?, null, ?, ?, "
                    "null, null, null)", [src, sid, f"row {i}", bid, raw, valid, name, form, home])
    for i, (src, sid, osid, obid, oname, name, desc, cc, tc, mode, nat, munis, langs) in enumerate(order(ACTS)):
        con.execute(f"insert into stg_{src}__activity values (?, ?, 'a.json', ?, ?, ?, ?, ?, null, null, ?, ?, ?, "
                    "?, ?, ?, ?, null, null, null, null)",
                    [src, sid, f"row {i}", osid, obid, oname, name, desc, cc, tc, mode, nat, munis, langs])
    for ref, oname, bid, valid, year, area, granted in order(GRANTS):
        con.execute("insert into stg_stea__grant values ('stea.xlsx', ?, ?, ?, ?, ?, ?, 'toiminta', 'Ay', ?, "
                    "?, ?, ?)", [ref, oname, bid, bid, valid, year, area, granted, granted, granted])
    return con


@pytest.fixture(scope="module")
def built(reference_dir):
    con = make_con()
    counts = harmonise.build_core(con, reference_dir, is_demo=True)
    yield con, counts
    con.close()


def rows(con, sql: str) -> list[tuple]:
    return [tuple(r) for r in con.execute(sql).fetchall()]


def test_counts(built):
    _con, counts = built
    assert counts == {"dim_activity_type": 15, "dim_target_group": 13, "organisation": 7, "organisation_source": 13,
                      "activity": 8, "activity_municipality": 8, "activity_target_group": 9, "grant": 7,
                      "activity_duplicates_merged": 1}


def test_every_staging_activity_is_kept_or_merged(built):
    con, counts = built
    assert counts["activity"] + counts["activity_duplicates_merged"] == len(ACTS)
    assert rows(con, "select source_id from activity where source_id not in ('LA1','LA2','LA3','PA1','PA2','PA3',"
                     "'TA1','TA3')") == []


def test_dimensions_follow_file_order(built):
    con, _ = built
    assert rows(con, "select code, sort_order from dim_activity_type where sort_order in (1, 15) order by 2") == [
        ("vertaistuki", 1), ("muu", 15)]
    assert rows(con, "select code, label_sv, population_denominator, sort_order from dim_target_group "
                     "where sort_order in (3, 13) order by 4") == [
        ("ikaantyneet", "Äldre", "age_65_plus", 3), ("kaikki", "Öppen för alla", "total", 13)]


def test_organisations(built):
    con, _ = built
    assert rows(con, """select org_id, business_id, business_id_valid, name, name_normalised, company_form,
                               home_municipality_code, home_area_code, sources, is_demo
                        from organisation order by org_id""") == [
        # PTV + STEA + YTJ + template + an activity's org reference, one business id; YTJ wins name, form, home
        ("O000001", "1234567-1", True, "Mielenterveysyhdistys Tukeva ry", "mielenterveysyhdistys tukeva",
         "Aatteellinen yhdistys", "020", "08", ["lahella", "ptv", "stea", "template", "ytj"], True),
        # PTV with id + template without id, same normalised name (different home municipality)
        ("O000002", "2345678-0", True, "Omaisneuvo ry", "omaisneuvo", None, "091", "90", ["ptv", "template"], True),
        # YTJ only
        ("O000003", "4567890-7", True, "Hyvän Elämän Säätiö sr", "hyvän elämän säätiö", "Säätiö", "091", "90",
         ["ytj"], True),
        # same name, no id, other municipality: a separate organisation
        ("O000004", None, None, "Kylän kerho", "kylän kerho", None, "091", "90", ["lahella"], True),
        # template + Lähellä without id, same name and municipality; Lähellä's name wins over the template's
        ("O000005", None, None, "Kylän Kerho", "kylän kerho", None, "564", "19", ["lahella", "template"], True),
        # known only from an activity: home = first municipality of its activity
        ("O000006", None, None, "Naapuriapu", "naapuriapu", None, "049", "03", ["template"], True),
        # invalid business id: not merged with the valid 2345678-0
        ("O000007", None, False, "Väärä Tunnus ry", "väärä tunnus", None, "091", "90", ["lahella"], True),
    ]


def test_organisation_sources(built):
    con, _ = built
    assert rows(con, "select * from organisation_source order by all") == [
        ("O000001", "lahella", "LX"), ("O000001", "ptv", "P1"), ("O000001", "stea", "S1"),
        ("O000001", "template", "T1"), ("O000001", "ytj", "Y1"),
        ("O000002", "ptv", "P3"), ("O000002", "template", "T3"),
        ("O000003", "ytj", "Y6"),
        ("O000004", "lahella", "L4"),
        ("O000005", "lahella", "L2"), ("O000005", "template", "T2"),
        ("O000006", "template", "T9"),
        ("O000007", "lahella", "L5"),
    ]


def test_activities(built):
    con, _ = built
    assert rows(con, """select activity_id, org_id, source, source_id, activity_type, type_method, type_confidence,
                               mode, is_in_person, is_national, languages, offered_in_swedish
                        from activity order by activity_id""") == [
        # klubitalo beats kerho (Lähellä support type: classify by keywords)
        ("A0000001", "O000005", "lahella", "LA1", "klubitalo", "keyword", "high", "in_person", True, False, ["fi"],
         False),
        # Swedish keyword
        ("A0000002", "O000005", "lahella", "LA2", "vertaistuki", "keyword", "medium", "in_person", True, False,
         ["sv"], True),
        # duplicate of template TA2 (same org, name, municipalities): the richer Lähellä row is kept, with TA2's code
        ("A0000003", "O000001", "lahella", "LA3", "kohtaamispaikka", "code", "high", "in_person", True, False,
         ["fi"], False),
        # P4.12 narrowed by keyword
        ("A0000004", "O000001", "ptv", "PA1", "vertaistuki", "code", "medium", "in_person", True, False, ["fi"],
         False),
        ("A0000005", "O000001", "ptv", "PA2", "vapaaehtoistoiminta", "code", "medium", "hybrid", True, False,
         ["fi", "sv"], True),
        # plain code
        ("A0000006", "O000002", "ptv", "PA3", "neuvonta_ohjaus", "code", "high", "phone", False, True, ["fi"],
         False),
        # Finnish keyword
        ("A0000007", "O000002", "template", "TA1", "retket_leirit", "keyword", "medium", "in_person", True, False,
         ["fi"], False),
        # nothing matched
        ("A0000008", "O000006", "template", "TA3", "muu", "default", "low", "online", False, False, ["fi"], False),
    ]


def test_activity_municipalities(built):
    con, _ = built
    # PA3 is national (no rows although it lists Helsinki); TA3's Åland municipality 478 is outside the frame
    assert rows(con, "select * from activity_municipality order by all") == [
        ("A0000001", "564", "19"), ("A0000002", "564", "19"), ("A0000003", "837", "08"), ("A0000004", "837", "08"),
        ("A0000005", "020", "08"), ("A0000005", "837", "08"), ("A0000007", "091", "90"), ("A0000008", "049", "03"),
    ]


def test_activity_target_groups(built):
    con, _ = built
    assert rows(con, "select * from activity_target_group order by activity_id, target_group") == [
        ("A0000001", "ikaantyneet", "code", "high"),             # age:65-99
        ("A0000002", "nuoret", "keyword", "medium"),             # "unga"
        ("A0000003", "kaikki", "default", "low"),                # nothing says otherwise
        ("A0000004", "mielenterveys", "keyword", "medium"),      # keyword beats the generic KR1 code
        ("A0000005", "kaikki", "code", "low"),                   # only a PTV citizen group
        ("A0000006", "omaiset", "keyword", "medium"),
        ("A0000007", "ikaantyneet", "code", "high"),             # template codes used as given
        ("A0000007", "omaiset", "code", "high"),
        ("A0000008", "kaikki", "default", "low"),
    ]


def test_grants(built):
    con, _ = built
    assert rows(con, """select grant_id, org_id, business_id, year, area_text, area_code, area_method, granted
                        from "grant" order by grant_id""") == [
        ("G0000001", "O000001", "1234567-1", 2023, "Valtakunnallinen", None, None, 1000.0),       # national
        ("G0000002", "O000002", None, 2023, "Pirkanmaan hyvinvointialue", "08", "alue", 2000.0),  # county; by name
        ("G0000003", "O000002", "2345678-0", 2024, "Oulu", "19", "alue", 3000.0),                # municipality
        ("G0000004", "O000003", "4567890-7", 2024, "Jokin muu paikka", "90", "home", 4000.0),    # home area
        ("G0000005", None, None, 2024, None, None, None, 5000.0),                                # nothing known
        ("G0000006", None, None, 2024, "Birkalands välfärdsområde", "08", "alue", 6000.0),       # county, sv
        ("G0000007", None, "5678901-2", 2025, None, None, None, 7000.0),
    ]


def test_grant_area_names_without_area_table(reference_dir):
    con = make_con(with_area=False)
    harmonise.build_core(con, reference_dir, is_demo=False)
    assert rows(con, 'select area_text, area_code, area_method from "grant" where area_text like \'%alue\' '
                     'or area_text like \'%område\' order by 1') == [
        ("Birkalands välfärdsområde", "08", "alue"), ("Pirkanmaan hyvinvointialue", "08", "alue")]
    assert rows(con, "select distinct is_demo from organisation") == [(False,)]


def test_rebuild_gives_the_same_ids(built, reference_dir):
    con1, _ = built
    con2 = make_con(reverse=True)
    harmonise.build_core(con2, reference_dir, is_demo=True)
    for table, key in (("organisation", "org_id"), ("organisation_source", "all"), ("activity", "activity_id"),
                       ("activity_municipality", "all"), ("activity_target_group", "all"), ('"grant"', "grant_id")):
        sql = f"select * from {table} order by {key}"
        assert rows(con2, sql) == rows(con1, sql), table
    harmonise.build_core(con2, reference_dir, is_demo=True)          # a rerun on the same connection
    assert rows(con2, "select * from activity order by activity_id") == rows(
        con1, "select * from activity order by activity_id")
    con2.close()


def test_empty_staging_tables(reference_dir):
    con = duckdb.connect()
    con.execute("create table municipality (code varchar, name_fi varchar, name_sv varchar, area_code varchar)")
    con.execute(f"create table stg_ptv__organisation {ORG_DDL}")
    con.execute(f"create table stg_ptv__activity {ACT_DDL}")
    con.execute(f"create table stg_stea__grant {GRANT_DDL}")
    counts = harmonise.build_core(con, reference_dir, is_demo=False)
    assert counts == {"dim_activity_type": 15, "dim_target_group": 13, "organisation": 0, "organisation_source": 0,
                      "activity": 0, "activity_municipality": 0, "activity_target_group": 0, "grant": 0,
                      "activity_duplicates_merged": 0}
    assert rows(con, "select column_name, data_type from information_schema.columns where table_name = 'activity' "
                     "and column_name in ('languages', 'activity_type', 'is_in_person') order by 1") == [
        ("activity_type", "VARCHAR"), ("is_in_person", "BOOLEAN"), ("languages", "VARCHAR[]")]


# --- classify --------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def taxonomy(reference_dir):
    return classify.load_taxonomy(reference_dir)


@pytest.mark.parametrize("codes, name, description, expected", [
    (["template:kriisiapu"], "Kerho", None, ("kriisiapu", "code", "high")),
    (["ptv:P4.13"], "Neuvonta", None, ("neuvonta_ohjaus", "code", "high")),
    (["ptv:P4.12"], "Vertaisryhmä", None, ("vertaistuki", "code", "medium")),
    (["ptv:P4.12"], "Tule mukaan", "vapaaehtoisten vetämä", ("vapaaehtoistoiminta", "code", "medium")),
    (["ptv:P4.12"], "Tule mukaan", None, ("vertaistuki", "code", "low")),                  # undecided split
    (["ptv:P5.13"], "Klubitalo Tukikohta", None, ("klubitalo", "code", "medium")),
    (["ptv:P5.13"], "Kuntoutus", None, ("muu", "default", "low")),
    (["lahella_format:hm_ryhmat"], "Ryhmä", None, ("kerho_ryhma", "code", "high")),
    (["lahella_format:hm_ryhmat"], "Vertaisryhmä", None, ("vertaistuki", "code", "medium")),  # keyword override
    (["lahella_type:voluntary", "lahella_format:hm_ryhmat"], "x", None, ("vapaaehtoistoiminta", "code", "high")),
    ([], "Klubitalon kerho", None, ("klubitalo", "keyword", "high")),
    ([], "Vertaisryhmä", None, ("vertaistuki", "keyword", "medium")),                       # vertais before ryhmä
    ([], "Ryhmä", "Kohderyhmä: ikäihmiset", ("kerho_ryhma", "keyword", "low")),
    ([], "Keskustelu", "Kohderyhmä: ikäihmiset", ("muu", "default", "low")),                # kohderyhmä is no group
    ([], "Ilmoittaudu lomakkeella", None, ("muu", "default", "low")),                       # lomake is no loma
    ([], "Kristillinen lauluilta", None, ("muu", "default", "low")),                        # kristillinen is no kris
    ([], "Krisstöd", None, ("kriisiapu", "keyword", "medium")),
    ([], "Mötesplats för äldre", None, ("kohtaamispaikka", "keyword", "medium")),
    ([], "Tule", "x" * 2000 + " vertaisryhmä", ("muu", "default", "low")),               # only 2,000 chars read
    ([], "Emotional support", None, ("muu", "default", "low")),                           # emotion is no motion
    (None, None, None, ("muu", "default", "low")),
])
def test_classify_activity(taxonomy, codes, name, description, expected):
    assert classify.classify_activity(codes, name, description, taxonomy) == expected


@pytest.mark.parametrize("codes, name, expected", [
    (["template:kaikki"], "Vertaisryhmä nuorille", [("kaikki", "code", "high")]),
    (["age:0-6"], "x", [("lapset_perheet", "code", "high")]),
    (["age:0-*"], "x", [("lapset_perheet", "code", "high")]),
    (["age:18-29"], "x", [("nuoret", "code", "high")]),
    (["age:7-17"], "x", [("lapset_perheet", "code", "high"), ("nuoret", "code", "high")]),
    (["age:30-64"], "x", [("kaikki", "default", "low")]),
    (["age:65-99", "ptv:KR1"], "Omaishoitajien ryhmä", [("ikaantyneet", "code", "high"),
                                                        ("omaiset", "keyword", "medium")]),
    (["ptv:KR1"], "x", [("kaikki", "code", "low")]),
    ([], "Stöd för anhöriga och invandrare", [("omaiset", "keyword", "medium"),
                                              ("maahanmuuttajat", "keyword", "medium")]),
    ([], "Ungdomsgrupp", [("nuoret", "keyword", "medium")]),
    ([], "Sjung tillsammans", [("kaikki", "default", "low")]),    # "ung" inside a word is not "unga"
])
def test_classify_target_groups(taxonomy, codes, name, expected):
    assert classify.classify_target_groups(codes, name, None, taxonomy) == expected


def test_sql_patterns_match_python(taxonomy):
    """The keyword patterns give the same hits in DuckDB (RE2) as in Python re."""
    texts = ["Klubitalon kerho", "Kamratstöd för unga", "Ilmoittaudu lomakkeella", "Kristillinen kriisipuhelin",
             "Ruoka-apu ja työpaja", "Päihde- ja mielenterveyskuntoutujien olohuone", "Tjejer i ungdomsgrupp",
             "Kohderyhmä: maahanmuuttajat", "Velkaneuvonta chat", "Motion för pensionärer"]
    con = duckdb.connect()
    rules = [(r.code, r.pattern) for r in taxonomy.activity_keywords + taxonomy.target_keywords]
    for text in texts:
        prepared = classify.prepare_text(text, None, taxonomy)
        sql_prepared = con.execute("select regexp_replace(lower(?), ?, ' ', 'g')",
                                   [text, taxonomy.guard_pattern]).fetchone()[0]
        assert sql_prepared.strip() == prepared.strip()
        act, tg = classify.keyword_hits(prepared, taxonomy)
        sql_hits = {code for code, pattern in rules
                    if con.execute("select regexp_matches(?, ?)", [prepared, pattern]).fetchone()[0]}
        assert sql_hits == set(act) | set(tg), text
