"""The header: found (the first non-blank line after ``skip_lines``), mapped to the spec's columns by name,
and checked: a missing required column rejects the file, a missing optional one or an unexpected extra one
is flagged."""

from __future__ import annotations

import json
from pathlib import Path

from transforms.ingest.lines import _decode, _physical_lines, _split
from transforms.ingest.result import _issue
from transforms.ingest.spec import Column, SourceSpec


def _read_header(path: Path, skip_lines: int) -> tuple[list[str], int]:
    """The header's names and its line number (the first non-blank line after ``skip_lines``)."""
    for number, raw in _physical_lines(path):
        if number <= skip_lines:
            continue
        text = _decode(raw, number)
        if not text.strip():
            continue
        fields = _split(text)
        return ([h.strip() for h in fields] if fields else [text.strip()]), number
    return [], 0


def _map_header(header: list[str], spec: SourceSpec) -> tuple[dict[str, int | None], list[Column]]:
    lowered = {h.lower(): i for i, h in enumerate(header)}
    position: dict[str, int | None] = {}
    for col in spec.columns:
        idx = next((header.index(n) for n in col.source if n in header), None)
        if idx is None:
            idx = next((lowered[n.lower()] for n in col.source if n.lower() in lowered), None)
        position[col.name] = idx
    missing = [c for c in spec.columns if position[c.name] is None and not c.optional]
    return position, missing


def _check_header(
    header: list[str], header_line: int, spec: SourceSpec
) -> tuple[dict[str, int | None], list[dict[str, object]], bool]:
    """Each column's position in ``header``, the header's issues, and whether the file is rejected.

    A missing required column rejects the file, naming the column and the header's unexpected names (a
    renamed column shows up there); otherwise a missing optional column and an unexpected extra column are
    flagged."""
    issues: list[dict[str, object]] = []
    header_json = json.dumps(header, ensure_ascii=False)
    position, missing = _map_header(header, spec)
    known = {n for c in spec.columns for n in c.source} | set(spec.ignored)
    known_lower = {n.lower() for n in known}
    unexpected = [h for h in header if h and h not in known and h.lower() not in known_lower]
    if missing:
        hint = f"; the header has unexpected column(s) {unexpected} (renamed?)" if unexpected else ""
        for col in missing:
            issues.append(
                _issue(
                    header_line,
                    col.name,
                    None,
                    f"required column {col.source[0]!r} missing from header (schema drift){hint}; file not loaded",
                    "file_rejected",
                    header_json,
                )
            )
        return position, issues, True
    for col in spec.columns:
        if position[col.name] is None:
            issues.append(
                _issue(
                    header_line,
                    col.name,
                    None,
                    f"optional column {col.source[0]!r} missing from header; loaded as null",
                    "flagged",
                    header_json,
                )
            )
    for h in unexpected:
        issues.append(
            _issue(header_line, h, None, f"unexpected column {h!r} (schema drift); not loaded", "flagged", header_json)
        )
    return position, issues, False
