"""Staleness by the data's age: how old a source's newest data is against its publisher's cadence and publication
lag (SOURCES.yml ``cadence_days``, ``publication_lag_days``, ``newest_data``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import duckdb


@dataclass(frozen=True)
class DataAge:
    """How old a source's newest data is against its publisher's cadence (SOURCES.yml)."""

    newest: date | None = None
    cadence_days: int | None = None
    max_age_days: int | None = None
    reason: str | None = None
    stale_since: datetime | None = None


def data_age(
    con: duckdb.DuckDBPyConnection, table: str, prov: dict[str, Any], retrieved: str | None, loaded_at: datetime
) -> DataAge:
    """Date the source's newest data (SOURCES.yml ``newest_data``: 'retrieved', or 'sql: <expression>' over
    raw.<table>) and compare its age at load time with the publisher's cadence plus publication lag. A source
    without a cadence (a closed archive, a curated reference) is never stale by age."""
    cadence, rule = prov.get("cadence_days"), prov.get("newest_data")
    if cadence is None or rule is None:
        return DataAge()
    newest: date | None
    if rule == "retrieved":
        newest = date.fromisoformat(retrieved[:10]) if retrieved else None
    elif str(rule).startswith("sql:"):
        value = con.execute(f"select {str(rule)[4:].strip()} from raw.{table}").fetchone()[0]
        newest = value.date() if isinstance(value, datetime) else value
    else:
        raise ValueError(f"SOURCES.yml {table}: newest_data must be 'retrieved' or 'sql: <expression>', not {rule!r}")
    max_age = int(cadence) + int(prov.get("publication_lag_days") or 0)
    if newest is None:
        return DataAge(None, int(cadence), max_age)
    age_days = (loaded_at.date() - newest).days
    if age_days <= max_age:
        return DataAge(newest, int(cadence), max_age)
    lag = int(prov.get("publication_lag_days") or 0)
    allowed = f"every {cadence} days" + (f", {lag} days to publish" if lag else "")
    reason = (
        f"data out of date: newest data {newest.isoformat()} is {age_days} days old at load; "
        f"{prov.get('publisher', 'the publisher')} updates {allowed} (at most {max_age} days)"
    )
    since = datetime.combine(newest, datetime.min.time()) + timedelta(days=max_age)
    return DataAge(newest, int(cadence), max_age, reason, since)
