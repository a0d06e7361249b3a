"""PTV output in API v12 shape (the default): the same plain records as the v11 writer (``ptv.py``), serialised to
v11 items without drawing anything and converted item by item with :mod:`etl.ptv.v12_convert`, streamed into the
v12 layout (etl/ptv/settings.py)::

    ptv/v12/organizations|services|channels/page_NNNN.json   search responses, 100 items a page
    ptv/v12/connections/page_NNNN.json                       service <-> channel pairs (v12 services carry none)
    ptv/v12/codes/<endpoint>_page_NNNN.json                  the code names and area members seen

Streaming like the v11 writer: items are converted and written as they come, ``totalItems``/``totalPages`` are
patched into each page when the stream closes, so scale 100 does not hold its pages in memory. Connections are
written service by service, in each service's channel order (the order :func:`etl.ptv.v12_convert.connections_of`
gives); a pair only a channel names (none in the demo: every channel is listed by its service) follows it.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from etl.ptv.settings import MAX_PAGE_SIZE
from etl.ptv.v12_convert import (
    Codes, channel_to_v12, connection_v12, organization_to_v12, service_to_v12, write_v12_pages,
)

from .ptv import PAGE_SIZE, PageWriter, PtvWriterBase


class V12PageWriter(PageWriter):
    """v12 search-response pages, PAGE_SIZE (100, the v12 maximum) items a page, buffered like the v11 pages;
    ``totalItems`` and ``totalPages`` are patched in place at close."""

    def _flush(self) -> None:
        n = len(self.pages) + 1
        path = self.folder / f"page_{n:04d}.json"
        head = f'{{"page":{n},"pageSize":{PAGE_SIZE},"totalItems":'.encode()
        gap = b" " * self.PLACEHOLDER
        with open(path, "wb") as f:
            f.write(head + gap + b',"totalPages":' + gap + b',"items":[')
            f.write(",".join(self.buf).encode("utf-8"))
            f.write(b"]}\n")
        self.pages.append((path, len(head), len(head) + self.PLACEHOLDER + len(b',"totalPages":')))
        self.files.append(path)
        self.buf = []

    def close(self) -> None:
        if self.buf or not self.pages:
            self._flush()
        total_pages = len(self.pages) if self.count else 0
        for path, items_at, pages_at in self.pages:
            with open(path, "r+b") as f:
                f.seek(items_at)
                f.write(str(self.count).ljust(self.PLACEHOLDER).encode())
                f.seek(pages_at)
                f.write(str(total_pages).ljust(self.PLACEHOLDER).encode())


class _Converting:
    """A stream that takes v11 items (what ``public.py`` and the v11 serialisers give) and writes them as v12."""

    def __init__(self, pages: V12PageWriter, convert: Callable[[dict], dict], seen: Callable[[dict], None]):
        self.pages, self.convert, self.seen = pages, convert, seen

    @property
    def count(self) -> int:
        return self.pages.count

    def add(self, item: dict) -> None:
        self.seen(item)
        self.pages.add(self.convert(item))


class PtvV12Writer(PtvWriterBase):
    """The PTV v12 streams under `folder` (``ptv/``): pages go to ``ptv/v12/``."""

    def __init__(self, folder: Path, files: list[Path]):
        root = folder / "v12"
        self.root, self.files = root, files
        self.codes = Codes()
        self.connections = V12PageWriter(root / "connections", files)
        self._service_pairs: set[tuple[str, str]] = set()   # the current service's pairs (channels follow it)
        self.organisations = _Converting(V12PageWriter(root / "organizations", files),
                                         lambda o: organization_to_v12(o, self.codes), lambda o: None)
        self.services = _Converting(V12PageWriter(root / "services", files),
                                    lambda s: service_to_v12(s, self.codes), self._service_connections)
        self.channels = _Converting(V12PageWriter(root / "channels", files),
                                    lambda c: channel_to_v12(c, self.codes), self._channel_connections)

    def _service_connections(self, s: dict[str, Any]) -> None:
        self._service_pairs = set()
        for link in s.get("serviceChannels") or []:
            cid = (link.get("serviceChannel") or {}).get("id")
            if cid and (s["id"], cid) not in self._service_pairs:
                self._service_pairs.add((s["id"], cid))
                self.connections.add(connection_v12(s["id"], cid))

    def _channel_connections(self, c: dict[str, Any]) -> None:
        for link in c.get("services") or []:
            sid = (link.get("service") or {}).get("id")
            if sid and (sid, c["id"]) not in self._service_pairs:
                self._service_pairs.add((sid, c["id"]))
                self.connections.add(connection_v12(sid, c["id"]))

    def close(self) -> dict[str, int]:
        for stream in (self.organisations.pages, self.services.pages, self.channels.pages, self.connections):
            stream.close()
        self.files += write_v12_pages(self.root, self.codes.pages(MAX_PAGE_SIZE))
        return {"ptv_organizations": self.organisations.count, "ptv_services": self.services.count,
                "ptv_channels": self.channels.count}
