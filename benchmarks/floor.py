"""The floor under ``ingest_vs_read_csv`` for Ember at SCALE=100: ``python -m benchmarks.floor``.

Side by side, best of 3 each, into one DuckDB file: DuckDB's ``create table as select * from read_csv(...)``
(the R baseline) and DuckDB's own typed reader writing the shape of ``raw.ember_wholesale_prices`` (the derived
month and the three lineage columns) with no line numbers, no checks and no file hash. The second is what no
validating ingest can beat while it keeps that table shape; its ratio to the first bounds R from above.
Needs ``make bench SCALE=100`` to have generated the sources (``benchmarks/.data/scale-100-seed-0``).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import duckdb

from benchmarks.run import DATA, best_of

SOURCE = DATA / "scale-100-seed-0" / "ember" / "wholesale_prices_monthly.csv"


def create_best_of_3(con: duckdb.DuckDBPyConnection, sql: str) -> float:
    seconds, _ = best_of(3, lambda: con.execute(f"create or replace table t as {sql}"))
    con.execute("drop table t")
    return seconds


def main() -> int:
    if not SOURCE.exists():
        print(f"no {SOURCE}: run make bench SCALE=100 first")
        return 2
    path = str(SOURCE).replace("'", "''")
    typed = (
        f"read_csv('{path}', header = true, auto_detect = false, columns = {{'Country': 'VARCHAR', "
        "'ISO3 Code': 'VARCHAR', 'Datetime (UTC)': 'TIMESTAMP', 'Price (EUR/MWhe)': 'DOUBLE'})"
    )
    shaped = (
        'select "Country" as country, "ISO3 Code" as iso3, "Datetime (UTC)" as period_start, '
        '"Price (EUR/MWhe)" as price_eur_mwh, cast(date_trunc(\'month\', "Datetime (UTC)") as DATE) as month, '
        "'ember/wholesale_prices_monthly.csv' as _source_file, repeat('0', 64) as _source_sha256, "
        f"TIMESTAMP '2026-01-01 00:00:00' as _loaded_at from {typed}"
    )
    with tempfile.TemporaryDirectory(prefix="dcpulse-floor-") as tmp:
        con = duckdb.connect(str(Path(tmp) / "floor.duckdb"))
        baseline = create_best_of_3(con, f"select * from read_csv('{path}')")
        floor = create_best_of_3(con, shaped)
        con.close()
    print(f"read_csv (the R baseline): {baseline:.2f} s")
    print(f"typed reader into the raw table's shape, no checks: {floor:.2f} s")
    print(f"R can be at most: {baseline / floor:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
