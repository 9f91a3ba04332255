"""AppTest for every page against the warehouse the pipeline built from tests/fixtures/sources.

Every expected number is queried from that warehouse (the ``wh`` fixture), never typed in.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import duckdb
import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from dashboards.components import fmt_mw
from tests.dashboards.conftest import APP, PAGES, republished

TIMEOUT = 120
PAGE_TITLES = {
    "overview.py": "Overview",
    "market_tiers.py": "Market tiers",
    "map.py": "Map",
    "siting.py": "Siting",
    "economics.py": "GPU & energy economics",
    "scenario_builder.py": "Scenario builder",
    "sql_console.py": "SQL console",
}


def run_page(name: str) -> AppTest:
    at = AppTest.from_file(str(PAGES / name), default_timeout=TIMEOUT).run()
    assert not at.exception, [e.value for e in at.exception]
    assert [t.value for t in at.title] == [PAGE_TITLES[name]]
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def plotly_specs(at: AppTest) -> list[dict]:
    return [json.loads(el.proto.spec) for el in at.get("plotly_chart")]


def values(array: list | dict) -> list:
    """A plotly trace array as a list: plotly 6 writes numeric arrays as {"dtype", "bdata"} (base64)."""
    if isinstance(array, dict) and "bdata" in array:
        import base64

        import numpy as np

        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=np.dtype(array["dtype"])).tolist()
    return list(array)


def deck(at: AppTest) -> dict:
    charts = at.get("deck_gl_json_chart")
    assert len(charts) == 1
    return json.loads(charts[0].proto.json)


def captions(at: AppTest) -> str:
    return " ".join(c.value for c in at.caption)


def assert_every_chart_has_csv_and_provenance(at: AppTest) -> None:
    downloads = at.get("download_button")
    charts = at.get("plotly_chart")
    assert len(downloads) >= len(charts)
    text = captions(at)
    assert "Source" in text or "source" in text
    assert "modelled" in text or "reported" in text


def scalar(wh: duckdb.DuckDBPyConnection, sql: str, params: list | None = None):  # noqa: ANN201
    return wh.execute(sql, params or []).fetchone()[0]


def model_param(wh: duckdb.DuckDBPyConnection, name: str) -> str:
    return scalar(wh, "select value from meta.parameters where scope = 'model' and parameter = ?", [name])


def test_router_serves_every_page(warehouse: Path) -> None:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
    assert not at.exception
    assert at.title[0].value == "Overview"
    for name, title in PAGE_TITLES.items():
        at.switch_page(f"{PAGES.name}/{name}").run()
        assert not at.exception, (name, [e.value for e in at.exception])
        assert at.title[0].value == title


@pytest.mark.parametrize("name", sorted(PAGE_TITLES))
def test_every_page_without_a_warehouse_says_run_make_run(name: str, no_warehouse: Path) -> None:
    at = AppTest.from_file(str(PAGES / name), default_timeout=TIMEOUT).run()
    assert not at.exception
    assert any("make run" in i.value for i in at.info), [i.value for i in at.info]


# --- Overview ---------------------------------------------------------------------------------


def test_overview_latest_year_equals_fct_ai_demand_by_tier_with_hpc_apart(
    warehouse: Path, wh: duckdb.DuckDBPyConnection
) -> None:
    year = scalar(wh, "select max(year) from marts.fct_ai_demand_by_tier")
    mw = dict(
        wh.execute(
            "select workload, sum(facility_power_mw) from marts.fct_ai_demand_by_tier where year = ? group by 1",
            [year],
        ).fetchall()
    )
    assert set(mw) == {"training", "inference", "hpc"} and mw["hpc"] > 0  # the fixture carries all three
    at = run_page("overview.py")
    m = metrics(at)
    assert m["Training"] == fmt_mw(mw["training"])
    assert m["Inference"] == fmt_mw(mw["inference"])
    assert m["HPC (apart, not AI)"] == fmt_mw(mw["hpc"])
    assert m["AI demand (training + inference)"] == fmt_mw(mw["training"] + mw["inference"])  # hpc not added
    as_of = scalar(wh, "select max(as_of_date) from marts.fct_ai_demand_by_tier")
    assert any(f"AI demand installed at {as_of:%Y-%m-%d}" in h.value for h in at.subheader)  # the fixture's as-of
    assert "the newest date the sources cover" in captions(at)


def test_overview_horizon_comes_from_meta_parameters(warehouse: Path, wh: duckdb.DuckDBPyConnection) -> None:
    horizon = int(model_param(wh, "forecast_end_year"))
    totals = dict(
        wh.execute(
            "select scenario, sum(facility_power_mw) from marts.fct_demand_forecast "
            "where year = ? and is_ai_demand group by 1",
            [horizon],
        ).fetchall()
    )
    at = run_page("overview.py")
    m = metrics(at)
    assert any(h.value == f"{horizon} outlook (modelled)" for h in at.subheader)
    for scenario in ("low", "base", "high"):
        assert m[f"{scenario.capitalize()} scenario"] == fmt_mw(totals[scenario])
    latest = scalar(wh, "select max(year) from marts.fct_ai_demand_by_tier")
    assert m[f"Base growth {latest}-{horizon}"].endswith("a year")


def test_overview_growth_and_energy_carry_coverage_and_iea_scope(warehouse: Path) -> None:
    at = run_page("overview.py")
    text = captions(at)
    assert "Epoch AI's dataset tracks about 10-20% of all AI compute" in text
    assert "'AI supercomputers' data insights, March 2025" in text
    assert "growth of tracked power is not growth of all AI power" in text
    assert "ALL data centres" in text
    m = metrics(at)
    assert m["2024: tracked AI vs IEA all data centres"].endswith("of 415 TWh")
    assert m["2030: tracked AI vs IEA all data centres"].endswith("of 945 TWh")


def test_overview_breaks_the_unknown_tier_down_by_country(warehouse: Path, wh: duckdb.DuckDBPyConnection) -> None:
    expected = wh.execute(
        "select market_name, ai_training_mw, ai_inference_mw from marts.fct_market_summary "
        "where market_tier = 'unknown' and (ai_demand_mw > 0 or hpc_mw > 0 or ai_pipeline_mw > 0)"
    ).fetchall()
    assert len(expected) >= 2  # e.g. China and the US undisclosed
    at = run_page("overview.py")
    bars = next(s for s in plotly_specs(at) if s["data"][0]["name"] == "training (AI)")
    assert set(values(bars["data"][0]["y"])) == {name for name, _, _ in expected}
    got = dict(zip(values(bars["data"][0]["y"]), values(bars["data"][0]["x"]), strict=True))
    assert got == pytest.approx({name: training for name, training, _ in expected})


def test_overview_chart_measure_switch_and_extra_scenarios(warehouse: Path) -> None:
    at = run_page("overview.py")
    assert_every_chart_has_csv_and_provenance(at)
    spec = next(s for s in plotly_specs(at) if s["data"][0]["name"].startswith("history"))
    assert [t["name"] for t in spec["data"]][:4] == [
        "history (reported/modelled)", "low (forecast, modelled)", "base (forecast, modelled)",
        "high (forecast, modelled)",
    ]  # fmt: skip
    assert spec["layout"]["yaxis"]["title"]["text"] == "MW"
    at.radio(key="overview-measure").set_value("Calendar-year energy (TWh)").run()
    spec = next(s for s in plotly_specs(at) if s["data"][0]["name"].startswith("history"))
    assert spec["layout"]["yaxis"]["title"]["text"] == "TWh"
    assert any(t["name"].startswith("published projections") for t in spec["data"])
    assert not any(t["name"].startswith("edge_inference") for t in spec["data"])
    at.multiselect(key="overview-extra").set_value(["edge_inference"]).run()
    spec = next(s for s in plotly_specs(at) if s["data"][0]["name"].startswith("history"))
    assert any(t["name"].startswith("edge_inference") for t in spec["data"])
    ages = at.dataframe[-1].value
    assert ages["age_days"].notna().all()


def test_overview_shows_a_republished_warehouse_without_restart(
    built_warehouse: Path, own_warehouse: Path, tmp_path: Path
) -> None:
    at = AppTest.from_file(str(PAGES / "overview.py"), default_timeout=TIMEOUT).run()
    assert metrics(at)["Last successful run"] != "2099-01-02 06:00"
    os.replace(republished(built_warehouse, tmp_path / "next", "next-run", "2099-01-02 06:00:00"), own_warehouse)
    at.run()
    assert not at.exception
    assert metrics(at)["Last successful run"] == "2099-01-02 06:00"


# --- Market tiers -----------------------------------------------------------------------------

SUMMARY_COLUMNS = (
    "market_id", "market_name", "region", "market_tier", "market_kind", "demand_as_of", "ai_training_mw",
    "ai_inference_mw", "ai_demand_mw", "hpc_mw", "ai_pipeline_mw", "operational_mw_low", "operational_mw_high",
    "broker_inventory_mw", "capacity_coverage", "capacity_coverage_class", "pipeline_mw_low", "pipeline_mw_high",
    "energy_price_usd_mwh", "energy_price_basis", "tier_basis", "unlocated_owners",
    "planned_generation_mw_100km_2028", "planned_generation_mw_100km_2030", "planned_generation_to_ai_pipeline",
    "planned_generation_release",
)  # fmt: skip


def _summary(wh: duckdb.DuckDBPyConnection, where: str = "true") -> pl.DataFrame:
    return wh.execute(f"select {', '.join(SUMMARY_COLUMNS)} from marts.fct_market_summary where {where}").pl()


def _same_rows(shown: pl.DataFrame, expected: pl.DataFrame) -> None:
    got = shown.select(SUMMARY_COLUMNS).sort("market_id")
    want = expected.sort("market_id")
    assert got.height == want.height
    for column in SUMMARY_COLUMNS:
        a, b = got[column].to_list(), want[column].to_list()
        if want[column].dtype.is_float():
            assert a == pytest.approx(b, nan_ok=True), column
        elif want[column].dtype.is_temporal():  # the page's frame comes back through pandas as timestamps
            assert [str(x)[:10] for x in a] == [str(x)[:10] for x in b], column
        else:
            assert a == b, column


def test_market_tiers_table_equals_fct_market_summary(warehouse: Path, wh: duckdb.DuckDBPyConnection) -> None:
    at = run_page("market_tiers.py")
    active = (
        "coalesce(ai_demand_mw, 0) > 0 or coalesce(hpc_mw, 0) > 0 or coalesce(ai_pipeline_mw, 0) > 0 "
        "or coalesce(operational_mw_high, 0) > 0 or coalesce(pipeline_mw_high, 0) > 0"
    )
    _same_rows(pl.from_pandas(at.dataframe[0].value), _summary(wh, active))
    at.toggle(key="tiers-only-active").set_value(False).run()
    _same_rows(pl.from_pandas(at.dataframe[0].value), _summary(wh))  # every market, as published
    at.multiselect(key="tiers-regions").set_value(["Europe"]).run()
    assert not at.exception
    _same_rows(pl.from_pandas(at.dataframe[0].value), _summary(wh, "region = 'Europe'"))
    at.multiselect(key="tiers-regions").set_value([]).run()
    assert any("at least one region" in i.value for i in at.info)


def test_market_tiers_chart_splits_training_and_inference_by_tier_and_kind(
    warehouse: Path, wh: duckdb.DuckDBPyConnection
) -> None:
    at = run_page("market_tiers.py")
    assert_every_chart_has_csv_and_provenance(at)
    ai_spec, hpc_spec = plotly_specs(at)
    facets = {a["text"] for a in ai_spec["layout"]["annotations"]}
    assert facets == {"training", "inference"}
    names = {t["name"] for t in ai_spec["data"]}
    kinds = {
        f"{t} · {k}"
        for t, k in wh.execute(
            "select distinct market_tier, market_kind from marts.fct_demand_forecast "
            "where scenario = 'base' and is_ai_demand and facility_power_mw > 0"
        ).fetchall()
    }
    assert kinds <= names and any("campus" in n for n in names) and any("country_rest" in n for n in names)
    assert {a["text"] for a in hpc_spec["layout"]["annotations"]} == {"hpc"}  # hpc in its own chart
    # The plotted values are the forecast's: base, every region, training, the last year.
    last = scalar(wh, "select max(year) from marts.fct_demand_forecast")
    expected = scalar(
        wh,
        "select sum(facility_power_mw) from marts.fct_demand_forecast "
        "where scenario = 'base' and workload = 'training' and year = ?",
        [last],
    )
    plotted = sum(
        y
        for t in ai_spec["data"]
        if t["xaxis"] == "x"
        for x, y in zip(values(t["x"]), values(t["y"]), strict=True)
        if x == last
    )
    assert plotted == pytest.approx(expected)
    assert "market kind" in captions(at).lower() or "Kinds:" in captions(at)


# --- Map --------------------------------------------------------------------------------------


def test_map_draws_natural_earth_offline_and_markets_from_the_summary(
    warehouse: Path, wh: duckdb.DuckDBPyConnection
) -> None:
    at = run_page("map.py")
    spec = deck(at)
    assert spec["mapStyle"].startswith("data:application/json")  # no tile server
    types = [layer["@@type"] for layer in spec["layers"]]
    assert types == ["GeoJsonLayer", "GeoJsonLayer", "ScatterplotLayer", "TextLayer"]
    countries, states, points, labels = spec["layers"]
    assert len(countries["data"]["features"]) == 177 and len(states["data"]["features"]) == 51
    assert {f["properties"]["adm0_a3"] for f in countries["data"]["features"]} >= {"FRA", "NOR", "USA", "CHN"}
    expected = scalar(
        wh,
        "select count(*) from marts.fct_market_summary where (ai_demand_mw > 0 or hpc_mw > 0) "
        "and latitude is not null and longitude is not null",
    )
    assert len(points["data"]) == expected == int(metrics(at)["AI demand by market shown"])
    assert points["radiusUnits"] == "pixels"
    radii = [p["radius_px"] for p in points["data"]]
    assert radii == sorted(radii, reverse=True)  # the largest drawn first, small ones on top
    # The view opens on the points' extent.
    view = spec["initialViewState"]
    lons = [p["longitude"] for p in points["data"]]
    lats = [p["latitude"] for p in points["data"]]
    assert min(lons) < view["longitude"] < max(lons) and min(lats) < view["latitude"] < max(lats)
    assert labels["data"] and all("label" in row for row in labels["data"])
    assert "blue (all inference" in captions(at)


def test_map_draws_planned_generators_under_the_markets_by_fuel(warehouse: Path, wh: duckdb.DuckDBPyConnection) -> None:
    at = run_page("map.py")
    at.toggle(key="map-power").set_value(True).run()
    assert not at.exception
    layers = {layer["id"]: layer for layer in deck(at)["layers"]}
    ids = list(layers)
    assert ids.index("underlay") < ids.index("points")  # drawn under the markets
    horizon = int(model_param(wh, "forecast_end_year"))  # the year slider opens on the horizon
    by_horizon = scalar(wh, f"select count(*) from marts.fct_planned_generators where planned_year <= {horizon}")
    assert len(layers["underlay"]["data"]) == by_horizon > 0
    gas = [p for p in layers["underlay"]["data"] if "MW gas" in p["tooltip"]]
    assert gas and all(p["rgba"][:3] == [217, 119, 6] for p in gas)  # coloured by fuel
    big = max(layers["underlay"]["data"], key=lambda p: p["mw"])
    small = min(layers["underlay"]["data"], key=lambda p: p["mw"])
    assert big["radius_px"] > small["radius_px"]  # sized by MW
    text = captions(at)
    assert "planned generation within 100 km (EIA-860M" in text and "not deliverable power" in text
    at.multiselect(key="map-power-fuel").set_value(["gas"]).run()
    gas = scalar(
        wh, f"select count(*) from marts.fct_planned_generators where planned_year <= {horizon} and fuel = 'gas'"
    )
    assert len({layer["id"]: layer for layer in deck(at)["layers"]}["underlay"]["data"]) == gas


def test_map_layers_colourings_and_filters(warehouse: Path, wh: duckdb.DuckDBPyConnection) -> None:
    at = run_page("map.py")
    at.radio(key="map-colour-AI demand by market").set_value("Market kind").run()
    assert "market kind:" in captions(at)
    at.segmented_control(key="map-layer").set_value("AI deployments").run()
    assert not at.exception
    placed = scalar(
        wh,
        "select count(*) from marts.fct_ai_deployments d join marts.dim_markets m using (market_id) "
        "where m.latitude is not null",
    )
    assert metrics(at)["AI deployments shown"] == str(placed)
    at.multiselect(key="map-stage-AI deployments").set_value(["planned"]).run()
    planned = scalar(
        wh,
        "select count(*) from marts.fct_ai_deployments d join marts.dim_markets m using (market_id) "
        "where m.latitude is not null and d.status = 'planned'",
    )
    assert metrics(at)["AI deployments shown"] == str(planned) and 0 < planned < placed
    at.segmented_control(key="map-layer").set_value("Facilities").run()
    assert not at.exception
    sites = scalar(wh, "select count(*) from marts.fct_facilities where latitude is not null")
    assert metrics(at)["Facilities shown"] == str(sites)
    assert "lifecycle stage:" in captions(at)
    rings = [p for p in deck(at)["layers"][2]["data"] if p["rgba"][3] == 0]  # second listings: rings only
    duplicates = scalar(wh, "select count(*) from marts.fct_facilities where duplicate_of is not null")
    assert len(rings) == duplicates > 0
    at.multiselect(key="map-stage-Facilities").set_value(["operational"]).run()
    operational = scalar(
        wh, "select count(*) from marts.fct_facilities where latitude is not null and status = 'operational'"
    )
    assert metrics(at)["Facilities shown"] == str(operational)


# --- Siting -----------------------------------------------------------------------------------


def test_siting_ranks_markets_of_the_summary_and_weights_change_the_best(
    warehouse: Path, wh: duckdb.DuckDBPyConnection
) -> None:
    at = run_page("siting.py")
    assert_every_chart_has_csv_and_provenance(at)
    assert len(at.get("plotly_chart")) == 2  # training and inference tabs
    names = set(
        scalar(
            wh,
            "select list(market_name) from marts.fct_market_summary "
            "where market_kind not in ('country_rest', 'unassigned')",
        )
    )
    best = [m.value for m in at.metric]
    assert set(best) <= names  # never a country's undisclosed rest
    for key in ("energy_price", "operating_capacity", "pipeline_capacity", "tier", "power_availability"):
        at.slider(key=f"siting-training-{key}").set_value(0.0).run()
    at.slider(key="siting-training-urban").set_value(1.0).run()
    assert not at.exception
    urban = set(
        scalar(
            wh,
            "select list(market_name) from marts.fct_market_summary "
            "where is_urban and market_kind not in ('country_rest', 'unassigned')",
        )
    )
    assert at.metric[0].value in urban
    assert any("/100 = energy" in md.value for md in at.markdown)
    assert "energy_price_basis" in captions(at)


def test_siting_power_term_ranks_by_planned_generation_and_names_its_measure(
    warehouse: Path, wh: duckdb.DuckDBPyConnection
) -> None:
    at = run_page("siting.py")
    release = scalar(wh, "select max(source_release) from marts.fct_power_availability")
    measure = f"planned generation within 100 km ({release})"
    assert measure in captions(at) and "not deliverable power" in captions(at)
    for key in ("energy_price", "operating_capacity", "pipeline_capacity", "tier", "urban"):
        at.slider(key=f"siting-training-{key}").set_value(0.0).run()
    at.slider(key="siting-training-power_availability").set_value(1.0).run()
    assert not at.exception
    most = scalar(
        wh,
        "select arg_max(market_name, planned_generation_mw_100km_2030) from marts.fct_market_summary "
        "where market_kind not in ('country_rest', 'unassigned')",
    )
    assert at.metric[0].value == most
    assert any(f"MW {measure} by 2030" in md.value for md in at.markdown)


# --- Economics --------------------------------------------------------------------------------


def test_economics_defaults_come_from_meta_parameters_and_assumptions_change_costs(
    warehouse: Path, wh: duckdb.DuckDBPyConnection
) -> None:
    at = run_page("economics.py")
    assert_every_chart_has_csv_and_provenance(at)
    assert at.slider(key="econ-pue").value == pytest.approx(float(model_param(wh, "pue_ai_cluster")))
    text = captions(at)
    assert f"server overhead {float(model_param(wh, 'server_overhead')):g}" in text
    before = at.metric[0].value
    at.slider(key="econ-years").set_value(2.0).run()
    assert not at.exception
    assert at.metric[0].value != before
    summary = at.dataframe[-1].value
    assert set(summary["deployment"]) == {
        "25,000 x A100 training cluster", "2,000 x H800 inference (15-40 kW racks)", "100,000 x H100 cluster",
    }  # fmt: skip
    cloud = at.dataframe[0].value
    assert {"cloud_median_usd", "spot_median_usd"} <= set(cloud.columns)
    on_demand = scalar(wh, "select count(distinct gpu_model) from marts.fct_gpu_prices where price_kind = 'on_demand'")
    assert cloud["cloud_median_usd"].notna().sum() == on_demand


def test_economics_uses_the_warehouses_load_factors(own_warehouse: Path) -> None:
    with duckdb.connect(str(own_warehouse)) as con:  # as if the build had run with load_factor_training 0.5
        con.execute("update meta.parameters set value = '0.5' where parameter = 'load_factor_training'")
        inference = con.execute(
            "select value from meta.parameters where parameter = 'load_factor_inference'"
        ).fetchone()[0]
    at = run_page("economics.py")
    text = captions(at)
    assert "training 0.5" in text and f"inference {float(inference):g}" in text
    summary = at.dataframe[-1].value
    h100 = summary[summary["deployment"] == "100,000 x H100 cluster"].iloc[0]
    assert h100["annual_mwh"] == pytest.approx(h100["facility_mw"] * 8760 * 0.5)


# --- Scenario builder -------------------------------------------------------------------------


def test_scenario_builder_without_changes_reproduces_the_stored_scenario(
    warehouse: Path, wh: duckdb.DuckDBPyConnection
) -> None:
    horizon = int(model_param(wh, "forecast_end_year"))
    stored = scalar(
        wh,
        "select sum(facility_power_mw) from marts.fct_demand_forecast "
        "where scenario = 'base' and year = ? and is_ai_demand",
        [horizon],
    )
    at = run_page("scenario_builder.py")
    assert_every_chart_has_csv_and_provenance(at)
    m = metrics(at)
    assert m[f"Your scenario, AI demand {horizon}"] == fmt_mw(stored)
    assert at.slider(key="sb-end").value == horizon


def test_scenario_builder_recomputes_live_and_offers_yaml(warehouse: Path) -> None:
    from transforms import forecast as fc

    at = run_page("scenario_builder.py")
    before = metrics(at)
    base = fc.load_scenarios()["base"]
    for key in (
        "accelerator_power_cagr", "pue_new_build", "tier_shift_strength", "pipeline_delay_years",
    ):  # fmt: skip
        assert at.slider(key=f"sb-base-{key}").value == pytest.approx(float(getattr(base, key))), key
    for key in ("realisation_end", "training_share_end"):
        assert at.selectbox(key=f"sb-base-{key}").value == "central"
    at.slider(key="sb-base-accelerator_power_cagr").set_value(0.9).run()
    assert not at.exception
    after = metrics(at)
    assert after != before
    assert "accelerator_power_cagr" in at.code[0].value and "value: 0.9" in at.code[0].value
    assert any(d.proto.label == "Download scenario YAML" for d in at.get("download_button"))
    at.slider(key="sb-base-pue_new_build").set_value(1.5).run()
    at.selectbox(key="sb-base-realisation_end").set_value("low").run()
    assert not at.exception
    assert "realisation_end" in at.code[0].value and "value: low" in at.code[0].value
    low_realised = metrics(at)
    at.selectbox(key="sb-base-realisation_end").set_value("high").run()
    assert metrics(at) != low_realised
    at.selectbox(key="sb-start").set_value("high").run()
    assert not at.exception


def test_scenario_builder_says_which_driver_binds(warehouse: Path, wh: duckdb.DuckDBPyConnection) -> None:
    at = run_page("scenario_builder.py")
    told = " ".join(e.value for e in at.info)
    assert "pipeline binds" in told or "growth trend binds" in told
    binding = plotly_specs(at)[1]  # the scenario chart, then the binding chart
    shown = {t["name"] for t in binding["data"]}
    stored = {
        b
        for (b,) in wh.execute(
            "select distinct total_basis from marts.fct_demand_forecast "
            "where scenario = 'base' and not is_history and is_ai_demand and facility_power_mw > 0"
        ).fetchall()
    }
    assert shown == stored


# --- SQL console ------------------------------------------------------------------------------


def test_sql_console_runs_examples_and_shows_refusals(warehouse: Path, wh: duckdb.DuckDBPyConnection) -> None:
    at = run_page("sql_console.py")
    tables = scalar(wh, "select count(*) from information_schema.tables where table_schema in ('marts', 'meta')")
    assert len(at.expander) >= tables  # schema browser: every marts and meta table
    for example in at.selectbox(key="sql-example").options[1:]:
        at.selectbox(key="sql-example").set_value(example).run()
        at.button(key="sql-run").click().run()
        assert not at.exception and not at.error, example
        assert at.dataframe[0].value.shape[0] > 0, example
    at.selectbox(key="sql-example").set_value("Forecast at the horizon by scenario (AI demand)").run()
    at.button(key="sql-run").click().run()
    assert {"low", "base", "high"} <= set(at.dataframe[0].value["scenario"])
    labels = [d.proto.label for d in at.get("download_button")]
    assert labels == ["Download CSV", "Download Parquet"]
    at.text_area(key="sql-text").set_value("drop table marts.dim_markets").run()
    at.button(key="sql-run").click().run()
    assert not at.exception
    assert "Refused" in at.error[0].value


def test_scenario_builder_shows_the_drivers_that_move_the_horizon_most(warehouse: Path) -> None:
    at = run_page("scenario_builder.py")
    tornado = plotly_specs(at)[2]
    labels = tornado["data"][0]["y"]
    assert 1 <= len(labels) <= 5
    assert any(label.startswith("realisation_end") for label in labels)  # the pipeline's realisation moves most
    assert any("projects that add most" in h.value for h in at.subheader)
    assert any("Plans whose year has passed" in h.value for h in at.subheader)
