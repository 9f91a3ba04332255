"""SQL text helpers shared by the ingest modules: quoted names, string literals, list literals."""

from __future__ import annotations


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _list(values: tuple[str, ...] | list[str]) -> str:
    # list_contains, not IN: DuckDB plans an IN list of more than a few constants as a hash join per column
    return "[" + ", ".join(_lit(v) for v in values) + "]"
