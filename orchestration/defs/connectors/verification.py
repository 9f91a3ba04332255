"""Verification of a fetched body before it lands: not empty, not an HTML page, the zip member present, the
workbook readable as its source, the CSV header naming every required column (a renamed column is named)."""

from __future__ import annotations

import csv
import io
import re
import tempfile
import zipfile
from pathlib import Path

from orchestration.defs.connectors.errors import Problem
from orchestration.defs.connectors.registry import Expect
from transforms.sources import SourceSpec

_HTML_START = re.compile(rb"^\s*(<!doctype\s+html|<html|<head|<body|<\?xml[^>]*>\s*<html)", re.IGNORECASE)
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)


def check_not_html(body: bytes, expect: str, content_type: str = "") -> None:
    head = body[:2048].lstrip(b"\xef\xbb\xbf")
    if _HTML_START.match(head) or (b"<html" in head.lower() and "html" in content_type.lower()):
        title = _TITLE.search(body[:65536])
        name = title.group(1).decode("utf-8", "replace").strip()[:80] if title else ""
        where = f" (Content-Type {content_type})" if content_type else ""
        raise Problem(f"an HTML page{where} where {expect.upper()} was expected" + (f": {name!r}" if name else ""))


def _required_columns(spec: SourceSpec) -> list:
    return [c for c in spec.columns if not c.optional]


def check_csv(body: bytes, spec: SourceSpec) -> int:
    """The CSV's header holds every column ``spec`` cannot do without (under any of its names) and at least one
    record follows. Returns the number of physical data lines. Raises Problem naming a missing or renamed column."""
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
        raise Problem("no header and no rows (empty result)")
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
        raise Problem(f"required column(s) {names} missing from the header (schema drift){hint}")
    rows = sum(1 for line in lines[index + 1 :] if line.strip())
    if rows == 0:
        raise Problem("header only, no data rows (empty result)")
    return rows


def _check_xlsx(body: bytes, spec: SourceSpec) -> int:
    try:
        archive = zipfile.ZipFile(io.BytesIO(body))
        names = set(archive.namelist())
    except zipfile.BadZipFile:
        raise Problem("not an .xlsx workbook (not a zip archive)") from None
    if "xl/workbook.xml" not in names:
        raise Problem("not an .xlsx workbook (no xl/workbook.xml in the archive)")
    if spec.convert is None:
        return 0
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "workbook.xlsx"
        path.write_bytes(body)
        try:
            converted = spec.convert(path)
        except Exception as error:  # the publisher's layout changed: say how
            raise Problem(f"the workbook cannot be read as {spec.table}: {type(error).__name__}: {error}") from None
    return check_csv(converted, spec)


def _check_json(body: bytes, spec: SourceSpec) -> int:
    """A JSON source with a converter (the EIA-860M copy) must convert to the CSV its spec reads."""
    if spec.convert is None:
        return 0
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "source.json"
        path.write_bytes(body)
        try:
            converted = spec.convert(path)
        except Exception as error:  # not the shape the source has
            raise Problem(f"the JSON cannot be read as {spec.table}: {type(error).__name__}: {error}") from None
    return check_csv(converted, spec)


def verify(body: bytes, expect: str, spec: SourceSpec, content_type: str = "") -> int:
    """Check a body before it lands: not empty, not an HTML page, and the format's own checks."""
    if not body:
        raise Problem("empty body (0 bytes)")
    check_not_html(body, expect, content_type)
    if expect == "csv":
        return check_csv(body, spec)
    if expect == "xlsx":
        return _check_xlsx(body, spec)
    if expect == "json":
        return _check_json(body, spec)
    return 0


def expect_of(name: str) -> Expect:
    suffix = Path(name).suffix.lower()
    return "xlsx" if suffix in (".xlsx", ".xlsm") else "json" if suffix == ".json" else "csv"


def zip_member(body: bytes, member: str) -> tuple[str, bytes]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(body))
    except zipfile.BadZipFile:
        raise Problem("not a zip archive") from None
    names = [n for n in archive.namelist() if not n.endswith("/")]
    match = next((n for n in names if n == member), None) or next(
        (n for n in names if n.rsplit("/", 1)[-1] == member and "__MACOSX" not in n), None
    )
    if match is None:
        listing = ", ".join(names[:10]) + (", ..." if len(names) > 10 else "")
        raise Problem(f"the zip holds no member {member!r} (members: {listing or 'none'})")
    try:
        return match, archive.read(match)
    except (zipfile.BadZipFile, OSError, RuntimeError) as error:
        raise Problem(f"zip member {match!r} cannot be read: {error}") from None
