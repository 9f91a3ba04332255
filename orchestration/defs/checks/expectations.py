"""Great Expectations suites as blocking asset checks on raw and marts tables."""

import dagster as dg
import duckdb

from orchestration.lib.expectations import SUITES, validate
from orchestration.lib.warehouse import connect_build


def _gx_check(table: str) -> dg.AssetChecksDefinition:
    schema, name = table.split(".")

    @dg.asset_check(
        asset=dg.AssetKey([schema, name]),
        name="great_expectations",
        blocking=True,
        description=f"GX suite for {table}: " + "; ".join(k for k, _ in SUITES[table]),
    )
    def _check() -> dg.AssetCheckResult:
        with connect_build() as con:
            try:
                frame = con.execute(f"select * from {table}").df()
            except duckdb.CatalogException as exc:
                return dg.AssetCheckResult(passed=False, metadata={"error": str(exc)})
        result = validate(table, frame)
        return dg.AssetCheckResult(
            passed=result.success,
            severity=dg.AssetCheckSeverity.ERROR,
            metadata={"expectations": result.evaluated, "failed": result.failed, "rows": len(frame)},
        )

    return _check


gx_checks = [_gx_check(table) for table in SUITES]
