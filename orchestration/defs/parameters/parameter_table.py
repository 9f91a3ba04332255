"""meta.parameters: every parameter of the models, in one table, from their one home each.

- model parameters: the dbt vars (``transforms.params``);
- tabular parameters: the dbt seeds workload_priors (training share by owner type, with its range),
  platform_power (all-in IT kW per accelerator by platform), pipeline_realisation (how much of an announced
  project is built, by what is known about it, with its range) and workload_rules (the class and share each
  rule gives, with its rationale), read from the build warehouse;
- scenario parameters: ``transforms/forecast/scenarios.yml`` (one row per scenario and parameter).

The forecast and the dashboard's defaults and captions read the same homes; this table is how an
analyst (and the README's parameter table, checked by a test) sees them all with their sources.
"""

from __future__ import annotations

import duckdb
import polars as pl

from transforms.forecast import load_scenarios, scenario_parameter_table
from transforms.params import PARAMETER_SCHEMA, parameter_table
from transforms.storage.paths import PROJECT_ROOT

SCHEMA: dict[str, pl.DataType] = {**PARAMETER_SCHEMA, "value_low": pl.String(), "value_high": pl.String()}


def _seed_rows(con: duckdb.DuckDBPyConnection) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    priors = con.execute(
        "select owner_type, training_share, training_share_low, training_share_high, basis, source "
        "from staging.workload_priors order by owner_type"
    ).fetchall()
    for owner_type, share, low, high, basis, source in priors:
        rows.append(
            {
                "parameter": f"training_share.{owner_type}",
                "scope": "workload_prior",
                "value": f"{share:g}",
                "value_low": f"{low:g}",
                "value_high": f"{high:g}",
                "unit": "share of the deployment's power used for training (0-1)",
                "source": None if basis == "assumption" else source,
                "is_assumption": basis == "assumption",
                "note": source if basis == "assumption" else "",
                "home": "dbt_project/seeds/workload_priors.csv",
            }
        )
    platforms = con.execute(
        "select gpu_model, it_kw_per_gpu, system, source from staging.platform_power order by gpu_model"
    ).fetchall()
    for gpu_model, kw, system, source in platforms:
        rows.append(
            {
                "parameter": f"it_kw_per_gpu.{gpu_model}",
                "scope": "platform_power",
                "value": f"{kw:g}",
                "value_low": None,
                "value_high": None,
                "unit": "kW of IT power per accelerator, all-in",
                "source": source,
                "is_assumption": False,
                "note": system,
                "home": "dbt_project/seeds/platform_power.csv",
            }
        )
    realisation = con.execute(
        "select factor, value, value_low, value_high, basis, source from staging.pipeline_realisation order by factor"
    ).fetchall()
    for factor, value, low, high, basis, source in realisation:
        rows.append(
            {
                "parameter": f"realisation.{factor}",
                "scope": "pipeline_realisation",
                "value": f"{value:g}",
                "value_low": f"{low:g}",
                "value_high": f"{high:g}",
                "unit": "share of an announced pipeline row's MW that is built (a factor of realisation_factor)",
                "source": None if basis == "assumption" else source,
                "is_assumption": basis == "assumption",
                "note": source if basis == "assumption" else "",
                "home": "dbt_project/seeds/pipeline_realisation.csv",
            }
        )
    rules = con.execute(
        "select rule_id, priority, match_field, workload, training_share, workload_basis, rationale "
        "from staging.workload_rules order by priority"
    ).fetchall()
    for rule_id, priority, match_field, workload, share, basis, rationale in rules:
        rows.append(
            {
                "parameter": f"workload_rule.{rule_id}",
                "scope": "workload_rule",
                "value": f"{workload} (training share {share})",
                "value_low": None,
                "value_high": None,
                "unit": f"workload class and training share a rule gives (priority {priority}, on {match_field})",
                "source": rationale,
                "is_assumption": False,
                "note": f"workload_basis {basis}; the share holds for the first use only where the rule says a "
                "cluster trains (fct_ai_workload_split)",
                "home": "dbt_project/seeds/workload_rules.csv",
            }
        )
    return rows


def _scenario_rows() -> pl.DataFrame:
    table = scenario_parameter_table(load_scenarios())
    return table.select(
        "parameter",
        ("scenario:" + pl.col("scenario")).alias("scope"),
        "value",
        pl.lit(None, pl.String).alias("value_low"),
        pl.lit(None, pl.String).alias("value_high"),
        pl.lit(None, pl.String).alias("unit"),
        "source",
        pl.col("assumption").fill_null(False).alias("is_assumption"),
        "note",
        pl.lit("transforms/forecast/scenarios.yml").alias("home"),
    )


def parameters_frame(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Every parameter: model (dbt vars), seeds (priors, platform power) and scenarios."""
    model = parameter_table()
    seeds = pl.DataFrame(_seed_rows(con), schema=SCHEMA)
    frames = [f.select([pl.col(c).cast(t) for c, t in SCHEMA.items()]) for f in (model, seeds, _scenario_rows())]
    return pl.concat(frames)


def write_parameters(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    frame = parameters_frame(con)
    con.register("_parameters", frame.to_arrow())
    con.execute("create or replace table meta.parameters as select * from _parameters")
    con.unregister("_parameters")
    return frame


SEEDS = PROJECT_ROOT / "dbt_project" / "seeds"


def parameters_offline() -> pl.DataFrame:
    """The same table as meta.parameters, built from the files (no warehouse needed)."""
    con = duckdb.connect()
    try:
        con.execute("create schema staging")
        for seed in ("workload_priors", "platform_power", "pipeline_realisation", "workload_rules"):
            con.execute(
                f"create table staging.{seed} as select * from read_csv('{SEEDS / (seed + '.csv')}', header=true)"
            )
        return parameters_frame(con)
    finally:
        con.close()
