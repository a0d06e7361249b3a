"""Small serialisation helpers shared by the writers: compact JSON text and timestamps counted back from BASE_DATE."""
from __future__ import annotations

import datetime as dt
import json

from .vocabulary import BASE_DATE


def dumps(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def iso(days: float) -> str:
    """``days`` before BASE_DATE as an ISO 8601 UTC timestamp ('2026-09-26T12:00:00Z')."""
    return (BASE_DATE - dt.timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_date(days: float) -> str:
    """``days`` before BASE_DATE as a date ('2026-09-26')."""
    return (BASE_DATE - dt.timedelta(days=days)).date().isoformat()
