"""The exact path: the file read line by line, resynchronising after every record that cannot be valid
(each costs only the physical lines it occupies and is quarantined with its line and reason)."""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from transforms.ingest.lines import _decode, _physical_lines, _split
from transforms.ingest.result import _issue
from transforms.ingest.spec import SourceSpec


@dataclass
class _Record:
    line: int
    fields: list[str] | None
    text: str
    reason: str | None = None
    lines: int = 1


def _exact_records(path: Path, header_line: int, spec: SourceSpec) -> Iterator[_Record]:
    """Records after the header, resynchronising after every record that cannot be valid.

    A valid line holds an even number of quote characters (a quoted field opens and closes on it;
    a literal quote inside a quoted field is doubled). A line with an odd count either starts a
    multi-line value - only in a ``multiline`` source, and only until the quote closes as a valid
    record within ``max_record_lines`` lines and ``max_field_chars`` characters - or cannot be valid:
    it is rejected alone and reading resumes at the next line (the lines a failed multi-line attempt
    took are read again, from the second on).
    """
    source = ((n, raw) for n, raw in _physical_lines(path) if n > header_line)
    pushed: deque[tuple[int, bytes]] = deque()

    def next_line() -> tuple[int, bytes] | None:
        if pushed:
            return pushed.popleft()
        return next(source, None)

    while (item := next_line()) is not None:
        number, raw = item
        if b"\x00" in raw:
            yield _Record(number, None, raw.replace(b"\x00", b"\\0").decode("utf-8", "replace"), "NUL byte in the line")
            continue
        text = _decode(raw, number)
        if not text.strip():
            continue  # blank line
        if text.count('"') % 2 == 0:
            fields = _split(text)
            yield (
                _Record(number, fields, text)
                if fields is not None
                else _Record(number, None, text, "malformed quoting in the line")
            )
            continue
        if not spec.allows_multiline:
            yield _Record(number, None, text, "unbalanced quote: a quoted field runs past the end of its line")
            continue
        # a multi-line value: take lines until the quote closes, within the limits
        taken: list[tuple[int, bytes]] = []
        parts, quotes, size = [text], text.count('"'), len(text)
        record: list[str] | None = None
        ended = False
        while len(taken) + 1 < spec.max_record_lines and size <= spec.max_field_chars:
            nxt = next_line()
            if nxt is None or b"\x00" in nxt[1]:
                ended = nxt is None
                if nxt is not None:
                    taken.append(nxt)
                break
            taken.append(nxt)
            piece = _decode(nxt[1], nxt[0])
            parts.append(piece)
            quotes += piece.count('"')
            size += len(piece) + 1
            if quotes % 2 == 0:
                record = _split("\n".join(parts))
                break
        if record is not None:
            yield _Record(number, record, "\n".join(parts), lines=len(parts))
            continue
        reason = (
            "unbalanced quote: the quoted value is not closed before the end of the file"
            if ended
            else f"unbalanced quote: a quoted value does not close as a valid record within "
            f"{spec.max_record_lines} lines or {spec.max_field_chars:,} characters"
        )
        yield _Record(number, None, text, reason)
        pushed.extendleft(reversed(taken))  # resynchronise: read the taken lines again


def _read_exact(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    header_line: int,
    width: int,
    spec: SourceSpec,
    issues: list[dict[str, object]],
    names: dict[int, str],
) -> None:
    """Line by line with resynchronisation; good records go to ``_rec``, the rest to ``issues``."""
    lines: list[int] = []
    values: list[list[str | None]] = [[] for _ in range(width)]
    for rec in _exact_records(path, header_line, spec):
        if rec.fields is None:
            record = json.dumps({"_line": rec.text}, ensure_ascii=False)
            issues.append(_issue(rec.line, "*", None, rec.reason or "unreadable record", "row_rejected", record))
            continue
        record = json.dumps({"_fields": rec.fields}, ensure_ascii=False)
        if len(rec.fields) != width:
            reason = f"malformed CSV record: expected {width} fields, found {len(rec.fields)}"
            issues.append(_issue(rec.line, "*", None, reason, "row_rejected", record))
            continue
        bad = next((i for i, f in enumerate(rec.fields) if "\ufffd" in f), None)
        if bad is not None:
            issues.append(
                _issue(
                    rec.line, names.get(bad, f"#{bad}"), None, "bytes that are not valid UTF-8", "row_rejected", record
                )
            )
            continue
        lines.append(rec.line)
        for i, value in enumerate(rec.fields):
            values[i].append(value if value != "" else None)
    columns = {"_source_row": pl.Series(lines, dtype=pl.Int64)}
    columns.update({f"c{i}": pl.Series(v, dtype=pl.String) for i, v in enumerate(values)})
    con.execute("drop table if exists _rec")
    con.register("_rec_frame", pl.DataFrame(columns).to_arrow())
    con.execute("create temp table _rec as select * from _rec_frame")
    con.unregister("_rec_frame")
