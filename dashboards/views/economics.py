"""GPU and energy economics: cost per GPU-hour by model and market; reference deployments' energy bill."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboards import charts, components
from dashboards.analysis import common, economics, markets
from dashboards.data import queries

components.header(
    "GPU & energy economics",
    "What a GPU-hour costs to own in each market (capex amortised over the hours sold plus the "
    "energy at the market's price and PUE) against cloud list prices, and the yearly energy bill of "
    "the industry report's reference deployments.",
)

gpu_prices = components.load(queries.gpu_prices)
gpus = economics.with_purchase_prices(components.load(queries.gpus), gpu_prices)
summary = markets.siteable(components.load(queries.market_summary))
params = common.ModelParams.from_frame(components.load(queries.parameters))
price_note = markets.price_bases(summary)

with st.sidebar:
    st.subheader("Assumptions")
    years = st.slider(
        "Amortisation (years)",
        min(economics.AMORTISATION_YEARS_RANGE[0], params.accelerator_depreciation_years),
        max(economics.AMORTISATION_YEARS_RANGE[1], params.accelerator_depreciation_years),
        params.accelerator_depreciation_years,
        0.5,
        key="econ-years",
        help="Default: accelerator_depreciation_years (meta.parameters), the life in service the forecast's "
        "hardware_retirement scenario retires hardware at.",
    )
    utilisation = st.slider(
        "Utilisation (share of hours sold)", 0.2, 1.0, economics.DEFAULT_UTILISATION, 0.05, key="econ-util"
    )
    multiplier = st.slider(
        "Capex multiplier (server, network, facility on top of the GPU)",
        1.0,
        3.0,
        economics.DEFAULT_CAPEX_MULTIPLIER,
        0.1,
        key="econ-mult",
    )
    pue = st.slider(
        "PUE",
        1.0,
        2.0,
        params.pue_ai_cluster,
        0.01,
        key="econ-pue",
        help="Default: pue_ai_cluster as the warehouse applied it (meta.parameters).",
    )
    st.caption(
        f"Warehouse defaults (meta.parameters): PUE {params.pue_ai_cluster:g} (pue_ai_cluster); load factors "
        f"{params.load_factor_text()}; amortisation {params.accelerator_depreciation_years:g} years "
        "(accelerator_depreciation_years). Utilisation and capex multiplier are this page's assumptions."
    )
assumptions = economics.GpuCostAssumptions(years, utilisation, multiplier, pue)

cloud = economics.cloud_prices(gpu_prices)
priced_models = gpus.filter(pl.col("release_price_usd").is_not_null() & pl.col("it_kw_per_gpu").is_not_null())[
    "gpu_model"
].to_list()
default_models = economics.default_gpu_models(priced_models, cloud)
models = st.multiselect("GPU models", priced_models, default=default_models, key="econ-models")
regions = sorted(summary["region"].drop_nulls().unique().to_list())
chosen_regions = st.multiselect("Regions", regions, default=regions, key="econ-regions")
priced = summary.filter(pl.col("region").is_in(chosen_regions))

costs = economics.gpu_hour_costs(gpus, priced, assumptions, models)
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
        "Modelled from reported inputs. Sources: GPU release price (marts.dim_gpus, Epoch AI ML hardware; the "
        "purchase price from marts.fct_gpu_prices where there is no release price) and all-in IT kW per GPU "
        "(marts.dim_gpus.it_kw_per_gpu: the platform's system power where published, else TDP x server overhead "
        f"{params.server_overhead:g} from meta.parameters). Energy = IT kW x PUE (sidebar; warehouse default "
        f"{params.pue_ai_cluster:g}) x the market's price. Amortisation, utilisation and capex multiplier are the "
        "sidebar's assumptions. Orange dashes: cloud on-demand list price per GPU-hour, median across providers "
        "(marts.fct_gpu_prices price_kind on_demand, reported). " + price_note,
    )
    with st.expander("Cloud list prices per GPU-hour (reported): on-demand and spot"):
        st.dataframe(cloud, hide_index=True)
        st.caption(
            "Source: marts.fct_gpu_prices (SkyPilot catalog and Lambda list prices, reported). On-demand and spot "
            "are different products: spot is an auction price that can be interrupted, never mixed with on-demand."
        )
        components.csv_download(cloud, "cloud_gpu_prices")

st.subheader("Reference deployments: yearly energy cost by market")
ref = economics.reference_energy_costs(gpus, priced, pue, params.load_factor)
if ref.is_empty():
    st.info(
        "None of the reference GPU models (A100, H800, H100) is in marts.dim_gpus with an IT power, or no market in "
        "the selection has an energy price."
    )
else:
    summary_rows = (
        ref.group_by(
            "deployment", "gpu_model", "workload", "load_factor", "it_mw", "facility_mw", "annual_mwh", "racks"
        )
        .agg(
            pl.col("annual_energy_cost_usd").min().alias("cheapest_usd"),
            pl.col("annual_energy_cost_usd").max().alias("dearest_usd"),
        )
        .sort("it_mw")
    )
    st.dataframe(
        summary_rows,
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
        "Modelled. GPUs x all-in IT kW per GPU (marts.dim_gpus) x PUE (sidebar) x 8,760 h x the load factor of the "
        f"deployment's workload as the warehouse applies it (meta.parameters: {params.load_factor_text()}; "
        "assumptions) x the market's energy price. The deployments are the industry report's examples: 25,000 "
        "A100 training, 2,000 H800 inference in 15-40 kW racks, 100,000 H100. " + price_note,
    )
