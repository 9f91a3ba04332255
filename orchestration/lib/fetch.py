"""Connectors: fetch each source from its publisher (or a mirror), verify the body, land the raw bytes.

``CONNECTORS`` maps a raw table to how it is fetched (URLs tried in order; kind ``file``, ``zip`` member,
``eia_api`` pages or the SkyPilot ``skypilot_lambda`` composition). ``fetch_source(table, run_id)`` fetches,
verifies and lands it under ``<landing>/<table>/<UTC timestamp>/<file name>`` with a ``manifest.json`` (url asked
for, final url after redirects, HTTP status, sha256, bytes, fetched_at UTC, run_id, ok, error). A failure raises
``FetchError(table, url, message)`` with one clear line and still writes a manifest with ``ok: false`` (and no data
file), so a run can report it. ``latest_landed`` and ``landed_for_run`` find landings for ingest.

HTTP client: httpx + tenacity. httpx gives separate connect and read timeouts, redirects with the final URL,
streaming with a byte cap, and h11 refuses a body shorter than its Content-Length (a truncated download is an
error, never a short file). tenacity drives the retries: a few attempts on 429, 5xx, timeouts and connection
errors, exponential backoff with jitter, and a server's Retry-After honoured (capped). requests + urllib3's Retry
would retry only until the headers arrive, not a body cut short, and would put the retry policy out of reach of
the body checks; tenacity wraps the whole attempt.

Environment (read at call time): ``DCPULSE_LANDING_DIR`` (default ``data/landing``), ``DCPULSE_INBOX_DIR``
(``data/inbox``), ``DCPULSE_MIRROR_URL`` (fetch ``<base>/<relative path>`` instead of the publisher: see
``orchestration/lib/mirror.py``), ``EIA_API_KEY`` (EIA API v2 instead of the workbook), ``DCPULSE_EIA_API_URL``,
``DCPULSE_GITHUB_API_URL``, ``DCPULSE_GITHUB_RAW_URL``, and the HTTP knobs of ``HttpSettings``. Secrets
(``EIA_API_KEY``, ``GITHUB_TOKEN``) are masked in every URL, message, manifest and log line.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import json
import logging
import os
import random
import re
import shutil
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol
from urllib.parse import quote, urlencode

import yaml

from transforms.sources import SOURCE_FILES, SourceSpec
from transforms.storage.paths import PROJECT_ROOT, resolve_path

if TYPE_CHECKING:  # the HTTP stack is imported when a fetch runs, not when the code location loads
    import httpx
    import tenacity

log = logging.getLogger("dcpulse.fetch")

Kind = Literal["file", "zip", "eia_api", "skypilot_lambda"]
Expect = Literal["csv", "xlsx", "json"]
Origin = Literal["publisher", "mirror", "inbox"]

USER_AGENT = "dcpulse/0.1 (data refresh of public sources; https://github.com/dcpulse/dcpulse)"
SECRET_ENV = ("EIA_API_KEY", "GITHUB_TOKEN")
EIA_API_URL = "https://api.eia.gov/v2/electricity/retail-sales/data/"
GITHUB_API_URL = "https://api.github.com"
GITHUB_RAW_URL = "https://raw.githubusercontent.com"


# ---------------------------------------------------------------------------------------------
# The registry


@dataclass(frozen=True)
class Endpoint:
    """One way to get a source: a URL and what it returns."""

    url: str
    kind: Kind = "file"
    member: str | None = None  # kind zip: the archive member that is the source file
    expect: Expect | None = None  # kind file: the format (default: from the source's file suffix)


@dataclass(frozen=True)
class Connector:
    table: str
    rel_path: str  # the shipped file under data/sources, and the mirror's path
    publisher: str
    endpoints: tuple[Endpoint, ...]  # tried in order; empty: no live URL (mirror or inbox only)
    note: str = ""
    # An API used instead of the endpoints when this environment variable holds a key (endpoints stay the fallback).
    api_key_env: str | None = None
    api_endpoint: Endpoint | None = None
    api_rel_path: str | None = None  # the API's own landed shape (e.g. a long CSV instead of a workbook)

    @property
    def file_name(self) -> str:
        return Path(self.rel_path).name

    @property
    def cadence_days(self) -> int:
        """The publisher's update cadence, a lower bound for freshness: from the shipped SOURCES.yml, its one home."""
        return int(_shipped_provenance()[self.table]["cadence_days"])


@functools.cache
def _shipped_provenance() -> dict[str, dict[str, Any]]:
    path = PROJECT_ROOT / "data" / "sources" / "SOURCES.yml"
    return (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("sources", {})


EPOCH = "Epoch AI"
_EPOCH_DC = "https://epoch.ai/data/data_centers"

CONNECTORS: dict[str, Connector] = {
    c.table: c
    for c in (
        Connector(
            "epoch_gpu_clusters",
            "epoch/gpu_clusters.csv",
            EPOCH,
            (
                Endpoint("https://epoch.ai/data/gpu_clusters.csv"),
                Endpoint("https://epoch.ai/data/gpu_clusters.zip", "zip", member="gpu_clusters.csv"),
            ),
        ),
        Connector(
            "epoch_ml_hardware",
            "epoch/ml_hardware.csv",
            EPOCH,
            (
                Endpoint("https://epoch.ai/data/ml_hardware.csv"),
                Endpoint("https://epoch.ai/data/ml_hardware.zip", "zip", member="ml_hardware.csv"),
            ),
        ),
        Connector(
            "epoch_data_centers",
            "epoch/data_centers.csv",
            EPOCH,
            (
                Endpoint(f"{_EPOCH_DC}/data_centers.csv"),
                Endpoint(f"{_EPOCH_DC}/data_centers.zip", "zip", member="data_centers.csv"),
            ),
        ),
        Connector(
            "epoch_data_center_timelines",
            "epoch/data_center_timelines.csv",
            EPOCH,
            (
                Endpoint(f"{_EPOCH_DC}/data_center_timelines.csv"),
                Endpoint(f"{_EPOCH_DC}/data_centers.zip", "zip", member="data_center_timelines.csv"),
            ),
        ),
        Connector(
            "epoch_data_center_chip_quantities",
            "epoch/data_center_chip_quantities.csv",
            EPOCH,
            (Endpoint(f"{_EPOCH_DC}/data_centers.zip", "zip", member="data_center_chip_quantities.csv"),),
        ),
        Connector(
            "fractracker_facilities",
            "fractracker/us_datacenters.csv",
            "FracTracker Alliance",
            (
                Endpoint(
                    "https://docs.google.com/spreadsheets/d/e/2PACX-1vRZgBssB4WNmXOSNxewk5-X514gV-hfpouEVp9K-F5"
                    "ozlImxOWF-BlrfqAy-4YfeJCpl8l7IIAlxPFt/pub?output=csv",
                    expect="csv",
                ),
            ),
            note="the tracker's published Google Sheet (CSV export); its live header is unverified here: a header "
            "that differs from the shipped file's fails verification and names the columns",
        ),
        Connector(
            "eia_retail_sales_monthly",
            "eia/eia861m_sales_revenue.xlsx",
            "US Energy Information Administration",
            (Endpoint("https://www.eia.gov/electricity/data/eia861m/xls/sales_revenue.xlsx"),),
            api_key_env="EIA_API_KEY",
            api_endpoint=Endpoint(EIA_API_URL, "eia_api"),
            api_rel_path="eia/eia861m_api_monthly.csv",
        ),
        Connector(
            "ember_wholesale_prices",
            "ember/wholesale_prices_monthly.csv",
            "Ember",
            (
                Endpoint(
                    "https://files.ember-energy.org/public-downloads/price/outputs/"
                    "european_wholesale_electricity_price_data_monthly.csv"
                ),
                Endpoint(
                    "https://storage.googleapis.com/emb-prod-bkt-publicdata/public-downloads/price/outputs/"
                    "european_wholesale_electricity_price_data_monthly.csv"
                ),
            ),
        ),
        Connector(
            "skypilot_gpu_prices",
            "skypilot/gpu_cloud_prices.csv",
            "SkyPilot catalog (skypilot-org/skypilot-catalog)",
            (),
            note="the shipped file is a hand-selected composition of seven providers' catalog files (v8/v9, "
            "per-provider row subsets) that no rule reproduces",
        ),
        Connector(
            "lambda_gpu_prices",
            "skypilot/lambda_gpu_prices.csv",
            "SkyPilot catalog (skypilot-org/skypilot-catalog)",
            (Endpoint("skypilot-org/skypilot-catalog:catalogs/v7/lambda/vms.csv", "skypilot_lambda"),),
            note="composed from the catalog's latest commit of catalogs/v7/lambda/vms.csv: one row per instance "
            "type (identical across regions) with the number of regions listed",
        ),
    )
}
# Shipped only, no connector: eia_retail_prices (a 1990-2019 snapshot) and reference/*.csv (curated here).


# ---------------------------------------------------------------------------------------------
# Paths, settings, secrets


def landing_dir() -> Path:
    return resolve_path(os.environ.get("DCPULSE_LANDING_DIR", "data/landing"))


def inbox_dir() -> Path:
    return resolve_path(os.environ.get("DCPULSE_INBOX_DIR", "data/inbox"))


def mirror_url() -> str | None:
    value = os.environ.get("DCPULSE_MIRROR_URL", "").strip()
    return value.rstrip("/") or None


def _env_float(name: str, default: float) -> float:
    value = os.environ.get(name, "").strip()
    return float(value) if value else default


@dataclass(frozen=True)
class HttpSettings:
    """Retry and timeout knobs; ``from_env`` reads ``DCPULSE_HTTP_*`` (tests make the backoff fast)."""

    attempts: int = 4
    backoff_base: float = 1.0  # seconds before the 2nd attempt (then x2 each time, with jitter)
    backoff_max: float = 30.0
    retry_after_max: float = 120.0  # a longer Retry-After fails at once instead of stalling the run
    connect_timeout: float = 10.0
    read_timeout: float = 60.0  # longest silence while reading
    total_timeout: float = 900.0  # longest one attempt may take, however slowly bytes drip in
    max_bytes: int = 512 * 1024 * 1024

    @classmethod
    def from_env(cls) -> HttpSettings:
        d = cls()
        return cls(
            attempts=max(1, int(_env_float("DCPULSE_HTTP_ATTEMPTS", d.attempts))),
            backoff_base=_env_float("DCPULSE_HTTP_BACKOFF_BASE", d.backoff_base),
            backoff_max=_env_float("DCPULSE_HTTP_BACKOFF_MAX", d.backoff_max),
            retry_after_max=_env_float("DCPULSE_HTTP_RETRY_AFTER_MAX", d.retry_after_max),
            connect_timeout=_env_float("DCPULSE_HTTP_CONNECT_TIMEOUT", d.connect_timeout),
            read_timeout=_env_float("DCPULSE_HTTP_READ_TIMEOUT", d.read_timeout),
            total_timeout=_env_float("DCPULSE_HTTP_TOTAL_TIMEOUT", d.total_timeout),
            max_bytes=int(_env_float("DCPULSE_HTTP_MAX_BYTES", d.max_bytes)),
        )


_SECRET_PARAM = re.compile(r"((?:api_key|apikey|token|access_token)=)[^&\s'\"]+", re.IGNORECASE)


def redact(text: str) -> str:
    """``text`` with every secret of the environment and every key-like URL parameter masked."""
    for name in SECRET_ENV:
        secret = os.environ.get(name, "")
        if len(secret) >= 4:
            text = text.replace(secret, "***")
    return _SECRET_PARAM.sub(r"\1***", text)


class _RedactFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = redact(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


# httpx logs each request's URL at INFO: the EIA key is in the query string.
for _name in ("httpx", "httpcore", "dcpulse.fetch"):
    logging.getLogger(_name).addFilter(_RedactFilter())


class _Log(Protocol):
    def info(self, msg: str, *args: Any, **kwargs: Any) -> Any: ...
    def warning(self, msg: str, *args: Any, **kwargs: Any) -> Any: ...


# ---------------------------------------------------------------------------------------------
# Errors and landings


class FetchError(Exception):
    """A source could not be fetched or its body failed verification. ``str()`` is one line, secrets masked."""

    def __init__(self, table: str, url: str, message: str):
        self.table = table
        self.url = redact(url)
        self.message = redact(" ".join(message.split()))
        super().__init__(f"{table}: {self.message} [{self.url or 'no url'}]")


class _Problem(Exception):
    """One attempt or one endpoint failed (internal; becomes a FetchError)."""

    def __init__(self, message: str, *, retryable: bool = False, retry_after: float | None = None, status=None):
        super().__init__(message)
        self.url: str | None = None  # the URL actually asked for, when it is not the endpoint's own
        self.retryable = retryable
        self.retry_after = retry_after
        self.status = status
        self.unreachable = False  # the host could not be reached at all (DNS, refused, connect timeout)


@dataclass(frozen=True)
class Landed:
    """One landing: a directory holding the data file (when ok) and ``manifest.json``."""

    table: str
    directory: Path
    manifest: dict[str, Any]

    @property
    def ok(self) -> bool:
        return bool(self.manifest.get("ok"))

    @property
    def path(self) -> Path | None:
        name = self.manifest.get("file")
        return self.directory / name if self.ok and name else None

    @property
    def sha256(self) -> str | None:
        return self.manifest.get("sha256")

    @property
    def url(self) -> str:
        return self.manifest.get("url") or ""

    @property
    def error(self) -> str | None:
        return self.manifest.get("error")

    @property
    def origin(self) -> str:
        return self.manifest.get("origin") or "publisher"

    @property
    def fetched_at(self) -> datetime:
        return datetime.fromisoformat(self.manifest["fetched_at"].replace("Z", "+00:00"))


def _now() -> datetime:
    return datetime.now(UTC)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _land(
    table: str,
    file_name: str | None,
    body: bytes | None,
    manifest: dict[str, Any],
    fetched_at: datetime,
    source: Path | None = None,
) -> Landed:
    """Write one landing atomically: a hidden temp directory renamed into place, so readers never see half of it.
    ``source`` (a file to move in, e.g. from the inbox) instead of ``body``."""
    root = landing_dir() / table
    root.mkdir(parents=True, exist_ok=True)
    stamp = fetched_at.strftime("%Y%m%dT%H%M%S.%fZ")
    temp = Path(tempfile.mkdtemp(prefix=f".{stamp}.", suffix=".tmp", dir=root))
    try:
        if file_name is not None and body is not None:
            (temp / file_name).write_bytes(body)
        elif file_name is not None and source is not None:
            shutil.move(str(source), temp / file_name)
        text = json.dumps(manifest, indent=2, ensure_ascii=False, default=str)
        (temp / "manifest.json").write_text(redact(text) + "\n", encoding="utf-8")
        final, n = root / stamp, 1
        while True:
            try:
                temp.rename(final)
                break
            except OSError:
                if not final.exists():
                    raise
                final, n = root / f"{stamp}-{n}", n + 1
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise
    return Landed(table, final, json.loads((final / "manifest.json").read_text(encoding="utf-8")))


def landings(table: str) -> list[Landed]:
    """Every landing of ``table`` (ok or not), oldest first."""
    root = landing_dir() / table
    if not root.is_dir():
        return []
    out = []
    for directory in root.iterdir():
        manifest_path = directory / "manifest.json"
        if directory.name.startswith(".") or not manifest_path.is_file():
            continue
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
            landed = Landed(table, directory, manifest)
            landed.fetched_at  # noqa: B018 - a manifest without a valid time is not a landing
        except (OSError, ValueError, KeyError):
            continue
        out.append(landed)
    return sorted(out, key=lambda x: (x.fetched_at, x.directory.name))


def latest_landed(table: str) -> Landed | None:
    """The newest good landing of ``table`` (publisher, mirror or inbox) whose data file is there, else None."""
    for landed in reversed(landings(table)):
        path = landed.path
        if landed.ok and path is not None and path.is_file() and path.stat().st_size == landed.manifest.get("bytes"):
            return landed
    return None


def landed_for_run(table: str, run_id: str) -> Landed | None:
    """The newest landing of ``table`` made (or adopted) by run ``run_id``, ok or not; None if it made none."""
    for landed in reversed(landings(table)):
        if landed.manifest.get("run_id") == run_id:
            return landed
    return None


def adopt_landing(table: str, directory_name: str, run_id: str) -> Landed:
    """Record ``run_id`` on a landing that has none yet (an inbox drop, landed before its run existed)."""
    directory = landing_dir() / table / directory_name
    manifest_path = directory / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    if not manifest.get("run_id"):
        manifest["run_id"] = run_id
        temp = manifest_path.with_name(".manifest.json.tmp")
        temp.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        os.replace(temp, manifest_path)
    return Landed(table, directory, manifest)


# ---------------------------------------------------------------------------------------------
# HTTP


@dataclass
class _Response:
    url: str
    final_url: str
    status: int
    headers: dict[str, str]
    body: bytes
    attempts: int


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - _now()).total_seconds())


def _client(settings: HttpSettings) -> httpx.Client:
    import httpx

    timeout = httpx.Timeout(
        connect=settings.connect_timeout,
        read=settings.read_timeout,
        write=settings.read_timeout,
        pool=settings.connect_timeout,
    )
    return httpx.Client(timeout=timeout, follow_redirects=True, headers={"User-Agent": USER_AGENT})


def _attempt(client: httpx.Client, url: str, settings: HttpSettings, headers: dict[str, str]) -> _Response:
    """One GET. Raises _Problem (retryable for 429, 5xx, timeouts, connection errors and cut bodies)."""
    import httpx

    if url.startswith("file://"):
        path = Path(url[len("file://") :])
        try:
            body = path.read_bytes()
        except OSError as error:
            raise _Problem(f"cannot read {path}: {error.strerror or error}", status=404) from None
        return _Response(url, url, 200, {}, body, 1)
    started = time.monotonic()
    try:
        with client.stream("GET", url, headers=headers) as response:
            status = response.status_code
            if status == 429 or status >= 500:
                wait = _retry_after(response.headers.get("Retry-After"))
                if wait is not None and wait > settings.retry_after_max:
                    raise _Problem(
                        f"HTTP {status}, and the server asks to retry after {wait:.0f} s "
                        f"(over the {settings.retry_after_max:.0f} s this client waits)",
                        status=status,
                    )
                raise _Problem(
                    f"HTTP {status} {response.reason_phrase}", retryable=True, retry_after=wait, status=status
                )
            if status >= 300:
                raise _Problem(f"HTTP {status} {response.reason_phrase}", status=status)
            chunks, size = [], 0
            for chunk in response.iter_raw() if not response.headers.get("content-encoding") else response.iter_bytes():
                chunks.append(chunk)
                size += len(chunk)
                if size > settings.max_bytes:
                    raise _Problem(f"body larger than {settings.max_bytes} bytes (DCPULSE_HTTP_MAX_BYTES)")
                if time.monotonic() - started > settings.total_timeout:
                    raise _Problem(
                        f"download took longer than {settings.total_timeout:.0f} s", retryable=True, status=status
                    )
            body = b"".join(chunks)
            declared = response.headers.get("content-length")
            encoded = response.headers.get("content-encoding")
            if declared and declared.isdigit() and not encoded and len(body) != int(declared):
                raise _Problem(
                    f"truncated body: {len(body)} of the {declared} bytes its Content-Length declares",
                    retryable=True,
                    status=status,
                )
            return _Response(url, str(response.url), status, dict(response.headers), body, 1)
    except httpx.TimeoutException as error:
        phase = "connecting" if isinstance(error, httpx.ConnectTimeout) else "waiting for data"
        limit = settings.connect_timeout if isinstance(error, httpx.ConnectTimeout) else settings.read_timeout
        problem = _Problem(f"timed out {phase} (after {limit:g} s)", retryable=True)
        problem.unreachable = isinstance(error, httpx.ConnectTimeout)
        raise problem from None
    except httpx.RemoteProtocolError as error:
        text = str(error)
        if "incomplete" in text or "without sending complete message body" in text:
            raise _Problem(f"truncated body: the connection closed early ({text})", retryable=True) from None
        raise _Problem(f"protocol error: {text}", retryable=True) from None
    except httpx.TransportError as error:
        problem = _Problem(f"connection failed: {type(error).__name__}: {error}", retryable=True)
        problem.unreachable = isinstance(error, httpx.ConnectError)
        raise problem from None


def _get(
    client: httpx.Client,
    url: str,
    settings: HttpSettings,
    table: str,
    logger: _Log,
    headers: dict[str, str] | None = None,
) -> _Response:
    """GET with retries (tenacity): exponential backoff with jitter, Retry-After honoured on 429/503."""
    import tenacity

    def wait(state: tenacity.RetryCallState) -> float:
        backoff = min(settings.backoff_max, settings.backoff_base * 2 ** (state.attempt_number - 1))
        jittered = random.uniform(backoff / 2, backoff)  # "equal jitter": spread, never ~0
        problem = state.outcome.exception() if state.outcome else None
        after = getattr(problem, "retry_after", None)
        return max(jittered, after) if after is not None else jittered

    def before_sleep(state: tenacity.RetryCallState) -> None:
        problem = state.outcome.exception() if state.outcome else None
        seconds = state.next_action.sleep if state.next_action else 0.0
        logger.info(
            redact(
                f"{table}: {problem} from {url}; attempt {state.attempt_number}/{settings.attempts}, "
                f"retrying in {seconds:.2f} s"
            )
        )

    retrying = tenacity.Retrying(
        stop=tenacity.stop_after_attempt(settings.attempts),
        wait=wait,
        retry=tenacity.retry_if_exception(lambda e: isinstance(e, _Problem) and e.retryable),
        before_sleep=before_sleep,
        reraise=True,
    )
    attempts = 0
    try:
        for attempt in retrying:
            with attempt:
                attempts += 1
                response = _attempt(client, url, settings, headers or {})
    except _Problem as problem:
        if problem.retryable and attempts > 1:
            unreachable = problem.unreachable
            problem = _Problem(f"{problem} (gave up after {attempts} attempts)", status=problem.status)
            problem.unreachable = unreachable
        problem.url = redact(url)
        raise problem from None
    response.attempts = attempts
    return response


# ---------------------------------------------------------------------------------------------
# Verification


_HTML_START = re.compile(rb"^\s*(<!doctype\s+html|<html|<head|<body|<\?xml[^>]*>\s*<html)", re.IGNORECASE)
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)


def _check_not_html(body: bytes, expect: str, content_type: str = "") -> None:
    head = body[:2048].lstrip(b"\xef\xbb\xbf")
    if _HTML_START.match(head) or (b"<html" in head.lower() and "html" in content_type.lower()):
        title = _TITLE.search(body[:65536])
        name = title.group(1).decode("utf-8", "replace").strip()[:80] if title else ""
        where = f" (Content-Type {content_type})" if content_type else ""
        raise _Problem(f"an HTML page{where} where {expect.upper()} was expected" + (f": {name!r}" if name else ""))


def _required_columns(spec: SourceSpec) -> list:
    return [c for c in spec.columns if not c.optional]


def check_csv(body: bytes, spec: SourceSpec) -> int:
    """The CSV's header holds every column ``spec`` cannot do without (under any of its names) and at least one
    record follows. Returns the number of physical data lines. Raises _Problem naming a missing or renamed column."""
    text = body.decode("utf-8-sig", errors="replace")
    lines = text.splitlines()
    index, header = 0, None
    for index, line in enumerate(lines):
        if index < spec.skip_lines or not line.strip():
            continue
        try:
            header = [h.strip() for h in next(csv.reader([line]))]
        except (csv.Error, StopIteration):
            header = [line.strip()]
        break
    if header is None:
        raise _Problem("no header and no rows (empty result)")
    present = set(header)
    lowered = {h.lower() for h in header}
    missing = [c for c in _required_columns(spec) if not any(n in present or n.lower() in lowered for n in c.source)]
    if missing:
        known = {n for c in spec.columns for n in c.source} | set(spec.ignored)
        known_lower = {n.lower() for n in known}
        unexpected = [h for h in header if h and h not in known and h.lower() not in known_lower]
        names = ", ".join(repr(c.source[0]) for c in missing)
        hint = (
            f"; the header has unexpected column(s) {', '.join(map(repr, unexpected[:8]))} (renamed?)"
            if unexpected
            else ""
        )
        raise _Problem(f"required column(s) {names} missing from the header (schema drift){hint}")
    rows = sum(1 for line in lines[index + 1 :] if line.strip())
    if rows == 0:
        raise _Problem("header only, no data rows (empty result)")
    return rows


def _check_xlsx(body: bytes, spec: SourceSpec) -> int:
    try:
        archive = zipfile.ZipFile(io.BytesIO(body))
        names = set(archive.namelist())
    except zipfile.BadZipFile:
        raise _Problem("not an .xlsx workbook (not a zip archive)") from None
    if "xl/workbook.xml" not in names:
        raise _Problem("not an .xlsx workbook (no xl/workbook.xml in the archive)")
    if spec.convert is None:
        return 0
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "workbook.xlsx"
        path.write_bytes(body)
        try:
            converted = spec.convert(path)
        except Exception as error:  # the publisher's layout changed: say how
            raise _Problem(f"the workbook cannot be read as {spec.table}: {type(error).__name__}: {error}") from None
    return check_csv(converted, spec)


def verify(body: bytes, expect: str, spec: SourceSpec, content_type: str = "") -> int:
    """Check a body before it lands: not empty, not an HTML page, and the format's own checks."""
    if not body:
        raise _Problem("empty body (0 bytes)")
    _check_not_html(body, expect, content_type)
    if expect == "csv":
        return check_csv(body, spec)
    if expect == "xlsx":
        return _check_xlsx(body, spec)
    return 0


def _expect_of(name: str) -> Expect:
    suffix = Path(name).suffix.lower()
    return "xlsx" if suffix in (".xlsx", ".xlsm") else "json" if suffix == ".json" else "csv"


def _zip_member(body: bytes, member: str) -> tuple[str, bytes]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(body))
    except zipfile.BadZipFile:
        raise _Problem("not a zip archive") from None
    names = [n for n in archive.namelist() if not n.endswith("/")]
    match = next((n for n in names if n == member), None) or next(
        (n for n in names if n.rsplit("/", 1)[-1] == member and "__MACOSX" not in n), None
    )
    if match is None:
        listing = ", ".join(names[:10]) + (", ..." if len(names) > 10 else "")
        raise _Problem(f"the zip holds no member {member!r} (members: {listing or 'none'})")
    try:
        return match, archive.read(match)
    except (zipfile.BadZipFile, OSError, RuntimeError) as error:
        raise _Problem(f"zip member {match!r} cannot be read: {error}") from None


# ---------------------------------------------------------------------------------------------
# Kinds


@dataclass
class _Fetched:
    file_name: str
    body: bytes
    url: str
    final_url: str
    status: int
    attempts: int
    extra: dict[str, Any] = field(default_factory=dict)


def _headers_facts(response: _Response) -> dict[str, Any]:
    h = {k.lower(): v for k, v in response.headers.items()}
    return {k: h[k] for k in ("content-type", "etag", "last-modified") if k in h}


def _fetch_file(ctx: _Context, endpoint: Endpoint, file_name: str) -> _Fetched:
    response = _get(ctx.client, endpoint.url, ctx.settings, ctx.table, ctx.logger)
    expect = endpoint.expect or _expect_of(file_name)
    content_type = response.headers.get("content-type", "")
    extra: dict[str, Any] = {"http": _headers_facts(response)}
    if endpoint.kind == "zip":
        _check_not_html(response.body, "zip", content_type)
        if not response.body:
            raise _Problem("empty body (0 bytes)")
        member, data = _zip_member(response.body, endpoint.member or file_name)
        extra.update(
            archive_sha256=hashlib.sha256(response.body).hexdigest(), archive_bytes=len(response.body), member=member
        )
        body = data
        content_type = ""
    else:
        body = response.body
    extra["data_lines"] = verify(body, expect, ctx.spec, content_type)
    return _Fetched(file_name, body, endpoint.url, response.final_url, response.status, response.attempts, extra)


EIA_SECTORS = ("RES", "COM", "IND", "TRA", "OTH", "ALL")
EIA_COLUMNS = ("year", "month", "state", "sector", "price_cents_kwh", "revenue_musd", "sales_mwh", "customers")
# EIA's unit labels -> factor to the landed unit (sales in MWh, revenue in million USD, price in cents/kWh).
_SALES_FACTOR = {"million kilowatt hours": 1000, "million kilowatthours": 1000, "thousand megawatthours": 1000,
                 "megawatthours": 1, "megawatt hours": 1, "gigawatt hours": 1000, "gigawatthours": 1000}  # fmt: skip
_REVENUE_FACTOR = {"million dollars": 1, "thousand dollars": Decimal("0.001"), "dollars": Decimal("0.000001")}
_PRICE_FACTOR = {"cents per kilowatt-hour": 1, "cents per kilowatthour": 1}


def _scaled(value: Any, factor: Any, what: str) -> str:
    if value is None or (isinstance(value, str) and value.strip() in ("", "--", "NA", "W", "NM")):
        return ""
    try:
        number = Decimal(str(value).strip()) * Decimal(factor)
    except InvalidOperation:
        raise _Problem(f"API value {value!r} of {what} is not a number") from None
    text = format(number, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _eia_url(base: str, key: str, offset: int, length: int) -> str:
    params = [
        ("api_key", key),
        ("frequency", "monthly"),
        ("data[0]", "price"),
        ("data[1]", "revenue"),
        ("data[2]", "sales"),
        ("data[3]", "customers"),
        ("sort[0][column]", "period"),
        ("sort[0][direction]", "asc"),
        ("sort[1][column]", "stateid"),  # ties broken so that pages never overlap or skip rows
        ("sort[1][direction]", "asc"),
        ("sort[2][column]", "sectorid"),
        ("sort[2][direction]", "asc"),
        ("offset", str(offset)),
        ("length", str(length)),
    ]
    return f"{base}?{urlencode(params, safe='[]')}"


def _fetch_eia_api(ctx: _Context, endpoint: Endpoint, file_name: str) -> _Fetched:
    """EIA API v2 retail sales, monthly, every state and sector, paged by offset/length -> the long CSV."""
    base = os.environ.get("DCPULSE_EIA_API_URL", "").strip() or endpoint.url
    try:
        return _eia_pages(ctx, base, file_name)
    except _Problem as problem:
        problem.url = problem.url or redact(base)
        raise


def _eia_pages(ctx: _Context, base: str, file_name: str) -> _Fetched:
    key = os.environ.get(ctx.connector.api_key_env or "EIA_API_KEY", "")
    length = int(_env_float("DCPULSE_EIA_PAGE_LENGTH", 5000))
    offset, total, rows, pages, attempts = 0, None, [], [], 0
    first_url = final_url = _eia_url(base, key, 0, length)
    status = 0
    while total is None or offset < total:
        url = _eia_url(base, key, offset, length)
        response = _get(ctx.client, url, ctx.settings, ctx.table, ctx.logger)
        final_url, status, attempts = response.final_url, response.status, attempts + response.attempts
        _check_not_html(response.body, "json", response.headers.get("content-type", ""))
        try:
            document = json.loads(response.body)
        except ValueError:
            raise _Problem(f"the API answer at offset {offset} is not JSON ({len(response.body)} bytes)") from None
        inner = document.get("response") if isinstance(document, dict) else None
        if not isinstance(inner, dict) or not isinstance(inner.get("data"), list):
            detail = document.get("error") if isinstance(document, dict) else None
            raise _Problem(
                f"the API answer at offset {offset} has no response.data" + (f": {detail}" if detail else "")
            )
        try:
            page_total = int(inner.get("total"))
        except (TypeError, ValueError):
            raise _Problem(f"the API answer at offset {offset} has no valid response.total") from None
        if total is None:
            total = page_total
            if total == 0:
                raise _Problem("the API returned no rows (response.total is 0: empty result)")
        elif page_total != total:
            raise _Problem(f"response.total changed between pages ({total} -> {page_total}): data updated mid-fetch")
        data = inner["data"]
        pages.append({"offset": offset, "rows": len(data), "status": response.status})
        if not data:
            raise _Problem(f"the API page at offset {offset} is empty, short of response.total {total}")
        rows.extend(data)
        offset += len(data)
        if len(pages) > total // max(1, length) + 5:
            raise _Problem(f"pagination did not end after {len(pages)} pages (total {total})")
    if len(rows) != total:
        raise _Problem(f"got {len(rows)} rows, response.total says {total}")
    out, skipped, units = [], 0, set()
    for row in rows:
        state, sector = str(row.get("stateid") or ""), str(row.get("sectorid") or "")
        if not re.fullmatch(r"[A-Z]{2}", state):
            skipped += 1  # census divisions and regions (NEW, PACC, ...): not a state
            continue
        period = str(row.get("period") or "")
        match = re.fullmatch(r"(\d{4})-(\d{2})", period)
        if not match:
            raise _Problem(f"API period {period!r} is not YYYY-MM (frequency=monthly)")
        factors = []
        for name, table_ in (("sales", _SALES_FACTOR), ("revenue", _REVENUE_FACTOR), ("price", _PRICE_FACTOR)):
            unit = str(row.get(f"{name}-units") or "").strip().lower()
            if unit and unit not in table_:
                raise _Problem(f"API unit {unit!r} of {name} is not one this connector converts")
            units.add(f"{name}: {unit or 'unlabelled'}")
            factors.append(table_.get(unit, 1))
        sales_f, revenue_f, price_f = factors
        out.append(
            (
                int(match[1]),
                int(match[2]),
                state,
                sector,
                _scaled(row.get("price"), price_f, "price"),
                _scaled(row.get("revenue"), revenue_f, "revenue"),
                _scaled(row.get("sales"), sales_f, "sales"),
                _scaled(row.get("customers"), 1, "customers"),
            )
        )
    if not out:
        raise _Problem(f"none of the API's {total} rows is a state (empty result)")
    order = {s: i for i, s in enumerate(EIA_SECTORS)}
    out.sort(key=lambda r: (r[0], r[1], r[2], order.get(r[3], 99), r[3]))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(EIA_COLUMNS)
    writer.writerows(out)
    body = buffer.getvalue().encode("utf-8")
    extra = {
        "api_total": total,
        "api_pages": pages,
        "rows_written": len(out),
        "rows_skipped_not_a_state": skipped,
        "units": sorted(units),
        "data_lines": check_csv(body, ctx.spec),
    }
    return _Fetched(file_name, body, first_url, final_url, status, attempts, extra)


LAMBDA_COLUMNS = (
    "provider",
    "InstanceType",
    "AcceleratorName",
    "AcceleratorCount",
    "vCPUs",
    "MemoryGiB",
    "Price_usd_per_hour",
    "Price_usd_per_gpu_hour",
    "n_regions_listed",
    "source_repo",
    "source_path",
    "source_commit",
)
_CATALOG_SAME = ("AcceleratorName", "AcceleratorCount", "vCPUs", "MemoryGiB", "Price")


def compose_lambda(catalog: bytes, repo: str, path: str, commit: str) -> bytes:
    """SkyPilot's Lambda ``vms.csv`` (one row per instance type and region) -> ``lambda_gpu_prices.csv``: one row per
    instance type in catalog order, with the number of regions listing it. An instance whose specs or price differ
    between regions cannot be one row: that is an error, never a silent pick."""
    reader = csv.DictReader(io.StringIO(catalog.decode("utf-8-sig")))
    need = {"InstanceType", "Region", *_CATALOG_SAME}
    missing = sorted(need - set(reader.fieldnames or []))
    if missing:
        raise _Problem(f"the catalog lacks column(s) {', '.join(missing)} (header: {reader.fieldnames})")
    groups: dict[str, list[dict[str, str]]] = {}
    for row in reader:
        groups.setdefault(row["InstanceType"], []).append(row)
    if not groups:
        raise _Problem("the catalog has no rows (empty result)")
    buffer = io.StringIO()
    writer = csv.writer(buffer)  # \r\n line ends, as the shipped file
    writer.writerow(LAMBDA_COLUMNS)
    for instance, rows in groups.items():
        first = rows[0]
        for other in rows[1:]:
            diff = [c for c in _CATALOG_SAME if other[c] != first[c]]
            if diff:
                raise _Problem(
                    f"instance {instance!r} differs between regions {first['Region']} and {other['Region']} in "
                    f"{', '.join(diff)}: one row per instance type cannot hold it"
                )
        count, price = first["AcceleratorCount"], first["Price"]
        try:
            per_gpu = repr(round(float(price) / float(count), 6)) if count and float(count) > 0 and price else ""
        except ValueError:
            raise _Problem(f"instance {instance!r}: price {price!r} or count {count!r} is not a number") from None
        writer.writerow(
            [
                "Lambda",
                instance,
                first["AcceleratorName"],
                count,
                first["vCPUs"],
                first["MemoryGiB"],
                price,
                per_gpu,
                len({r["Region"] for r in rows}),
                repo,
                path,
                commit,
            ]
        )
    return buffer.getvalue().encode("utf-8")


def _fetch_skypilot_lambda(ctx: _Context, endpoint: Endpoint, file_name: str) -> _Fetched:
    repo, _, path = endpoint.url.partition(":")
    api = os.environ.get("DCPULSE_GITHUB_API_URL", "").strip().rstrip("/") or GITHUB_API_URL
    raw = os.environ.get("DCPULSE_GITHUB_RAW_URL", "").strip().rstrip("/") or GITHUB_RAW_URL
    headers = {"Accept": "application/vnd.github+json"}
    if os.environ.get("GITHUB_TOKEN"):
        headers["Authorization"] = f"Bearer {os.environ['GITHUB_TOKEN']}"
    commits_url = f"{api}/repos/{repo}/commits?{urlencode({'path': path, 'per_page': '1'})}"
    response = _get(ctx.client, commits_url, ctx.settings, ctx.table, ctx.logger, headers)
    _check_not_html(response.body, "json", response.headers.get("content-type", ""))
    try:
        commits = json.loads(response.body)
        commit = commits[0]["sha"]
    except (ValueError, LookupError, TypeError):
        raise _Problem(f"no commit of {path} found in {repo} (GitHub API answer not a commit list)") from None
    if not re.fullmatch(r"[0-9a-f]{40}", str(commit)):
        raise _Problem(f"GitHub API gave {commit!r}, not a commit sha")
    catalog_url = f"{raw}/{repo}/{commit}/{quote(path)}"
    catalog = _get(ctx.client, catalog_url, ctx.settings, ctx.table, ctx.logger)
    verify_body = catalog.body
    if not verify_body:
        raise _Problem("empty body (0 bytes)")
    _check_not_html(verify_body, "csv", catalog.headers.get("content-type", ""))
    body = compose_lambda(verify_body, repo, path, commit)
    extra = {
        "source_commit": commit,
        "catalog_url": catalog_url,
        "catalog_sha256": hashlib.sha256(verify_body).hexdigest(),
        "data_lines": check_csv(body, ctx.spec),
    }
    attempts = response.attempts + catalog.attempts
    return _Fetched(file_name, body, commits_url, catalog.final_url, catalog.status, attempts, extra)


@dataclass
class _Context:
    table: str
    connector: Connector
    spec: SourceSpec
    client: httpx.Client
    settings: HttpSettings
    logger: _Log


_KINDS: dict[str, Callable[[_Context, Endpoint, str], _Fetched]] = {
    "file": _fetch_file,
    "zip": _fetch_file,
    "eia_api": _fetch_eia_api,
    "skypilot_lambda": _fetch_skypilot_lambda,
}


def plan(connector: Connector) -> list[tuple[Endpoint, str, Origin]]:
    """What ``fetch_source`` will try, in order: (endpoint, relative path it lands as, origin)."""
    base = mirror_url()
    if base:
        return [(Endpoint(f"{base}/{quote(connector.rel_path)}"), connector.rel_path, "mirror")]
    steps: list[tuple[Endpoint, str, Origin]] = []
    if connector.api_endpoint and connector.api_key_env and os.environ.get(connector.api_key_env):
        steps.append((connector.api_endpoint, connector.api_rel_path or connector.rel_path, "publisher"))
    steps += [(e, connector.rel_path, "publisher") for e in connector.endpoints]
    return steps


def _host(endpoint: Endpoint) -> str | None:
    import httpx

    return httpx.URL(endpoint.url).host or None if "://" in endpoint.url else None


def _display_url(endpoint: Endpoint) -> str:
    return endpoint.url if "://" in endpoint.url else f"github:{endpoint.url}"


def fetch_source(table: str, run_id: str | None = None, logger: _Log | None = None) -> Landed:
    """Fetch ``table`` from its publisher (or the mirror), verify it, land it. Raises FetchError (after writing a
    failed manifest) when every endpoint failed."""
    logger = logger or log
    fetched_at = _now()
    connector = CONNECTORS.get(table)
    if connector is None:
        raise FetchError(table, "", "no connector: this source is shipped only (data/sources)")
    spec = SOURCE_FILES[table][0]
    settings = HttpSettings.from_env()
    steps = plan(connector)
    base_manifest: dict[str, Any] = {
        "table": table,
        "source_file": connector.rel_path,
        "publisher": connector.publisher,
        "run_id": run_id,
        "fetched_at": _iso(fetched_at),
    }
    if os.environ.get("DCPULSE_OFFLINE", "").strip() not in ("", "0") and not all(
        e.url.startswith("file://") for e, _, _ in steps
    ):
        message = "offline (DCPULSE_OFFLINE is set): not fetched; ingest keeps the last good file"
        _land(table, None, None, {**base_manifest, "url": "", "ok": False, "error": message}, fetched_at)
        raise FetchError(table, "", message)
    if not steps:
        message = (
            f"no live publisher URL ({connector.note or 'none known'}); set DCPULSE_MIRROR_URL or drop a file "
            f"in {inbox_dir() / table}"
        )
        _land(table, None, None, {**base_manifest, "url": "", "ok": False, "error": message}, fetched_at)
        raise FetchError(table, "", message)
    problems: list[tuple[str, str, int | None]] = []
    unreachable: set[str] = set()
    with _client(settings) as client:
        ctx = _Context(table, connector, spec, client, settings, logger)
        for endpoint, rel_path, origin in steps:
            url = _display_url(endpoint)
            host = _host(endpoint)
            if host in unreachable:  # no second round of retries against a host that did not answer at all
                problems.append((url, f"skipped: {host} could not be reached above", None))
                continue
            try:
                got = _KINDS[endpoint.kind](ctx, endpoint, Path(rel_path).name)
            except _Problem as problem:
                if problem.url and endpoint.kind in ("eia_api", "skypilot_lambda"):
                    url = problem.url  # the page or commit request that failed, not the API's base
                if problem.unreachable and host:
                    unreachable.add(host)
                problems.append((url, str(problem), problem.status))
                if len(steps) > 1:
                    logger.warning(redact(f"{table}: {problem} [{url}]"))
                continue
            manifest = {
                **base_manifest,
                "url": got.url if "://" in got.url else url,
                "final_url": got.final_url,
                "status": got.status,
                "origin": origin,
                "kind": endpoint.kind if origin != "mirror" else "file",
                "file": got.file_name,
                "landed_as": rel_path,
                "sha256": hashlib.sha256(got.body).hexdigest(),
                "bytes": len(got.body),
                "attempts": got.attempts,
                "ok": True,
                "error": None,
                **got.extra,
            }
            previous = latest_landed(table)
            manifest["changed"] = previous is None or previous.sha256 != manifest["sha256"]  # ingest may skip if not
            manifest["previous_landing"] = previous.directory.name if previous else None
            if problems:
                manifest["earlier_failures"] = [{"url": u, "error": e} for u, e, _ in problems]
            landed = _land(table, got.file_name, got.body, manifest, fetched_at)
            logger.info(
                redact(f"{table}: landed {landed.path} ({len(got.body)} bytes, sha256 {manifest['sha256'][:12]})")
            )
            return landed
    if len(problems) == 1:
        url, message, status = problems[0]
    else:
        url, status = problems[-1][0], problems[-1][2]
        message = "; ".join(f"{u}: {e}" for u, e, _ in problems)
        message = f"all {len(problems)} URLs failed: {message}"
    failed = {
        **base_manifest,
        "url": problems[0][0],
        "final_url": None,
        "status": status,
        "ok": False,
        "error": message,
    }
    failed["attempted"] = [{"url": u, "error": e, "status": s} for u, e, s in problems]
    _land(table, None, None, failed, fetched_at)
    raise FetchError(table, url if len(problems) == 1 else problems[0][0], message)


def land_inbox_file(table: str, path: Path, run_id: str | None = None) -> Landed:
    """Verify a file an analyst dropped in ``<inbox>/<table>/`` and move it into landing (url ``inbox:<name>``).
    Raises FetchError after writing a failed manifest; the file is then left where it is for the caller."""
    fetched_at = _now()
    spec = SOURCE_FILES[table][0]
    url = f"inbox:{path.name}"
    manifest: dict[str, Any] = {
        "table": table,
        "source_file": SOURCE_FILES[table][1],
        "publisher": CONNECTORS[table].publisher if table in CONNECTORS else None,
        "run_id": run_id,
        "fetched_at": _iso(fetched_at),
        "url": url,
        "final_url": url,
        "status": None,
        "origin": "inbox",
        "kind": "file",
    }
    body = path.read_bytes()
    try:
        lines = verify(body, _expect_of(path.name), spec)
    except _Problem as problem:
        _land(table, None, None, {**manifest, "ok": False, "error": str(problem)}, fetched_at)
        raise FetchError(table, url, str(problem)) from None
    manifest.update(
        file=path.name,
        landed_as=f"{Path(SOURCE_FILES[table][1]).parent}/{path.name}",
        sha256=hashlib.sha256(body).hexdigest(),
        bytes=len(body),
        attempts=1,
        ok=True,
        error=None,
        data_lines=lines,
    )
    return _land(table, path.name, None, manifest, fetched_at, source=path)


def fetch_all(tables: list[str] | None = None, run_id: str | None = None) -> dict[str, Landed | FetchError]:
    """Fetch each source on its own: one failing never stops the others."""
    out: dict[str, Landed | FetchError] = {}
    for table in tables or list(CONNECTORS):
        try:
            out[table] = fetch_source(table, run_id=run_id)
        except FetchError as error:
            out[table] = error
    return out


def _main(argv: list[str]) -> int:
    """``python -m orchestration.lib.fetch [--strict] [TABLE ...]``: fetch and land (all connectors by default)."""
    strict = "--strict" in argv
    tables = [a for a in argv if not a.startswith("--")]
    unknown = [t for t in tables if t not in CONNECTORS]
    if unknown:
        print(f"no connector for: {', '.join(unknown)} (connectors: {', '.join(CONNECTORS)})", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    results = fetch_all(tables or None)
    failed = 0
    for table, result in results.items():
        if isinstance(result, FetchError):
            failed += 1
            print(f"FAILED  {result}")
        else:
            print(f"ok      {table}: {result.path} ({result.manifest['bytes']} bytes, {result.origin})")
    print(f"{len(results) - failed} landed, {failed} failed; landing: {landing_dir()}")
    return 1 if strict and failed else 0


def iter_inbox(table: str) -> Iterator[Path]:
    """Files waiting in ``<inbox>/<table>/`` (hidden and partial downloads skipped)."""
    folder = inbox_dir() / table
    if not folder.is_dir():
        return
    for path in sorted(folder.iterdir()):
        if (
            path.is_file()
            and not path.name.startswith(".")
            and not path.name.endswith((".part", ".tmp", ".crdownload"))
        ):
            yield path


if __name__ == "__main__":
    raise SystemExit(_main(sys.argv[1:]))
