"""The dashboard tests' sources (tests/fixtures/sources) are declared like the shipped ones, written
deterministically by tests/fixtures/make_sources.py, and small yet representative: the warehouse the
pipeline builds from them holds every case the pages show."""

from __future__ import annotations

import csv
import hashlib
import io
from pathlib import Path

import duckdb
import pytest
import yaml

from tests.dashboards.conftest import FIXTURE_SOURCES
from tests.fixtures import make_sources
from transforms.sources import SOURCE_FILES

PROVENANCE = yaml.safe_load((FIXTURE_SOURCES / "SOURCES.yml").read_text())["sources"]
FULL = yaml.safe_load((make_sources.FULL / "SOURCES.yml").read_text())["sources"]


@pytest.mark.parametrize("table", sorted(FULL))
def test_every_shipped_source_has_a_fixture_file_matching_its_entry(table: str) -> None:
    entry = PROVENANCE[table]
    assert entry["file"] == FULL[table]["file"]
    data = (FIXTURE_SOURCES / entry["file"]).read_bytes()
    assert hashlib.sha256(data).hexdigest() == entry["sha256"], f"{entry['file']}: rerun make_sources"
    spec, _ = SOURCE_FILES[table]
    if spec.convert is not None and not entry["file"].endswith(".csv"):  # rows of the long form the ingest reads
        text, skip = spec.convert(FIXTURE_SOURCES / entry["file"]).decode("utf-8"), 0
    else:
        text, skip = data.decode("utf-8"), make_sources.SKIP_LINES.get(entry["file"], 0)
    records = list(csv.reader(io.StringIO(text)))[skip + 1 :]
    assert len(records) == entry["rows"]
    assert entry["rows"] <= FULL[table]["rows"]


def test_the_fixture_is_small() -> None:
    assert PROVENANCE["epoch_gpu_clusters"]["rows"] <= 150
    assert PROVENANCE["fractracker_facilities"]["rows"] <= 150
    size = sum(p.stat().st_size for p in FIXTURE_SOURCES.rglob("*") if p.is_file())
    assert size < 1_000_000


def test_make_sources_is_deterministic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    outputs = []
    for run in ("a", "b"):
        monkeypatch.setattr(make_sources, "OUT", tmp_path / run)
        make_sources.main()
        files = (p for p in (tmp_path / run).rglob("*") if p.is_file() and p.name != "SOURCES.yml")
        outputs.append({p.relative_to(tmp_path / run): p.read_bytes() for p in files})
    assert outputs[0] == outputs[1] and len(outputs[0]) == len(FULL)
    committed = {p.relative_to(FIXTURE_SOURCES): p.read_bytes() for p in FIXTURE_SOURCES.rglob("*") if p.is_file()}
    assert {k: v for k, v in committed.items() if k.name != "SOURCES.yml"}.keys() == outputs[0].keys()


def _values(wh: duckdb.DuckDBPyConnection, sql: str) -> set:
    return {row[0] for row in wh.execute(sql).fetchall()}


def test_the_built_warehouse_covers_every_case_the_pages_show(wh: duckdb.DuckDBPyConnection) -> None:
    deployments = "marts.fct_ai_deployments"
    assert _values(wh, f"select distinct status from {deployments}") == {"operational", "planned", "decommissioned"}
    assert _values(wh, f"select distinct workload from {deployments}") == {"training", "inference", "mixed", "hpc"}
    assert _values(wh, f"select distinct workload_basis from {deployments}") == {
        "rule",
        "prior",
    }  # never 'reported' (no source says for how long)
    assert len(_values(wh, f"select distinct owner_type from {deployments}")) >= 8
    assert {
        "counted", "planned", "superseded", "possible_duplicate", "outside_epoch_standard_analysis",
        "hpc_not_ai_demand",
    } <= _values(wh, f"select distinct demand_reason from {deployments}")  # fmt: skip
    assert {"metro", "edge", "campus", "country_rest", "unassigned"} <= _values(
        wh, f"select distinct market_kind from {deployments}"
    )
    assert {"US", "CN"} <= _values(wh, f"select distinct country_code from {deployments}")
    assert {"North America", "Europe", "Asia Pacific", "Unknown"} <= _values(
        wh, f"select distinct region from {deployments}"
    )
    assert _values(
        wh, f"select count(*) > 0 from {deployments} where status = 'planned' and builds_upon is not null"
    ) == {True}
    assert _values(wh, "select count(*) > 0 from marts.fct_ai_pipeline where counts_in_pipeline") == {True}
    assert _values(wh, "select count(*) > 0 from marts.fct_facilities where duplicate_of is not null") == {True}
    assert len(_values(wh, "select distinct status from marts.fct_facilities")) >= 7
    latest = wh.execute(
        "select workload, sum(facility_power_mw) > 0 from marts.fct_ai_demand_by_tier "
        "where year = (select max(year) from marts.fct_ai_demand_by_tier) group by 1"
    ).fetchall()
    assert dict(latest) == {"training": True, "inference": True, "hpc": True}
    assert _values(wh, "select distinct price_kind from marts.fct_gpu_prices") == {"on_demand", "spot", "purchase"}
    assert _values(wh, "select count(*) > 0 from marts.fct_market_summary where energy_price_basis like 'Ember%'") == {
        True
    }
