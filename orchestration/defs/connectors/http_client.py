"""The HTTP client: httpx + tenacity.

httpx gives separate connect and read timeouts, redirects with the final URL, streaming with a byte cap, and h11
refuses a body shorter than its Content-Length (a truncated download is an error, never a short file). tenacity
drives the retries: a few attempts on 429, 5xx, timeouts and connection errors, exponential backoff with jitter,
and a server's Retry-After honoured (capped). requests + urllib3's Retry would retry only until the headers arrive,
not a body cut short, and would put the retry policy out of reach of the body checks; tenacity wraps the whole
attempt. A ``file://`` URL is read from disk (a mirror without a server).
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import TYPE_CHECKING

from orchestration.defs.connectors.errors import Problem
from orchestration.defs.connectors.settings import HttpSettings, Log, redact

if TYPE_CHECKING:  # the HTTP stack is imported when a fetch runs, not when the code location loads
    import httpx
    import tenacity

USER_AGENT = "dcpulse/0.1 (data refresh of public sources; https://github.com/dcpulse/dcpulse)"


@dataclass
class Response:
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
    return max(0.0, (moment - datetime.now(UTC)).total_seconds())


def new_client(settings: HttpSettings) -> httpx.Client:
    import httpx

    timeout = httpx.Timeout(
        connect=settings.connect_timeout,
        read=settings.read_timeout,
        write=settings.read_timeout,
        pool=settings.connect_timeout,
    )
    return httpx.Client(timeout=timeout, follow_redirects=True, headers={"User-Agent": USER_AGENT})


def _attempt(client: httpx.Client, url: str, settings: HttpSettings, headers: dict[str, str]) -> Response:
    """One GET. Raises Problem (retryable for 429, 5xx, timeouts, connection errors and cut bodies)."""
    import httpx

    if url.startswith("file://"):
        path = Path(url[len("file://") :])
        try:
            body = path.read_bytes()
        except OSError as error:
            raise Problem(f"cannot read {path}: {error.strerror or error}", status=404) from None
        return Response(url, url, 200, {}, body, 1)
    started = time.monotonic()
    try:
        with client.stream("GET", url, headers=headers) as response:
            status = response.status_code
            if status == 429 or status >= 500:
                wait = _retry_after(response.headers.get("Retry-After"))
                if wait is not None and wait > settings.retry_after_max:
                    raise Problem(
                        f"HTTP {status}, and the server asks to retry after {wait:.0f} s "
                        f"(over the {settings.retry_after_max:.0f} s this client waits)",
                        status=status,
                    )
                raise Problem(
                    f"HTTP {status} {response.reason_phrase}", retryable=True, retry_after=wait, status=status
                )
            if status >= 300:
                raise Problem(f"HTTP {status} {response.reason_phrase}", status=status)
            chunks, size = [], 0
            for chunk in response.iter_raw() if not response.headers.get("content-encoding") else response.iter_bytes():
                chunks.append(chunk)
                size += len(chunk)
                if size > settings.max_bytes:
                    raise Problem(f"body larger than {settings.max_bytes} bytes (DCPULSE_HTTP_MAX_BYTES)")
                if time.monotonic() - started > settings.total_timeout:
                    raise Problem(
                        f"download took longer than {settings.total_timeout:.0f} s", retryable=True, status=status
                    )
            body = b"".join(chunks)
            declared = response.headers.get("content-length")
            encoded = response.headers.get("content-encoding")
            if declared and declared.isdigit() and not encoded and len(body) != int(declared):
                raise Problem(
                    f"truncated body: {len(body)} of the {declared} bytes its Content-Length declares",
                    retryable=True,
                    status=status,
                )
            return Response(url, str(response.url), status, dict(response.headers), body, 1)
    except httpx.TimeoutException as error:
        phase = "connecting" if isinstance(error, httpx.ConnectTimeout) else "waiting for data"
        limit = settings.connect_timeout if isinstance(error, httpx.ConnectTimeout) else settings.read_timeout
        problem = Problem(f"timed out {phase} (after {limit:g} s)", retryable=True)
        problem.unreachable = isinstance(error, httpx.ConnectTimeout)
        raise problem from None
    except httpx.RemoteProtocolError as error:
        text = str(error)
        if "incomplete" in text or "without sending complete message body" in text:
            raise Problem(f"truncated body: the connection closed early ({text})", retryable=True) from None
        raise Problem(f"protocol error: {text}", retryable=True) from None
    except httpx.TransportError as error:
        problem = Problem(f"connection failed: {type(error).__name__}: {error}", retryable=True)
        problem.unreachable = isinstance(error, httpx.ConnectError)
        raise problem from None


def get_with_retries(
    client: httpx.Client,
    url: str,
    settings: HttpSettings,
    table: str,
    logger: Log,
    headers: dict[str, str] | None = None,
) -> Response:
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
        retry=tenacity.retry_if_exception(lambda e: isinstance(e, Problem) and e.retryable),
        before_sleep=before_sleep,
        reraise=True,
    )
    attempts = 0
    try:
        for attempt in retrying:
            with attempt:
                attempts += 1
                response = _attempt(client, url, settings, headers or {})
    except Problem as problem:
        if problem.retryable and attempts > 1:
            unreachable = problem.unreachable
            problem = Problem(f"{problem} (gave up after {attempts} attempts)", status=problem.status)
            problem.unreachable = unreachable
        problem.url = redact(url)
        raise problem from None
    response.attempts = attempts
    return response
