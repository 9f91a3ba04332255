"""Great Expectations (GX Core 1.x) suites for raw and marts tables, validated on DataFrames.

GX's SQL datasource does not work on DuckDB here (duckdb-engine + SQLAlchemy 2.1), so each table is
read into pandas and validated through GX's dataframe asset. A failed validation does not raise in
GX: the caller turns ``success`` into a blocking Dagster asset check.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

# A deployment row can be a company's whole multi-site plan (Epoch lists "xAI 5 year plan", 50M H100e,
# not a single cluster), so the marts bound is 100 GW where a single site's (raw) bound is 20 GW.
MAX_DEPLOYMENT_MW = 100_000

# Suites: table -> list of (expectation class name, kwargs). Bounds are the same plausibility limits
# the parsers use (transforms/sources.py) or the contract's enums (DESIGN.md).
SUITES: dict[str, list[tuple[str, dict[str, Any]]]] = {
    "raw.epoch_gpu_clusters": [
        ("ExpectTableRowCountToBeBetween", {"min_value": 1}),
        ("ExpectColumnValuesToNotBeNull", {"column": "name"}),
        ("ExpectColumnValuesToBeInSet", {"column": "status", "value_set": ["Existing", "Planned", "Decommissioned"]}),
        ("ExpectColumnValuesToBeBetween", {"column": "power_capacity_mw", "min_value": 0, "max_value": 20000}),
        ("ExpectColumnValuesToBeBetween", {"column": "h100_equivalents", "min_value": 0}),
    ],
    "raw.fractracker_facilities": [
        ("ExpectTableRowCountToBeBetween", {"min_value": 1}),
        ("ExpectColumnValuesToBeBetween", {"column": "mw_low", "min_value": 0, "max_value": 20000}),
        ("ExpectColumnValuesToBeBetween", {"column": "latitude", "min_value": 18, "max_value": 72}),
    ],
    "marts.fct_ai_deployments": [
        ("ExpectTableRowCountToBeBetween", {"min_value": 1}),
        ("ExpectColumnValuesToBeUnique", {"column": "deployment_id"}),
        ("ExpectColumnValuesToBeInSet", {"column": "workload", "value_set": ["training", "inference", "mixed", "hpc"]}),
        ("ExpectColumnValuesToBeInSet", {"column": "power_basis", "value_set": ["reported", "calculated"]}),
        (
            "ExpectColumnValuesToBeBetween",
            {"column": "facility_power_mw", "min_value": 0, "max_value": MAX_DEPLOYMENT_MW},
        ),
        ("ExpectColumnValuesToBeBetween", {"column": "it_power_mw", "min_value": 0, "max_value": MAX_DEPLOYMENT_MW}),
        ("ExpectColumnValuesToNotBeNull", {"column": "market_id"}),
    ],
    "marts.fct_ai_demand_by_tier": [
        ("ExpectTableRowCountToBeBetween", {"min_value": 1}),
        (
            "ExpectColumnValuesToBeInSet",
            {"column": "market_tier", "value_set": ["tier_1", "tier_2", "tier_3", "unknown"]},
        ),
        ("ExpectColumnValuesToBeBetween", {"column": "facility_power_mw", "min_value": 0}),
        ("ExpectCompoundColumnsToBeUnique", {"column_list": ["year", "region", "market_tier", "market_kind", "workload"]}),
    ],
}


@dataclass
class Validation:
    success: bool
    evaluated: int
    failed: list[str]


def validate(table: str, frame: pd.DataFrame) -> Validation:
    """Validate ``frame`` against the suite of ``table``."""
    import great_expectations as gx

    context = gx.get_context(mode="ephemeral")
    name = table.replace(".", "__")
    batch = context.data_sources.add_pandas(name).add_dataframe_asset(name).add_batch_definition_whole_dataframe("all")
    suite = context.suites.add(gx.ExpectationSuite(name=name))
    for kind, kwargs in SUITES[table]:
        suite.add_expectation(getattr(gx.expectations, kind)(**kwargs))
    definition = context.validation_definitions.add(gx.ValidationDefinition(data=batch, suite=suite, name=name))
    result = definition.run(batch_parameters={"dataframe": frame})
    failed = [
        f"{r.expectation_config.type} {r.expectation_config.kwargs.get('column', '')}".strip()
        for r in result.results
        if not r.success
    ]
    return Validation(bool(result.success), len(result.results), failed)
