"""Connector settings read from the environment at call time, and the masking of secrets.

``DCPULSE_LANDING_DIR`` (default ``data/landing``), ``DCPULSE_INBOX_DIR`` (``data/inbox``), ``DCPULSE_MIRROR_URL``
(fetch ``<base>/<relative path>`` instead of the publisher: see ``mirror.py``) and the HTTP knobs of
``HttpSettings`` (``DCPULSE_HTTP_*``). Secrets (``EIA_API_KEY``, ``GITHUB_TOKEN``) and key-like URL parameters are
masked by :func:`redact` in every URL, message, manifest and log line; the loggers of httpx and of the connectors
mask them too.
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from transforms.storage.paths import resolve_path

SECRET_ENV = ("EIA_API_KEY", "GITHUB_TOKEN")

log = logging.getLogger("dcpulse.fetch")


def landing_dir() -> Path:
    return resolve_path(os.environ.get("DCPULSE_LANDING_DIR", "data/landing"))


def inbox_dir() -> Path:
    return resolve_path(os.environ.get("DCPULSE_INBOX_DIR", "data/inbox"))


def mirror_url() -> str | None:
    value = os.environ.get("DCPULSE_MIRROR_URL", "").strip()
    return value.rstrip("/") or None


def env_float(name: str, default: float) -> float:
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
            attempts=max(1, int(env_float("DCPULSE_HTTP_ATTEMPTS", d.attempts))),
            backoff_base=env_float("DCPULSE_HTTP_BACKOFF_BASE", d.backoff_base),
            backoff_max=env_float("DCPULSE_HTTP_BACKOFF_MAX", d.backoff_max),
            retry_after_max=env_float("DCPULSE_HTTP_RETRY_AFTER_MAX", d.retry_after_max),
            connect_timeout=env_float("DCPULSE_HTTP_CONNECT_TIMEOUT", d.connect_timeout),
            read_timeout=env_float("DCPULSE_HTTP_READ_TIMEOUT", d.read_timeout),
            total_timeout=env_float("DCPULSE_HTTP_TOTAL_TIMEOUT", d.total_timeout),
            max_bytes=int(env_float("DCPULSE_HTTP_MAX_BYTES", d.max_bytes)),
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


class Log(Protocol):
    def info(self, msg: str, *args: Any, **kwargs: Any) -> Any: ...
    def warning(self, msg: str, *args: Any, **kwargs: Any) -> Any: ...
