"""Overview: AI demand today, 2030 by scenario, growth, the forecast against published projections."""

from __future__ import annotations

import datetime as dt

import polars as pl
import streamlit as st

from dashboards import analysis, charts, components, data

components.header(
    "Overview",
    "AI data-center demand today and to 2030. Demand is facility power (IT power x PUE) of AI "
    "deployments; history is built from reported and modelled deployments, the forecast is modelled.",
)

forecast = components.load(data.demand_forecast)
if forecast.is_empty():
    st.info("The warehouse holds no forecast rows yet (marts.fct_demand_forecast is empty).")
    st.stop()
projections = components.load(data.published_projections)

today = analysis.latest_history_year(forecast)
final_year = int(forecast["year"].max())  # type: ignore[arg-type]
target = 2030 if 2030 in forecast["year"].to_list() else final_year

by_workload = analysis.demand_by_workload(forecast, today) if today else pl.DataFrame()
st.subheader(f"AI demand in {today} (facility power, installed at year end)")
cols = st.columns(len(analysis.WORKLOADS) + 1)
total_today = float(by_workload["facility_power_mw"].sum()) if not by_workload.is_empty() else 0.0
cols[0].metric("All AI workloads", components.fmt_mw(total_today))
for col, workload in zip(cols[1:], analysis.WORKLOADS, strict=True):
    value = by_workload.filter(pl.col("workload") == workload)["facility_power_mw"].sum()
    col.metric(workload.capitalize(), components.fmt_mw(float(value)))
st.caption(
    "Source: marts.fct_demand_forecast history rows (from Epoch AI GPU clusters). Workload is modelled "
    "(no public dataset labels training vs inference); power is reported where the source gives it, "
    "else calculated from GPU count x TDP x server overhead x PUE."
)

st.subheader(f"{target} outlook (modelled)")
scenarios = [s for s in ("low", "base", "high") if s in forecast["scenario"].unique().to_list()]
cols = st.columns(len(scenarios) + 1)
base_target = analysis.scenario_total(forecast, target, "base") if "base" in scenarios else None
for col, scenario in zip(cols, scenarios, strict=False):
    value = analysis.scenario_total(forecast, target, scenario)
    delta = None
    if base_target and scenario != "base":
        delta = f"{(value / base_target - 1) * 100:+.0f}% vs base"
    col.metric(
        f"{scenario.capitalize()} scenario", components.fmt_mw(value), delta=delta, delta_color="off", delta_arrow="off"
    )
growth = analysis.cagr(total_today, base_target or 0.0, target - (today or target))
cols[-1].metric(f"Base growth {today}-{target}", f"{growth * 100:.0f}% a year" if growth is not None else "n/a")
st.caption("Source: marts.fct_demand_forecast (transforms/forecast scenarios; modelled).")

st.subheader("Forecast by scenario, with published projections")
measure = st.radio("Measure", ["Facility power (MW)", "Annual energy (TWh)"], horizontal=True, key="overview-measure")
column, unit = ("facility_power_mw", "MW") if measure.startswith("Facility") else ("annual_energy_twh", "TWh")
others = sorted(set(forecast["scenario"].unique().to_list()) - {"low", "base", "high"})
extra = st.multiselect("Also show scenarios", others, key="overview-extra") if others else []
totals = analysis.forecast_totals(forecast.filter(pl.col("scenario").is_in([*scenarios, *extra])), column)
shown_projections = projections.filter(pl.col("unit") == unit)
components.chart(
    charts.forecast_chart(totals, shown_projections, unit),
    totals,
    f"forecast_{column}",
    "Solid: history (deployments reported in Epoch AI's GPU clusters, workload and missing power "
    "modelled). Dashed: modelled scenarios. Diamonds: published projections (IEA, LBNL, ...) for "
    f"their own scope, e.g. all data centres, shown where their unit is {unit}; they are reported "
    "figures, not comparable one-to-one with AI-only demand.",
)
with st.expander("Published projections (reported, with sources)"):
    st.dataframe(projections, hide_index=True, column_config={"source_url": st.column_config.LinkColumn()})
    components.csv_download(projections, "published_projections")

st.subheader("Freshness")
runs = components.load(data.runs)
sources = components.load(data.source_files)
last = analysis.last_good_run(runs)
cols = st.columns(2)
cols[0].metric(
    "Last successful run",
    f"{last['finished_at']:%Y-%m-%d %H:%M}" if last and last["finished_at"] else "none",
    help=f"run {last['run_id']}, status {last['status']}" if last else None,
)
cols[1].metric("Sources loaded", f"{sources.height}")
st.caption(components.freshness_line())
ages = analysis.source_ages(sources, dt.date.today())
st.dataframe(ages, hide_index=True, column_config={"url": st.column_config.LinkColumn()})
st.caption("Source: meta.source_files and meta.runs (written by each pipeline run). Age = days since retrieval.")
components.csv_download(ages, "source_freshness")
