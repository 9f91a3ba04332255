"""Scenario builder: move the forecast's drivers and see the forecast recomputed live."""

from __future__ import annotations

import datetime as dt
import importlib
from types import ModuleType
from typing import Any

import polars as pl
import streamlit as st
import yaml

from dashboards import analysis, charts, components, data

components.header(
    "Scenario builder",
    "Start from a named scenario, move its drivers, and the forecast is recomputed with the same "
    "function the pipeline uses (transforms/forecast `forecast_scenario`). Download the result "
    "as a scenario YAML to propose it for the scenario file.",
)


def forecast_module() -> ModuleType | None:
    try:
        return importlib.import_module("transforms.forecast")
    except ImportError:
        return None


fc = forecast_module()
if fc is None:
    st.warning(
        "The forecast module (transforms/forecast) is not available in this install; showing the stored scenarios only."
    )

stored = components.load(data.demand_forecast)
history = components.load(data.demand_by_tier)
stored_totals = analysis.forecast_totals(stored)

if fc is None:
    components.chart(
        charts.scenario_chart(stored_totals, stored_totals.head(0)),
        stored_totals,
        "stored_scenarios",
        "Source: marts.fct_demand_forecast (modelled).",
    )
    st.stop()

scenarios = fc.load_scenarios()
names = list(scenarios)
start = st.selectbox("Start from scenario", names, index=names.index("base") if "base" in names else 0, key="sb-start")
params = scenarios[start]
if params.description:
    st.caption(params.description)

# The drivers the issue names, with the scenario's own value as the slider's default.
DRIVERS: dict[str, tuple[str, float, float, float, str]] = {
    "accelerator_power_cagr": ("Growth of installed AI (IT) power, per year", 0.0, 1.0, 0.01, "%.2f"),
    "inference_share_target": (
        "Inference share of training + inference power by the target year",
        0.0,
        1.0,
        0.01,
        "%.2f",
    ),
    "pue_ratio_target": ("PUE in 2028 relative to 2023 (1.0 = no improvement)", 0.6, 1.2, 0.01, "%.3f"),
    "tier_shift_strength": (
        "Tier shift: how far the tier mix moves to its target (0 none, 1 full)",
        0.0,
        1.0,
        0.05,
        "%.2f",
    ),
    "pipeline_delay_years": ("Delay of announced projects (years)", 0.0, 5.0, 0.5, "%.1f"),
}
values: dict[str, float] = {}
cols = st.columns(2)
for i, (name, (label, lo, hi, step, fmt)) in enumerate(DRIVERS.items()):
    current = float(getattr(params, name))
    values[name] = cols[i % 2].slider(
        label,
        min(lo, current),
        max(hi, current),
        current,
        step,
        format=fmt,
        key=f"sb-{start}-{name}",
        help=(params.provenance[name].note if name in params.provenance else None),
    )
overrides: dict[str, Any] = {k: v for k, v in values.items() if abs(v - float(getattr(params, k))) > 1e-12}
end_year = st.slider("Forecast to", 2026, 2035, 2030, key="sb-end")


@st.cache_data(max_entries=64, show_spinner="Recomputing the forecast ...")
def run_forecast(key: Any, start: str, overrides_items: tuple[tuple[str, float], ...], end_year: int) -> pl.DataFrame:
    del key  # cache key only: the published file version
    module = forecast_module()
    assert module is not None
    pipeline = module.pipeline_from_deployments(data.deployments(), data.markets())
    return module.forecast_scenario(
        data.demand_by_tier(),
        pipeline,
        scenario=start,
        overrides=dict(overrides_items) or None,
        end_year=end_year,
    )


try:
    custom = components.load(run_forecast, data.warehouse_key(), start, tuple(sorted(overrides.items())), end_year)
except (ValueError, KeyError) as error:  # a slider combination the forecast's validation refuses
    st.error(f"The forecast refused these drivers: {error}")
    st.stop()

custom_totals = analysis.forecast_totals(custom).filter(pl.col("scenario") != "history")
final = int(custom_totals["year"].max()) if not custom_totals.is_empty() else end_year
custom_final = analysis.scenario_total(custom, final, start)
stored_final = analysis.scenario_total(stored, final, start) if final in stored["year"].to_list() else None
cols = st.columns(3)
cols[0].metric(
    f"Your scenario, {final}",
    components.fmt_mw(custom_final),
    f"{(custom_final / stored_final - 1) * 100:+.1f}% vs stored '{start}'" if stored_final else None,
)
inference = custom.filter((pl.col("year") == final) & (pl.col("workload") == "inference"))["facility_power_mw"].sum()
cols[1].metric(f"Inference, {final}", components.fmt_mw(float(inference)))
energy = custom.filter(pl.col("year") == final)["annual_energy_twh"].sum()
cols[2].metric(f"Energy, {final}", f"{float(energy):,.1f} TWh")

if "total_basis" in custom.columns:
    projected = custom.filter(~pl.col("is_history"))
    floor_years = sorted(set(projected.filter(pl.col("total_basis") == "pipeline_floor")["year"].to_list()))
    if floor_years:
        st.info(
            f"The announced pipeline binds in {len(floor_years)} of {projected['year'].n_unique()} projected years "
            f"({floor_years[0]}-{floor_years[-1]}, in at least one region): there the realised pipeline is above "
            "the growth trend, so the pipeline's realisation, delay and spread set the total, and the growth "
            "slider acts only where and when the trend is higher."
        )
    else:
        st.caption("The growth trend binds in every projected year: the announced pipeline stays below it.")

components.chart(
    charts.scenario_chart(stored_totals, custom_totals),
    custom_totals,
    "custom_scenario_totals",
    "Modelled. Sources: history from marts.fct_ai_demand_by_tier (Epoch AI GPU clusters; power reported or calculated, "
    "workload modelled). Red: forecast_scenario() with your drivers; thin lines: the stored scenarios in "
    "marts.fct_demand_forecast. Announced pipeline: planned deployments (pipeline_from_deployments).",
)
with st.expander("By workload and tier"):
    st.dataframe(
        custom.group_by("year", "workload", "market_tier")
        .agg(pl.col("facility_power_mw").sum())
        .sort("year", "workload", "market_tier"),
        hide_index=True,
    )
    components.csv_download(custom, "custom_scenario_detail")

document = {
    "version": f"{params.version}+dashboard",
    "scenarios": {
        f"{start}_custom": {
            "description": f"From '{start}' with the dashboard's scenario builder on "
            f"{dt.date.today().isoformat()}: {', '.join(overrides) or 'no changes'}.",
            **{
                name: {
                    "value": round(value, 6),
                    "assumption": True,
                    "note": f"set in the dashboard (was {getattr(params, name)} in '{start}')",
                }
                for name, value in overrides.items()
            },
        }
    },
}
scenario_yaml = yaml.safe_dump(document, sort_keys=False)
st.download_button(
    "Download scenario YAML",
    scenario_yaml.encode(),
    file_name=f"{start}_custom.yml",
    mime="application/x-yaml",
    key="sb-yaml",
    icon=":material/download:",
)
st.code(scenario_yaml, language="yaml")
st.caption("Parameters not listed keep the value of the starting scenario in transforms/forecast/scenarios.yml.")
