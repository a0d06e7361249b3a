"""The guards an uploaded file passes before the template loader sees it (app/upload_check.py), each refusal with
a message key (locales `check.error.*`): too large (MAX_BYTES), a wrong type, empty, an encrypted or damaged XLSX, a
ZIP bomb (members' uncompressed size summed from the zip directory before anything is decompressed), too many rows
(MAX_ROWS; cheap line and worksheet-row bounds before parsing). No streamlit import."""
from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.formatting import format_number
from app.i18n import t

MAX_BYTES = 10 * 1024 * 1024            # 10 MB, also Streamlit's server.maxUploadSize (.streamlit/config.toml)
MAX_ROWS = 5_000                        # data rows, the template's example row not counted
MAX_UNZIPPED_BYTES = 50 * 1024 * 1024   # all members of an XLSX together, uncompressed
MAX_ZIP_MEMBERS = 2_000
# Cheap bounds checked before the file is parsed, so that a small file cannot make the reader build millions of
# empty rows: physical CSV lines (a quoted cell may span lines, hence the margin) and the highest worksheet row.
MAX_CSV_LINES = 10 * MAX_ROWS
MAX_SHEET_ROW = 2 * MAX_ROWS
_ROW_NUMBER = re.compile(rb"<(?:\w+:)?(?:row\s[^>]*?\br|dimension\s[^>]*?\bref)=\"(?:[A-Z]+[0-9]+:)?[A-Z]*([0-9]+)\"")
SUFFIXES = (".csv", ".xlsx")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"   # an encrypted OOXML file (or an old .xls) is an OLE container
_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")


@dataclass
class Message:
    key: str                                   # a locales key
    params: dict[str, Any] = field(default_factory=dict)

    def text(self, lang: str) -> str:
        """The message in `lang`; whole-number parameters are written as that language writes numbers."""
        return t(self.key, lang, **{k: format_number(v, lang) if isinstance(v, int) and not isinstance(v, bool)
                                    else v for k, v in self.params.items()})


class Refused(Exception):
    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.message = Message(key, params)


def screen_upload(name: str, data: bytes) -> tuple[str, int]:
    """(suffix, formula cells) for a file worth handing to the loader; raises Refused with the reason otherwise."""
    if len(data) > MAX_BYTES:
        raise Refused("check.error.too_big", mb=MAX_BYTES // (1024 * 1024))
    suffix = Path(name or "").suffix.lower()
    if suffix not in SUFFIXES:
        raise Refused("check.error.type")
    if not data.strip():
        raise Refused("check.error.empty")
    if suffix == ".csv":
        if data.startswith(b"PK\x03\x04") or data.startswith(_OLE_MAGIC):
            raise Refused("check.error.type")
        if data.count(b"\n") > MAX_CSV_LINES:
            raise Refused("check.error.too_many_rows", max=MAX_ROWS)
        return suffix, 0
    if data.startswith(_OLE_MAGIC):
        raise Refused("check.error.encrypted")
    if not data.startswith(b"PK"):
        raise Refused("check.error.damaged")
    return suffix, _screen_zip(data)


def _screen_zip(data: bytes) -> int:
    """Refuse a ZIP bomb or an encrypted member from the zip directory alone (nothing is decompressed before the
    sizes are known); then the number of formula cells in the worksheets."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_ZIP_MEMBERS or sum(i.file_size for i in infos) > MAX_UNZIPPED_BYTES:
                raise Refused("check.error.zip_bomb", mb=MAX_UNZIPPED_BYTES // (1024 * 1024))
            if any(i.flag_bits & 0x1 for i in infos):
                raise Refused("check.error.encrypted")
            formulas = 0
            for info in infos:
                if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                    with zf.open(info) as f:
                        xml = f.read(MAX_UNZIPPED_BYTES + 1)
                    formulas += len(_FORMULA_TAG.findall(xml))
                    if max((int(n) for n in _ROW_NUMBER.findall(xml)), default=0) > MAX_SHEET_ROW:
                        raise Refused("check.error.too_many_rows", max=MAX_ROWS)
            return formulas
    except Refused:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, NotImplementedError,
            RuntimeError):
        raise Refused("check.error.damaged") from None


def unreadable(message: str) -> Refused:
    """The loader's MalformedFile message as a plain, localised reason."""
    if "missing required column" in message:
        found = message.split("found:", 1)[1].strip() if "found:" in message else ""
        return Refused("check.error.columns", found=found[:300])
    if "NUL bytes" in message or "undecodable" in message:
        return Refused("check.error.encoding")
    if "no header" in message or "is empty" in message:
        return Refused("check.error.empty")
    if "XLSX" in message:
        return Refused("check.error.damaged")
    return Refused("check.error.unreadable")
