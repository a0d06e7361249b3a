"""Reading PTV page files into records, shared by the v11 loader (etl/load/ptv.py) and the v12 adapter
(etl/load/ptv_v12.py): one file parsed at a time, an unreadable file or a guid-list index page set aside. Also the
record field helpers the NGO side (ptv.py) and the public side (ptv_public.py) both read records with."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from etl.context import BuildContext, LoadStats
from etl.load.readers import JsonRecord, MalformedFile, json_records
from etl.load.values import plain_text

SOURCE = "ptv"
LIST_KEYS = ("itemList", "items")
INDEX_KEYS = frozenset(("id", "name"))
NATIONWIDE = ("Nationwide", "NationwideExceptAlandIslands")


@dataclass(slots=True)
class Channel:
    id: str
    type: str
    municipality_raw: str | None
    lat: float | None
    lon: float | None
    url: str | None
    service_ids: list[str] | tuple[()] = field(default_factory=list)


class ChannelIndex:
    """Every channel read, by id (the first record of an id: services may link channels we do not load), for the
    services that link them; with `links`, also the services each channel names (`channels_of`: v11 channels list
    their services, v12 ones do not). In memory; the v12 loader keeps its channels in DuckDB instead
    (etl.load.ptv_v12.ChannelTable, same interface)."""

    def __init__(self, links: bool = True) -> None:
        self.channels: dict[str, Channel] = {}
        self.channels_of: dict[str, list[str]] = {}
        self.links = links

    def add(self, ch: Channel) -> None:
        if ch.id not in self.channels:
            self.channels[ch.id] = ch
            for sid in ch.service_ids if self.links else ():
                self.channels_of.setdefault(sid, []).append(ch.id)

    def close(self) -> None:
        """Every channel is read: the rows have their service lists, the index for the services needs none."""
        for ch in self.channels.values():
            ch.service_ids = ()

    def drop(self) -> None:
        self.channels, self.channels_of = {}, {}


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


# --- record fields ---------------------------------------------------------------------------------------------

def record_text(value: Any) -> str | None:
    """PTV text; older records hold Draft.js JSON (`{"blocks": [...]}`) instead of plain text or HTML."""
    if isinstance(value, str) and value.lstrip().startswith("{") and '"blocks"' in value:
        try:
            value = "\n".join(b.get("text", "") for b in json.loads(value).get("blocks", []))
        except (ValueError, AttributeError, TypeError):  # e.g. {"blocks": [{"text": 5}]}
            pass
    return plain_text(value)


def localized(items: Any, types: tuple[str, ...], lang: str | None) -> str | None:
    """First value of the wanted types (in that order) in `lang` (any language when None)."""
    items = [i for i in items or [] if isinstance(i, dict)]
    for t in types:
        for i in items:
            if i.get("type") == t and (lang is None or i.get("language") == lang) and (v := record_text(i.get("value"))):
                return v
    return None


def service_org_ids(s: dict[str, Any]) -> list[str]:
    """Main organisation first, then responsible, producer and other roles."""
    ids = [(s.get("mainOrganization") or {}).get("id")]
    order = {"Responsible": 0, "Producer": 1, "OtherResponsible": 2}
    links = sorted((o for o in s.get("organizations") or [] if isinstance(o, dict)),
                   key=lambda o: order.get(o.get("roleType"), 3))
    ids += [(o.get("organization") or {}).get("id") for o in links]
    return [str(i) for i in ids if i]
