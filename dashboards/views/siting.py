"""Siting: markets ranked separately for training and for inference, with adjustable weights."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboards import charts, components
from dashboards.analysis import markets, siting
from dashboards.data import queries

components.header(
    "Siting",
    "Which markets suit a training cluster and which an inference deployment. Each market gets 0-1 "
    "on six criteria, weighted and summed to a 0-100 score; the weights are yours to change.",
)

summary = components.load(queries.market_summary)
power_year, power_col = markets.power_column(summary.columns)
power_label = markets.power_label(components.load(queries.power_measure))
table = markets.siteable(summary)

regions = sorted(table["region"].drop_nulls().unique().to_list())
chosen_regions = st.multiselect("Regions", regions, default=regions, key="siting-regions")
table = table.filter(pl.col("region").is_in(chosen_regions))

CRITERIA = {
    "energy_price": "Energy price (cheaper is better)",
    "operating_capacity": "Capacity in operation",
    "pipeline_capacity": "Capacity in the pipeline",
    "tier": "Tier fit",
    "urban": "Urban proximity to demand",
    "power_availability": "Power availability (planned generation nearby)",
}

for tab, workload in zip(st.tabs(["Training", "Inference"]), ["training", "inference"], strict=True):
    with tab:
        defaults = siting.DEFAULT_WEIGHTS[workload].as_dict()
        st.markdown(
            "**Weights** (relative; rescaled to sum to 100 points). Tier fit for "
            f"{workload}: "
            + ", ".join(f"{k} {v:g}" for k, v in siting.TIER_FIT[workload].items())
            + f". Power availability: {power_label} planned to run by the end of {power_year}, log-scaled MW; a market "
            f"outside the US scores {siting.POWER_UNKNOWN_SCORE:g} (unknown, not none). " + markets.POWER_CAVEAT
        )
        cols = st.columns(len(CRITERIA))
        weights = {
            key: cols[i].slider(label, 0.0, 1.0, float(defaults[key]), 0.05, key=f"siting-{workload}-{key}")
            for i, (key, label) in enumerate(CRITERIA.items())
        }
        if sum(weights.values()) == 0:
            st.warning("All weights are zero: every market scores 0.")
        scored = siting.siting_scores(table, workload, siting.SitingWeights(**weights))
        if scored.is_empty():
            st.info("No markets in the chosen regions.")
            continue
        top = scored.row(0, named=True)
        st.metric(
            f"Best market for {workload}",
            top["market_name"],
            f"{top['score']:.0f}/100",
            delta_color="off",
            delta_arrow="off",
        )
        export = scored.select(
            "rank",
            "market_name",
            "region",
            "market_tier",
            "is_urban",
            "score",
            *[c for c in scored.columns if c.startswith("pts_")],
            "energy_price_usd_mwh",
            "energy_price_basis",
            "operational_mw_high",
            "broker_inventory_mw",
            "capacity_coverage_class",
            "pipeline_mw_high",
            "ai_demand_mw",
            "ai_pipeline_mw",
            power_col,
            "planned_generation_to_ai_pipeline",
            "planned_generation_release",
        )
        components.chart(
            charts.siting_chart(scored),
            export,
            f"siting_{workload}",
            "Modelled: a ranking from our weights (assumptions), not a forecast. Source: marts.fct_market_summary "
            "(markets only: a country's undisclosed rest and unassigned rows are not places to site). Energy price "
            "scored by percentile rank (no price scores 0); facility capacity in operation and in the pipeline "
            "(reported ranges, high end, log-scaled, each site once as the mart counts it; where the tracked sites "
            "hold under half the broker's published inventory, capacity_coverage_class 'below_half', the capacity "
            "points understate the market and its explanation says so); tier and urban flag "
            f"(curated with a cited basis); power availability from {power_label}, planned to run by the end of "
            f"{power_year} (marts.fct_market_summary.{power_col}; marts.fct_power_availability by year, "
            "fuel and status). " + markets.POWER_CAVEAT + " " + markets.price_bases(summary),
        )
        with st.expander("Why each market scores what it does"):
            for row in scored.head(20).iter_rows(named=True):
                st.markdown("- " + siting.explain_score(row, siting.SitingWeights(**weights), power_label))
