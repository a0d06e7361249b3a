"""Setting records and files aside: reject reasons, the malformed-file step, wrong-type and duplicate checks."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Container, NamedTuple

from etl.context import BuildContext, LoadStats
from etl.load.readers import JsonRecord, MalformedFile
from etl.load.values import raw_text
from etl.text import clip

class Reject(NamedTuple):
    """Why a record cannot load: a quarantine reason code and a message naming the value."""
    reason: str
    message: str



# --- shared loader steps -------------------------------------------------------------------------------------------

def open_or_quarantine(ctx: BuildContext, stats: LoadStats, source: str, path: Path, opener: Any) -> Any:
    """`opener()` (read a file's records or table); a file that cannot be read counts as one record read and set
    aside as `malformed_file` naming the file and what is wrong. Returns None then."""
    stats.files.append(path.name)
    try:
        return opener()
    except MalformedFile as e:
        stats.read += 1
        stats.quarantined += 1
        ctx.quarantine.add(source, path, "file", "malformed_file", f"{path.name}: {e}")
        return None


def reject_wrong_types(fn: Any, *args: Any) -> Any:
    """fn(*args); a field of the wrong type (a string where an object is documented...) rejects the record as
    `bad_type`, not the build."""
    try:
        return fn(*args)
    except (TypeError, AttributeError, ValueError) as e:
        return Reject("bad_type", clip(f"a field has the wrong type: {type(e).__name__}: {e}", 300) or "")


def reject_if_seen(result: Any, key: str | None, seen: Container[str], what: str) -> Any:
    """The result, or a `duplicate` Reject when a record with the same key was loaded before from this source."""
    if not isinstance(result, Reject) and key in seen:
        return Reject("duplicate", f"{what} {key} already loaded")
    return result


def set_aside(ctx: BuildContext, stats: LoadStats, source: str, path: Path, rec: JsonRecord, result: Any) -> bool:
    """Quarantine the JSON record when `result` is a Reject (counted in stats); True when it was set aside."""
    if isinstance(result, Reject):
        rendered = getattr(rec, "rendered", None)   # a record read in another process (etl.load.ptv_v12.Rendered)
        ctx.quarantine.add(source, path, rec.ref, result.reason, result.message,
                           rendered() if rendered else raw_text(rec.record))
        stats.quarantined += 1
        return True
    return False
