"""Map: AI demand by market, AI deployments and facilities on a Natural Earth base map drawn offline."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboards import charts, components
from dashboards.analysis import common
from dashboards.analysis import map as map_analysis
from dashboards.analysis import markets as markets_analysis
from dashboards.data import geo, queries

components.header(
    "Map",
    "AI demand by market (marts.fct_market_summary), AI deployments (Epoch AI GPU clusters, placed at their "
    "market's centre) and facilities (FracTracker, Epoch AI frontier data centers, at their own coordinates), "
    "sized by MW, with planned generators (EIA-860M) underneath on request. Base map: Natural Earth 1:110m countries "
    "and US states, drawn offline (no tiles, no network).",
)

LAYERS = ("AI demand by market", "AI deployments", "Facilities")
COLOURINGS = {
    "AI demand by market": ("Training share", "Market kind"),
    "AI deployments": ("Training share", "Market kind", "Lifecycle stage"),
    "Facilities": ("Lifecycle stage", "Market kind"),
}

LABELS = 8  # market names drawn on the map

layer = st.segmented_control("Show", LAYERS, default=LAYERS[0], key="map-layer") or LAYERS[0]

if layer == "AI demand by market":
    summary = components.load(queries.market_summary)
    frame = summary.filter((pl.col("ai_demand_mw") > 0) | (pl.col("hpc_mw") > 0)).with_columns(
        name=pl.col("market_name"),
        mw=pl.col("ai_demand_mw"),
        share=pl.when(pl.col("ai_demand_mw") > 0).then(pl.col("ai_training_mw") / pl.col("ai_demand_mw")),
        stage=pl.lit("installed"),
        operator=pl.lit(None, dtype=pl.String),
        source=pl.lit("marts.fct_market_summary"),
        duplicate_of=pl.lit(None, dtype=pl.String),
        detail=pl.format(
            "training {} MW + inference {} MW = AI {} MW; hpc apart {} MW; announced AI pipeline {} MW",
            *[
                pl.col(c).fill_null(0).round(1)
                for c in ("ai_training_mw", "ai_inference_mw", "ai_demand_mw", "hpc_mw", "ai_pipeline_mw")
            ],
        ),
    )
    size_note = "AI demand MW in the latest year (training + inference; hpc apart, not in the size)"
elif layer == "AI deployments":
    deployments = components.load(queries.map_deployments)
    frame = deployments.with_columns(
        name=pl.col("cluster_name"),
        operator=pl.col("owner"),
        mw=pl.col("facility_power_mw"),
        share=pl.when(pl.col("workload") != common.HPC).then(pl.col("training_share")),
        stage=pl.col("status"),
        duplicate_of=pl.lit(None, dtype=pl.String),
        detail=pl.format(
            "{} MW ({}); class {}, training share {} ({}); in demand: {}",
            pl.col("facility_power_mw").round(1),
            pl.col("power_basis").fill_null("-"),
            pl.col("workload").fill_null("-"),
            pl.col("training_share").round(2),
            pl.col("workload_basis").fill_null("-"),
            pl.col("demand_reason").fill_null("-"),
        ),
    )
    size_note = "facility power MW of each deployment (reported or calculated), every status"
else:
    facilities = components.load(queries.map_facilities)
    frame = facilities.with_columns(
        name=pl.col("facility_name"),
        mw=pl.coalesce("capacity_mw_high", "capacity_mw_low"),
        share=pl.lit(None, dtype=pl.Float64),
        stage=pl.col("status"),
        detail=pl.format(
            "{} MW reported ({}){}",
            pl.coalesce("capacity_mw_high", "capacity_mw_low").round(0),
            pl.col("capacity_text").fill_null("no MW figure"),
            pl.when(pl.col("duplicate_of").is_not_null())
            .then(pl.format("; also listed by the other source as {}", pl.col("duplicate_of")))
            .otherwise(pl.lit("")),
        ),
    )
    size_note = "facility capacity MW as reported (high end of a range); sites without a MW figure at the minimum size"

frame = frame.with_columns(  # points outside any reference market stay visible under 'unknown'
    pl.col("market_tier").fill_null("unknown"),
    pl.col("market_kind").fill_null("unassigned"),
    pl.col("region").fill_null("Unknown"),
    pl.col("stage").fill_null("unknown"),
)
cols = st.columns(5)
stages = common.ordered(frame["stage"].unique().to_list(), common.STAGES)
chosen_stages = cols[0].multiselect("Stage", stages, default=stages, key=f"map-stage-{layer}")
tiers = common.ordered(frame["market_tier"].unique().to_list(), common.TIER_ORDER)
chosen_tiers = cols[1].multiselect("Tier", tiers, default=tiers, key=f"map-tier-{layer}")
kinds = common.ordered(frame["market_kind"].unique().to_list(), common.KIND_ORDER)
chosen_kinds = cols[2].multiselect("Kind", kinds, default=kinds, key=f"map-kind-{layer}")
regions = sorted(frame["region"].unique().to_list())
chosen_regions = cols[3].multiselect("Region", regions, default=regions, key=f"map-region-{layer}")
operators = sorted(frame["operator"].drop_nulls().unique().to_list())
chosen_operators = cols[4].multiselect("Operator (all if empty)", operators, key=f"map-operator-{layer}")
colour_by = st.radio("Colour by", COLOURINGS[layer], horizontal=True, key=f"map-colour-{layer}")

# The power layer: planned generators under the points, coloured by fuel, sized by nameplate MW.
measure = components.load(queries.power_measure)
power_label = markets_analysis.power_label(measure)
power_cols = st.columns([2, 3, 2])
show_power = power_cols[0].toggle("Planned generation underneath (EIA-860M)", key="map-power")
generators = components.load(queries.map_planned_generators) if show_power else None
if generators is not None:
    fuels = [f for f in charts.FUEL_RGB if f in generators["fuel"].unique().to_list()]
    chosen_fuels = power_cols[1].multiselect("Fuel", fuels, default=fuels, key="map-power-fuel")
    years = sorted(generators["planned_year"].unique().to_list())
    horizon = int(common.parameter_value(components.load(queries.parameters), "forecast_end_year"))
    by_year = power_cols[2].select_slider(
        "Planned to run by the end of", years, value=max([y for y in years if y <= horizon] or years),
        key="map-power-year",
    ) if years else None  # fmt: skip
    generators = generators.filter(pl.col("fuel").is_in(chosen_fuels) & (pl.col("planned_year") <= (by_year or 0)))

selected = frame.filter(
    pl.col("stage").is_in(chosen_stages)
    & pl.col("market_tier").is_in(chosen_tiers)
    & pl.col("market_kind").is_in(chosen_kinds)
    & pl.col("region").is_in(chosen_regions)
)
if chosen_operators:
    selected = selected.filter(pl.col("operator").is_in(chosen_operators))
shown = selected.filter(pl.col("latitude").is_not_null() & pl.col("longitude").is_not_null())
unplaced = selected.height - shown.height

if colour_by == "Training share":
    rgb = map_analysis.training_share_rgb(pl.col("share"))
    legend = (
        "colour runs from blue (all inference, training share 0) through purple to red (all training, share 1); "
        "grey: no split (hpc, or no AI demand)"
    )
elif colour_by == "Market kind":
    rgb = pl.col("market_kind").replace_strict(charts.KIND_RGB, default=[128, 128, 128], return_dtype=pl.List(pl.Int64))
    legend = "market kind: " + ", ".join(
        f"{k} rgb{tuple(v)}" for k, v in charts.KIND_RGB.items() if k in shown["market_kind"].to_list()
    )
else:
    rgb = pl.col("stage").replace_strict(charts.STAGE_RGB, default=[128, 128, 128], return_dtype=pl.List(pl.Int64))
    legend = "lifecycle stage: " + ", ".join(
        f"{k} rgb{tuple(v)}" for k, v in charts.STAGE_RGB.items() if k in shown["stage"].to_list()
    )
second_listing = pl.col("duplicate_of").is_not_null()
points = shown.with_columns(
    radius_px=map_analysis.bubble_radius_px(pl.col("mw")),
    rgba=pl.concat_list(rgb, pl.when(second_listing).then(pl.lit(0)).otherwise(pl.lit(170))),
    line_rgba=pl.when(second_listing)
    .then(pl.concat_list(rgb, pl.lit(255)))
    .otherwise(pl.lit([255, 255, 255, 220], dtype=pl.List(pl.Int64))),
    tooltip=pl.format(
        "<b>{}</b><br/>{} | {}<br/>{}<br/>{}, {} · {}, {}<br/>source: {}",
        pl.col("name").fill_null("-"),
        pl.col("operator").fill_null("operator n/a"),
        pl.col("stage"),
        pl.col("detail").fill_null("-"),
        pl.col("market_name").fill_null("no market"),
        pl.col("market_tier"),
        pl.col("market_kind"),
        pl.col("region"),
        pl.col("source").fill_null("-"),
    ),
)
# Names of the markets holding the most MW shown, at the market's centre (a country's undisclosed rest
# by its country code).
top_markets = (
    shown.filter(pl.col("market_id").is_not_null())
    .group_by("market_id")
    .agg(pl.col("mw").fill_null(0).sum())
    .sort("mw", "market_id", descending=[True, False])
    .head(LABELS)
)
markets = components.load(queries.markets)
labels = (
    markets.join(top_markets, on="market_id", how="inner")
    .sort("mw", "market_id", descending=[True, False])
    .select(
        pl.when(pl.col("market_kind") == "country_rest")
        .then(pl.format("{} (undisclosed)", pl.col("country_code")))
        .otherwise(pl.col("market_name"))
        .alias("label"),
        "latitude",
        "longitude",
    )
)
countries, states = geo.base_map()
view = map_analysis.view_for(shown["latitude"].to_list(), shown["longitude"].to_list())
labels = map_analysis.declutter_labels(labels, view["zoom"])  # the biggest markets first, none on top of another

cols = st.columns(3)
cols[0].metric(f"{layer} shown", f"{shown.height}", help="After the filters above, with coordinates")
cols[1].metric("Without coordinates (not drawn)", f"{unplaced}")
if layer == "AI demand by market":  # the other layers mix lifecycle stages, which are never summed
    cols[2].metric("AI demand shown", components.fmt_mw(float(shown["mw"].fill_null(0).sum())))
st.pydeck_chart(
    charts.map_deck(
        # Largest first, so smaller bubbles are drawn on top of larger neighbours.
        points.sort("radius_px", descending=True).select(
            "name", "latitude", "longitude", "mw", "radius_px", "rgba", "line_rgba", "tooltip"
        ),
        labels,
        countries,
        states,
        view,
        underlay=map_analysis.generator_points(generators, charts.FUEL_RGB) if generators is not None else None,
    ),
    key="map-deck",
    height=620,
)
st.caption(
    f"Bubble area ~ {size_note}; radius = {map_analysis.BUBBLE_PX_PER_SQRT_MW:g} px x sqrt(MW), at least "
    f"{map_analysis.BUBBLE_MIN_PX:g} px and at most {map_analysis.BUBBLE_MAX_PX:g} px, so a 20 MW edge site and a 1 GW "
    "campus are both visible and no bubble covers a metro's neighbours. Colours: "
    + legend
    + ". The map opens on the extent of the points shown."
    + (map_analysis.generator_caption(generators, power_label, charts.FUEL_RGB) if generators is not None else "")
    + (" " + markets_analysis.POWER_CAVEAT if generators is not None else "")
    + " Sources: marts.fct_market_summary, "
    "marts.fct_ai_deployments (power reported or calculated, the training/inference split modelled) and "
    "marts.fct_facilities (capacity and status as reported; stages are never summed; a campus listed by both "
    "FracTracker and Epoch AI has one filled bubble and a ring for its second listing). Base map: Natural Earth "
    "(public domain), data/reference/geo/PROVENANCE.md. Hover a point for its details and source."
)
table = shown.select(
    "name",
    "operator",
    "stage",
    "mw",
    "share",
    "market_name",
    "region",
    "market_tier",
    "market_kind",
    "latitude",
    "longitude",
    "detail",
    "source",
)
with st.expander("Points as a table"):
    st.dataframe(table, hide_index=True)
components.csv_download(table, f"map_{layer.lower().replace(' ', '_')}")
