"""meta.parameters: every model, seed and scenario parameter with its source, written once per run."""

import dagster as dg

from orchestration.build_warehouse import connect_build
from orchestration.defs.parameters.parameter_table import write_parameters

PARAMETERS = dg.AssetKey(["meta", "parameters"])


@dg.asset(
    key=PARAMETERS,
    group_name="forecast",
    kinds={"duckdb"},
    deps=[["staging", "workload_priors"], ["staging", "platform_power"]],
    description="Every parameter of the models (dbt vars), seeds (training-share priors, platform power) and "
    "forecast scenarios, with unit and source or 'assumption', in one table for analysts and the dashboard.",
)
def parameters() -> dg.MaterializeResult:
    with connect_build() as con:
        frame = write_parameters(con)
    counts = frame.group_by("scope").len().sort("scope")
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": frame.height,
            "by_scope": dg.MetadataValue.json(dict(counts.iter_rows())),
            "assumptions": int(frame["is_assumption"].sum()),
        }
    )
