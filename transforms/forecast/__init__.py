"""The scenario forecast of installed AI data-center power, as a package of modules by job:

- ``scenarios``: the scenario schema, ``scenarios.yml`` loading, overrides, the ordering check;
- ``pipeline``: the announced pipeline (marts.fct_ai_pipeline) arriving by cell and year;
- ``projection``: history plus each scenario's projection (``forecast_scenario``), ordered and finished;
- ``years``: one scenario's projected years cell by cell (the floor, the trend, the growth above it);
- ``backtest``: the model scored from earlier origins;
- ``invariants``: one function per invariant of a finished forecast.

Pure polars; the only I/O is reading ``scenarios.yml``.
"""

from transforms.forecast.backtest import backtest, score_forecast
from transforms.forecast.invariants import forecast_invariants
from transforms.forecast.pipeline import empty_pipeline, pipeline_arrivals
from transforms.forecast.projection import forecast_scenario, run_all_scenarios
from transforms.forecast.scenarios import (
    BACKTEST_COLUMNS,
    CONTRACT_COLUMNS,
    EXTRA_COLUMNS,
    ScenarioParams,
    check_scenario_ordering,
    load_scenarios,
    parameter_bounds,
    parse_scenarios,
    resolve_scenario,
    scenario_parameter_table,
)
from transforms.vocabulary import AI_WORKLOADS, KNOWN_TIERS, REGIONS, TIERS, WORKLOADS

__all__ = [
    "BACKTEST_COLUMNS",
    "CONTRACT_COLUMNS",
    "EXTRA_COLUMNS",
    "KNOWN_TIERS",
    "AI_WORKLOADS",
    "REGIONS",
    "TIERS",
    "WORKLOADS",
    "ScenarioParams",
    "backtest",
    "check_scenario_ordering",
    "empty_pipeline",
    "forecast_invariants",
    "forecast_scenario",
    "load_scenarios",
    "parse_scenarios",
    "pipeline_arrivals",
    "parameter_bounds",
    "resolve_scenario",
    "run_all_scenarios",
    "scenario_parameter_table",
    "score_forecast",
]
