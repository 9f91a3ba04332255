"""Map: facilities and AI deployments sized by MW, coloured by workload or lifecycle stage."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboards import analysis, charts, components, data

components.header(
    "Map",
    "Facilities (FracTracker, Epoch AI frontier data centers) and AI deployments (Epoch AI GPU "
    "clusters, placed at their market's centre) sized by MW. No base map: the dashboard runs offline.",
)

facilities = components.load(data.facilities)
deployments = components.load(data.deployments)
markets = components.load(data.markets)

layer = (
    st.segmented_control("Show", ["Facilities", "AI deployments"], default="Facilities", key="map-layer")
    or "Facilities"
)

if layer == "Facilities":
    frame = facilities.with_columns(
        name=pl.col("facility_name"),
        mw=pl.coalesce("capacity_mw_high", "capacity_mw_low"),
        workload=pl.lit(None, dtype=pl.String),
        stage=pl.col("status"),
    )
    colour_options = ["Lifecycle stage"]
else:
    frame = deployments.with_columns(
        name=pl.col("cluster_name"),
        operator=pl.col("owner"),
        mw=pl.col("facility_power_mw"),
        stage=pl.col("status"),
    )
    colour_options = ["Workload", "Lifecycle stage"]

frame = frame.with_columns(  # points outside any reference market stay visible under 'unknown'
    pl.col("market_tier").fill_null("unknown"), pl.col("region").fill_null("Unknown")
)
cols = st.columns(4)
stages = analysis.ordered(frame["stage"].drop_nulls().unique().to_list(), analysis.STAGES)
chosen_stages = cols[0].multiselect("Stage", stages, default=stages, key=f"map-stage-{layer}")
tiers = analysis.ordered(frame["market_tier"].drop_nulls().unique().to_list(), analysis.TIER_ORDER)
chosen_tiers = cols[1].multiselect("Tier", tiers, default=tiers, key=f"map-tier-{layer}")
regions = sorted(frame["region"].drop_nulls().unique().to_list())
chosen_regions = cols[2].multiselect("Region", regions, default=regions, key=f"map-region-{layer}")
operators = sorted(frame["operator"].drop_nulls().unique().to_list())
chosen_operators = cols[3].multiselect("Operator (all if empty)", operators, key=f"map-operator-{layer}")
colour_by = st.radio("Colour by", colour_options, horizontal=True, key="map-colour")

shown = frame.filter(
    pl.col("stage").is_in(chosen_stages)
    & pl.col("market_tier").is_in(chosen_tiers)
    & pl.col("region").is_in(chosen_regions)
    & pl.col("latitude").is_not_null()
    & pl.col("longitude").is_not_null()
)
if chosen_operators:
    shown = shown.filter(pl.col("operator").is_in(chosen_operators))

palette = charts.WORKLOAD_RGB if colour_by == "Workload" else charts.STAGE_RGB
key_column = "workload" if colour_by == "Workload" else "stage"
points = shown.with_columns(
    rgb=pl.col(key_column).replace_strict(palette, default=[128, 128, 128], return_dtype=pl.List(pl.Int64)),
    tooltip=pl.format(
        "<b>{}</b><br/>{} | {} | {}<br/>{} MW ({})<br/>{}, {}<br/>source: {}",
        pl.col("name"),
        pl.col("operator").fill_null("operator n/a"),
        pl.col("stage"),
        pl.col("workload").fill_null("-"),
        pl.col("mw").round(0).fill_null(-1).cast(pl.Int64),
        pl.lit("reported range, high end" if layer == "Facilities" else "facility power"),
        pl.col("market_name").fill_null("no market"),
        pl.col("market_tier").fill_null("-"),
        pl.col("source"),
    ),
)
labels = markets.filter(pl.col("latitude").is_not_null() & pl.col("market_tier").is_in(["tier_1", "tier_2"]))

st.metric(f"{layer} shown", f"{shown.height}", help="After the filters above")
st.pydeck_chart(
    charts.map_deck(
        points.select("name", "latitude", "longitude", "mw", "rgb", "tooltip"),
        labels.select("market_name", "latitude", "longitude"),
    ),
    key="map-deck",
)
legend = " | ".join(f"{k}: rgb{tuple(v)}" for k, v in palette.items() if k in points[key_column].to_list())
st.caption(
    f"Colours: {legend}. Facilities: capacity as reported (high end of a range), status as reported, "
    "mapped to lifecycle stages; stages are not summed. Deployments: Epoch AI GPU clusters at their "
    "market's coordinates; facility power reported or calculated (GPUs x TDP x overhead x PUE), workload "
    "modelled. Hover a point for its source."
)
table = shown.select(
    "name",
    "operator",
    "stage",
    "workload",
    "mw",
    "market_name",
    "region",
    "market_tier",
    "latitude",
    "longitude",
    "source",
)
with st.expander("Points as a table"):
    st.dataframe(table, hide_index=True)
components.csv_download(table, f"map_{layer.lower().replace(' ', '_')}")
