"""Market tiers: training and inference MW by tier and market kind over time (hpc apart); the markets
table, read from marts.fct_market_summary as published."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboards import charts, components
from dashboards.analysis import common, market_tiers, markets
from dashboards.data import queries

components.header(
    "Market tiers",
    "Where AI demand sits: Tier 1 primary hubs, Tier 2 secondary metros, Tier 3 (emerging metros, edge cities, "
    "remote campuses, the rest of a state), 'unclassified' (a metro no published broker or industry list "
    "classifies, never guessed into a tier) and 'unknown' where only the country is known or nothing usable. "
    "History then "
    "forecast, training and inference apart; public supercomputers (hpc) apart from AI demand.",
)

forecast = components.load(queries.demand_forecast)
summary = components.load(queries.market_summary)
power_label = markets.power_label(components.load(queries.power_measure))
power_cols = markets.power_columns(summary.columns)
params = common.ModelParams.from_frame(components.load(queries.parameters))
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

over_time = market_tiers.tier_kind_over_time(forecast, scenario, chosen_regions)
last_history = market_tiers.latest_history_year(forecast)
ai = market_tiers.non_zero_series(over_time.filter(pl.col("workload").is_in(common.AI_WORKLOADS)))
region_text = "all regions" if set(chosen_regions) == set(regions) else ", ".join(chosen_regions)
components.chart(
    charts.tier_chart(ai, last_history, market_tiers.tier_kind_order(ai)),
    ai,
    "demand_by_tier_and_kind",
    f"AI demand: facility MW installed at year end by market tier and kind, {region_text}; scenario '{scenario}'. "
    f"Left of the dotted line ({last_history} and before): history, marts.fct_ai_demand_by_tier (Epoch AI GPU "
    "clusters; power reported or calculated, the training/inference split modelled from each deployment's "
    "training_share). Right: the modelled forecast to "
    f"{params.forecast_end_year} (transforms/forecast; marts.fct_demand_forecast): the announced pipeline keeps "
    "its own tier and kind, unannounced growth follows the scenario's tier mix. "
    "Kinds: metro, edge (regional edge city), campus (remote large AI campus), state_rest (rest of a US state), "
    "country_rest (only the country known), unassigned (no usable location).",
)

hpc = market_tiers.non_zero_series(over_time.filter(pl.col("workload") == common.HPC))
if not hpc.is_empty():
    st.markdown("**HPC, apart from AI demand** (public scientific supercomputers)")
    components.chart(
        charts.tier_chart(hpc, last_history, market_tiers.tier_kind_order(hpc)).update_layout(height=300),
        hpc,
        "hpc_by_tier_and_kind",
        "Source: marts.fct_demand_forecast rows with workload 'hpc' (is_ai_demand false): installed public research "
        "supercomputers (history, Epoch AI) plus planned ones (no trend). Reported or calculated power; never added "
        "to the AI totals above.",
    )

st.subheader("Markets")
table = summary.filter(pl.col("region").is_in(chosen_regions))
tiers = common.ordered(table["market_tier"].drop_nulls().unique().to_list(), common.TIER_ORDER)
kinds = common.ordered(table["market_kind"].drop_nulls().unique().to_list(), common.KIND_ORDER)
cols = st.columns(2)
chosen_tiers = cols[0].pills("Tiers", tiers, selection_mode="multi", default=tiers, key="tiers-tiers") or tiers
chosen_kinds = cols[1].pills("Kinds", kinds, selection_mode="multi", default=kinds, key="tiers-kinds") or kinds
only_active = st.toggle(
    "Only markets with AI demand, AI pipeline or facility capacity", value=True, key="tiers-only-active"
)
table = table.filter(pl.col("market_tier").is_in(chosen_tiers) & pl.col("market_kind").is_in(chosen_kinds))
if only_active:
    table = table.filter(
        pl.any_horizontal(
            pl.col(c).fill_null(0) > 0
            for c in ("ai_demand_mw", "hpc_mw", "ai_pipeline_mw", "operational_mw_high", "pipeline_mw_high")
        )
    )
shown = table.select(
    "market_id",
    "market_name",
    "region",
    "market_tier",
    "market_kind",
    "demand_as_of",
    "ai_training_mw",
    "ai_inference_mw",
    "ai_demand_mw",
    "hpc_mw",
    "ai_pipeline_mw",
    "operational_mw_low",
    "operational_mw_high",
    "broker_inventory_mw",
    "capacity_coverage",
    "capacity_coverage_class",
    "broker_inventory_period",
    "broker_inventory_source",
    "pipeline_mw_low",
    "pipeline_mw_high",
    *power_cols.values(),
    "planned_generation_to_ai_pipeline",
    "planned_generation_release",
    "energy_price_usd_mwh",
    "energy_price_basis",
    "tier_basis",
    "unlocated_owners",
).sort("ai_demand_mw", "market_name", descending=[True, False])
st.dataframe(
    shown,
    hide_index=True,
    key="tiers-markets",
    column_config={
        "ai_training_mw": st.column_config.NumberColumn("training MW", format="%.1f"),
        "ai_inference_mw": st.column_config.NumberColumn("inference MW", format="%.1f"),
        "ai_demand_mw": st.column_config.NumberColumn("AI demand MW", format="%.1f"),
        "hpc_mw": st.column_config.NumberColumn("hpc MW (apart)", format="%.1f"),
        "ai_pipeline_mw": st.column_config.NumberColumn("AI pipeline MW (announced)", format="%.0f"),
        "operational_mw_low": st.column_config.NumberColumn("operating MW (low)", format="%.0f"),
        "operational_mw_high": st.column_config.NumberColumn("operating MW (high)", format="%.0f"),
        "broker_inventory_mw": st.column_config.NumberColumn(
            "broker inventory MW", format="%.0f", help="The broker's published operating inventory (ref_market_figures)"
        ),
        "capacity_coverage": st.column_config.NumberColumn(
            "tracked / broker",
            format="%.2f",
            help="Tracked operating capacity over the broker's inventory: below 0.5 the tracked figure is incomplete",
        ),
        "pipeline_mw_low": st.column_config.NumberColumn("facility pipeline MW (low)", format="%.0f"),
        "pipeline_mw_high": st.column_config.NumberColumn("facility pipeline MW (high)", format="%.0f"),
        **{
            column: st.column_config.NumberColumn(
                f"{power_label} by {year}, MW", format="%.0f", help=markets.POWER_CAVEAT
            )
            for year, column in power_cols.items()
        },
        "planned_generation_to_ai_pipeline": st.column_config.NumberColumn(
            f"planned generation {max(power_cols)} / AI pipeline",
            format="%.2f",
            help="How much of the market's announced AI pipeline local planned generation could cover in MW terms. "
            + markets.POWER_CAVEAT,
        ),
        "energy_price_usd_mwh": st.column_config.NumberColumn("energy $/MWh", format="%.0f"),
    },
)
incomplete = shown.filter(pl.col("capacity_coverage_class") == "below_half")
if not incomplete.is_empty():
    st.warning(
        "Tracked operating capacity is under half of the broker's published inventory in: "
        + ", ".join(
            f"{r['market_name']} ({r['capacity_coverage']:.0%} of {r['broker_inventory_mw']:,.0f} MW, "
            f"{r['broker_inventory_period']})"
            for r in incomplete.iter_rows(named=True)
        )
        + ". Their facility capacity columns understate the market: compare with the broker figure, not with "
        "other markets."
    )
st.caption(
    f"{shown.height} of {summary.height} markets. Source: marts.fct_market_summary as published (one row per market; "
    "the marts decide what counts). AI demand: facility MW installed at "
    f"{summary['demand_as_of'].max()} (fct_ai_demand_by_tier's last period), split into training and inference "
    "(modelled); hpc apart. AI pipeline: announced AI capacity counted in marts.fct_ai_pipeline, as announced "
    "(before the scenarios' realisation rate). Facility capacity: marts.fct_facilities (FracTracker for the US, "
    "Epoch AI frontier data centers elsewhere: coverage outside the US is thin), reported ranges; operating and "
    "pipeline (expanding, under construction, planned) kept apart, never summed, each site once. Broker inventory: "
    "the latest operating inventory a broker published for the market (CBRE, Cushman & Wakefield; ref_market_figures) "
    "and tracked / broker, how much of it the tracked sites account for (above 1: the tracked sites include "
    "hyperscalers' own campuses, outside a broker's colocation inventory). Unlocated owners: for a country's "
    f"undisclosed market, whose AI capacity it is. Power: {power_label}, nameplate MW planned to run by the end of "
    + " and ".join(str(y) for y in power_cols)
    + " (marts.fct_power_availability by year, fuel and status; US metros, edge sites and campuses, blank elsewhere), "
    f"and the {max(power_cols)} figure over the AI pipeline. "
    + markets.POWER_CAVEAT
    + " "
    + markets.price_bases(summary)
)
components.csv_download(shown, "markets")

range_years = [y for y in (last_history, params.forecast_end_year) if y is not None]
ranges = market_tiers.split_range_by_tier(forecast, scenario, chosen_regions, range_years)
if not ranges.is_empty():
    st.markdown("**Training and inference by tier, with the split's range**")
    st.dataframe(
        ranges,
        hide_index=True,
        column_config={
            "mw": st.column_config.NumberColumn("MW", format="%.0f"),
            "split_low_mw": st.column_config.NumberColumn("split low MW", format="%.0f"),
            "split_high_mw": st.column_config.NumberColumn("split high MW", format="%.0f"),
        },
    )
    st.caption(
        f"Source: marts.fct_demand_forecast, scenario '{scenario}', {region_text}. The split is modelled "
        "(marts.fct_ai_workload_split): split low / high MW is the row's power with every prior-based training share "
        "at the low or high end of its range (a training cluster's first use is a rule; after it, and for every "
        "owner-type prior, the range of seed workload_priors moving to dbt var inference_share_target's range)."
    )
