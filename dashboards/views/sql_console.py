"""SQL console: read-only queries on the marts, with a schema browser and examples."""

from __future__ import annotations

import io
import time

import polars as pl
import streamlit as st

from dashboards import components, data

components.header(
    "SQL console",
    "Query the published warehouse (DuckDB SQL). Read-only: one SELECT at a time, "
    f"{data.CONSOLE_TIMEOUT_SECONDS:g} s and {data.CONSOLE_MEMORY_LIMIT} per query, at most "
    f"{data.CONSOLE_ROW_CAP:,} rows shown; no files, no extensions, no settings.",
)

EXAMPLES = {
    "AI demand by region and workload, latest year": (
        "select region, workload, round(sum(facility_power_mw)) as facility_mw\n"
        "from marts.fct_ai_demand_by_tier\n"
        "where year = (select max(year) from marts.fct_ai_demand_by_tier)\n"
        "group by all order by facility_mw desc"
    ),
    "2030 forecast by scenario": (
        "select scenario, round(sum(facility_power_mw)) as facility_mw, round(sum(annual_energy_twh), 1) as twh\n"
        "from marts.fct_demand_forecast where year = 2030 and not is_history\n"
        "group by all order by facility_mw"
    ),
    "Largest AI deployments": (
        "select cluster_name, owner, status, gpu_model, gpu_count, workload, workload_basis,\n"
        "       round(facility_power_mw) as facility_mw, power_basis, source\n"
        "from marts.fct_ai_deployments order by facility_power_mw desc nulls last limit 20"
    ),
    "Facilities in the pipeline by market": (
        "select m.market_name, f.status, count(*) as facilities,\n"
        "       sum(f.capacity_mw_low) as mw_low, sum(coalesce(f.capacity_mw_high, f.capacity_mw_low)) as mw_high\n"
        "from marts.fct_facilities f join marts.dim_markets m using (market_id)\n"
        "where f.status in ('under_construction', 'planned', 'expanding') and f.is_primary_record\n"
        "group by all order by mw_high desc"
    ),
    "Forecast backtest error": (
        "select scenario, horizon_years, round(avg(abs_pct_error) * 100, 1) as mape_pct, count(*) as n\n"
        "from marts.fct_forecast_backtest group by all order by scenario, horizon_years"
    ),
    "What was loaded, from where": "select * from meta.source_files order by source_table",
}

catalog = components.load(data.schema_catalog)
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
            result = data.run_readonly_sql(sql, row_cap=data.CONSOLE_ROW_CAP + 1)
        except data.SqlConsoleError as error:
            st.error(str(error), icon=":material/block:")
            st.session_state.pop("sql-result", None)
        else:
            st.session_state["sql-result"] = (sql, result, time.perf_counter() - started)
    if "sql-result" in st.session_state:
        ran, result, seconds = st.session_state["sql-result"]
        truncated = result.height > data.CONSOLE_ROW_CAP
        result = result.head(data.CONSOLE_ROW_CAP)
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
