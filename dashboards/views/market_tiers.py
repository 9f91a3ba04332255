"""Market tiers: training and inference demand by tier over time; the markets table."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboards import analysis, charts, components, data

components.header(
    "Market tiers",
    "Where AI demand sits: Tier 1 primary hubs, Tier 2 secondary metros, Tier 3 edge and remote "
    "markets ('unknown' where only the country is known). History then forecast, by workload.",
)

forecast = components.load(data.demand_forecast)
markets = components.load(data.markets)
regions = sorted(forecast["region"].unique().to_list())
scenarios = sorted(forecast["scenario"].unique().to_list())

left, right = st.columns([3, 1])
chosen_regions = left.multiselect("Regions", regions, default=regions, key="tiers-regions")
scenario = right.selectbox(
    "Scenario", scenarios, index=scenarios.index("base") if "base" in scenarios else 0, key="tiers-scenario"
)
if not chosen_regions:
    st.info("Pick at least one region.")
    st.stop()

rows = forecast.filter(pl.col("region").is_in(chosen_regions) & (pl.col("scenario") == scenario))
by_tier = (
    rows.filter(pl.col("workload").is_in(["training", "inference"]))
    .group_by("year", "market_tier", "workload", "is_history")
    .agg(pl.col("facility_power_mw").sum())
    .sort("year", "market_tier")
)
last_history = analysis.latest_history_year(rows)
components.chart(
    charts.tier_chart(by_tier, last_history),
    by_tier,
    "demand_by_tier",
    f"Facility MW installed at year end in {', '.join(chosen_regions)}; scenario '{scenario}'. Left of "
    "the dotted line: history (Epoch AI GPU clusters; power reported or calculated, workload modelled). "
    "Right: the modelled forecast (transforms/forecast/). Source: marts.fct_demand_forecast.",
)

st.subheader("Markets")
facilities = components.load(data.facilities)
deployments = components.load(data.deployments)
prices = components.load(data.energy_prices)
table = analysis.market_table(markets, facilities, deployments, prices).filter(pl.col("region").is_in(chosen_regions))
tiers = analysis.ordered(table["market_tier"].drop_nulls().unique().to_list(), analysis.TIER_ORDER)
chosen_tiers = st.pills("Tiers", tiers, selection_mode="multi", default=tiers, key="tiers-tiers")
table = table.filter(pl.col("market_tier").is_in(chosen_tiers or tiers))
shown = table.select(
    "market_name",
    "region",
    "market_tier",
    "operational_mw_low",
    "operational_mw_high",
    "pipeline_mw_low",
    "pipeline_mw_high",
    "ai_demand_mw",
    "ai_training_mw",
    "ai_inference_mw",
    "energy_price_usd_mwh",
    "energy_price_basis",
    *[c for c in ("tier_basis",) if c in table.columns],
)
st.dataframe(
    shown,
    hide_index=True,
    column_config={
        "operational_mw_low": st.column_config.NumberColumn("operating MW (low)", format="%.0f"),
        "operational_mw_high": st.column_config.NumberColumn("operating MW (high)", format="%.0f"),
        "pipeline_mw_low": st.column_config.NumberColumn("pipeline MW (low)", format="%.0f"),
        "pipeline_mw_high": st.column_config.NumberColumn("pipeline MW (high)", format="%.0f"),
        "ai_demand_mw": st.column_config.NumberColumn("AI demand MW", format="%.0f"),
        "ai_training_mw": st.column_config.NumberColumn("training MW", format="%.0f"),
        "ai_inference_mw": st.column_config.NumberColumn("inference MW", format="%.0f"),
        "energy_price_usd_mwh": st.column_config.NumberColumn("energy $/MWh", format="%.0f"),
    },
)
st.caption(
    "Capacity: marts.fct_facilities (FracTracker for the US, Epoch AI frontier data centers elsewhere: "
    "coverage outside the US is thin), reported ranges; operating and pipeline (expanding, under "
    "construction, planned) kept apart, never summed; a site listed by two sources counted once. AI demand: "
    "facility MW of the deployments installed in the latest year, each counted once as in "
    "marts.fct_ai_demand_by_tier (marts.fct_ai_deployments.counts_in_demand: superseded phases and "
    "possible duplicates left out; workload modelled). " + analysis.price_basis_note(prices)
)
components.csv_download(shown, "markets")
