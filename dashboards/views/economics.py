"""GPU and energy economics: cost per GPU-hour by model and market; reference deployments' energy bill."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboards import analysis, charts, components, data

components.header(
    "GPU & energy economics",
    "What a GPU-hour costs to own in each market (capex amortised over the hours sold plus the "
    "energy at the market's price and PUE) against cloud list prices, and the yearly energy bill of "
    "the industry report's reference deployments.",
)

gpu_prices = components.load(data.gpu_prices)
gpus = analysis.with_purchase_prices(components.load(data.gpus), gpu_prices)
deployments = components.load(data.deployments)
energy_prices = components.load(data.energy_prices)
table = analysis.market_table(
    components.load(data.markets),
    components.load(data.facilities),
    deployments,
    energy_prices,
)
price_note = analysis.price_basis_note(energy_prices)

with st.sidebar:
    st.subheader("Assumptions")
    years = st.slider("Amortisation (years)", 2.0, 7.0, 4.0, 0.5, key="econ-years")
    utilisation = st.slider("Utilisation (share of hours sold)", 0.2, 1.0, 0.7, 0.05, key="econ-util")
    multiplier = st.slider(
        "Capex multiplier (server, network, facility on top of the GPU)", 1.0, 3.0, 1.5, 0.1, key="econ-mult"
    )
    pue = st.slider("PUE", 1.05, 1.8, 1.2, 0.01, key="econ-pue")
assumptions = analysis.GpuCostAssumptions(years, utilisation, multiplier, pue)

cloud = analysis.cloud_prices(gpu_prices)
priced_models = gpus.filter(pl.col("release_price_usd").is_not_null())["gpu_model"].to_list()
default_models = analysis.default_gpu_models(priced_models, cloud)
models = st.multiselect("GPU models", priced_models, default=default_models, key="econ-models")
regions = sorted(table["region"].drop_nulls().unique().to_list())
chosen_regions = st.multiselect("Regions", regions, default=regions, key="econ-regions")
priced = table.filter(pl.col("region").is_in(chosen_regions))

costs = analysis.gpu_hour_costs(gpus, priced, assumptions, models)
if costs.is_empty():
    st.info("No GPU model with a price, or no market with an energy price, in this selection.")
else:
    cheapest = costs.sort("total_usd_per_gpu_hour").row(0, named=True)
    st.metric(
        "Cheapest owned GPU-hour in the selection",
        f"${cheapest['total_usd_per_gpu_hour']:.2f}",
        f"{cheapest['gpu_model']} in {cheapest['market_name']}",
        delta_color="off",
        delta_arrow="off",
    )
    components.chart(
        charts.gpu_cost_chart(costs, cloud),
        costs.join(cloud, on="gpu_model", how="left"),
        "gpu_hour_costs",
        "Modelled from reported inputs. Sources: GPU release price and TDP (marts.dim_gpus, Epoch AI ML "
        "hardware; purchase price from marts.fct_gpu_prices where no release price), "
        "IT kW per GPU = TDP x server overhead 1.82 (Epoch AI method). Amortisation, utilisation, capex "
        "multiplier and PUE are the assumptions in the sidebar. Orange dashes: cloud on-demand list price per "
        "GPU-hour, median across providers (marts.fct_gpu_prices, reported). " + price_note,
    )
    with st.expander("Cloud list prices per GPU-hour (reported)"):
        st.dataframe(cloud, hide_index=True)

st.subheader("Reference deployments: yearly energy cost by market")
load_factor = analysis.load_factors(deployments)
ref = analysis.reference_energy_costs(gpus, priced, pue, load_factor)
if ref.is_empty():
    st.info(
        "None of the reference GPU models (A100, H800, H100) is in marts.dim_gpus, no market in the "
        "selection has an energy price, or the warehouse has no load factor for their workloads."
    )
else:
    summary = (
        ref.group_by("deployment", "gpu_model", "it_mw", "facility_mw", "annual_mwh", "racks")
        .agg(
            pl.col("annual_energy_cost_usd").min().alias("cheapest_usd"),
            pl.col("annual_energy_cost_usd").max().alias("dearest_usd"),
        )
        .sort("it_mw")
    )
    st.dataframe(
        summary,
        hide_index=True,
        column_config={
            "it_mw": st.column_config.NumberColumn("IT MW", format="%.1f"),
            "facility_mw": st.column_config.NumberColumn("facility MW", format="%.1f"),
            "annual_mwh": st.column_config.NumberColumn("MWh per year", format="%.0f"),
            "cheapest_usd": st.column_config.NumberColumn("cheapest market $/yr", format="%.0f"),
            "dearest_usd": st.column_config.NumberColumn("dearest market $/yr", format="%.0f"),
        },
    )
    components.chart(
        charts.reference_cost_chart(ref),
        ref,
        "reference_deployment_energy",
        "Modelled. Sources: GPUs x IT kW per GPU (marts.dim_gpus) x PUE (sidebar) x 8760 h x load factor "
        "as the warehouse applies it (marts.fct_ai_deployments.load_factor: "
        + ", ".join(f"{w} {v:g}" for w, v in sorted(load_factor.items()))
        + "; assumptions, the dbt vars load_factor_<workload>) x the market's energy price. The deployments are "
        "the industry report's examples: 25,000 A100 training, 2,000 H800 inference in 15-40 kW racks, "
        "100,000 H100. " + price_note,
    )
