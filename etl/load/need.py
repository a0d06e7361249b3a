"""Need indicators (THL need coefficients, Diak deprivation index, TEM unemployment, Swedish speakers) into the
long `need_indicator` table: area_level, code, indicator, period, value, unit, source.

Reads the real files in `<reference_dir>/need/` and any Sotkanet extracts fetched to `<offline_dir>/sotkanet/`.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..context import BuildContext, EtlError, LoadStats, write_table

SOURCE = "need"
COLUMNS = ["area_level", "code", "indicator", "period", "value", "unit", "source"]
FILES = {
    "need_coefficients_county.csv": "thl_need",
    "deprivation_index_diak_2019_2021.csv": "diak",
    "unemployment_tem_monthly_municipality.csv": "tem",
    "swedish_speaking_population_municipality.csv": "sotkanet_swedish",
}
DIAK_LEVELS = {"municipality": "municipality", "wellbeing_county": "area", "seutukunta": "seutukunta"}


def _read(path: Path) -> pd.DataFrame:
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, UnicodeDecodeError) as e:
        raise EtlError(f"{path}: cannot be read as CSV: {e}") from e


def _shape(name: str, df: pd.DataFrame) -> pd.DataFrame:
    source = FILES[name]
    if source == "thl_need":
        return pd.DataFrame({
            "area_level": ["country" if c == "SSS" else "area" for c in df["county_code"]],
            "code": df["county_code"], "indicator": df["indicator"], "period": df["year"],
            "value": df["value"], "unit": df["unit"], "source": source})
    if source == "diak":
        return pd.DataFrame({
            "area_level": df["area_level"].map(DIAK_LEVELS).fillna(df["area_level"]),
            "code": df["area_code"], "indicator": df["indicator_fi"], "period": df["period"],
            "value": df["value"], "unit": df["unit"], "source": source})
    if source == "tem":
        return pd.DataFrame({"area_level": "municipality", "code": df["municipality_code"],
                             "indicator": df["indicator"], "period": df["period"], "value": df["value"],
                             "unit": df["unit"], "source": source})
    return pd.DataFrame({"area_level": "municipality", "code": df["municipality_code"],
                         "indicator": df["indicator"], "period": df["year"], "value": df["value"],
                         "unit": df["unit"], "source": source})


def load(con, ctx: BuildContext) -> LoadStats:
    stats = LoadStats(SOURCE)
    folder = ctx.reference_dir / "need"
    frames = []
    for name in FILES:
        path = folder / name
        if not path.exists():
            raise EtlError(f"missing input: {path}; the need indicators ship in shared/data/need "
                           "(set JARJESTOKARTTA_REFERENCE_DIR to the folder that holds need/)")
        df = _read(path)
        stats.files.append(name)
        try:
            frames.append((name, _shape(name, df)))
        except KeyError as e:
            raise EtlError(f"{path}: expected column {e} is missing") from e
    for path in sorted((ctx.offline_dir / "sotkanet").glob("*.csv")):
        df = _read(path)
        missing = [c for c in COLUMNS if c not in df.columns]
        if missing:
            ctx.quarantine.add(SOURCE, path, "file", "malformed_file", f"{path.name}: missing columns {missing}")
            stats.read += 1
            stats.quarantined += 1
            continue
        stats.files.append(path.name)
        frames.append((path.name, df[COLUMNS]))

    good = []
    for name, df in frames:
        stats.read += len(df)
        value = pd.to_numeric(df["value"].str.replace(",", ".", regex=False), errors="coerce")
        bad = value.isna() | (df["code"].str.strip() == "") | (df["indicator"].str.strip() == "")
        for idx in df.index[bad]:
            ctx.quarantine.add(SOURCE, name, f"row {idx + 2}", "bad_value",
                               f"{name} row {idx + 2}: value {df.at[idx, 'value']!r} is not a number "
                               "or the code/indicator is empty", df.loc[idx].to_dict())
        stats.quarantined += int(bad.sum())
        ok = df[~bad].copy()
        ok["value"] = value[~bad]
        good.append(ok)
    out = pd.concat(good, ignore_index=True)[COLUMNS]
    # a later file (e.g. a fresh Sotkanet extract) overrides an earlier one for the same key; the overridden
    # rows are kept in quarantine as duplicates rather than dropped
    dup = out.duplicated(["area_level", "code", "indicator", "period"], keep="last")
    for _, row in out[dup].iterrows():
        ctx.quarantine.add(SOURCE, row["source"], f"{row['code']} {row['indicator']} {row['period']}",
                           "duplicate", "superseded by a later file with the same area, indicator and period",
                           row.to_dict())
    stats.quarantined += int(dup.sum())
    out = out[~dup]
    stats.loaded = len(out)
    write_table(con, "need_indicator", out)
    return stats
