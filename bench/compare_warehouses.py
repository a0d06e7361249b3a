"""Compare two warehouses table by table: `python -m bench.compare_warehouses OLD.duckdb NEW.duckdb`.

Used to prove that a restructure or a speed-up leaves every table identical. Each table present in either file is
compared as a multiset of rows (`EXCEPT ALL` both ways), so row order does not matter. Columns that carry the build's
own identity (build id, times, durations, file paths of the build) are left out; they differ on every build.
Exits 1 and lists the differences when any table differs.

``--ignore COL[,COL...]`` leaves further columns out of every table (e.g. ``--ignore file,record_ref`` to compare a
build from v11-shaped PTV pages with one from the same records in v12 shape: the file names and item paths differ).
"""
from __future__ import annotations

import sys

import duckdb

# Columns that legitimately differ between two builds of the same inputs.
VOLATILE = {"build_id", "built_at", "started_at", "finished_at", "seconds", "step_seconds", "fingerprint",
            "git_commit", "code_version", "retrieved_at", "db_path", "path", "file_mtime", "mtime",
            "duration_s", "input_fingerprint", "load_stats"}


def _tables(con, schema: str) -> dict[str, list[str]]:
    rows = con.execute(
        "select table_name, column_name from information_schema.columns where table_catalog = ? "
        "order by table_name, ordinal_position", [schema]).fetchall()
    out: dict[str, list[str]] = {}
    for t, c in rows:
        out.setdefault(t, []).append(c)
    return out


def compare(old: str, new: str, *, show: int = 5, ignore: frozenset[str] = frozenset()) -> list[str]:
    con = duckdb.connect()
    con.execute(f"attach '{old}' as a (read_only)")
    con.execute(f"attach '{new}' as b (read_only)")
    ta, tb = _tables(con, "a"), _tables(con, "b")
    problems: list[str] = []
    for t in sorted(set(ta) | set(tb)):
        if t not in ta or t not in tb:
            problems.append(f"{t}: only in {'new' if t in tb else 'old'}")
            continue
        if ta[t] != tb[t]:
            problems.append(f"{t}: columns differ: {ta[t]} vs {tb[t]}")
            continue
        cols = ", ".join(f'"{c}"' for c in ta[t] if c not in VOLATILE and c not in ignore)
        if not cols:
            continue
        n_old = con.execute(f'select count(*) from a."{t}"').fetchone()[0]
        n_new = con.execute(f'select count(*) from b."{t}"').fetchone()[0]
        only_old = con.execute(f'select count(*) from (select {cols} from a."{t}" except all '
                               f'select {cols} from b."{t}")').fetchone()[0]
        only_new = con.execute(f'select count(*) from (select {cols} from b."{t}" except all '
                               f'select {cols} from a."{t}")').fetchone()[0]
        if n_old != n_new or only_old or only_new:
            sample = con.execute(f'select {cols} from b."{t}" except all select {cols} from a."{t}" '
                                 f'limit {show}').fetchall()
            problems.append(f"{t}: rows old {n_old} new {n_new}, only in old {only_old}, only in new {only_new}; "
                            f"e.g. new {sample[:show]}")
    return problems


def main(argv: list[str]) -> int:
    ignore: frozenset[str] = frozenset()
    if "--ignore" in argv[:-1]:
        i = argv.index("--ignore")
        ignore = frozenset(c.strip() for c in argv[i + 1].split(",") if c.strip())
        argv = argv[:i] + argv[i + 2:]
    if len(argv) != 2:
        print(__doc__)
        return 2
    problems = compare(argv[0], argv[1], ignore=ignore)
    for p in problems:
        print(p)
    print("identical" if not problems else f"{len(problems)} table(s) differ")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
