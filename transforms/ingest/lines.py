"""The raw file: its facts (sha256, size, line ends, NUL bytes, quotes), streamed, and its physical lines."""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


@dataclass
class _Scan:
    sha256: str
    size: int
    newlines: int
    ends_with_newline: bool
    has_nul: bool
    has_quote: bool


def scan_file(path: Path) -> _Scan:
    """sha256, size and line facts of a file, streamed in chunks (never read whole into memory)."""
    digest = hashlib.sha256()
    size = newlines = 0
    has_nul = has_quote = False
    last = b""
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 22):
            digest.update(chunk)
            size += len(chunk)
            newlines += chunk.count(b"\n")
            has_nul = has_nul or b"\x00" in chunk
            has_quote = has_quote or b'"' in chunk
            last = chunk[-1:]
    return _Scan(digest.hexdigest(), size, newlines, last == b"\n", has_nul, has_quote)


def _physical_lines(path: Path) -> Iterator[tuple[int, bytes]]:
    """(1-based line number, line bytes without its line ending)."""
    with open(path, "rb") as handle:
        for number, line in enumerate(handle, start=1):
            yield number, line.rstrip(b"\n").rstrip(b"\r")


def _decode(raw: bytes, number: int) -> str:
    text = raw.decode("utf-8", errors="replace")
    return text[1:] if number == 1 and text.startswith("\ufeff") else text


def _split(text: str) -> list[str] | None:
    """Fields of one complete CSV record, or None where a quoted field is not closed."""
    try:
        return next(csv.reader([text], strict=True))
    except StopIteration:
        return []
    except csv.Error:
        return None
