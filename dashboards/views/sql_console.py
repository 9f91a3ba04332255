"""SQL console: read-only queries on the marts, with a schema browser and examples."""

from __future__ import annotations

import io
import time

import polars as pl
import streamlit as st

from dashboards import components
from dashboards.data import console, queries

components.header(
    "SQL console",
    "Query the published warehouse (DuckDB SQL). Read-only: one SELECT at a time, "
    f"{console.CONSOLE_TIMEOUT_SECONDS:g} s and {console.CONSOLE_MEMORY_LIMIT} per query, at most "
    f"{console.CONSOLE_ROW_CAP:,} rows shown; no files, no extensions, no settings.",
)

EXAMPLES = {
    "AI demand by region and workload, latest year (hpc apart)": (
        "select region, workload, is_ai_demand, round(sum(facility_power_mw)) as facility_mw,\n"
        "       round(sum(annual_energy_mwh) / 1e6, 2) as calendar_year_twh\n"
        "from marts.fct_ai_demand_by_tier\n"
        "where year = (select max(year) from marts.fct_ai_demand_by_tier)\n"
        "group by all order by is_ai_demand desc, facility_mw desc"
    ),
    "Forecast at the horizon by scenario (AI demand)": (
        "select scenario, round(sum(facility_power_mw)) as facility_mw, round(sum(annual_energy_twh), 1) as twh\n"
        "from marts.fct_demand_forecast\n"
        "where is_ai_demand and not is_history\n"
        "  and year = (select cast(value as integer) from meta.parameters where parameter = 'forecast_end_year')\n"
        "group by all order by facility_mw"
    ),
    "Markets: AI demand, pipeline, capacity and price": (
        "select market_name, market_tier, market_kind, round(ai_training_mw, 1) as training_mw,\n"
        "       round(ai_inference_mw, 1) as inference_mw, round(hpc_mw, 1) as hpc_mw,\n"
        "       round(ai_pipeline_mw) as ai_pipeline_mw,\n"
        "       operational_mw_high, pipeline_mw_high, energy_price_usd_mwh, energy_price_basis\n"
        "from marts.fct_market_summary order by ai_demand_mw desc limit 25"
    ),
    "Largest AI deployments": (
        "select cluster_name, owner, owner_type, status, gpu_model, gpu_count,\n"
        "       workload, training_share, workload_basis,\n"
        "       round(facility_power_mw) as facility_mw, power_basis, demand_reason, source\n"
        "from marts.fct_ai_deployments order by facility_power_mw desc nulls last limit 20"
    ),
    "Announced AI pipeline": (
        "select cluster_name, owner, market_id, market_tier, market_kind, expected_year, is_past_due,\n"
        "       round(pipeline_mw) as pipeline_mw, counts_in_pipeline, pipeline_reason\n"
        "from marts.fct_ai_pipeline order by pipeline_mw desc nulls last limit 25"
    ),
    "Model parameters and their sources": (
        "select parameter, scope, value, unit, is_assumption, source\n"
        "from meta.parameters where scope = 'model' order by parameter"
    ),
    "Forecast backtest error": (
        "select scenario, horizon_years, round(avg(abs_pct_error) * 100, 1) as mape_pct, count(*) as n\n"
        "from marts.fct_forecast_backtest group by all order by scenario, horizon_years"
    ),
    "What was loaded, from where": "select * from meta.source_files order by source_table",
}

catalog = components.load(queries.schema_catalog)
left, right = st.columns([1, 3])
with left:
    st.subheader("Schema")
    for (schema, table), cols in catalog.group_by(["table_schema", "table_name"], maintain_order=True):
        with st.expander(f"{schema}.{table}"):
            st.markdown(
                "\n".join(f"- `{c}` {t.lower()}" for c, t in cols.select("column_name", "data_type").iter_rows())
            )
with right:
    example = st.selectbox("Example queries", ["(write your own)", *EXAMPLES], key="sql-example")
    if example in EXAMPLES and st.session_state.get("sql-loaded-example") != example:
        st.session_state["sql-text"] = EXAMPLES[example]
        st.session_state["sql-loaded-example"] = example
    sql = st.text_area("SQL", key="sql-text", height=180, placeholder="select * from marts.dim_markets limit 10")
    run = st.button("Run query", type="primary", key="sql-run", icon=":material/play_arrow:")
    if run and sql.strip():
        started = time.perf_counter()
        try:
            result = console.run_readonly_sql(sql, row_cap=console.CONSOLE_ROW_CAP + 1)
        except console.SqlConsoleError as error:
            st.error(str(error), icon=":material/block:")
            st.session_state.pop("sql-result", None)
        else:
            st.session_state["sql-result"] = (sql, result, time.perf_counter() - started)
    if "sql-result" in st.session_state:
        ran, result, seconds = st.session_state["sql-result"]
        truncated = result.height > console.CONSOLE_ROW_CAP
        result = result.head(console.CONSOLE_ROW_CAP)
        st.caption(
            f"{result.height:,} rows{' (cut at the row cap)' if truncated else ''} in {seconds:.2f} s. "
            "Source: the published warehouse (marts: see each table's source column and *_basis columns "
            "for reported vs modelled)."
        )
        st.dataframe(result, hide_index=True)
        cols = st.columns(2)
        with cols[0]:
            components.csv_download(result, "query_result")
        buffer = io.BytesIO()
        try:
            result.write_parquet(buffer)
        except pl.exceptions.PolarsError:
            buffer = None
        if buffer is not None:
            cols[1].download_button(
                "Download Parquet",
                buffer.getvalue(),
                file_name="query_result.parquet",
                mime="application/vnd.apache.parquet",
                key="parquet-query_result",
                icon=":material/download:",
            )
