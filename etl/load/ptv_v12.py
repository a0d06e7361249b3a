"""PTV API v12 pages -> the v11-shaped records the PTV loader (etl/load/ptv.py) consumes, so both versions go through
one staging path (stg_ptv__organisation, stg_ptv__activity, stg_ptv__channel) with the same quarantine rules.

Which version a build reads (:func:`use_v12`): files under ``ptv/v12/`` (layout in etl/ptv/settings.py) are v12;
``ptv/organizations|services|channels/`` are v11. v12 is read when any org folder has ``ptv/v12/organizations/``
pages, unless ``JARJESTOKARTTA_PTV_API_VERSION=11`` is set; otherwise v11 (never both: no duplicates). The loader notes
``api_version=12`` in its stats; the build records it in ``_meta_sources`` (etl/sources.py).

Adaptation (v12 -> v11 field names):

- ``contentId`` -> ``id``; ``businessId`` -> ``businessCode``; ``organizationType`` as is (v12 has the five types
  State, Municipality, RegionalOrganization, Organization, Company); ``publishedAt`` -> ``modified``.
- ``languageVersions.{fi,sv,...}.{name, alternativeName, summary, description}`` -> v11
  ``[{type, language, value}]`` arrays (``Name``/``AlternativeName``, ``Summary``/``Description``).
- ``area`` -> ``areaType`` (WholeCountry -> Nationwide, WholeCountryExceptAland -> NationwideExceptAlandIslands,
  LimitedArea -> LimitedType) and ``areas``: one ``Municipality`` area per municipality, regions and wellbeing
  services counties with their member municipalities from the reference pages (``region-codes``,
  ``wellbeing-services-county-codes``); a region with no reference page has no municipalities.
- v12 addresses have no municipality: an organisation's home municipality (v11 ``municipality.code``) is the first
  municipality of its area; a channel's location municipality is the first municipality of its area, given to its
  first street address. Coordinates (EPSG:3067 easting/northing) become v11 ``latitude``/``longitude`` strings.
- Channel types: EService -> EChannel, TelephoneService -> Phone, others by name. Web addresses per language ->
  ``webPages``.
- Services carry no channel list in v12: ``connections`` pages give both ``serviceChannels`` of a service and
  ``services`` of a channel. A national catalogue has millions of connections and channels: they are kept in DuckDB
  temp tables (``_ptv_link``, ``_ptv_service_link``; dropped when the load ends), looked up for 10,000 records at a
  time, not held in Python (:class:`SideData`, :class:`ChannelTable`). Before a kind's records are read, its link
  table is put in the order of the files that hold each id (:class:`FileOrdered`), so a group's look-up reads only
  its own files' rows and the load stays linear in the catalogue's size. With worker processes
  (etl/load/ptv_workers.py), a group of whole files and its rows of the link table go to a worker, which reads,
  adapts and decides the records (:meth:`Adapter._job`); this process applies the answers in order. The service's
  organisations:
  ``organizationContentId`` -> main/Responsible, producers -> Producer, ``otherResponsibleOrganizations`` ->
  OtherResponsible.
- Classification codes (bare in v12) get their names from the ``service-classes`` / ``target-groups`` /
  ``life-events`` reference pages.

Malformed input is never dropped silently: an unreadable page is ``malformed_file``; an item whose fields have the
wrong type is ``bad_type``; everything else (no ``contentId``, not an NGO, no name...) is decided by the v11 rules
on the adapted record. A quarantine row's raw copy starts with the item as received (``_v12``). Connection and code
items are side data: valid ones are not counted as records, a malformed one is read and quarantined (so the balance
read = loaded + set aside still holds).
"""
from __future__ import annotations

import dataclasses
import os
import re
from sys import intern
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Callable, Iterator

from etl.context import BuildContext, EtlError, LoadStats, Quarantine
from etl.load.ptv_records import LIST_KEYS, SOURCE, Channel, read_all as read_v11
from etl.load.quarantine import Reject, reject_wrong_types, set_aside
from etl.load.readers import JsonRecord, json_records, source_files
from etl.load.values import raw_text
from etl.sources import API_VERSION_NOTE
from etl.ptv.settings import (
    AREA_TO_V11, CHANNEL_TYPE_TO_V11, CHARGE_TO_V11, CODE_SCHEMAS, CODE_URIS, ENV_VERSION, LANGS,
    SERVICE_TYPE_TO_V11, V12_DIR, api_version,
)

V12_RAW_KEY = "_v12"   # the received v12 item inside an adapted record (the v11 rules ignore it)
RECORD_KINDS = ("organizations", "services", "channels")
LINKED_KINDS = frozenset(("services", "channels"))   # records whose connections the adapter looks up


def use_v12(ctx: BuildContext) -> bool:
    """True when this build reads PTV v12 pages (see the module docstring)."""
    if os.environ.get(ENV_VERSION) and api_version() == "11":
        return False
    return bool(source_files(ctx, f"{V12_DIR}/organizations", (".json",)))


def v12_files(ctx: BuildContext) -> dict[str, list[Path]]:
    return {kind: source_files(ctx, f"{V12_DIR}/{kind}", (".json",))
            for kind in (*RECORD_KINDS, "connections", "codes")}


@dataclass
class V12Input:
    """What the v11 loader (etl.load.ptv.load_files) needs to read v12 pages: the record files per kind, the
    adapting reader (:meth:`Adapter.records`) and the stats the side data were counted into."""
    files: dict[str, list[Path]]
    records: Callable[..., Iterator[tuple[Path, Any, Any]]]
    jobs: Callable[..., dict[str, Callable[..., Any]]]
    worker_setup: Callable[..., tuple[Callable[..., None], tuple[Any, ...]]]
    stats: LoadStats
    channel_index: "ChannelTable"


def prepare(con: Any, ctx: BuildContext) -> V12Input:
    """Read the side data (connections, code lists) and return the adapting reader for the record pages."""
    files = v12_files(ctx)
    stats = LoadStats(SOURCE)
    stats.notes.append(API_VERSION_NOTE)
    side = SideData(con)
    side.read(ctx, stats, files["connections"], files["codes"])
    adapter = Adapter(side)
    return V12Input({k: files[k] for k in RECORD_KINDS}, adapter.records, adapter.jobs, adapter.worker_setup, stats,
                    side.channel_index)


# --- the connection and channel tables in DuckDB ----------------------------------------------------------------------

PAIR_BATCH = 100_000    # connection pairs / channel rows written to DuckDB at a time
GROUP_RECORDS = 10_000  # records adapted per look-up of their connections (one query over the group's files)
GROUP_BYTES = 4 * 1024 ** 2   # page bytes per group handed to a worker process (about 4,000 records)


def db_key(value: str) -> str:
    """An id as DuckDB can hold it: itself, unless it holds a lone surrogate (JSON `\\ud800`), which UTF-8 cannot
    encode; then its backslash-escaped form, the same when stored and when looked up."""
    if value.isascii():
        return value
    try:
        value.encode("utf-8")
        return value
    except UnicodeEncodeError:
        return value.encode("utf-8", "surrogatepass").decode("utf-8", "backslashreplace")


def db_keys(values: Any) -> list[str]:
    return [db_key(v) for v in values]


class OrderedRows:
    """Rows appended to a DuckDB work table `PAIR_BATCH` at a time through Arrow, each with its place in reading
    order (`ord`, the table's last column); text columns go through :func:`db_key`."""

    def __init__(self, con: Any, table: str, columns: dict[str, str]) -> None:
        self.con, self.table, self.columns = con, table, columns
        self._rows: list[tuple[Any, ...]] = []
        self._count = 0
        ddl = ", ".join(f"{name} {sql_type}" for name, sql_type in columns.items())
        con.execute(f"create or replace temp table {table} ({ddl}, ord bigint)")

    def add(self, row: tuple[Any, ...]) -> None:
        self._rows.append(row)
        if len(self._rows) >= PAIR_BATCH:
            self.flush()

    def flush(self) -> None:
        if not self._rows:
            return
        import pyarrow as pa
        data = {name: ([None if v is None else db_key(v) for v in values] if sql_type == "varchar" else list(values))
                for (name, sql_type), values in zip(self.columns.items(), zip(*self._rows))}
        data["ord"] = list(range(self._count, self._count + len(self._rows)))
        self._count += len(self._rows)
        self._rows = []
        self.con.register("_ptv_rows", pa.table(data))
        try:
            self.con.execute(f"insert into {self.table} select * from _ptv_rows")
        finally:
            self.con.unregister("_ptv_rows")


# a record's id as its page spells it when plain (no escapes): where the record is read, found without parsing the page
CONTENT_ID = re.compile(rb'"contentId"\s*:\s*"([^"\\]*)"')


def file_ids(paths: list[Path]) -> Iterator[tuple[int, str]]:
    """(file number in `paths`, id) for every plain ``"contentId": "..."`` in the files' bytes. A hint of which file
    a record comes from, nothing more: an unreadable file or an id that is escaped, not text or not UTF-8 is not
    found, an id of a nested object may be (:class:`FileOrdered` gives the same rows either way)."""
    for fno, path in enumerate(paths):
        try:
            data = path.read_bytes()
        except OSError:
            continue
        for raw in CONTENT_ID.findall(data):
            try:
                yield fno, raw.decode("utf-8")
            except UnicodeDecodeError:
                continue


class FileOrdered:
    """A work table (`table`, with `key` and `ord` columns) rewritten in the order of the record files, so that the
    rows a group of records needs lie together and a ``fno between`` filter reads only them (zone maps): a group's
    look-up costs what the group holds, not the whole table (issue 14).

    Each key's rows are copied under every file number :func:`file_ids` finds the key in (``fno``; a key found in
    no file keeps its rows once under a null ``fno``, at the end; a key found but without rows gets one row with a
    null ``ord``). :meth:`rows` takes one copy of each key's rows; a key of the group that its files did not name is
    looked up in the whole table instead, so the rows never depend on the hint."""

    def __init__(self, con: Any, table: str, key: str, paths: list[Path]) -> None:
        self.con, self.table, self.key = con, table, key
        self.whole_table_lookups = 0   # groups with keys their files did not name (0 when every id is plain)
        found = OrderedRows(con, "_ptv_file_id", {"fno": "integer", key: "varchar"})
        for item in file_ids(paths):
            found.add(item)
        found.flush()
        con.execute(f"""
            create or replace temp table {table} as
            select f.fno, {key}, t.* exclude ({key})
            from (select distinct fno, {key} from _ptv_file_id) f full join {table} t using ({key})
            order by f.fno nulls last, {key}, t.ord""")
        con.execute("drop table _ptv_file_id")

    def rows(self, keys: list[str], first: int, last: int, columns: str) -> list[tuple[Any, ...]]:
        """`(key, *columns)` of these keys' rows (a key's rows in reading order), read from files `first`..`last`
        (where the keys' records are); a key without rows gives none."""
        select = f"select fno, {self.key}, ord, {columns} from {self.table}"
        wanted = set(keys)
        out: list[tuple[Any, ...]] = []
        copy: dict[str, Any] = {}   # key -> the file number of the copy taken
        self._take(self.con.execute(f"{select} where fno between ? and ? order by fno, {self.key}, ord",
                                    [first, last]).fetchall(), wanted, copy, out)
        missing = [k for k in wanted if k not in copy]
        if missing:
            self.whole_table_lookups += 1
            self._take(self.con.execute(f"{select} where {self.key} = any(?::varchar[]) "
                                        f"order by {self.key}, fno nulls last, ord", [missing]).fetchall(),
                       wanted, copy, out)
        return out

    def range_rows(self, first: int, last: int, columns: str) -> list[tuple[Any, ...]]:
        """Every row copied under files `first`..`last` (what :meth:`take` picks a group's rows from, elsewhere)."""
        return self.con.execute(f"select fno, {self.key}, ord, {columns} from {self.table} "
                                f"where fno between ? and ? order by fno, {self.key}, ord", [first, last]).fetchall()

    @staticmethod
    def take(rows: list[tuple[Any, ...]]) -> tuple[list[tuple[Any, ...]], set[str]]:
        """From :meth:`range_rows`: `(key, *columns)` of one copy of each key's rows, as :meth:`rows` gives them,
        and every key named there (with or without rows). A record's key outside that set needs :meth:`rows`."""
        out: list[tuple[Any, ...]] = []
        copy: dict[str, Any] = {}
        FileOrdered._take(rows, None, copy, out)
        return out, set(copy)

    @staticmethod
    def _take(rows: list[tuple[Any, ...]], wanted: set[str] | None, copy: dict[str, Any],
              out: list[tuple[Any, ...]]) -> None:
        for fno, key, order, *values in rows:
            if (wanted is None or key in wanted) and copy.setdefault(key, fno) == fno and order is not None:
                out.append((key, *values))


SERVICE_LINK_COLUMNS = "cid, known, type, muni, lat, lon, url"
CHANNEL_LINK_COLUMNS = "sid"


def service_links(rows: list[tuple[Any, ...]]) -> tuple[dict[str, list[str]], dict[str, Channel]]:
    """({service id: its channel ids in the order first connected}, {channel id: the channel, when read})"""
    links: dict[str, list[str]] = {}
    channels: dict[str, Channel] = {}
    for sid, cid, known, ctype, muni, lat, lon, url in rows:
        links.setdefault(sid, []).append(cid)
        if known and cid not in channels:
            channels[cid] = Channel(cid, ctype, muni, lat, lon, url, ())
    return links, channels


def channel_links(rows: list[tuple[Any, ...]]) -> dict[str, list[str]]:
    """{channel id: its service ids in the order first connected}"""
    links: dict[str, list[str]] = {}
    for cid, sid in rows:
        links.setdefault(cid, []).append(sid)
    return links


class ChannelTable:
    """Every channel read (its id, type, municipality, coordinates, web address: what a service needs of the channels
    it links), kept in DuckDB (`_ptv_channel`: the first record of each id) instead of a dict of millions of objects.
    ``channels`` holds the channels linked by the group of services being adapted (filled by :meth:`fetch_links`,
    the same dict object throughout); ``channels_of`` is empty: v12 channels name their services only through the
    connections, which the services' own lists already hold."""

    def __init__(self, con: Any) -> None:
        self.con = con
        self.channels: dict[str, Channel] = {}
        self.channels_of: dict[str, list[str]] = {}
        self._read = OrderedRows(con, "_ptv_channel_read", {"cid": "varchar", "type": "varchar", "muni": "varchar",
                                                            "lat": "double", "lon": "double", "url": "varchar"})

    def add(self, ch: Channel) -> None:
        self._read.add((ch.id, ch.type, ch.municipality_raw, ch.lat, ch.lon, ch.url))

    def close(self) -> None:
        """Every channel is read: each link of a service to a channel, with the channel's first record (when it
        was read at all), in one table the services' groups look up."""
        self._read.flush()
        self.con.execute("""
            create or replace temp table _ptv_service_link as
            with first as (select cid, min(ord) as ord from _ptv_channel_read group by cid),
                 channel as (select r.* exclude (ord) from _ptv_channel_read r join first using (cid, ord)),
                 link as (select distinct sid, cid, ord from _ptv_link where ord is not null)
            select l.sid, l.ord, l.cid, c.cid is not null as known, c.type, c.muni, c.lat, c.lon, c.url
            from link l left join channel c using (cid)""")
        self.con.execute("drop table _ptv_link")
        self.con.execute("drop table _ptv_channel_read")

    def order_by_files(self, paths: list[Path]) -> None:
        """The service records are about to be read from `paths`: the links in their order (:class:`FileOrdered`)."""
        self._links = FileOrdered(self.con, "_ptv_service_link", "sid", paths)

    def fetch_links(self, sids: list[str], first: int, last: int) -> dict[str, list[str]]:
        """{service id: its channel ids in the order first connected} for these services (read from files
        `first`..`last`); ``channels`` then holds the channels among them that were read."""
        links, channels = service_links(self._links.rows(db_keys(sids), first, last, SERVICE_LINK_COLUMNS))
        self.channels.clear()
        self.channels.update(channels)
        return links

    def drop(self) -> None:
        self.channels.clear()
        for table in ("_ptv_link", "_ptv_service_link", "_ptv_channel_read", "_ptv_file_id"):
            self.con.execute(f"drop table if exists {table}")


# --- side data: connections and code lists -------------------------------------------------------------------------

class CodeLists:
    """The reference data the adapter names codes with (code names, region and county members), and what adapting
    a group of records reads of its connections (``channels_of``, ``services_of``, the channel index's
    ``channels``). :class:`SideData` fills them from the pages and DuckDB; a worker process gets a copy
    (:class:`WorkerSide`)."""

    def __init__(self) -> None:
        self.channels_of: dict[str, list[str]] = {}
        self.services_of: dict[str, list[str]] = {}
        self.names: dict[str, dict[str, dict[str, str]]] = {k: {} for k in CODE_SCHEMAS}
        self.members: dict[str, dict[str, list[str]]] = {"region-codes": {},
                                                          "wellbeing-services-county-codes": {}}
        self._items: dict[tuple[str, str], dict[str, Any]] = {}
        self._members: dict[tuple[str, str], list[dict[str, str]]] = {}

    def code_items(self, kind: str, codes: Any) -> list[dict[str, Any]]:
        """v11 `{code, uri, name[]}` items for bare v12 codes. One item object per code, shared by every record
        that names it (read only: the rules read `code`, a quarantine copy serialises it)."""
        return [self._code_item(kind, str(code)) for code in codes or []]

    def _code_item(self, kind: str, code: str) -> dict[str, Any]:
        item = self._items.get((kind, code))
        if item is None:
            names = self.names[kind].get(code, {})
            item = self._items[(kind, code)] = {
                "code": code, "uri": CODE_URIS[kind] + code,
                "name": [{"language": lang, "value": v} for lang, v in names.items()]}
        return item

    def area_members(self, kind: str, code: str) -> list[dict[str, str]]:
        """v11 `municipalities` of a region or county code (shared, read only like the code items)."""
        members = self._members.get((kind, code))
        if members is None:
            members = self._members[(kind, code)] = [{"code": m} for m in self.members[kind].get(code, [])]
        return members


class SideData(CodeLists):
    """Connections (service <-> channel) and reference-data code names / members, read before the records.

    The connections of a national catalogue are millions of pairs: they are checked here item by item (quarantine as
    before) and kept in DuckDB (`_ptv_link`: each distinct pair with the place it was first read; in the order of the
    channel files once those are about to be read, :meth:`order_by_files`), not in Python dicts. The adapter asks
    for the channel lists of the services it is about to adapt, a group of pages at a time (:meth:`fetch_channels_of`,
    :meth:`fetch_services_of`); ``channels_of`` / ``services_of`` hold that group's."""

    def __init__(self, con: Any) -> None:
        super().__init__()
        self.con = con
        self._pairs = OrderedRows(con, "_ptv_connection", {"sid": "varchar", "cid": "varchar"})
        self.channel_index = ChannelTable(con)

    def read(self, ctx: BuildContext, stats: LoadStats, connections: list[Path], codes: list[Path]) -> None:
        stats.files += [f"{p.parent.name}/{p.name}" for p in (*connections, *codes)]
        for path, rec in _records(ctx, stats, connections):
            result = reject_wrong_types(self._connection, rec.record)
            if isinstance(result, Reject):
                stats.read += 1
                set_aside(ctx, stats, SOURCE, path, rec, result)
        self._pairs.flush()
        # each pair once, at its first place: a service's channels (and a channel's services) in the order read
        self.con.execute("create or replace temp table _ptv_link as "
                         "select sid, cid, min(ord) as ord from _ptv_connection group by sid, cid")
        self.con.execute("drop table _ptv_connection")
        for path in codes:
            kind = path.name.split("_page_")[0]
            if kind not in CODE_SCHEMAS:
                continue
            for _, rec in _records(ctx, stats, [path]):
                result = reject_wrong_types(self._code, kind, rec.record)
                if isinstance(result, Reject):
                    stats.read += 1
                    set_aside(ctx, stats, SOURCE, path, rec, result)

    def _connection(self, c: Any) -> Reject | None:
        if not isinstance(c, dict):
            return Reject("bad_type", f"expected a connection object, found {type(c).__name__}")
        sid, cid = c.get("serviceContentId"), c.get("channelContentId")
        if not sid or not cid:
            return Reject("missing_field", "connection without serviceContentId or channelContentId")
        self._pairs.add((str(sid), str(cid)))
        return None

    def order_by_files(self, kind: str, paths: list[Path]) -> None:
        """The `kind` records are about to be read from `paths`: their links in the order of those files."""
        if kind == "channels":
            self._links = FileOrdered(self.con, "_ptv_link", "cid", paths)
        else:
            self.channel_index.order_by_files(paths)

    def fetch_channels_of(self, sids: list[str], first: int, last: int) -> None:
        """``channels_of`` for these services (the group about to be adapted, read from files `first`..`last`)
        and, in the channel index, the channels they link."""
        self.channels_of = self.channel_index.fetch_links(sids, first, last)

    def links(self, kind: str) -> tuple[FileOrdered, str]:
        """The file-ordered link table the `kind` records are looked up in, and the columns they read of it."""
        if kind == "channels":
            return self._links, CHANNEL_LINK_COLUMNS
        return self.channel_index._links, SERVICE_LINK_COLUMNS

    def fetch_services_of(self, cids: list[str], first: int, last: int) -> None:
        """``services_of`` for these channels (the group about to be adapted, read from files `first`..`last`)."""
        self.services_of = channel_links(self._links.rows(db_keys(cids), first, last, CHANNEL_LINK_COLUMNS))

    def _code(self, kind: str, item: Any) -> Reject | None:
        if not isinstance(item, dict):
            return Reject("bad_type", f"expected a {kind} item, found {type(item).__name__}")
        if not item.get("code"):
            return Reject("missing_field", f"{kind} item without code")
        code = str(item["code"])
        names = item.get("name") or {}
        self.names[kind][code] = {lang: str(v) for lang, v in names.items() if lang in LANGS and v}
        if kind in self.members:
            self.members[kind][code] = [str(m) for m in item.get("municipalities") or [] if m]
        return None

def _groups(ctx: BuildContext, records: Iterator[tuple[Path, JsonRecord]],
            size: int) -> Iterator[list[tuple[Path | None, Any]]]:
    """The reader's records `size` at a time. A quarantine row the reader writes meanwhile (an index page) is taken
    out and put in the group as `(None, row)` where it was written, so the rows still come in reading order."""
    rows = ctx.quarantine.rows
    group: list[tuple[Path | None, Any]] = []
    start = len(rows)
    for item in records:
        if len(rows) > start:
            group += [(None, row) for row in rows[start:]]
            del rows[start:]
        group.append(item)
        if len(group) >= size:
            yield group
            group, start = [], len(rows)
    if len(rows) > start:
        group += [(None, row) for row in rows[start:]]
        del rows[start:]
    if group:
        yield group


def _file_groups(paths: list[Path], size: int) -> Iterator[tuple[int, int]]:
    """(first, last) file numbers of consecutive files of at least `size` bytes together (but the last group)."""
    first, total = 0, 0
    for i, path in enumerate(paths):
        try:
            total += path.stat().st_size
        except OSError:
            total += 1
        if total >= size:
            yield first, i
            first, total = i + 1, 0
    if first < len(paths):
        yield first, len(paths) - 1


def _records(ctx: BuildContext, stats: LoadStats, paths: list[Path]) -> Iterator[tuple[Path, JsonRecord]]:
    """Items of side-data pages through the v11 reader; an unreadable page is one record read and set aside as
    `malformed_file`. Valid items are not records of the balance: the reader's count of them is taken back."""
    file_rows: list[dict[str, Any]] = []
    for path, rec in read_v11(ctx, stats, paths, file_rows):
        stats.read -= 1
        yield path, rec
    ctx.quarantine.rows += file_rows


# --- records -------------------------------------------------------------------------------------------------------

@dataclass
class Side:
    """The connections of one group of records, as adapting and the services' rules read them: each service's
    channel ids (`channels_of`), each channel's service ids (`services_of`) and the channels the services link."""
    channels_of: dict[str, list[str]]
    services_of: dict[str, list[str]]
    channels: dict[str, Channel]


class Rendered:
    """A record a worker read and adapted, as the loader's process sees it: its `ref`, and its quarantine copy
    (:meth:`rendered`, what etl.load.quarantine.set_aside stores): the one the worker made when the outcome rejects
    it, else (a duplicate) the record read and adapted again here."""
    __slots__ = ("ref", "page", "_adapter", "_kind", "_adapt", "_path", "_raw")

    def __init__(self, adapter: "Adapter", kind: str, adapt: Callable[[dict[str, Any]], Any], path: Path, ref: str,
                 raw: str | None) -> None:
        self.ref, self.page, self._raw = ref, None, raw
        self._adapter, self._kind, self._adapt, self._path = adapter, kind, adapt, path

    @property
    def record(self) -> Any:
        rec = self._adapter._reread(self._path, self.ref)
        if not isinstance(rec.record, dict):
            return rec.record
        self._adapter._use(self._adapter._lookup(self._kind, rec))
        return self._adapt(rec.record)

    def rendered(self) -> str:
        return self._raw if self._raw is not None else raw_text(self.record)


class WorkerSide(CodeLists):
    """:class:`SideData` as a worker process has it: the code lists, no DuckDB; ``channel_index.channels`` is the
    dict the services' rules read (:class:`etl.load.ptv.Rules` ``channels``)."""

    def __init__(self, names: dict[str, Any], members: dict[str, Any], channels: dict[str, Channel]) -> None:
        super().__init__()
        self.names, self.members = names, members
        self.channel_index = SimpleNamespace(channels=channels)


def worker_setup(rules: Any, adapter: "Adapter") -> tuple[Callable[..., None], tuple[Any, ...]]:
    """(initializer, its arguments) that set a worker process up to run :meth:`Adapter.jobs`: the rules (with the
    build context, without its quarantine rows) and the code lists, pickled to the worker once."""
    light = dataclasses.replace(rules, ctx=dataclasses.replace(rules.ctx, quarantine=Quarantine()))
    return worker_init, (light, adapter.side.names, adapter.side.members)


def worker_init(rules: Any, names: dict[str, Any], members: dict[str, Any], *_more: Any) -> None:
    """In a worker process: the jobs of both kinds, as the loader's process made them. The cyclic garbage
    collector is off, as in the loaders (etl.loaders.cyclic_gc_paused: parsed pages are trees, and each burst of
    new objects made it walk the whole heap)."""
    import gc
    from etl.load import ptv_workers
    gc.disable()
    adapter = Adapter(WorkerSide(names, members, rules.channels))
    ptv_workers.set_jobs(adapter.jobs(rules))


class Adapter:
    """The reader etl.load.ptv.load_files calls instead of its v11 one: v12 pages in, v11-shaped records out.
    Each adapted record starts with the record as received (`_v12`): a quarantine row then shows the v12 item
    first."""

    def __init__(self, side: SideData) -> None:
        self.side = side
        self._reread_file: tuple[Path, dict[str, JsonRecord]] | None = None   # the last file :meth:`_reread` read

    def records(self, ctx: BuildContext, stats: LoadStats, kind: str, paths: list[Path],
                file_rows: list[dict[str, Any]], compute: Callable[[Path, JsonRecord], Any],
                workers: Any = None) -> Iterator[tuple[Path, Any, Any]]:
        """`(path, adapted record, compute(path, adapted record))` for the v11 reader's records (same file handling
        and counting), each adapted to v11 shape; an item the adapter cannot read is set aside here. Read a group of
        whole files at a time: the group's connections are looked up at once (:class:`SideData`). With `workers`
        (etl.load.ptv_workers.Workers), services and channels are read, adapted and computed in them
        (:meth:`_in_workers`)."""
        fno = {path: i for i, path in enumerate(paths)}
        if kind in LINKED_KINDS:
            self.side.order_by_files(kind, paths)
        adapt = {"organizations": self.organization, "services": self.service, "channels": self.channel}[kind]
        if workers is not None and kind in LINKED_KINDS:
            yield from self._in_workers(ctx, stats, kind, paths, file_rows, adapt, compute, workers)
        else:
            for group in _groups(ctx, read_v11(ctx, stats, paths, file_rows), GROUP_RECORDS):
                self._fetch_side(kind, group, fno)
                for path, rec in group:
                    if path is None:   # a quarantine row the reader wrote while the group was read (an index page)
                        ctx.quarantine.rows.append(rec)
                        continue
                    rejected, outcome, adapted = self._answer(adapt, compute, path, rec)
                    if rejected is not None:
                        set_aside(ctx, stats, SOURCE, path, rec, rejected)
                        continue
                    yield path, adapted, outcome
        self.side.channels_of, self.side.services_of = {}, {}

    # -- in worker processes ------------------------------------------------------------------------------------
    def _in_workers(self, ctx: BuildContext, stats: LoadStats, kind: str, paths: list[Path],
                    file_rows: list[dict[str, Any]], adapt: Callable[[dict[str, Any]], Any],
                    compute: Callable[[Path, JsonRecord], Any], workers: Any) -> Iterator[tuple[Path, Any, Any]]:
        """:meth:`records` with the reading, adapting and computing done by worker processes, a group of whole
        files each (:data:`GROUP_BYTES`); this process only looks up the group's rows of the link table and applies
        the workers' answers in order (:meth:`_job` says what comes back). A record whose id the file scan did not
        find (its links were not in the group's rows) is read and computed here, after a look-up of its own."""
        table, columns = self.side.links(kind)

        def groups() -> Iterator[tuple[list[Path], Any, list[Path]]]:
            for first, last in _file_groups(paths, GROUP_BYTES):
                group = paths[first:last + 1]
                yield group, table.range_rows(first, last, columns), group

        for group, events in workers.ordered(kind, groups()):
            for event in events:
                tag = event[0]
                if tag == "record":
                    _, i, ref, outcome, raw = event
                    yield group[i], Rendered(self, kind, adapt, group[i], ref, raw), outcome
                elif tag == "counts":
                    stats.read += event[1]
                    stats.quarantined += event[2]
                elif tag == "row":
                    ctx.quarantine.rows.append(event[1])
                elif tag == "file_row":
                    file_rows.append(event[1])
                else:   # "here": its id was not among the group's rows
                    path = group[event[1]]
                    rec = self._reread(path, event[2])
                    self._use(self._lookup(kind, rec))
                    rejected, outcome, adapted = self._answer(adapt, compute, path, rec)
                    if rejected is not None:
                        set_aside(ctx, stats, SOURCE, path, rec, rejected)
                        continue
                    yield path, adapted, outcome

    def jobs(self, rules: Any) -> dict[str, Callable[..., Any]]:
        """What a worker does with a group, by kind (:meth:`_job`), for etl.load.ptv_workers.Workers, with
        etl.load.ptv.Rules `rules` (also what the loader's process does when it takes a group itself)."""
        return {"channels": self._job(rules.ctx, "channels", self.channel, rules.channel),
                "services": self._job(rules.ctx, "services", self.service, rules.service)}

    def worker_setup(self, rules: Any) -> tuple[Callable[..., None], tuple[Any, ...]]:
        return worker_setup(rules, self)

    def _job(self, ctx: BuildContext, kind: str, adapt: Callable[[dict[str, Any]], Any],
             compute: Callable[[Path, JsonRecord], Any]) -> Callable[[list[Path], Any], list[tuple[Any, ...]]]:
        """What a worker does with a group of whole files and their rows of the link table: read them as this
        process would (the v11 reader, a fresh count) and say, in reading order, what this process is to do:
        ``("counts", read, quarantined)`` to add, a quarantine ``("row", row)`` (an index page, an item the adapter
        cannot read) or ``("file_row", row)`` (an unreadable file), ``("record", file, ref, outcome, raw)`` to apply
        (`raw`: the quarantine copy of the adapted record when the outcome holds a Reject), or
        ``("here", file, ref)`` for a record whose links were not among the rows. Nothing outlives the group."""
        def job(group: list[Path], rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
            taken, known = FileOrdered.take(rows)
            if kind == "services":
                links, channels = service_links(taken)
                self._use(Side(links, {}, channels))
            else:
                self._use(Side({}, channel_links(taken), {}))
            at = {path: i for i, path in enumerate(group)}
            counts = LoadStats(SOURCE)
            file_rows: list[dict[str, Any]] = []
            rows_out = ctx.quarantine.rows
            start = len(rows_out)
            events: list[tuple[Any, ...]] = []
            done = [0, 0, 0]   # read, quarantined and file rows already told

            def tell() -> None:
                if counts.read != done[0] or counts.quarantined != done[1]:
                    events.append(("counts", counts.read - done[0], counts.quarantined - done[1]))
                    done[0], done[1] = counts.read, counts.quarantined
                events.extend(("row", row) for row in rows_out[start:])
                del rows_out[start:]
                events.extend(("file_row", row) for row in file_rows[done[2]:])
                done[2] = len(file_rows)

            try:
                for path, rec in read_v11(ctx, counts, group, file_rows):
                    tell()
                    if isinstance(rec.record, dict) and db_key(str(rec.record.get("contentId"))) not in known:
                        events.append(("here", at[path], rec.ref))
                        continue
                    rejected, outcome, adapted = self._answer(adapt, compute, path, rec)
                    if rejected is not None:
                        set_aside(ctx, counts, SOURCE, path, rec, rejected)
                        continue
                    raw = raw_text(adapted.record) if any(isinstance(o, Reject) for o in outcome) else None
                    events.append(("record", at[path], rec.ref, outcome, raw))
                tell()
            finally:
                del rows_out[start:]
            return events
        return job

    def _reread(self, path: Path, ref: str) -> JsonRecord:
        """The record at `ref` of `path`, read again (a record whose copy or outcome this process needs)."""
        cached = self._reread_file
        if cached is None or cached[0] != path:
            cached = self._reread_file = (path, {r.ref: r for r in json_records(path, LIST_KEYS)})
        return cached[1][ref]

    def _lookup(self, kind: str, rec: JsonRecord) -> "Side":
        """The connections of one record, looked up in the whole link table."""
        if not isinstance(rec.record, dict):
            return Side({}, {}, {})
        table, columns = self.side.links(kind)
        rows = table.rows([db_key(str(rec.record.get("contentId")))], -1, -1, columns)
        if kind == "services":
            links, channels = service_links(rows)
            return Side(links, {}, channels)
        return Side({}, channel_links(rows), {})

    @staticmethod
    def _answer(adapt: Callable[[dict[str, Any]], Any], compute: Callable[[Path, JsonRecord], Any], path: Path,
                rec: JsonRecord) -> tuple[Any, Any, Any]:
        """(the adapter's Reject or None, compute's outcome, the adapted record)"""
        if not isinstance(rec.record, dict):   # the v11 rules say bad_type for these
            return None, compute(path, rec), rec
        adapted = reject_wrong_types(adapt, rec.record)
        if isinstance(adapted, Reject):
            return adapted, None, None
        adapted_rec = JsonRecord(rec.ref, adapted, rec.page)
        return None, compute(path, adapted_rec), adapted_rec

    def _fetch_side(self, kind: str, group: list[tuple[Path | None, Any]], fno: dict[Path, int]) -> None:
        """The connections of the group's records, looked up at once."""
        if kind not in LINKED_KINDS:
            return
        ids, files = [], []
        for path, rec in group:
            if path is not None and isinstance(rec.record, dict):
                ids.append(str(rec.record.get("contentId")))
                files.append(fno[path])
        if ids and kind == "services":
            self.side.fetch_channels_of(ids, min(files), max(files))
        elif ids:
            self.side.fetch_services_of(ids, min(files), max(files))

    def _use(self, side: "Side") -> None:
        """Adapt and compute with this group's connections."""
        self.side.channels_of, self.side.services_of = side.channels_of, side.services_of
        channels = self.side.channel_index.channels
        if channels is not side.channels:   # the same dict object throughout: the services' rules hold it
            channels.clear()
            channels.update(side.channels)

    # -- shared pieces ------------------------------------------------------------------------------------------
    @staticmethod
    def _versions(r: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
        lv = r.get("languageVersions")
        if lv is None:
            return []
        if not isinstance(lv, dict):
            raise TypeError(f"languageVersions is {type(lv).__name__}, not an object")
        return [(lang, v) for lang, v in lv.items() if isinstance(v, dict)]

    @staticmethod
    def _texts(versions: list[tuple[str, dict[str, Any]]], fields: tuple[tuple[str, str], ...]) -> list[dict]:
        return [{"type": t, "language": lang, "value": v[f]} for lang, v in versions for f, t in fields
                if isinstance(v.get(f), str) and v[f]]

    def _area(self, area: Any) -> tuple[str | None, list[dict[str, Any]], list[str]]:
        """(v11 areaType, v11 areas, the area's own municipality codes)."""
        if area is None:
            return None, [], []
        if not isinstance(area, dict):
            raise TypeError(f"area is {type(area).__name__}, not an object")
        area_type = AREA_TO_V11.get(area.get("areaType"), area.get("areaType"))
        munis = [str(m) for m in area.get("municipalities") or [] if m]
        areas: list[dict[str, Any]] = [{"type": "Municipality", "code": m} for m in munis]
        for key, kind, v11_type in (("regions", "region-codes", "Region"),
                                    ("wellbeingServicesCounties", "wellbeing-services-county-codes",
                                     "WellbeingServiceCounty")):
            for code in area.get(key) or []:
                areas.append({"type": v11_type, "code": str(code),
                              "municipalities": self.side.area_members(kind, str(code))})
        return area_type, areas, munis

    @staticmethod
    def _street(address: dict[str, Any], address_type: str, muni: str | None) -> dict[str, Any]:
        coords = [c for c in address.get("coordinates") or [] if isinstance(c, dict)
                  and c.get("system") == "EPSG:3067"]
        names = address.get("streetName") or {}
        street: dict[str, Any] = {
            "street": [{"language": lang, "value": v} for lang, v in names.items() if v],
            "streetNumber": address.get("addressDetail"), "postalCode": address.get("postalCode")}
        if muni:
            street["municipality"] = {"code": muni}
        if coords:
            street["latitude"], street["longitude"] = str(coords[0]["northing"]), str(coords[0]["easting"])
        return {"type": address_type, "streetAddress": street}

    @staticmethod
    def _web_pages(versions: list[tuple[str, dict[str, Any]]]) -> list[dict[str, Any]]:
        pages = []
        for lang, v in versions:
            urls = [w.get("url") for w in v.get("contactWebPages") or [] if isinstance(w, dict)]
            web = v.get("webAddress")
            if isinstance(web, dict):
                urls.append(web.get("url"))
            urls += [w.get("url") for w in v.get("attachmentLinks") or [] if isinstance(w, dict)]
            pages += [{"url": u, "language": lang} for u in urls if isinstance(u, str) and u]
        return pages

    # -- organisations ------------------------------------------------------------------------------------------
    def organization(self, o: dict[str, Any]) -> dict[str, Any]:
        versions = self._versions(o)
        area_type, areas, munis = self._area(o.get("area"))
        location = o.get("location") or {}
        contact = o.get("contactAddresses") or {}
        addresses = [self._street(a, "Visiting", None) for a in location.get("streetAddresses") or []
                     if isinstance(a, dict)]
        addresses += [self._street(a, "Postal", None) for a in contact.get("streetAddresses") or []
                      if isinstance(a, dict)]
        out = {V12_RAW_KEY: o, "id": o.get("contentId"), "organizationType": o.get("organizationType"),
               "businessCode": o.get("businessId") or None,
               "organizationNames": self._texts(versions, (("name", "Name"), ("alternativeName", "AlternativeName"))),
               "organizationDescriptions": self._texts(versions, (("summary", "Summary"),
                                                                  ("description", "Description"))),
               "areaType": area_type, "areas": areas, "addresses": addresses,
               "webPages": self._web_pages(versions), "oid": o.get("oid"),
               "parentOrganizationId": o.get("parentOrganizationContentId"),
               "publishingStatus": "Published", "modified": o.get("publishedAt")}
        if munis:
            out["municipality"] = {"code": munis[0]}
        return out

    # -- services -----------------------------------------------------------------------------------------------
    def service(self, s: dict[str, Any]) -> dict[str, Any]:
        versions = self._versions(s)
        area_type, areas, _ = self._area(s.get("area"))
        sid = s.get("contentId")
        main = s.get("organizationContentId")
        producers = s.get("producers") or {}
        produced = []
        for key in ("selfProducedProducers", "procuredProducers", "otherProducers"):
            part = producers.get(key) or {}
            produced += [p for p in part.get("organizations") or [] if p]
        orgs = ([{"roleType": "Responsible", "organization": {"id": main}}] if main else []) \
            + [{"roleType": "Producer", "organization": {"id": p}} for p in produced] \
            + [{"roleType": "OtherResponsible", "organization": {"id": p}}
               for p in s.get("otherResponsibleOrganizations") or [] if p]
        keywords = [{"language": lang, "value": k} for lang, v in versions
                    for k in v.get("freelyAssignedKeywords") or [] if isinstance(k, str) and k]
        return {
            V12_RAW_KEY: s, "id": sid, "type": SERVICE_TYPE_TO_V11.get(s.get("serviceType"), s.get("serviceType")),
            "fundingType": s.get("fundingType"), "serviceChargeType": CHARGE_TO_V11.get(s.get("chargeType")),
            "serviceNames": self._texts(versions, (("name", "Name"), ("alternativeName", "AlternativeName"))),
            "serviceDescriptions": self._texts(versions, (("summary", "Summary"), ("description", "Description"),
                                                          ("userInstructions", "UserInstruction"))),
            "areaType": area_type, "areas": areas, "languages": list(s.get("serviceLanguages") or []),
            "keywords": keywords,
            "serviceClasses": self.side.code_items("service-classes", s.get("serviceClasses")),
            "targetGroups": self.side.code_items("target-groups", s.get("targetGroups")),
            "lifeEvents": self.side.code_items("life-events", s.get("lifeEvents")),
            "ontologyTerms": [{"uri": u} for u in s.get("ontologyTerms") or [] if u],
            "industrialClasses": [{"uri": u} for u in s.get("industrialClasses") or [] if u],
            "mainOrganization": {"id": main} if main else None, "organizations": orgs,
            "serviceChannels": [{"serviceChannel": {"id": c}}
                                for c in self.side.channels_of.get(db_key(str(sid)), [])],
            "generalDescriptionId": s.get("generalDescriptionContentId"),
            "publishingStatus": "Published", "modified": s.get("publishedAt"),
        }

    # -- channels -----------------------------------------------------------------------------------------------
    def channel(self, c: dict[str, Any]) -> dict[str, Any]:
        versions = self._versions(c)
        area_type, areas, munis = self._area(c.get("area"))
        cid = c.get("contentId")
        location = c.get("location") or {}
        contact = c.get("contactAddresses") or {}
        streets = [("Location", a) for a in location.get("streetAddresses") or [] if isinstance(a, dict)]
        streets += [("Postal", a) for a in contact.get("streetAddresses") or [] if isinstance(a, dict)]
        muni = munis[0] if munis else None
        addresses = [self._street(a, t, muni if i == 0 else None) for i, (t, a) in enumerate(streets)]
        return {
            V12_RAW_KEY: c, "id": cid, "serviceChannelType": CHANNEL_TYPE_TO_V11.get(c.get("serviceChannelType"),
                                                                     c.get("serviceChannelType")),
            "organizationId": c.get("organizationContentId"),
            "serviceChannelNames": self._texts(versions, (("name", "Name"), ("alternativeName", "AlternativeName"))),
            "serviceChannelDescriptions": self._texts(versions, (("summary", "Summary"),
                                                                 ("description", "Description"))),
            "areaType": area_type, "areas": areas, "addresses": addresses, "webPages": self._web_pages(versions),
            "languages": list(c.get("serviceLanguages") or []),
            "services": [{"service": {"id": s}} for s in self.side.services_of.get(db_key(str(cid)), [])],
            "publishingStatus": "Published", "modified": c.get("publishedAt"),
        }
