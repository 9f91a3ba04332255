"""How each kind of endpoint is fetched: a file or a zip member, the EIA API v2's pages turned into the long CSV,
and SkyPilot's Lambda catalog composed into one row per instance type. Each returns the body to land (verified)."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

from orchestration.defs.connectors.errors import Problem
from orchestration.defs.connectors.http_client import Response, get_with_retries
from orchestration.defs.connectors.registry import Connector, Endpoint
from orchestration.defs.connectors.settings import HttpSettings, Log, env_float, redact
from orchestration.defs.connectors.verification import check_csv, check_not_html, expect_of, verify, zip_member
from transforms.sources import SourceSpec

if TYPE_CHECKING:
    import httpx

GITHUB_API_URL = "https://api.github.com"
GITHUB_RAW_URL = "https://raw.githubusercontent.com"


@dataclass
class Fetched:
    file_name: str
    body: bytes
    url: str
    final_url: str
    status: int
    attempts: int
    extra: dict[str, Any] = field(default_factory=dict)


def _headers_facts(response: Response) -> dict[str, Any]:
    h = {k.lower(): v for k, v in response.headers.items()}
    return {k: h[k] for k in ("content-type", "etag", "last-modified") if k in h}


def _fetch_file(ctx: Context, endpoint: Endpoint, file_name: str) -> Fetched:
    response = get_with_retries(ctx.client, endpoint.url, ctx.settings, ctx.table, ctx.logger)
    expect = endpoint.expect or expect_of(file_name)
    content_type = response.headers.get("content-type", "")
    extra: dict[str, Any] = {"http": _headers_facts(response)}
    if endpoint.kind == "zip":
        check_not_html(response.body, "zip", content_type)
        if not response.body:
            raise Problem("empty body (0 bytes)")
        member, data = zip_member(response.body, endpoint.member or file_name)
        extra.update(
            archive_sha256=hashlib.sha256(response.body).hexdigest(), archive_bytes=len(response.body), member=member
        )
        body = data
        content_type = ""
    else:
        body = response.body
    extra["data_lines"] = verify(body, expect, ctx.spec, content_type)
    return Fetched(file_name, body, endpoint.url, response.final_url, response.status, response.attempts, extra)


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
        raise Problem(f"API value {value!r} of {what} is not a number") from None
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


def _fetch_eia_api(ctx: Context, endpoint: Endpoint, file_name: str) -> Fetched:
    """EIA API v2 retail sales, monthly, every state and sector, paged by offset/length -> the long CSV."""
    base = os.environ.get("DCPULSE_EIA_API_URL", "").strip() or endpoint.url
    try:
        return _eia_pages(ctx, base, file_name)
    except Problem as problem:
        problem.url = problem.url or redact(base)
        raise


@dataclass
class _EiaAnswer:
    """Every page of one API answer: the rows, the total the API gave, and how they were fetched."""

    rows: list[dict[str, Any]]
    total: int
    pages: list[dict[str, Any]]
    first_url: str
    final_url: str
    status: int
    attempts: int


def _eia_pages(ctx: Context, base: str, file_name: str) -> Fetched:
    """The API's answer, page by page, as the long CSV: one row per month, state and sector."""
    answer = _read_eia_pages(ctx, base)
    out, skipped, units = _eia_state_rows(answer.rows, answer.total)
    body = _eia_csv(out)
    extra = {
        "api_total": answer.total,
        "api_pages": answer.pages,
        "rows_written": len(out),
        "rows_skipped_not_a_state": skipped,
        "units": sorted(units),
        "data_lines": check_csv(body, ctx.spec),
    }
    return Fetched(file_name, body, answer.first_url, answer.final_url, answer.status, answer.attempts, extra)


def _read_eia_pages(ctx: Context, base: str) -> _EiaAnswer:
    """Page through the answer by offset/length until response.total rows are in; the total must hold still."""
    key = os.environ.get(ctx.connector.api_key_env or "EIA_API_KEY", "")
    length = int(env_float("DCPULSE_EIA_PAGE_LENGTH", 5000))
    first_url = _eia_url(base, key, 0, length)
    answer = _EiaAnswer([], 0, [], first_url, first_url, 0, 0)
    offset, total = 0, None
    while total is None or offset < total:
        url = _eia_url(base, key, offset, length)
        response = get_with_retries(ctx.client, url, ctx.settings, ctx.table, ctx.logger)
        answer.final_url, answer.status = response.final_url, response.status
        answer.attempts += response.attempts
        data, page_total = _eia_page(response, offset)
        if total is None:
            total = page_total
            if total == 0:
                raise Problem("the API returned no rows (response.total is 0: empty result)")
        elif page_total != total:
            raise Problem(f"response.total changed between pages ({total} -> {page_total}): data updated mid-fetch")
        answer.pages.append({"offset": offset, "rows": len(data), "status": response.status})
        if not data:
            raise Problem(f"the API page at offset {offset} is empty, short of response.total {total}")
        answer.rows.extend(data)
        offset += len(data)
        if len(answer.pages) > total // max(1, length) + 5:
            raise Problem(f"pagination did not end after {len(answer.pages)} pages (total {total})")
    if len(answer.rows) != total:
        raise Problem(f"got {len(answer.rows)} rows, response.total says {total}")
    answer.total = total
    return answer


def _eia_page(response: Response, offset: int) -> tuple[list[dict[str, Any]], int]:
    """One page's rows (``response.data``) and the total it announces (``response.total``)."""
    check_not_html(response.body, "json", response.headers.get("content-type", ""))
    try:
        document = json.loads(response.body)
    except ValueError:
        raise Problem(f"the API answer at offset {offset} is not JSON ({len(response.body)} bytes)") from None
    inner = document.get("response") if isinstance(document, dict) else None
    if not isinstance(inner, dict) or not isinstance(inner.get("data"), list):
        detail = document.get("error") if isinstance(document, dict) else None
        raise Problem(f"the API answer at offset {offset} has no response.data" + (f": {detail}" if detail else ""))
    try:
        page_total = int(inner.get("total"))
    except (TypeError, ValueError):
        raise Problem(f"the API answer at offset {offset} has no valid response.total") from None
    return inner["data"], page_total


def _eia_state_rows(rows: list[dict[str, Any]], total: int) -> tuple[list[tuple[Any, ...]], int, set[str]]:
    """The rows of states (census divisions and regions skipped) in the landed units, sorted by month, state and
    sector; with the number skipped and the unit labels seen."""
    out, skipped, units = [], 0, set()
    for row in rows:
        state, sector = str(row.get("stateid") or ""), str(row.get("sectorid") or "")
        if not re.fullmatch(r"[A-Z]{2}", state):
            skipped += 1  # census divisions and regions (NEW, PACC, ...): not a state
            continue
        period = str(row.get("period") or "")
        match = re.fullmatch(r"(\d{4})-(\d{2})", period)
        if not match:
            raise Problem(f"API period {period!r} is not YYYY-MM (frequency=monthly)")
        factors = []
        for name, table_ in (("sales", _SALES_FACTOR), ("revenue", _REVENUE_FACTOR), ("price", _PRICE_FACTOR)):
            unit = str(row.get(f"{name}-units") or "").strip().lower()
            if unit and unit not in table_:
                raise Problem(f"API unit {unit!r} of {name} is not one this connector converts")
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
        raise Problem(f"none of the API's {total} rows is a state (empty result)")
    order = {s: i for i, s in enumerate(EIA_SECTORS)}
    out.sort(key=lambda r: (r[0], r[1], r[2], order.get(r[3], 99), r[3]))
    return out, skipped, units


def _eia_csv(rows: list[tuple[Any, ...]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(EIA_COLUMNS)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


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
        raise Problem(f"the catalog lacks column(s) {', '.join(missing)} (header: {reader.fieldnames})")
    groups: dict[str, list[dict[str, str]]] = {}
    for row in reader:
        groups.setdefault(row["InstanceType"], []).append(row)
    if not groups:
        raise Problem("the catalog has no rows (empty result)")
    buffer = io.StringIO()
    writer = csv.writer(buffer)  # \r\n line ends, as the shipped file
    writer.writerow(LAMBDA_COLUMNS)
    for instance, rows in groups.items():
        first = rows[0]
        for other in rows[1:]:
            diff = [c for c in _CATALOG_SAME if other[c] != first[c]]
            if diff:
                raise Problem(
                    f"instance {instance!r} differs between regions {first['Region']} and {other['Region']} in "
                    f"{', '.join(diff)}: one row per instance type cannot hold it"
                )
        count, price = first["AcceleratorCount"], first["Price"]
        try:
            per_gpu = repr(round(float(price) / float(count), 6)) if count and float(count) > 0 and price else ""
        except ValueError:
            raise Problem(f"instance {instance!r}: price {price!r} or count {count!r} is not a number") from None
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


def _fetch_skypilot_lambda(ctx: Context, endpoint: Endpoint, file_name: str) -> Fetched:
    repo, _, path = endpoint.url.partition(":")
    api = os.environ.get("DCPULSE_GITHUB_API_URL", "").strip().rstrip("/") or GITHUB_API_URL
    raw = os.environ.get("DCPULSE_GITHUB_RAW_URL", "").strip().rstrip("/") or GITHUB_RAW_URL
    headers = {"Accept": "application/vnd.github+json"}
    if os.environ.get("GITHUB_TOKEN"):
        headers["Authorization"] = f"Bearer {os.environ['GITHUB_TOKEN']}"
    commits_url = f"{api}/repos/{repo}/commits?{urlencode({'path': path, 'per_page': '1'})}"
    response = get_with_retries(ctx.client, commits_url, ctx.settings, ctx.table, ctx.logger, headers)
    check_not_html(response.body, "json", response.headers.get("content-type", ""))
    try:
        commits = json.loads(response.body)
        commit = commits[0]["sha"]
    except (ValueError, LookupError, TypeError):
        raise Problem(f"no commit of {path} found in {repo} (GitHub API answer not a commit list)") from None
    if not re.fullmatch(r"[0-9a-f]{40}", str(commit)):
        raise Problem(f"GitHub API gave {commit!r}, not a commit sha")
    catalog_url = f"{raw}/{repo}/{commit}/{quote(path)}"
    catalog = get_with_retries(ctx.client, catalog_url, ctx.settings, ctx.table, ctx.logger)
    verify_body = catalog.body
    if not verify_body:
        raise Problem("empty body (0 bytes)")
    check_not_html(verify_body, "csv", catalog.headers.get("content-type", ""))
    body = compose_lambda(verify_body, repo, path, commit)
    extra = {
        "source_commit": commit,
        "catalog_url": catalog_url,
        "catalog_sha256": hashlib.sha256(verify_body).hexdigest(),
        "data_lines": check_csv(body, ctx.spec),
    }
    attempts = response.attempts + catalog.attempts
    return Fetched(file_name, body, commits_url, catalog.final_url, catalog.status, attempts, extra)


EIA860M_MONTHS = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)  # fmt: skip


def eia860m_candidates(base: str, today: date, months_back: int) -> list[tuple[str, str]]:
    """(file name, URL) of the EIA-860M workbooks to try, newest month first: each month's current folder
    (``xls/``), then its archive (``archive/xls/``), back ``months_back`` months from ``today``'s month."""
    base = base.rstrip("/") + "/"
    out = []
    year, month = today.year, today.month
    for _ in range(months_back + 1):
        name = f"{EIA860M_MONTHS[month - 1]}_generator{year}.xlsx"
        out += [(name, f"{base}xls/{name}"), (name, f"{base}archive/xls/{name}")]
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out


def _fetch_eia860m(ctx: Context, endpoint: Endpoint, file_name: str) -> Fetched:
    """The newest EIA-860M workbook the publisher serves: months are tried newest first (the current folder, then
    the archive); a month that is not published yet (404) or whose workbook does not read as the source (a missing
    sheet, a truncated file) falls back to the month before, and the manifest names each one passed over."""
    del file_name  # the workbook lands under its own name (<month>_generator<year>.xlsx)
    base = os.environ.get("DCPULSE_EIA860M_URL", "").strip() or endpoint.url
    months_back = int(env_float("DCPULSE_EIA860M_MONTHS_BACK", 6))
    today = (
        date.fromisoformat(os.environ["DCPULSE_EIA860M_TODAY"])
        if os.environ.get("DCPULSE_EIA860M_TODAY")
        else (datetime.now(UTC).date())
    )
    passed_over: list[dict[str, Any]] = []
    for name, url in eia860m_candidates(base, today, months_back):
        try:
            response = get_with_retries(ctx.client, url, ctx.settings, ctx.table, ctx.logger)
        except Problem as problem:
            if problem.unreachable:
                raise
            passed_over.append({"url": redact(url), "error": str(problem), "status": problem.status})
            continue
        try:
            lines = verify(response.body, "xlsx", ctx.spec, response.headers.get("content-type", ""))
        except Problem as problem:
            passed_over.append({"url": redact(url), "error": str(problem), "status": response.status})
            ctx.logger.warning(redact(f"{ctx.table}: {url}: {problem}; trying the month before"))
            continue
        extra = {"http": _headers_facts(response), "data_lines": lines, "workbook": name, "passed_over": passed_over}
        return Fetched(name, response.body, url, response.final_url, response.status, response.attempts, extra)
    tried = "; ".join(f"{p['url']}: {p['error']}" for p in passed_over[-4:])
    raise Problem(f"no EIA-860M workbook of the last {months_back + 1} months could be read (last tried: {tried})")


@dataclass
class Context:
    table: str
    connector: Connector
    spec: SourceSpec
    client: httpx.Client
    settings: HttpSettings
    logger: Log


KINDS: dict[str, Callable[[Context, Endpoint, str], Fetched]] = {
    "file": _fetch_file,
    "zip": _fetch_file,
    "eia_api": _fetch_eia_api,
    "skypilot_lambda": _fetch_skypilot_lambda,
    "eia860m": _fetch_eia860m,
}
