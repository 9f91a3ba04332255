"""What goes wrong in a fetch: ``Problem`` inside one attempt or endpoint, ``FetchError`` for the caller."""

from __future__ import annotations

from orchestration.defs.connectors.settings import redact


class FetchError(Exception):
    """A source could not be fetched or its body failed verification. ``str()`` is one line, secrets masked."""

    def __init__(self, table: str, url: str, message: str):
        self.table = table
        self.url = redact(url)
        self.message = redact(" ".join(message.split()))
        super().__init__(f"{table}: {self.message} [{self.url or 'no url'}]")


class Problem(Exception):
    """One attempt or one endpoint failed (internal; becomes a FetchError)."""

    def __init__(self, message: str, *, retryable: bool = False, retry_after: float | None = None, status=None):
        super().__init__(message)
        self.url: str | None = None  # the URL actually asked for, when it is not the endpoint's own
        self.retryable = retryable
        self.retry_after = retry_after
        self.status = status
        self.unreachable = False  # the host could not be reached at all (DNS, refused, connect timeout)
