"""Every shipped source file has provenance, and SOURCES.yml's sha256 and row count match the file."""

import csv
import hashlib
import io

import pytest
import yaml

from tests.conftest import SOURCES
from transforms.sources import SOURCE_FILES

SHIPPED = yaml.safe_load((SOURCES / "SOURCES.yml").read_text())
PROVENANCE = SHIPPED["sources"]


@pytest.mark.parametrize("table", sorted(SOURCE_FILES))
def test_source_file_has_provenance_matching_the_file(table):
    spec, rel = SOURCE_FILES[table]
    entry = PROVENANCE[table]
    for key in ("publisher", "url", "licence", "retrieved", "sha256", "rows", "feeds"):
        assert entry.get(key), f"{table}: SOURCES.yml lacks {key}"
    assert entry["file"] == rel
    data = (SOURCES / rel).read_bytes()
    assert hashlib.sha256(data).hexdigest() == entry["sha256"], f"{rel} changed: update SOURCES.yml"
    if spec.convert is not None and not rel.endswith(".csv"):
        data = spec.convert(SOURCES / rel)  # a publisher's own format: rows of the long form it converts to
    records = list(csv.reader(io.StringIO(data.decode("utf-8"))))[spec.skip_lines + 1 :]
    assert len(records) == entry["rows"]


def test_every_shipped_file_is_declared():
    """A data file is a source with provenance; anything else beside it is a declared companion of a source."""
    declared = {entry["file"] for entry in PROVENANCE.values()}
    companions = SHIPPED.get("companions", {})
    shipped = {p.relative_to(SOURCES).as_posix() for p in SOURCES.rglob("*") if p.is_file()} - {"SOURCES.yml"}
    assert shipped - set(companions) == declared
    assert set(companions) <= shipped
    for name, companion in companions.items():
        assert companion["what"] and set(companion["of"]) <= set(PROVENANCE), name
