"""Resilient HTTP for the fetch step: retries, verified atomic downloads, provenance sidecars, a page cache.

Every fetcher goes through :class:`Client`:

- ``httpx`` with explicit timeouts; ``tenacity`` retries with exponential backoff plus jitter on timeouts,
  connection errors, truncated bodies (fewer bytes than ``Content-Length``), bodies that fail validation
  (invalid JSON), HTTP 429 (``Retry-After`` seconds honoured, capped) and 5xx. Other 4xx fail at once
  (:class:`HttpStatusError`, which carries ``status`` so callers can treat 404 as "skip").
- When every attempt fails: :class:`~etl.context.EtlError` naming the URL (with its query), the last status or
  exception and the number of attempts.
- :meth:`Client.download` writes to a temp file in the destination folder, verifies it, then ``os.replace``;
  a good existing file is never replaced by a bad download. Beside it goes ``<dest>.meta.json``
  ``{source, url, retrieved_at, sha256, bytes, status}``.
- :meth:`Client.get_json_cached` keeps paged API answers under ``<cache_dir>/<source>/<key>.json`` (key = sha256
  of the URL with sorted parameters), so a rerun after an interruption skips pages it already has
  (``force=True`` refetches).
- Safety for tests: with ``JARJESTOKARTTA_FETCH_LOOPBACK_ONLY=1`` the client refuses any host but 127.0.0.1 /
  localhost / ::1 before opening a connection.
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlencode, urlsplit

import httpx
from tenacity import RetryError, Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential_jitter

from etl import paths
from etl.context import EtlError

USER_AGENT = "jarjestokartta-etl/0.1 (+https://github.com/; open-source NGO map of Finland)"
LOOPBACK_ENV = "JARJESTOKARTTA_FETCH_LOOPBACK_ONLY"
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
RETRY_STATUSES = {408, 425, 429, 500, 502, 503, 504}

Validator = Callable[[bytes], Any]


class HttpStatusError(EtlError):
    """A non-retryable HTTP status (4xx other than 408/425/429)."""

    def __init__(self, message: str, status: int, url: str) -> None:
        super().__init__(message)
        self.status = status
        self.url = url


class _Retryable(Exception):
    """One failed attempt that is worth repeating; ``retry_after`` is the server's wish in seconds."""

    def __init__(self, what: str, status: int | None = None, retry_after: float | None = None) -> None:
        super().__init__(what)
        self.what = what
        self.status = status
        self.retry_after = retry_after


@dataclass
class FetchResult:
    """What one fetcher run did: files written (data files, not sidecars), requests made, bytes read."""

    source: str
    files: list[Path] = field(default_factory=list)
    requests: int = 0
    bytes: int = 0
    seconds: float = 0.0
    skipped: list[str] = field(default_factory=list)   # e.g. STEA ids that answered 404

    def summary(self) -> str:
        return (f"{self.source}: {len(self.files):,} files · {self.requests:,} requests · "
                f"{self.bytes / 1e6:.1f} MB · {self.seconds:.1f} s")


def base_url(explicit: str | None, env: str, default: str) -> str:
    """The base URL: the function parameter, else the environment variable ``env``, else the live default."""
    url = explicit or os.environ.get(env) or default
    return url.rstrip("/")


def full_url(url: str, params: dict[str, Any] | None = None) -> str:
    """The URL with its query parameters in a stable order (used in sidecars, cache keys and messages)."""
    if not params:
        return url
    items = sorted((k, str(x)) for k, v in params.items() if v is not None
                   for x in (v if isinstance(v, (list, tuple)) else [v]))
    return f"{url}{'&' if '?' in url else '?'}{urlencode(items, safe=',:')}"


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def utc_now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def parse_json(data: bytes) -> Any:
    """Default validator: the body must be JSON."""
    try:
        return json.loads(data)
    except (UnicodeDecodeError, ValueError) as e:
        raise ValueError(f"invalid JSON ({e})") from None


def check_loopback(url: str) -> None:
    if os.environ.get(LOOPBACK_ENV, "") not in ("", "0"):
        host = (urlsplit(url).hostname or "").lower()
        if host not in LOOPBACK_HOSTS:
            raise EtlError(f"refusing to contact {host or url!r}: {LOOPBACK_ENV} is set (loopback only)")


def _retry_after_seconds(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:   # HTTP-date form
        from email.utils import parsedate_to_datetime
        when = parsedate_to_datetime(value)
        return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())
    except (TypeError, ValueError):
        return None


def write_atomic(dest: Path, data: bytes) -> None:
    """Write bytes to a temp file in dest's folder, then os.replace (readers never see half a file)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def meta_path(dest: Path) -> Path:
    return dest.with_name(dest.name + ".meta.json")


def write_sidecar(dest: Path, *, source: str, url: str, status: int = 200, retrieved_at: str | None = None,
                  extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """``<dest>.meta.json`` describing the file as it is on disk now."""
    data = dest.read_bytes()
    meta = {"source": source, "url": url, "retrieved_at": retrieved_at or utc_now(),
            "sha256": sha256_bytes(data), "bytes": len(data), "status": status}
    if extra:
        meta.update(extra)
    write_atomic(meta_path(dest), (json.dumps(meta, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
    return meta


class Client:
    """One source's HTTP session. Counts requests and bytes for the FetchResult.

    ``wait_initial``/``wait_max``/``retry_after_cap`` are in seconds; tests pass tiny values.
    ``delay`` is a pause before every request (polite rate limiting).
    """

    def __init__(self, source: str, *, timeout: float = 30.0, connect_timeout: float = 10.0,
                 max_attempts: int = 5, wait_initial: float = 1.0, wait_max: float = 60.0,
                 retry_after_cap: float = 120.0, delay: float = 0.0, cache_dir: Path | None = None,
                 headers: dict[str, str] | None = None, transport: httpx.BaseTransport | None = None) -> None:
        self.source = source
        self.max_attempts = max(1, int(max_attempts))
        self.wait_initial = wait_initial
        self.wait_max = wait_max
        self.retry_after_cap = retry_after_cap
        self.delay = delay
        self.cache_dir = Path(cache_dir or paths.CACHE_DIR) / source
        self.requests = 0
        self.bytes = 0
        self.cache_hits = 0
        self.waits: list[float] = []        # every backoff wait actually slept (for tests and logs)
        self._http = httpx.Client(
            timeout=httpx.Timeout(timeout, connect=connect_timeout),
            headers={"User-Agent": USER_AGENT, "Accept": "application/json", **(headers or {})},
            follow_redirects=True, transport=transport,
            event_hooks={"request": [lambda request: check_loopback(str(request.url))]},   # redirects too
        )

    # -- context manager -------------------------------------------------------------------------------------
    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    # -- core ------------------------------------------------------------------------------------------------
    def _wait(self, retry_state: Any) -> float:
        exc = retry_state.outcome.exception() if retry_state.outcome else None
        if isinstance(exc, _Retryable) and exc.retry_after is not None:
            return min(exc.retry_after, self.retry_after_cap)
        backoff = wait_exponential_jitter(initial=self.wait_initial, max=self.wait_max,
                                          jitter=self.wait_initial)
        return backoff(retry_state)

    def _sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        time.sleep(seconds)

    def _attempt(self, url: str, params: dict[str, Any] | None, validate: Validator | None,
                 ok_statuses: tuple[int, ...]) -> tuple[bytes, int, Any]:
        shown = full_url(url, params)
        if self.delay:
            time.sleep(self.delay)
        self.requests += 1
        try:
            resp = self._http.get(url, params=params)
            body = resp.content
        except httpx.TimeoutException as e:
            raise _Retryable(f"timeout ({type(e).__name__})") from e
        except httpx.TransportError as e:   # connection refused/reset, truncated body (peer closed early)
            raise _Retryable(f"{type(e).__name__}: {e}") from e
        self.bytes += len(body)
        status = resp.status_code
        if status in RETRY_STATUSES:
            raise _Retryable(f"HTTP {status}", status, _retry_after_seconds(resp.headers.get("Retry-After")))
        if status not in ok_statuses:
            raise HttpStatusError(f"GET {shown}: HTTP {status} (not retried)", status, shown)
        expected = resp.headers.get("Content-Length")
        if expected and not resp.headers.get("Content-Encoding") and expected.isdigit() \
                and int(expected) != len(body):
            raise _Retryable(f"truncated body: {len(body)} of {expected} bytes", status)
        parsed = None
        if validate is not None and status == 200:
            try:
                parsed = validate(body)
            except Exception as e:   # noqa: BLE001 - any validator failure means "bad body"
                raise _Retryable(f"invalid body: {e}", status) from e
        return body, status, parsed

    def fetch(self, url: str, params: dict[str, Any] | None = None, *, validate: Validator | None = parse_json,
              ok_statuses: tuple[int, ...] = (200,)) -> tuple[bytes, int, Any]:
        """GET with retries -> (body, status, validate(body)). Raises EtlError after the last attempt."""
        check_loopback(url)
        shown = full_url(url, params)
        retrying = Retrying(stop=stop_after_attempt(self.max_attempts), wait=self._wait, sleep=self._sleep,
                            retry=retry_if_exception_type(_Retryable), reraise=False)
        try:
            return retrying(self._attempt, url, params, validate, ok_statuses)
        except RetryError as e:
            last = e.last_attempt.exception()
            what = getattr(last, "what", repr(last))
            raise EtlError(f"GET {shown} failed after {e.last_attempt.attempt_number} attempts; "
                           f"last error: {what}") from last

    def get_json(self, url: str, params: dict[str, Any] | None = None, *,
                 validate: Validator | None = None) -> Any:
        """GET a JSON document (retried when it does not parse, or when ``validate(parsed)`` raises)."""
        def check(body: bytes) -> Any:
            doc = parse_json(body)
            if validate is not None:
                validate(doc)
            return doc
        return self.fetch(url, params, validate=check)[2]

    # -- files -----------------------------------------------------------------------------------------------
    def download(self, url: str, dest: Path, *, params: dict[str, Any] | None = None,
                 validate: Validator | None = None, json_body: bool = True) -> Path:
        """Fetch ``url`` into ``dest`` atomically, verified, with a ``.meta.json`` sidecar.

        ``validate(bytes)`` must not raise (JSON must parse too unless ``json_body=False``); on final failure the
        old file, if any, is left exactly as it was.
        """
        def check(body: bytes) -> Any:
            parsed = parse_json(body) if json_body else None
            if validate is not None:
                validate(body)
            return parsed
        body, status, _ = self.fetch(url, params, validate=check)
        self.save(dest, body, url=full_url(url, params), status=status)
        return dest

    def save(self, dest: Path, body: bytes, *, url: str, status: int = 200,
             extra: dict[str, Any] | None = None) -> Path:
        """Write already verified bytes atomically plus the sidecar."""
        dest = Path(dest)
        write_atomic(dest, body)
        write_sidecar(dest, source=self.source, url=url, status=status, extra=extra)
        return dest

    # -- page cache ------------------------------------------------------------------------------------------
    def cache_path(self, url: str, params: dict[str, Any] | None = None) -> Path:
        key = sha256_bytes(full_url(url, params).encode("utf-8"))[:24]
        return self.cache_dir / f"{key}.json"

    def get_json_cached(self, url: str, params: dict[str, Any] | None = None, *, force: bool = False,
                        validate: Callable[[Any], Any] | None = None) -> "CachedPage":
        """A JSON page through the cache. A cached page that no longer parses or validates is fetched again.

        ``validate(parsed)`` raising means a bad page: retried, then EtlError; a bad page is never cached.
        """
        path = self.cache_path(url, params)
        shown = full_url(url, params)
        if not force and path.is_file():
            body = path.read_bytes()
            try:
                doc = parse_json(body)
                if validate is not None:
                    validate(doc)
            except Exception:   # noqa: BLE001 - a damaged cache entry is simply fetched again
                pass
            else:
                self.cache_hits += 1
                try:
                    retrieved_at = json.loads(meta_path(path).read_text("utf-8"))["retrieved_at"]
                except (OSError, ValueError, KeyError):
                    retrieved_at = utc_now()
                return CachedPage(doc, body, True, shown, retrieved_at, 200)

        def check(b: bytes) -> Any:
            doc = parse_json(b)
            if validate is not None:
                validate(doc)
            return doc
        body, status, doc = self.fetch(url, params, validate=check)
        retrieved_at = utc_now()
        write_atomic(path, body)
        write_atomic(meta_path(path), json.dumps({"url": shown, "retrieved_at": retrieved_at, "status": status},
                                                 ensure_ascii=False).encode("utf-8"))
        return CachedPage(doc, body, False, shown, retrieved_at, status)

    def save_page(self, dest: Path, page: "CachedPage", extra: dict[str, Any] | None = None) -> Path:
        """Write a (possibly cached) page verbatim to the raw layout, sidecar dated when it was retrieved."""
        dest = Path(dest)
        write_atomic(dest, page.body)
        write_sidecar(dest, source=self.source, url=page.url, status=page.status, retrieved_at=page.retrieved_at,
                      extra=extra)
        return dest


@dataclass
class CachedPage:
    doc: Any
    body: bytes
    from_cache: bool
    url: str
    retrieved_at: str
    status: int = 200


def make_progress(enabled: bool):
    """A rich progress bar, or a do-nothing stand-in."""
    if enabled:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
        return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                        transient=False)
    return _NoProgress()


class _NoProgress:
    def __enter__(self) -> "_NoProgress":
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def add_task(self, *a: Any, **k: Any) -> int:
        return 0

    def update(self, *a: Any, **k: Any) -> None:
        return None

    def advance(self, *a: Any, **k: Any) -> None:
        return None


CLIENT_OPTS = ("timeout", "connect_timeout", "max_attempts", "wait_initial", "wait_max", "retry_after_cap",
               "delay", "cache_dir", "transport")


def client_for(source: str, opts: dict[str, Any]) -> Client:
    """A Client from a fetcher's ``**opts`` (only the keys in CLIENT_OPTS are used)."""
    return Client(source, **{k: opts[k] for k in CLIENT_OPTS if k in opts and opts[k] is not None})
