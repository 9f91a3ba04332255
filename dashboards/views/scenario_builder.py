"""Scenario builder: move the forecast's drivers and see the forecast recomputed live."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
import streamlit as st
import yaml

from dashboards import charts, components
from dashboards.analysis import common, demand_forecast
from dashboards.data import connection, queries
from transforms import forecast as fc

components.header(
    "Scenario builder",
    "Start from a named scenario, move its drivers, and the forecast is recomputed with the same "
    "function the pipeline uses (transforms/forecast `forecast_scenario`) on the marts' history "
    "(fct_ai_demand_by_tier) and announced pipeline (fct_ai_pipeline). Download the result as a "
    "scenario YAML to propose it for the scenario file.",
)

stored = components.load(queries.demand_forecast)
model = common.ModelParams.from_frame(components.load(queries.parameters))
history = components.load(queries.demand_by_tier)
if history.is_empty():
    st.info("The warehouse holds no history (marts.fct_ai_demand_by_tier is empty): nothing to project from.")
    st.stop()
origin = int(history["year"].max())  # type: ignore[arg-type]
stored_totals = demand_forecast.forecast_totals(stored)

scenarios = fc.load_scenarios()
names = list(scenarios)
start = st.selectbox("Start from scenario", names, index=names.index("base") if "base" in names else 0, key="sb-start")
params = scenarios[start]
if params.description:
    st.caption(params.description)

# The drivers, with the scenario's own value as the slider's default: (label, step, format). A slider's bounds are
# the range the model accepts (ScenarioParams' field constraints, transforms.forecast.parameter_bounds).
DRIVERS: dict[str, tuple[str, float, str]] = {
    "accelerator_power_cagr": ("Growth of installed AI (IT) power, per year (the trend)", 0.01, "%.2f"),
    "pue_new_build": (f"PUE of new AI capacity by {params.pue_new_build_year}", 0.01, "%.2f"),
    "tier_shift_strength": (
        "Tier shift: how far unannounced growth moves to the target tier mix (0 none, 1 full)",
        0.05,
        "%.2f",
    ),
    "pipeline_delay_years": ("Delay of announced projects (years)", 0.5, "%.1f"),
    "past_due_delay_years": ("Further delay of overdue planned projects (years)", 0.5, "%.1f"),
}
# Drivers that pick an end of a range dbt sets for each row: (label, help).
CHOICES: dict[str, tuple[str, str]] = {
    "realisation_end": (
        "How much of each announced project is built",
        "Each pipeline row's realisation factor (marts.fct_ai_pipeline: certainty x owner, date and chips known or "
        "not; seed pipeline_realisation) at its central value or the low / high end of its range.",
    ),
    "training_share_end": (
        "Training/inference split",
        "Every prior-based training share (installed base, pipeline, growth) at its central value, its low end "
        "(inference-heavy) or its high end (training-heavy): marts.fct_ai_workload_split.",
    ),
}
ENDS = ["low", "central", "high"]
values: dict[str, Any] = {}
cols = st.columns(2)
for i, (name, (label, step, fmt)) in enumerate(DRIVERS.items()):
    lo, hi = fc.parameter_bounds(name)
    values[name] = cols[i % 2].slider(
        label,
        lo,
        hi,
        float(getattr(params, name)),
        step,
        format=fmt,
        key=f"sb-{start}-{name}",
        help=(params.provenance[name].note if name in params.provenance else None),
    )
cols = st.columns(2)
for i, (name, (label, help_text)) in enumerate(CHOICES.items()):
    current = str(getattr(params, name))
    values[name] = cols[i % 2].selectbox(
        label, ENDS, index=ENDS.index(current), key=f"sb-{start}-{name}", help=help_text
    )


def _changed(name: str, value: Any) -> bool:
    current = getattr(params, name)
    if isinstance(value, str):
        return value != current
    return abs(float(value) - float(current)) > 1e-12


overrides: dict[str, Any] = {k: v for k, v in values.items() if _changed(k, v)}
last_year = max(model.forecast_end_year, origin + 10)
end_year = st.slider("Forecast to", origin + 1, last_year, model.forecast_end_year, key="sb-end")


@st.cache_data(max_entries=64, show_spinner="Recomputing the forecast ...")
def run_forecast(key: Any, start: str, overrides_items: tuple[tuple[str, Any], ...], end_year: int) -> pl.DataFrame:
    del key  # cache key only: the published file version
    return fc.forecast_scenario(
        queries.demand_by_tier(),
        queries.ai_pipeline(),
        scenario=start,
        overrides=dict(overrides_items) or None,
        end_year=end_year,
        base_vintages=queries.base_vintages(),
        unit_split=queries.unit_split(),
    )


@st.cache_data(max_entries=32, show_spinner="Moving one driver at a time ...")
def run_sensitivity(key: Any, start: str, overrides_items: tuple[tuple[str, Any], ...], year: int) -> pl.DataFrame:
    del key  # cache key only: the published file version
    from transforms.forecast.explain import driver_sensitivity

    return driver_sensitivity(
        queries.demand_by_tier(),
        queries.ai_pipeline(),
        fc.load_scenarios(),
        year,
        base_vintages=queries.base_vintages(),
        unit_split=queries.unit_split(),
        base=start,
        overrides=dict(overrides_items) or None,
    )


try:
    custom = components.load(
        run_forecast, connection.warehouse_key(), start, tuple(sorted(overrides.items())), end_year
    )
except (ValueError, KeyError) as error:  # a slider combination the forecast's validation refuses
    st.error(f"The forecast refused these drivers: {error}")
    st.stop()

custom_totals = demand_forecast.forecast_totals(custom).filter(pl.col("scenario") != "history")
final = int(custom_totals["year"].max()) if not custom_totals.is_empty() else end_year
custom_final = demand_forecast.scenario_total(custom, final, start)
stored_final = demand_forecast.scenario_total(stored, final, start) if final in stored["year"].to_list() else None
cols = st.columns(4)
cols[0].metric(
    f"Your scenario, AI demand {final}",
    components.fmt_mw(custom_final),
    f"{(custom_final / stored_final - 1) * 100:+.1f}% vs stored '{start}'" if stored_final else None,
)
cols[1].metric(
    f"Inference, {final}", components.fmt_mw(demand_forecast.scenario_total(custom, final, start, workload="inference"))
)
cols[2].metric(
    f"Energy, {final} (calendar year)",
    f"{demand_forecast.scenario_total(custom, final, start, 'annual_energy_twh'):,.1f} TWh",
)
cols[3].metric(
    f"HPC {final} (apart, not AI)",
    components.fmt_mw(demand_forecast.scenario_total(custom, final, start, workload="hpc")),
)

components.chart(
    charts.scenario_chart(stored_totals, custom_totals),
    custom_totals,
    "custom_scenario_totals",
    "Modelled; AI demand (training + inference, hpc left out). Sources: history from "
    "marts.fct_ai_demand_by_tier (Epoch AI GPU clusters; power reported or calculated, the training/inference "
    "split modelled). Red: forecast_scenario() with "
    "your drivers on that history, the announced pipeline of marts.fct_ai_pipeline (counted rows) and the installed "
    "base's vintages; thin lines: the stored scenarios in marts.fct_demand_forecast. Model parameters (AI PUE "
    f"{model.pue_ai_cluster:g}, load factors {model.load_factor_text()}) as in meta.parameters. "
    + demand_forecast.coverage_note(components.load(queries.published_projections)),
)

st.subheader("Which driver binds")
binding = demand_forecast.binding_drivers(custom)
projected_years = binding["year"].n_unique()
floor_years = sorted(set(binding.filter(pl.col("total_basis") == "pipeline_floor")["year"].to_list()))
if floor_years:
    st.info(
        f"The announced pipeline binds in {len(floor_years)} of {projected_years} projected years "
        f"({floor_years[0]}-{floor_years[-1]}, in at least one region): there the realised pipeline is above the "
        "growth trend, so its realisation, delay and spread set the total, and the growth slider acts only where "
        "and when the trend is higher."
    )
else:
    st.info("The growth trend binds in every projected year: the realised announced pipeline stays below it.")
components.chart(
    charts.binding_chart(binding),
    binding,
    "custom_scenario_binding",
    "Modelled (forecast_scenario's total_basis per region and year): pipeline_floor = installed base plus the realised "
    "announced pipeline is above the trend; trend = the growth trend sets the total; trend_after_pipeline = after the "
    "pipeline's last year in the region, last year's total grows at the trend rate. Regions with no AI demand are "
    "left out.",
)

st.subheader(f"What moves {final} most")
sensitivity = components.load(
    run_sensitivity, connection.warehouse_key(), start, tuple(sorted(overrides.items())), final
)
if sensitivity.is_empty():
    st.info("The scenario file has no low and high scenarios to take the drivers' ranges from.")
else:
    top = sensitivity.head(5)
    components.chart(
        charts.tornado_chart(top),
        sensitivity,
        "scenario_drivers",
        f"Modelled: your scenario's AI demand in {final} with one driver at a time set to the low scenario's value "
        "(blue) and to the high scenario's (orange), every other driver as you set it (transforms/forecast "
        "driver_sensitivity, the same forecast_scenario). The five drivers with the widest swing; the CSV has all. "
        "The stored base's table: marts.fct_forecast_sensitivity.",
    )

contributors = components.load(queries.top_contributors)
shown = contributors.filter(pl.col("scenario") == start)
if not shown.is_empty():
    st.subheader(f"The projects that add most to '{start}' in {int(shown['year'].max())} (stored)")
    st.dataframe(
        shown.select(
            "rank",
            "cluster_name",
            "owner",
            "certainty",
            "owner_known",
            "date_known",
            "chips_known",
            "announced_mw",
            "realisation_factor",
            "realised_mw",
            "share_of_total",
        ),
        hide_index=True,
        column_config={
            "announced_mw": st.column_config.NumberColumn("announced MW", format="%.0f"),
            "realisation_factor": st.column_config.NumberColumn("realisation", format="%.2f"),
            "realised_mw": st.column_config.NumberColumn("realised MW", format="%.0f"),
            "share_of_total": st.column_config.NumberColumn("share of total", format="percent"),
        },
    )
    st.caption(
        "Source: marts.fct_forecast_top_contributors (the stored scenario, not your changes): MW announced in "
        "marts.fct_ai_pipeline, the realisation factor the scenario uses (certainty x owner, date and chips known; "
        "seed pipeline_realisation, a campus's build-out weighted by MW), MW realised and in service by the year. "
        "A frontier campus's projected build-out (Epoch's timeline) is one project."
    )
    components.csv_download(contributors, "top_contributors")

backtest_rows = components.load(queries.pipeline_backtest)
if not backtest_rows.is_empty():
    at_campus = backtest_rows.filter(pl.col("evidence") == "campus_timeline")
    st.subheader("Does the realisation hold? Plans whose year has passed")
    st.markdown(
        f"{backtest_rows.height} counted plans were due before {backtest_rows['as_of_date'].max():%Y} and are still "
        f"listed as planned ({components.fmt_mw(float(backtest_rows['announced_mw'].sum()))} announced). "
        f"{at_campus.height} are part of a frontier campus whose timeline shows what was built: "
        f"{components.fmt_mw(float(at_campus['observed_built_mw'].sum()))} built of "
        f"{components.fmt_mw(float(at_campus['announced_mw'].sum()))} announced, where the model would realise "
        f"{components.fmt_mw(float(at_campus['model_realised_mw'].sum()))} "
        f"({components.fmt_mw(float(at_campus['model_realised_low_mw'].sum()))}-"
        f"{components.fmt_mw(float(at_campus['model_realised_high_mw'].sum()))}). No source shows the other "
        f"{backtest_rows.height - at_campus.height} built yet."
    )
    st.dataframe(backtest_rows, hide_index=True)
    st.caption(
        "Source: marts.fct_pipeline_backtest. Plans Epoch already moved to operational are not in the pipeline, so "
        "these are the plans not yet recorded built: a floor for how much of a plan gets built, not an average."
    )

with st.expander("By workload, tier and kind"):
    detail = (
        custom.group_by("year", "workload", "market_tier", "market_kind")
        .agg(
            pl.col("facility_power_mw").sum(),
            pl.col("installed_base_mw").sum(),
            pl.col("pipeline_mw").sum(),
            pl.col("growth_mw").sum(),
            pl.col("retired_mw").sum(),
        )
        .sort("year", "workload", "market_tier", "market_kind")
    )
    st.dataframe(detail, hide_index=True)
    components.csv_download(custom, "custom_scenario_detail")

document = {
    "version": f"{params.version}+dashboard",
    "scenarios": {
        f"{start}_custom": {
            "extends": start,
            "description": f"From '{start}' with the dashboard's scenario builder on "
            f"{dt.date.today().isoformat()}: {', '.join(overrides) or 'no changes'}.",
            **{
                name: {
                    "value": value if isinstance(value, str) else round(value, 6),
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
st.caption(
    f"`extends: {start}`: parameters not listed keep the value of the starting scenario in "
    "transforms/forecast/scenarios.yml; paste the scenario under `scenarios:` there to add it."
)
