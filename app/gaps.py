"""The gaps page's choices, kept out of the page: the need indicators of the need-vs-supply view (each with its own
period, threshold and quadrant column in `mart_need_supply`), the quadrants in display order, and the activity types
that can have white spots. No SQL, no streamlit import."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

# The four quadrants in the order they are listed (high need and low supply first).
QUADRANTS: tuple[str, ...] = ("high_need_low_supply", "high_need_high_supply", "low_need_low_supply",
                              "low_need_high_supply")
# The unclassified type: never a white spot (docs/methods.md), so it is not offered on the white-spot view.
UNCLASSIFIED = "muu"


@dataclass(frozen=True)
class NeedIndicator:
    column: str            # the value in mart_need_supply
    period_col: str        # its period, one for the whole country
    threshold_col: str     # where high need starts (docs/methods.md, "Need vs supply")
    quadrant_col: str      # the quadrant by this indicator and supply
    x_fmt: str             # d3 format of the axis


NEED_INDICATORS: dict[str, NeedIndicator] = {
    "need_coefficient": NeedIndicator("need_coefficient", "need_year", "need_coefficient_threshold", "quadrant",
                                      ",.2f"),
    "deprivation_index": NeedIndicator("deprivation_index", "deprivation_period", "deprivation_index_threshold",
                                       "quadrant_deprivation_index", ",.1f"),
    "unemployment": NeedIndicator("unemployment", "unemployment_period", "unemployment_threshold",
                                  "quadrant_unemployment", ",.1f"),
}


def single_period(df: pd.DataFrame, column: str) -> str:
    """The one period in `column` (the marts choose each indicator's period once for the country); '–' when none."""
    # a year column with a gap comes back as floats (2022.0): a year is shown as a whole number
    values = list(dict.fromkeys(str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)
                                for v in df[column].dropna()))
    if len(values) > 1:
        raise ValueError(f"more than one period in {column}: {sorted(values)}")
    return values[0] if len(values) else "–"


def indicator_period(need_supply: pd.DataFrame, indicator: str) -> str:
    """The period of a need indicator in mart_need_supply."""
    return single_period(need_supply, NEED_INDICATORS[indicator].period_col)


def threshold(need_supply: pd.DataFrame, column: str) -> float | None:
    """A threshold column's value (the same on every row), or None when the mart has none."""
    values = need_supply[column].dropna()
    return float(values.iloc[0]) if len(values) else None


def white_spot_types(types: pd.DataFrame) -> pd.DataFrame:
    """The activity types offered on the white-spot view: all but the unclassified `muu`."""
    return types[types["code"] != UNCLASSIFIED].reset_index(drop=True)
