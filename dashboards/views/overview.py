"""Overview: AI demand in the latest year (training, inference; hpc apart), the horizon by scenario,
growth with Epoch's coverage caveat, calendar-year energy against the IEA, freshness."""

from __future__ import annotations

import datetime as dt

import polars as pl
import streamlit as st

from dashboards import charts, components
from dashboards.analysis import common, demand_forecast, overview
from dashboards.data import queries

components.header(
    "Overview",
    "AI data-center demand now and at the forecast horizon. Demand is facility power (IT power x PUE) installed "
    "for AI: Epoch AI's frontier data-center campuses by their build-out timelines, and the GPU clusters of Epoch's "
    "dataset no campus already counts, each megawatt once; split into training and inference. Scientific and "
    "industrial supercomputers (hpc) are shown apart and never added to AI demand. The forecast is modelled.",
)

demand = components.load(queries.demand_by_tier)
forecast = components.load(queries.demand_forecast)
projections = components.load(queries.published_projections)
summary = components.load(queries.market_summary)
params = common.ModelParams.from_frame(components.load(queries.parameters))
if demand.is_empty() or forecast.is_empty():
    st.info("The warehouse holds no demand rows yet (marts.fct_ai_demand_by_tier or fct_demand_forecast is empty).")
    st.stop()

today = overview.latest_year(demand)
assert today is not None
as_of = demand.filter(pl.col("year") == today)["as_of_date"].max() if "as_of_date" in demand.columns else None
partial = as_of is not None and (as_of.month, as_of.day) != (12, 31)
period = f"{as_of:%Y-%m-%d}" if partial else f"the end of {today}"
energy_period = f"1 Jan-{as_of:%d %b} {today}" if partial else f"{today}"
horizon = params.forecast_end_year if params.forecast_end_year in forecast["year"].to_list() else None
horizon = horizon or int(forecast["year"].max())  # type: ignore[arg-type]
coverage = demand_forecast.coverage_note(projections)

# --- AI demand in the latest year -------------------------------------------------------------
split = overview.demand_by_workload(demand, today)
ai_mw = split["training"]["mw"] + split["inference"]["mw"]
ai_twh = split["training"]["twh"] + split["inference"]["twh"]
st.subheader(f"AI demand installed at {period} (facility power)")
cols = st.columns(4)
energy = {"delta_color": "off", "delta_arrow": "off"}  # the delta line carries energy, not a change
cols[0].metric(
    "AI demand (training + inference)", components.fmt_mw(ai_mw), f"{ai_twh:,.1f} TWh in {energy_period}", **energy
)
cols[1].metric("Training", components.fmt_mw(split["training"]["mw"]), f"{split['training']['twh']:,.1f} TWh", **energy)
cols[2].metric(
    "Inference", components.fmt_mw(split["inference"]["mw"]), f"{split['inference']['twh']:,.1f} TWh", **energy
)
cols[3].metric(
    "HPC (apart, not AI)",
    components.fmt_mw(split["hpc"]["mw"]),
    f"{split['hpc']['twh']:,.1f} TWh",
    help="Scientific and industrial supercomputers (workload class hpc): shown apart, not in the AI total.",
    **energy,
)
st.caption(
    f"Source: marts.fct_ai_demand_by_tier, {period} (the newest date the sources cover): Epoch AI's frontier "
    "campuses at their last timeline event by then (reported, read off imagery or Epoch's estimate), plus GPU "
    "clusters no campus counts (power reported, else GPUs x all-in IT kW per accelerator x PUE "
    f"{params.pue_ai_cluster:g}); marts.fct_campus_cluster_pairs shows which clusters a campus counts. The "
    "training/inference split is modelled (marts.fct_ai_workload_split): a cluster its source says was built to "
    "train trains for its first use, then is repurposed like its owner's fleet; otherwise an owner-type prior that "
    f"moves toward the market's inference share by {params.forecast_end_year}. With every prior-based share at an "
    f"end of its range, training is {components.fmt_mw(split['training']['low'])}-"
    f"{components.fmt_mw(split['training']['high'])} and inference {components.fmt_mw(split['inference']['low'])}-"
    f"{components.fmt_mw(split['inference']['high'])} (split_low_mw, split_high_mw). Energy is TWh of "
    f"{energy_period} (mean of the MW at the end of the period before and of this one x "
    f"the period's hours x load factor: {params.load_factor_text()}). The line under each figure is its energy, "
    "not a change."
)

unknown = overview.unknown_tier_by_country(summary)
if not unknown.is_empty():
    unknown_mw = float(unknown["ai_demand_mw"].sum())
    st.markdown(
        f"**Tier 'unknown' by country** ({components.fmt_mw(unknown_mw)} of the {components.fmt_mw(ai_mw)} of AI "
        "demand: capacity whose location inside the country is not disclosed, named by owner below)"
    )
    components.chart(
        charts.workload_bar(overview.top_with_rest(unknown, overview.UNKNOWN_TIER_BARS), "market_name"),
        unknown,
        "unknown_tier_by_country",
        "Source: marts.fct_market_summary, markets of tier 'unknown': '<country>: location undisclosed' "
        "(country_rest: Epoch names only the country) and 'unassigned' (no usable location); the first "
        f"{overview.UNKNOWN_TIER_BARS} by AI demand, then the rest together (every place in the CSV). AI demand "
        "reported or calculated as above, the training/inference split modelled; hpc apart; pipeline MW as announced.",
    )
    unlocated = components.load(queries.ai_demand_unlocated)
    if not unlocated.is_empty():
        st.dataframe(
            unlocated.select("market_id", "owner", "owner_type", "ai_demand_mw", "deployments", "deployment_names"),
            hide_index=True,
            column_config={"ai_demand_mw": st.column_config.NumberColumn("AI demand MW", format="%.0f")},
        )
        st.caption(
            "Whose it is: marts.fct_ai_demand_unlocated, one row per country's undisclosed market x owner (an empty "
            "owner: Epoch withholds it, e.g. its anonymised Chinese systems). Hyperscaler AI that Epoch cannot place "
            "is named here, not guessed into a market."
        )

# --- The horizon ------------------------------------------------------------------------------
scenarios = [s for s in overview.HEADLINE_SCENARIOS if s in forecast["scenario"].unique().to_list()]
st.subheader(f"{horizon} outlook (modelled)")
cols = st.columns(len(scenarios) + 1)
base_target = demand_forecast.scenario_total(forecast, horizon, "base") if "base" in scenarios else None
for col, scenario in zip(cols, scenarios, strict=False):
    value = demand_forecast.scenario_total(forecast, horizon, scenario)
    twh = demand_forecast.scenario_total(forecast, horizon, scenario, "annual_energy_twh")
    delta = f"{twh:,.0f} TWh"
    if base_target and scenario != "base":
        delta += f", {(value / base_target - 1) * 100:+.0f}% vs base"
    col.metric(
        f"{scenario.capitalize()} scenario", components.fmt_mw(value), delta, delta_color="off", delta_arrow="off"
    )
growth = overview.cagr(ai_mw, base_target or 0.0, horizon - today)
cols[-1].metric(
    f"Base growth {today}-{horizon}",
    f"{growth * 100:.0f}% a year" if growth is not None else "n/a",
    "of tracked AI power",
    delta_color="off",
    delta_arrow="off",
    help="Growth of the AI power in Epoch AI's dataset, which tracks only part of all AI compute (see below).",
)
hpc_horizon = (
    demand_forecast.scenario_total(forecast, horizon, "base", workload=common.HPC) if "base" in scenarios else 0.0
)
base_rows = forecast.filter((pl.col("scenario") == "base") & (pl.col("year") == horizon))
inference_rows = base_rows.filter(pl.col("workload") == "inference")
split_text = ""
if inference_rows.height and base_target:
    split_text = (
        f"Inference in {horizon} (base): {components.fmt_mw(float(inference_rows['facility_power_mw'].sum()))} "
        f"({float(inference_rows['facility_power_mw'].sum()) / base_target * 100:.0f}% of AI), "
        f"{components.fmt_mw(float(inference_rows['split_low_mw'].sum()))}-"
        f"{components.fmt_mw(float(inference_rows['split_high_mw'].sum()))} with every prior-based share at an end "
        "of its range. "
    )
st.caption(
    f"Source: marts.fct_demand_forecast (transforms/forecast scenarios; modelled), AI demand only (training + "
    f"inference); hpc apart ({components.fmt_mw(hpc_horizon)} in {horizon}, base). Horizon {horizon}: "
    "forecast_end_year in meta.parameters. " + split_text + coverage
)

# --- Tracked and all AI ------------------------------------------------------------------------
coverage_rows = components.load(queries.demand_coverage)
if not coverage_rows.is_empty():
    st.subheader("Tracked AI beside all AI (MW, modelled)")
    table = overview.coverage_table(coverage_rows, "base")
    last = table.filter(pl.col("year") == horizon)
    if last.height:
        row = last.row(0, named=True)
        st.markdown(
            f"In {horizon} (base) dcpulse tracks **{components.fmt_mw(row['tracked_mw'])}** of AI power; published "
            f"top-down anchors put all AI at **{components.fmt_mw(row['all_ai_low_mw'])}-"
            f"{components.fmt_mw(row['all_ai_high_mw'])}** (central {components.fmt_mw(row['all_ai_base_mw'])}), "
            f"so the tracked share is about {row['tracked_share_pct']:.0f}% of the central estimate."
        )
    st.dataframe(table, hide_index=True)
    st.caption(
        "Source: marts.fct_ai_demand_coverage (tracked: each scenario's AI total in marts.fct_demand_forecast) and "
        "marts.fct_ai_all_ai_estimate (all AI: Schneider Electric's 4.3 GW in 2023 and 13.5-20 GW in 2028; EPRI and "
        "Epoch AI's US 5 GW in 2025 growing tenfold in five years, scaled to the world by the IEA's US share of "
        "data-centre electricity; low = lowest anchor, high = highest, base = their geometric mean). The estimate is "
        "never shown below what is tracked: where an anchor's end lies below the tracked total, the tracked total "
        "stands in (estimate_raised_to_tracked) - the anchors were published before the 2025-26 build-out and run "
        "below the campuses Epoch now tracks. Extrapolated: the year lies outside the anchors' published years."
    )
    components.csv_download(coverage_rows, "demand_coverage")

# --- Energy against the IEA -------------------------------------------------------------------
st.subheader("Energy: tracked AI against all data centres (calendar-year TWh)")
comparison = overview.energy_comparison(demand, forecast, projections)
if comparison.is_empty():
    st.info("No IEA all-data-centre figure in marts.ref_published_projections.")
else:
    cols = st.columns(comparison.height)
    for col, row in zip(cols, comparison.iter_rows(named=True), strict=True):
        col.metric(
            f"{row['year']}: tracked AI vs IEA all data centres",
            f"{row['tracked_ai_twh']:,.1f} of {row['iea_all_data_centres_twh']:,.0f} TWh",
            f"{row['tracked_share_of_iea'] * 100:.1f}% ({row['tracked_basis']})",
            delta_color="off",
            delta_arrow="off",
        )
    st.dataframe(comparison, hide_index=True)
    st.caption(
        "Like for like in unit and period: both are electricity used in a calendar year (TWh). Not in scope: the "
        f"IEA figure (reported, marts.ref_published_projections, IEA {comparison['iea_publication'][0]}) covers ALL "
        "data centres "
        "worldwide (conventional servers, storage, networks, cooling); ours is the AI deployments Epoch AI tracks "
        "(modelled energy = facility MW x hours x load factor). " + coverage
    )
    components.csv_download(comparison, "energy_vs_iea")

# --- Forecast chart ---------------------------------------------------------------------------
st.subheader("AI demand by scenario, with published projections")
measure = st.radio(
    "Measure", ["Facility power (MW)", "Calendar-year energy (TWh)"], horizontal=True, key="overview-measure"
)
column, unit = ("facility_power_mw", "MW") if measure.startswith("Facility") else ("annual_energy_twh", "TWh")
others = sorted(set(forecast["scenario"].unique().to_list()) - set(overview.HEADLINE_SCENARIOS))
extra = st.multiselect("Also show scenarios", others, key="overview-extra") if others else []
totals = demand_forecast.forecast_totals(forecast.filter(pl.col("scenario").is_in([*scenarios, *extra])), column)
shown_projections = projections.filter(pl.col("unit") == unit)
components.chart(
    charts.forecast_chart(totals, shown_projections, unit),
    totals,
    f"forecast_{column}",
    "AI demand (training + inference; hpc left out). Solid: history (marts.fct_ai_demand_by_tier via "
    "fct_demand_forecast: deployments reported by Epoch AI, missing power and the workload split modelled). "
    "Dashed: modelled scenarios. Diamonds: published projections (IEA, LBNL, Epoch AI) for their own scope, e.g. "
    f"all data centres, shown where their unit is {unit}; they are reported figures, not comparable one-to-one "
    "with tracked AI demand. " + ("Energy is calendar-year TWh. " if unit == "TWh" else "") + coverage,
)
with st.expander("Published projections (reported, with sources)"):
    st.dataframe(projections, hide_index=True, column_config={"source_url": st.column_config.LinkColumn()})
    components.csv_download(projections, "published_projections")

# --- Freshness --------------------------------------------------------------------------------
st.subheader("Freshness")
runs = components.load(queries.runs)
sources = components.load(queries.source_files)
last = overview.last_good_run(runs)
cols = st.columns(3)
cols[0].metric(
    "Last successful run",
    f"{last['finished_at']:%Y-%m-%d %H:%M}" if last and last["finished_at"] else "none",
    help=f"run {last['run_id']}, status {last['status']}" if last else None,
)
cols[1].metric("Sources loaded", f"{sources.height}")
stale = sources.filter(pl.col("is_stale").fill_null(False)) if "is_stale" in sources.columns else sources.clear()
cols[2].metric(
    "Stale sources",
    f"{stale.height}",
    help=(
        "Sources the run could not read or fetch (their last good rows are kept and used), and sources whose "
        "newest data is older than their publisher's cadence allows (SOURCES.yml: cadence and publication lag)."
    ),
)
st.caption(components.freshness_line() + " " + overview.freshness_summary(sources, dt.date.today()))
if stale.height:
    st.warning("Stale: " + "; ".join(f"{r['source_table']}: {r['stale_reason']}" for r in stale.iter_rows(named=True)))
ages = overview.source_ages(sources, dt.date.today())
st.dataframe(ages, hide_index=True, column_config={"url": st.column_config.LinkColumn()})
st.caption(
    "Source: meta.source_files and meta.runs (written by each pipeline run). Age = days since the data was "
    "retrieved (the shipped snapshot's date, or when a connector fetched it); data age = days since the source's "
    "newest data (newest_data_date), out of date above max_data_age_days (the publisher's cadence plus its "
    "publication lag); origin = shipped, publisher, mirror or inbox; fetch_status = ok (fetched by this run), "
    "failed (kept its last good rows) or not_fetched (an offline run)."
)
components.csv_download(ages, "source_freshness")
