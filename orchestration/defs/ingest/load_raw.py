"""Load every shipped source into the build warehouse without Dagster (for dbt development and tests).

Usage: ``python -m orchestration.defs.ingest.load_raw`` (honours DCPULSE_SOURCES_DIR and DCPULSE_WAREHOUSE_DIR;
writes ``$DCPULSE_WAREHOUSE_DIR/build/dcpulse_build.duckdb``). The Dagster assets do the same per table.
"""

from __future__ import annotations

import sys

from orchestration.build_warehouse import connect_build
from orchestration.defs.ingest.source_bookkeeping import LoadSummary, ingest_table, parse_context
from transforms.sources import SOURCE_FILES
from transforms.storage.paths import build_path, sources_dir


def load_all() -> list[LoadSummary]:
    context = parse_context(sources_dir())
    with connect_build() as con:
        return [ingest_table(con, table, context=context) for table in SOURCE_FILES]


def main() -> int:
    summaries = load_all()
    for s in summaries:
        print(
            f"{s.table:28s} loaded {s.rows_loaded:5d}  rejected {s.rows_rejected:4d}  issues {s.issues:4d}"
            + ("  FILE REJECTED" if s.file_rejected else "")
        )
    print(f"build warehouse: {build_path()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
