"""The dashboard shows the marts' numbers and decides nothing itself.

- No rule of the marts is re-applied in dashboards/ (which deployments count, which site record is
  primary, which price a market gets): the pages read fct_market_summary, fct_ai_demand_by_tier,
  fct_demand_forecast and fct_ai_pipeline as published.
- No model parameter value is restated in dashboards/: PUE, server overhead, load factors and the
  horizon come from meta.parameters.
- The scenario builder's recomputation with a stored scenario's own drivers gives that scenario.

Run on the fixture warehouse (built by the pipeline) always; set ``DCPULSE_CHECK_WAREHOUSE`` to a
published warehouse file (e.g. ``data/warehouse/dcpulse.duckdb`` after ``make run``) to run the
number checks on real data too.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import tokenize
from pathlib import Path

import duckdb
import polars as pl
import pytest

from dashboards import analysis, data
from tests.dashboards.conftest import REPO

REAL = os.environ.get("DCPULSE_CHECK_WAREHOUSE")
DASHBOARDS = REPO / "dashboards"


@pytest.fixture(params=["fixture", "real"] if REAL else ["fixture"])
def any_warehouse(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    if request.param == "fixture":
        return request.getfixturevalue("warehouse")
    assert REAL
    shutil.copyfile(REAL, tmp_path / data.WAREHOUSE_FILE)  # a copy: the real file is never opened in place
    monkeypatch.setenv("DCPULSE_WAREHOUSE_DIR", str(tmp_path))
    return tmp_path / data.WAREHOUSE_FILE


def _sources() -> dict[Path, str]:
    return {p: p.read_text(encoding="utf-8") for p in sorted(DASHBOARDS.rglob("*.py"))}


def test_no_demand_or_primary_record_logic_in_dashboards() -> None:
    offenders = {
        str(p.relative_to(REPO)): word
        for p, text in _sources().items()
        for word in ("counts_in_demand", "is_primary_record")
        if word in text
    }
    assert not offenders, offenders


MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"


def _literals(text: str) -> list[str]:
    """Number tokens and the numbers inside string tokens of a Python source (a year right after a
    month name is a citation's date, not a parameter)."""
    found = []
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type == tokenize.NUMBER:
            found.append(token.string)
        elif token.type in (tokenize.STRING, getattr(tokenize, "FSTRING_MIDDLE", -1)):
            found += re.findall(rf"(?<![\d.])(?<!{MONTHS.replace('|', ' )(?<!')} )\d+(?:\.\d+)?(?![\d.])", token.string)
    return found


def test_no_model_parameter_value_is_restated_in_dashboards(wh: duckdb.DuckDBPyConnection) -> None:
    """PUE, server overhead, the training load factor and the horizon are read from
    meta.parameters; their values must not appear as literals. (The inference and hpc load factors,
    0.6 and 0.75, are left out: the same numbers are unrelated layout values.)"""
    values = dict(
        wh.execute(
            "select parameter, value from meta.parameters where scope = 'model' and parameter in "
            "('pue_ai_cluster', 'server_overhead', 'load_factor_training', 'forecast_end_year')"
        ).fetchall()
    )
    assert len(values) == 4
    forbidden = {float(v) for v in values.values()}
    offenders = [
        (str(p.relative_to(REPO)), literal)
        for p, text in _sources().items()
        for literal in _literals(text)
        if float(literal) in forbidden
    ]
    assert not offenders, offenders


def test_markets_table_ai_demand_adds_up_to_the_latest_year(any_warehouse: Path) -> None:
    summary = data.market_summary()
    demand = data.demand_by_tier()
    latest = demand.filter(pl.col("year") == demand["year"].max())
    for column, workload in (("ai_training_mw", "training"), ("ai_inference_mw", "inference"), ("hpc_mw", "hpc")):
        expected = latest.filter(pl.col("workload") == workload)["facility_power_mw"].sum()
        assert summary[column].sum() == pytest.approx(expected, abs=1e-6), column
    split = analysis.demand_by_workload(demand, int(demand["year"].max()))  # type: ignore[arg-type]
    assert split["training"]["mw"] + split["inference"]["mw"] == pytest.approx(summary["ai_demand_mw"].sum())


def test_model_parameters_are_the_warehouses(any_warehouse: Path) -> None:
    params = analysis.ModelParams.from_frame(data.parameters())
    con = duckdb.connect(str(any_warehouse), read_only=True)
    try:
        stored = dict(con.execute("select parameter, value from meta.parameters where scope = 'model'").fetchall())
    finally:
        con.close()
    assert params.pue_ai_cluster == float(stored["pue_ai_cluster"])
    assert params.forecast_end_year == int(stored["forecast_end_year"])
    assert params.load_factor == {w: float(stored[f"load_factor_{w}"]) for w in ("training", "inference", "hpc")}


@pytest.mark.parametrize("scenario", ["base", "hardware_retirement"])
def test_scenario_builder_inputs_reproduce_the_stored_forecast(any_warehouse: Path, scenario: str) -> None:
    from transforms import forecast as fc

    custom = fc.forecast_scenario(
        data.demand_by_tier(),
        data.ai_pipeline(),
        scenario=scenario,
        base_vintages=data.base_vintages(),
        unit_split=data.unit_split(),
    )
    stored = data.demand_forecast().filter(pl.col("scenario") == scenario)
    keys = ["year", "region", "market_tier", "market_kind", "workload"]
    both = stored.join(custom, on=keys, how="full", suffix="_custom", coalesce=True)
    assert both.height == stored.height == custom.height
    diff = both.filter(
        (pl.col("facility_power_mw").fill_null(-1) - pl.col("facility_power_mw_custom").fill_null(-2)).abs() > 1e-6
    )
    assert diff.is_empty(), diff.head(5).to_dicts()
