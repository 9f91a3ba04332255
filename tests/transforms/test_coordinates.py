"""transforms.coordinates: one DMS field pattern read alike by Python and by the ingest's DuckDB cast, and the
free-text pattern's wider tolerance."""

from __future__ import annotations

import duckdb
import pytest

from transforms.coordinates import DMS_FIELD, DMS_IN_TEXT, parse_coordinate
from transforms.ingest.spec import Column
from transforms.ingest.values import _cast_sql

FIELDS = [
    "-90.09",
    "32°35'25\"N",
    " 101°18'43\"W ",
    "33°24′28.7″S",
    "12°E",
    "45°30'N",
    "33°24’28.7”N",  # typographic quotes: not a field's form
    "33°24'28.7\"n",  # lower-case hemisphere: not a field's form
    "north",
]


@pytest.mark.parametrize("text", FIELDS)
def test_python_and_duckdb_read_a_coordinate_field_alike(text: str) -> None:
    sql = _cast_sql(Column("lat", ("Latitude",), kind="coord"), "$v")
    got = duckdb.execute(f"select {sql}", {"v": text}).fetchone()[0]
    want = parse_coordinate(text.strip())
    assert (got is None and want is None) or got == pytest.approx(want)


def test_free_text_accepts_what_a_field_does_not() -> None:
    import re

    text = "Site at 33°24’28.7”n 112°21’54.3”w"
    assert re.search(DMS_FIELD, "33°24’28.7”N") is None
    found = [m.groups() for m in re.finditer(DMS_IN_TEXT, text)]
    assert found == [("33", "24", "28.7", "n"), ("112", "21", "54.3", "w")]
