"""Drift gates: each source's row count and key distributions against the last published run.

dbt tests check what a row must be; the parsers check what a value may be. What neither can see is a
file that is well-formed but wrong: an export that lost half its rows, prices in the wrong unit, a
capacity column that shrank. Here Great Expectations (GX Core, validated on DataFrames) checks each
source's metrics against the published warehouse's, within documented thresholds (dbt vars
drift_max_row_drop, drift_max_row_growth, drift_max_metric_change). A breach blocks publishing unless
acknowledged by naming the source in ``DCPULSE_ACK_DRIFT`` (comma-separated; ``all`` for every source).
Results are written to ``meta.source_drift`` and rendered as GX Data Docs in
``$DCPULSE_WAREHOUSE_DIR/gx_docs/index.html``.
"""

from __future__ import annotations

import contextlib
import functools
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from orchestration import background_import
from transforms.params import param
from transforms.sources import SOURCE_FILES
from transforms.storage.paths import warehouse_dir

# Key distributions per source: (metric name, GX expectation, column).
KEY_METRICS: dict[str, list[tuple[str, str, str]]] = {
    "epoch_gpu_clusters": [
        ("total power_capacity_mw", "ExpectColumnSumToBeBetween", "power_capacity_mw"),
        ("total h100_equivalents", "ExpectColumnSumToBeBetween", "h100_equivalents"),
    ],
    "epoch_ml_hardware": [("median tdp_w", "ExpectColumnMedianToBeBetween", "tdp_w")],
    "epoch_data_centers": [("total current_power_mw", "ExpectColumnSumToBeBetween", "current_power_mw")],
    "epoch_data_center_timelines": [("median power_mw", "ExpectColumnMedianToBeBetween", "power_mw")],
    "fractracker_facilities": [("total mw_low", "ExpectColumnSumToBeBetween", "mw_low")],
    "eia_retail_prices": [("median industrial_cents_kwh", "ExpectColumnMedianToBeBetween", "industrial_cents_kwh")],
    "ember_wholesale_prices": [("median price_eur_mwh", "ExpectColumnMedianToBeBetween", "price_eur_mwh")],
    "skypilot_gpu_prices": [
        ("median price_usd_per_gpu_hour", "ExpectColumnMedianToBeBetween", "price_usd_per_gpu_hour")
    ],
    "lambda_gpu_prices": [("median price_usd_per_gpu_hour", "ExpectColumnMedianToBeBetween", "price_usd_per_gpu_hour")],
}
_AGG = {"ExpectColumnSumToBeBetween": "sum", "ExpectColumnMedianToBeBetween": "median"}


@dataclass
class DriftResult:
    table: str
    passed: bool
    acknowledged: bool
    breaches: list[str]
    rows: list[dict[str, Any]]

    @property
    def blocks(self) -> bool:
        return not self.passed and not self.acknowledged


def acknowledged_sources() -> set[str]:
    """Sources whose drift is acknowledged for this run (DCPULSE_ACK_DRIFT=<source>,... or 'all')."""
    raw = os.environ.get("DCPULSE_ACK_DRIFT", "")
    return {s.strip() for s in raw.split(",") if s.strip()}


@functools.lru_cache(maxsize=1)
def _context() -> Any:
    """One GX context per process, with a Data Docs site under the warehouse folder."""
    background_import.wait("great_expectations")  # started while dbt ran (the dbt asset)
    import great_expectations as gx

    context = gx.get_context(mode="ephemeral")
    docs = docs_dir()
    context.add_data_docs_site(
        site_name="dcpulse",
        site_config={
            "class_name": "SiteBuilder",
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(docs)},
        },
    )
    context.data_sources.add_pandas("sources")
    return context


def docs_dir() -> Path:
    return warehouse_dir() / "gx_docs"


def _bounds(previous: float, kind: str) -> tuple[float, float]:
    if kind == "rows":
        return previous * (1 - float(param("drift_max_row_drop"))), previous * float(param("drift_max_row_growth"))
    change = float(param("drift_max_metric_change"))
    low, high = previous * (1 - change), previous * (1 + change)
    return (min(low, high), max(low, high))


def check_source(con: duckdb.DuckDBPyConnection, table: str, published: str | None) -> DriftResult:
    """Validate ``raw.<table>`` of the build against the published warehouse with GX."""
    metrics = KEY_METRICS.get(table, [])
    ack = table in acknowledged_sources() or "all" in acknowledged_sources()
    if published is None:
        return DriftResult(table, True, ack, [], [{"metric": "baseline", "status": "no published run yet"}])
    try:
        prev_rows, prev = _published_metrics(con, published, table, metrics)
    except duckdb.Error:
        return DriftResult(table, True, ack, [], [{"metric": "baseline", "status": "not in the published run"}])
    columns = [c for _, _, c in metrics]
    select = ", ".join(f'"{c}"' for c in columns) or "1 as _one"
    frame = con.execute(f"select {select} from raw.{table}").df()
    context = _context()
    name = f"raw__{table}"
    batch = _whole_frame_batch(context, name)
    suite, planned = _drift_suite(context, f"{name}__drift_vs_published", prev_rows, prev, metrics)
    result = _validate(context, batch, suite, frame)
    rows: list[dict[str, Any]] = []
    breaches: list[str] = []
    for plan, outcome in zip(planned, result.results, strict=True):
        observed = outcome.result.get("observed_value")
        status = "ok" if outcome.success else ("acknowledged" if ack else "breach")
        rows.append({**plan, "observed": None if observed is None else float(observed), "status": status})
        if not outcome.success:
            breaches.append(
                f"{table} ({SOURCE_FILES[table][1]}): {plan['metric']} {observed} outside "
                f"[{plan['min']:.6g}, {plan['max']:.6g}] (last published {plan['previous']:.6g})"
            )
    return DriftResult(table, bool(result.success), ack, breaches, rows)


def _published_metrics(
    con: duckdb.DuckDBPyConnection, published: str, table: str, metrics: list[tuple[str, str, str]]
) -> tuple[int, dict[str, Any]]:
    """The last published run's row count of the source and its value of each key metric (by column)."""
    prev_rows = con.execute(f"select count(*) from {published}.raw.{table}").fetchone()[0]
    prev = {
        c: con.execute(f'select {_AGG[kind]}("{c}") from {published}.raw.{table}').fetchone()[0]
        for _, kind, c in metrics
    }
    return prev_rows, prev


def _whole_frame_batch(context: Any, name: str) -> Any:
    """The GX batch definition that validates a whole DataFrame, under the asset ``name``."""
    source = context.data_sources.get("sources")
    try:
        asset = source.get_asset(name)
    except LookupError:
        asset = source.add_dataframe_asset(name)
    return (
        asset.get_batch_definition("whole")
        if "whole" in [b.name for b in asset.batch_definitions]
        else asset.add_batch_definition_whole_dataframe("whole")
    )


def _drift_suite(
    context: Any, suite_name: str, prev_rows: int, prev: dict[str, Any], metrics: list[tuple[str, str, str]]
) -> tuple[Any, list[dict[str, Any]]]:
    """A suite of the row count and each key metric within their bounds around the published values, and what each
    expectation checks (metric, previous, min, max), in the suite's order."""
    import great_expectations as gx

    with contextlib.suppress(Exception):  # no suite of that name yet in this process
        context.suites.delete(suite_name)
    suite = context.suites.add(gx.ExpectationSuite(name=suite_name))
    planned: list[dict[str, Any]] = []
    low, high = _bounds(prev_rows, "rows")
    suite.add_expectation(gx.expectations.ExpectTableRowCountToBeBetween(min_value=int(low), max_value=int(high) + 1))
    planned.append({"metric": "row count", "previous": float(prev_rows), "min": low, "max": high})
    for metric, kind, column in metrics:
        if prev[column] is None:
            continue
        lo, hi = _bounds(float(prev[column]), "metric")
        suite.add_expectation(getattr(gx.expectations, kind)(column=column, min_value=lo, max_value=hi))
        planned.append({"metric": metric, "previous": float(prev[column]), "min": lo, "max": hi})
    return suite, planned


def _validate(context: Any, batch: Any, suite: Any, frame: Any) -> Any:
    import great_expectations as gx

    definition_name = f"{suite.name}__run"
    with contextlib.suppress(Exception):  # first validation of this source in this process
        context.validation_definitions.delete(definition_name)
    definition = context.validation_definitions.add(
        gx.ValidationDefinition(data=batch, suite=suite, name=definition_name)
    )
    return definition.run(batch_parameters={"dataframe": frame})


def build_docs() -> Path:
    """Render GX Data Docs of this process's validations; returns the index page."""
    _context().build_data_docs()
    return docs_dir() / "index.html"


def write_results(con: duckdb.DuckDBPyConnection, results: list[DriftResult]) -> None:
    checked_at = datetime.now(UTC).replace(tzinfo=None)
    con.execute(
        "create or replace table meta.source_drift (source_table varchar, metric varchar, previous double, "
        "observed double, min_allowed double, max_allowed double, status varchar, checked_at timestamp)"
    )
    for r in results:
        for row in r.rows:
            con.execute(
                "insert into meta.source_drift values (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    r.table,
                    row.get("metric"),
                    row.get("previous"),
                    row.get("observed"),
                    row.get("min"),
                    row.get("max"),
                    row.get("status"),
                    checked_at,
                ],
            )
