"""Field lengths are bounded (docs/data-model.md, "Field lengths"), and personal data is scrubbed before any cut.

A name, a short field or a description longer than its limit is cut visibly (ending in "…") and the cut is
recorded in the load notes; a longer URL is dropped. An e-mail address or phone number that straddles a limit
must not survive as a fragment that no longer looks like one (in activity text, in quarantine messages and raw)."""
from __future__ import annotations

import json
from pathlib import Path

import duckdb

from etl.context import MESSAGE_MAX_CHARS, RAW_MAX_CHARS, Quarantine
from etl.load import lahella, staging, template
from etl.text import EMAIL, clip

EMAIL_ADDRESS = "maija.meikalainen@example.org"


def _straddling(limit: int) -> str:
    """Text whose e-mail address ends 2 characters after `limit - 1` (the cut point of a visible cut): cut
    first, the fragment `maija.meikalainen@example.o` would no longer match an e-mail pattern."""
    head = "x" * (limit - 1 - (len(EMAIL_ADDRESS) - 2) - 1) + " "
    text = head + EMAIL_ADDRESS + " tail"
    assert text[: limit - 1].endswith(EMAIL_ADDRESS[:-2])
    return text


def _template(tmp_path: Path, rows: list[list[str]]) -> Path:
    folder = tmp_path / "template"
    folder.mkdir(exist_ok=True)
    lines = ["jarjesto;toiminnan_nimi;kunnat;kuvaus"] + [";".join(r) for r in rows]
    (folder / "r.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return tmp_path


def test_clip_scrubs_before_it_cuts():
    text = _straddling(300)
    cut = clip(text, 300)
    assert len(cut) <= 300 and "meikalainen" not in cut and "@" not in cut
    assert clip("short", 300) == "short"
    assert clip("a" * 301, 300) == "a" * 299 + "…"


def test_template_row_with_a_200000_character_activity_name_is_cut_and_noted(make_ctx, tmp_path):
    ctx = make_ctx(_template(tmp_path, [["Seura ry", "N" * 200_000, "Oulu", "d" * 6_000],
                                        ["Seura ry", "Kerho", "Oulu", "ok"]]))
    con = duckdb.connect()
    stats = template.load(con, ctx)
    assert (stats.read, stats.loaded) == (2, 2)
    got = dict(con.execute("select name_fi, description from stg_template__activity").fetchall())
    assert got["Kerho"] == "ok"
    long_name = next(n for n in got if n != "Kerho")
    assert long_name == "N" * (staging.NAME_MAX - 1) + "…"
    assert got[long_name] == "d" * (staging.TEXT_MAX - 1) + "…"
    assert any("stg_template__activity: 1 value(s) of name_fi longer than 300 characters cut" in n
               for n in stats.notes), stats.notes
    assert any("of description longer than 5,000 characters cut" in n for n in stats.notes), stats.notes


def test_an_email_cut_at_the_name_limit_does_not_slip_through(make_ctx, tmp_path):
    ctx = make_ctx(_template(tmp_path, [["Seura ry", _straddling(staging.NAME_MAX), "Oulu",
                                         _straddling(staging.TEXT_MAX)]]))
    con = duckdb.connect()
    template.load(con, ctx)
    [(name, description)] = con.execute("select name_fi, description from stg_template__activity").fetchall()
    for value, limit in ((name, staging.NAME_MAX), (description, staging.TEXT_MAX)):
        assert len(value) <= limit   # scrubbed first ("[sähköposti poistettu]" is shorter), cut when still over
        assert "meikalainen" not in value and "@" not in value, value[-60:]


def test_lahella_long_name_and_url_over_the_limit(make_ctx, tmp_path):
    items = [{"_key": "L1", "group": "G1", "traits": {
        "translations": {"fi": {"name": "n" * 1_000, "description": "ok"}}, "region": ["city/FI/Oulu"],
        "contacts": [{"type": "www", "value": "https://example.org/" + "a" * 3_000}]}}]
    (tmp_path / "lahella").mkdir()
    (tmp_path / "lahella" / "p.json").write_text(json.dumps({"items": items, "groups": {"G1": {"name": "Seura ry"}}}))
    con = duckdb.connect()
    stats = lahella.load(con, make_ctx(tmp_path))
    [(name, url)] = con.execute("select name_fi, url from stg_lahella__activity").fetchall()
    assert name == "n" * 299 + "…"
    assert url is None
    assert any("of url longer than 2,000 characters dropped" in n for n in stats.notes), stats.notes


def test_quarantine_scrubs_raw_and_message_before_cutting():
    q = Quarantine()
    q.add("template", "r.csv", "row 2", "bad_value", _straddling(MESSAGE_MAX_CHARS), _straddling(RAW_MAX_CHARS))
    [row] = q.rows
    for value, limit in ((row["message"], MESSAGE_MAX_CHARS), (row["raw"], RAW_MAX_CHARS)):
        assert len(value) <= limit
        assert not EMAIL.search(value) and "meikalainen" not in value, value[-60:]


def test_a_rejected_template_row_keeps_no_email_fragment_in_quarantine(make_ctx, tmp_path):
    """A row set aside (no municipality) whose description straddles the raw limit."""
    ctx = make_ctx(_template(tmp_path, [["Seura ry", "Kerho", "", _straddling(RAW_MAX_CHARS)]]))
    template.load(duckdb.connect(), ctx)
    [row] = ctx.quarantine.rows
    assert row["reason_code"] == "missing_field"
    assert len(row["raw"]) <= RAW_MAX_CHARS and "meikalainen" not in row["raw"]
