"""The marts written from Python have a documented contract (transforms/forecast/contracts.yml) that the build
writes them through."""

from __future__ import annotations

import polars as pl
import pytest

from transforms.forecast.contracts import _POLARS, conform, contracts

PYTHON_MARTS = {
    "fct_demand_forecast",
    "fct_forecast_backtest",
    "fct_ai_demand_coverage",
    "fct_forecast_top_contributors",
    "fct_forecast_sensitivity",
}


def test_every_python_mart_and_column_is_described_and_typed() -> None:
    assert set(contracts()) == PYTHON_MARTS
    for contract in contracts().values():
        assert contract.description, contract.table
        names = [name for name, _, _ in contract.columns]
        assert len(names) == len(set(names)), contract.table
        for name, dtype, description in contract.columns:
            assert dtype in _POLARS and description.strip(), (contract.table, name)


def test_conform_orders_and_casts_and_refuses_a_column_off_contract() -> None:
    columns = [name for name, _, _ in contracts()["fct_forecast_sensitivity"].columns]
    frame = pl.DataFrame({name: [1] if name in ("year", "rank") else ["x"] for name in reversed(columns)})
    frame = frame.with_columns(pl.lit(1.5).alias(c) for c in columns if c.endswith("_mw") or c.startswith("mw_"))
    out = conform("fct_forecast_sensitivity", frame)
    assert out.columns == columns and out.schema["year"] == pl.Int32 and out.schema["swing_mw"] == pl.Float64
    with pytest.raises(ValueError, match=r"missing \['swing_mw'\], not in it \['swing'\]"):
        conform("fct_forecast_sensitivity", frame.rename({"swing_mw": "swing"}))
