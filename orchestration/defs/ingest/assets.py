"""One Dagster asset per source table, keyed ``raw/<table>``, with checks on what the load did.

A source whose file cannot be read keeps its last good rows and is reported stale (asset metadata,
a warning check, the run report); only a source with no good rows at all stops the run.
"""

import dagster as dg

from orchestration.build_warehouse import connect_build
from orchestration.defs.connectors.assets import inbox_landing
from orchestration.defs.connectors.registry import CONNECTORS
from orchestration.defs.ingest.source_bookkeeping import ingest_table, parse_context
from orchestration.defs.ingest.source_choice import choose_source
from transforms.sources import SOURCE_FILES, SourceSpec
from transforms.storage.paths import sources_dir


def _group(rel_path: str) -> str:
    return f"source_{rel_path.split('/')[0]}"


def _raw_asset(spec: SourceSpec, rel_path: str) -> dg.AssetsDefinition:
    key = dg.AssetKey(["raw", spec.table])
    parents = sorted({check.parent for check in spec.parent_checks})

    @dg.asset(
        key=key,
        group_name=_group(rel_path),
        kinds={"duckdb"},
        # a connector's landing feeds its raw table when the run fetches (fetch_and_refresh_job)
        deps=[dg.AssetKey(["raw", p]) for p in parents]
        + ([dg.AssetKey(["landing", spec.table])] if spec.table in CONNECTORS else []),
        description=f"{spec.description}. Loaded from `{rel_path}` with an explicit schema; rejected rows "
        "go to quarantine.rejected_rows with file, line, field and reason. A file that cannot be read keeps "
        "the last good rows (stale).",
        metadata={"source_file": rel_path},
        check_specs=[
            dg.AssetCheckSpec(
                "has_good_rows",
                asset=key,
                blocking=True,
                description="The source has rows to build on: this run's file, or its last good load (stale).",
            ),
            dg.AssetCheckSpec(
                "fresh",
                asset=key,
                description="This run read the source's file (warns when the last good rows were kept instead).",
            ),
            dg.AssetCheckSpec(
                "no_rejected_rows",
                asset=key,
                description="Every row of the file loaded (warns with the reasons otherwise).",
            ),
        ],
    )
    def _asset(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        root = sources_dir()
        tags = context.run.tags if context.run else {}
        choice = choose_source(spec.table, context.run_id, inbox_landing(tags, spec.table), root)
        if choice.origin != "shipped":
            context.log.info(
                f"{spec.table}: reading {choice.metadata()['read_from']} ({choice.origin}, fetched "
                f"{choice.fetched_at:%Y-%m-%d %H:%M} UTC, fetch {choice.fetch_status})"
                if choice.path
                else f"{spec.table}: this run's fetch failed ({choice.fetch_error}); keeping the last good rows"
            )
        with connect_build() as con:
            summary = ingest_table(
                con, spec.table, root, context=parse_context(root), run_id=context.run_id, choice=choice
            )
        if summary.unchanged:
            context.log.info(
                f"{spec.table}: {summary.source_file} unchanged since the build's last load: not read again"
            )
        if summary.file_rejected:
            context.log.warning(
                f"{spec.table}: STALE - {summary.stale_reason}. Kept the last good {summary.rows_loaded} rows "
                f"(stale since {summary.stale_since:%Y-%m-%d %H:%M} UTC)."
            )
        elif summary.is_stale:
            context.log.warning(f"{spec.table}: STALE - {summary.stale_reason}.")
        elif summary.rows_rejected or summary.fields_nulled:
            context.log.warning(
                f"{spec.table}: {summary.rows_rejected} row(s) of {summary.source_file} rejected, "
                f"{summary.fields_nulled} value(s) nulled; see quarantine.rejected_rows. "
                + "; ".join(f"{k} x{v}" for k, v in list(summary.reasons.items())[:5])
            )
        reasons = dg.MetadataValue.json(summary.reasons)
        return dg.MaterializeResult(
            metadata={**summary.metadata(), "dagster/row_count": summary.rows_loaded, "issue_reasons": reasons},
            check_results=[
                dg.AssetCheckResult(
                    check_name="has_good_rows",
                    passed=summary.rows_loaded > 0,
                    severity=dg.AssetCheckSeverity.ERROR,
                    metadata={"rows": summary.rows_loaded, "stale_reason": summary.stale_reason or ""},
                ),
                dg.AssetCheckResult(
                    check_name="fresh",
                    passed=not summary.is_stale,
                    severity=dg.AssetCheckSeverity.WARN,
                    metadata={"stale_reason": summary.stale_reason or "", "source_file": summary.source_file},
                ),
                dg.AssetCheckResult(
                    check_name="no_rejected_rows",
                    passed=summary.rows_rejected == 0,
                    severity=dg.AssetCheckSeverity.WARN,
                    metadata={
                        "rows_rejected": summary.rows_rejected,
                        "fields_nulled": summary.fields_nulled,
                        "issue_reasons": reasons,
                    },
                ),
            ],
        )

    return _asset


raw_assets = [_raw_asset(spec, rel) for spec, rel in SOURCE_FILES.values()]
