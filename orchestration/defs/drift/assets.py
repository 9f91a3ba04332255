"""The drift gate: every source against the last published run (GX), before anything is published."""

import dagster as dg

from orchestration.build_warehouse import attach_published, connect_build
from orchestration.defs.dbt.assets import mart_keys
from orchestration.defs.drift.drift_gate import build_docs, check_source, write_results
from transforms.sources import SOURCE_FILES

SOURCE_DRIFT = dg.AssetKey(["meta", "source_drift"])


@dg.asset(
    key=SOURCE_DRIFT,
    group_name="checks",
    kinds={"duckdb"},
    # after the marts, so GX (imported in the background while dbt runs) costs no extra wait
    deps=[dg.AssetKey(["raw", t]) for t in SOURCE_FILES] + mart_keys(),
    description="Each source's row count and key distributions (total MW, median price, ...) against the last "
    "published run, checked with Great Expectations within the thresholds of the dbt vars drift_*. A breach "
    "blocks publishing unless the source is named in DCPULSE_ACK_DRIFT. GX Data Docs: "
    "$DCPULSE_WAREHOUSE_DIR/gx_docs/index.html.",
    check_specs=[
        dg.AssetCheckSpec(
            "within_drift_thresholds",
            asset=SOURCE_DRIFT,
            blocking=True,
            description="No source drifted beyond its thresholds, or the drift is acknowledged (DCPULSE_ACK_DRIFT).",
        )
    ],
)
def source_drift(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    with connect_build() as con:
        published = attach_published(con)
        results = [check_source(con, table, published) for table in SOURCE_FILES]
        write_results(con, results)
    docs = build_docs()
    breaches = [b for r in results for b in r.breaches]
    blocking = [r.table for r in results if r.blocks]
    acknowledged = [r.table for r in results if r.acknowledged and not r.passed]
    for breach in breaches:
        context.log.warning(f"drift: {breach}")
    if blocking:
        context.log.error(
            f"drift gate: {', '.join(blocking)} drifted beyond the thresholds; nothing will be published. If the "
            f"change is real, acknowledge it: DCPULSE_ACK_DRIFT={','.join(blocking)} make run"
        )
    return dg.MaterializeResult(
        metadata={"breaches": dg.MetadataValue.json(breaches), "data_docs": dg.MetadataValue.path(str(docs))},
        check_results=[
            dg.AssetCheckResult(
                check_name="within_drift_thresholds",
                passed=not blocking,
                severity=dg.AssetCheckSeverity.ERROR,
                metadata={
                    "blocking_sources": dg.MetadataValue.json(blocking),
                    "acknowledged_sources": dg.MetadataValue.json(acknowledged),
                    "breaches": dg.MetadataValue.json(breaches),
                },
            )
        ],
    )
