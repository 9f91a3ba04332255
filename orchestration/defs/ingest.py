"""One Dagster asset per source table, keyed ``raw/<table>``, with checks on what the load rejected."""

import dagster as dg

from orchestration.lib.ingest import ingest_table, parse_context
from orchestration.lib.warehouse import connect_build, sources_dir
from transforms.sources import SOURCE_FILES, SourceSpec


def _group(rel_path: str) -> str:
    return f"source_{rel_path.split('/')[0]}"


def _raw_asset(spec: SourceSpec, rel_path: str) -> dg.AssetsDefinition:
    key = dg.AssetKey(["raw", spec.table])

    @dg.asset(
        key=key,
        group_name=_group(rel_path),
        kinds={"duckdb", "polars"},
        description=f"{spec.description}. Loaded from `{rel_path}` with an explicit schema; rejected rows "
        "go to quarantine.rejected_rows with file, line, field and reason.",
        metadata={"source_file": rel_path},
        check_specs=[
            dg.AssetCheckSpec(
                "file_accepted",
                asset=key,
                blocking=True,
                description="The file parsed: it is not empty and no required column is missing.",
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
        with connect_build() as con:
            summary = ingest_table(con, spec.table, root, context=parse_context(root))
        if summary.rows_rejected or summary.file_rejected:
            context.log.warning(
                f"{spec.table}: {summary.rows_rejected} row(s) of {summary.source_file} rejected"
                + (" (file rejected whole)" if summary.file_rejected else "")
                + "; see quarantine.rejected_rows. "
                + "; ".join(f"{k} x{v}" for k, v in summary.reasons.items())
            )
        reasons = dg.MetadataValue.json(summary.reasons)
        return dg.MaterializeResult(
            metadata={**summary.metadata(), "dagster/row_count": summary.rows_loaded, "issue_reasons": reasons},
            check_results=[
                dg.AssetCheckResult(
                    check_name="file_accepted",
                    passed=not summary.file_rejected,
                    severity=dg.AssetCheckSeverity.ERROR,
                    metadata={"source_file": summary.source_file, "issue_reasons": reasons},
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
