"""The SQL console refuses every way out of "read the marts" and leaves the warehouse untouched."""

from __future__ import annotations

import time
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from dashboards import data
from tests.dashboards.conftest import listing, sha256

ATTACKS = {
    "read_csv": "select * from read_csv('/etc/passwd')",
    "read_text": "select * from read_text('/etc/passwd')",
    "read_blob": "select * from read_blob('/etc/hostname')",
    "glob": "select * from glob('/etc/*')",
    "read_parquet": "select * from read_parquet('/tmp/x.parquet')",
    "replacement_scan_on_a_path": "select * from '/etc/passwd'",
    "the_warehouse_file_itself": "select * from '{warehouse}'",
    "copy_to": "copy (select * from marts.dim_markets) to '/tmp/dcpulse_leak.csv'",
    "copy_to_the_warehouse_wal": "copy (select 1) to '{warehouse}.wal'",
    "export_database": "export database '/tmp/dcpulse_export'",
    "attach_file": "attach '/tmp/other.duckdb' as other",
    "attach_memory": "attach ':memory:' as scratch",
    "detach": "detach wh",
    "install": "install httpfs",
    "load": "load httpfs",
    "set_memory": "set memory_limit = '64GB'",
    "set_external_access": "set enable_external_access = true",
    "reset": "reset threads",
    "pragma_setting": "pragma threads = 8",
    "insert": "insert into marts.dim_markets (market_id) values ('x')",
    "update": "update marts.dim_markets set market_name = 'x'",
    "delete": "delete from marts.dim_markets",
    "create_table": "create table marts.evil as select 1 as x",
    "create_in_memory_catalog": "create table memory.main.evil as select 1 as x",
    "create_temp_table": "create temp table dim_markets as select 1 as x",
    "create_view": "create view v as select 1",
    "create_secret": "create secret s (type s3, key_id 'a', secret 'b')",
    "drop": "drop table marts.dim_markets",
    "alter": "alter table marts.dim_markets rename to x",
    "checkpoint": "checkpoint",
    "use": "use memory",
    "call": "call pragma_version()",
    "explain_analyze_write": "explain analyze insert into marts.dim_markets (market_id) values ('x')",
    "query_function_smuggling_ddl": "select * from query('create table memory.main.y as select 1')",
    "two_statements": "select 1; drop table marts.dim_markets",
    "python_variable_replacement_scan": "select * from secret_frame",
}

secret_frame = pd.DataFrame({"password": ["hunter2"]})  # in scope on purpose: the console must not see it


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_console_refuses_with_a_clear_message_and_changes_nothing(name: str, own_warehouse: Path) -> None:
    sql = ATTACKS[name].format(warehouse=own_warehouse)
    before_hash, before_files = sha256(own_warehouse), listing(own_warehouse.parent)
    with pytest.raises(data.SqlConsoleError) as refused:
        data.run_readonly_sql(sql)
    message = str(refused.value)
    assert message and "Traceback" not in message
    assert any(word in message for word in ("Refused", "one statement", "Unknown table")), message
    assert sha256(own_warehouse) == before_hash
    assert listing(own_warehouse.parent) == before_files
    assert not Path("/tmp/dcpulse_leak.csv").exists() and not Path("/tmp/dcpulse_export").exists()
    assert data.run_readonly_sql("select count(*) as n from marts.dim_markets")["n"][0] > 0


def test_runaway_query_is_stopped_within_its_timeout(own_warehouse: Path) -> None:
    before = sha256(own_warehouse)
    started = time.monotonic()
    with pytest.raises(data.SqlConsoleError, match="ran longer than"):
        data.run_readonly_sql("select count(*) from range(1000000000000) a", timeout_seconds=1.0)
    # Unstopped, it would run for hours; a generous bound keeps a busy 2-core CI from flaking.
    assert time.monotonic() - started < 8.0
    with pytest.raises(data.SqlConsoleError, match="ran longer than"):
        data.run_readonly_sql(
            "with recursive r(n) as (select 1 union all select n + 1 from r) select count(*) from r",
            timeout_seconds=1.0,
        )
    assert sha256(own_warehouse) == before


def test_memory_hungry_query_fails_cleanly(warehouse: Path) -> None:
    with pytest.raises(data.SqlConsoleError, match="memory limit"):
        data.run_readonly_sql("select list(range) from range(200000000)", memory_limit="64MB")


def test_results_are_capped(warehouse: Path) -> None:
    frame = data.run_readonly_sql("select * from range(1000000)", row_cap=1000)
    assert frame.height == 1000


def test_read_queries_work(warehouse: Path, wh: duckdb.DuckDBPyConnection) -> None:
    markets = wh.execute("select count(*) from marts.dim_markets").fetchone()[0]
    assert data.run_readonly_sql("select * from marts.dim_markets").height == markets
    horizon = wh.execute("select max(year) from marts.fct_demand_forecast").fetchone()[0]
    assert data.run_readonly_sql(f"from marts.fct_demand_forecast where year = {horizon} limit 5").height == 5
    assert "column_name" in data.run_readonly_sql("describe marts.dim_gpus").columns
    columns = wh.execute(
        "select count(*) from information_schema.columns where table_schema = 'marts' and table_name = 'dim_gpus'"
    ).fetchone()[0]
    assert data.run_readonly_sql("summarize marts.dim_gpus").height == columns
    assert data.run_readonly_sql("with t as (select 1 as x) select * from t")["x"].to_list() == [1]


def test_each_call_is_isolated_from_every_other(warehouse: Path) -> None:
    """No temporary object or setting can survive into another call (another user's session)."""
    first = data.run_readonly_sql("select current_setting('memory_limit') as m")
    second = data.run_readonly_sql("select count(*) as n from duckdb_tables() where temporary")
    assert second["n"][0] == 0
    assert first["m"][0] == data.run_readonly_sql("select current_setting('memory_limit') as m")["m"][0]


def test_console_settings_are_locked_down(warehouse: Path) -> None:
    settings = dict(
        data.run_readonly_sql(
            "select name, value from duckdb_settings() where name in ('enable_external_access', "
            "'lock_configuration', 'autoload_known_extensions', 'autoinstall_known_extensions', "
            "'allow_community_extensions', 'python_enable_replacements', 'threads')"
        ).iter_rows()
    )
    assert settings == {
        "enable_external_access": "false",
        "lock_configuration": "true",
        "autoload_known_extensions": "false",
        "autoinstall_known_extensions": "false",
        "allow_community_extensions": "false",
        "python_enable_replacements": "false",
        "threads": "1",
    }


def test_syntax_and_unknown_table_errors_are_explained(warehouse: Path) -> None:
    with pytest.raises(data.SqlConsoleError, match="syntax error"):
        data.run_readonly_sql("selec 1")
    with pytest.raises(data.SqlConsoleError, match="Unknown table or column"):
        data.run_readonly_sql("select * from marts.nope")
    with pytest.raises(data.SqlConsoleError, match="Nothing to run"):
        data.run_readonly_sql("  ")


def test_console_without_a_warehouse_says_to_run_make_run(no_warehouse: Path) -> None:
    with pytest.raises(data.SqlConsoleError, match="make run"):
        data.run_readonly_sql("select 1")
