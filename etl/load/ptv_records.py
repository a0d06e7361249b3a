"""Reading PTV page files into records, shared by the v11 loader (etl/load/ptv.py) and the v12 adapter
(etl/load/ptv_v12.py): one file parsed at a time, an unreadable file or a guid-list index page set aside."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

from etl.context import BuildContext, LoadStats
from etl.load.readers import JsonRecord, MalformedFile, json_records

SOURCE = "ptv"
LIST_KEYS = ("itemList", "items")
INDEX_KEYS = frozenset(("id", "name"))


def read_all(ctx: BuildContext, stats: LoadStats, paths: list[Path],
             file_rows: list[dict[str, Any]]) -> Iterator[tuple[Path, JsonRecord]]:
    """Records of the files, one file parsed at a time; an unreadable file's quarantine row goes to `file_rows`
    (stats.files is filled by the caller)."""
    for path in paths:
        try:
            records = json_records(path, LIST_KEYS)
        except MalformedFile as e:
            stats.read += 1
            stats.quarantined += 1
            ctx.quarantine.add(SOURCE, path, "file", "malformed_file", f"{path.parent.name}/{path.name}: {e}")
            file_rows.append(ctx.quarantine.rows.pop())
            continue
        if is_index_page(records):
            # the API's guid list (`{pageNumber, pageCount, itemList: [{id, name}]}`): an index to page through,
            # not organisation records; one record read and set aside, naming how many ids it lists
            stats.read += 1
            stats.quarantined += 1
            ctx.quarantine.add(SOURCE, path, "$.itemList", "index_page",
                               f"{path.parent.name}/{path.name}: guid-list index page of {len(records)} ids "
                               "(id and name only), not records; fetch the full records with list?guids=")
            continue
        stats.read += len(records)
        for rec in records:
            yield path, rec
        del records


def is_index_page(records: list[JsonRecord]) -> bool:
    """Every item is an object with an id and nothing but id and name: a guid-list page, not records."""
    return bool(records) and records[0].ref.startswith("$.itemList") and all(
        isinstance(r.record, dict) and r.record.get("id") and r.record.keys() <= INDEX_KEYS for r in records)
