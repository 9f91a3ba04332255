"""AppTest for every page against the fixture warehouse: renders, shows its elements, reacts to widgets."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.dashboards.conftest import APP, PAGES
from tests.dashboards.fixture_warehouse import build_fixture_warehouse

TIMEOUT = 60
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


def captions(at: AppTest) -> str:
    return " ".join(c.value for c in at.caption)


def assert_every_chart_has_csv_and_provenance(at: AppTest) -> None:
    downloads = at.get("download_button")
    charts = at.get("plotly_chart")
    assert len(downloads) >= len(charts)
    text = captions(at)
    assert "Source" in text or "source" in text
    assert "modelled" in text or "reported" in text


def test_router_serves_every_page(warehouse: Path) -> None:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
    assert not at.exception
    assert at.title[0].value == "Overview"
    for name, title in PAGE_TITLES.items():
        at.switch_page(f"pages/{name}").run()
        assert not at.exception, (name, [e.value for e in at.exception])
        assert at.title[0].value == title


@pytest.mark.parametrize("name", sorted(PAGE_TITLES))
def test_every_page_without_a_warehouse_says_run_make_run(name: str, no_warehouse: Path) -> None:
    at = AppTest.from_file(str(PAGES / name), default_timeout=TIMEOUT).run()
    assert not at.exception
    assert any("make run" in i.value for i in at.info), [i.value for i in at.info]


def test_overview_headlines_chart_and_measure_switch(warehouse: Path) -> None:
    at = run_page("overview.py")
    m = metrics(at)
    assert {"All AI workloads", "Training", "Inference", "Mixed"} <= set(m)
    assert {"Low scenario", "Base scenario", "High scenario"} <= set(m)
    assert m["Base growth 2025-2030"].endswith("a year")
    assert m["Last successful run"] == "2026-01-05 06:08"
    assert_every_chart_has_csv_and_provenance(at)
    spec = plotly_specs(at)[0]
    assert [t["name"] for t in spec["data"]][:4] == [
        "history (reported/modelled)", "low (forecast, modelled)", "base (forecast, modelled)",
        "high (forecast, modelled)",
    ]  # fmt: skip
    assert spec["layout"]["yaxis"]["title"]["text"] == "MW"
    at.radio(key="overview-measure").set_value("Annual energy (TWh)").run()
    spec = plotly_specs(at)[0]
    assert spec["layout"]["yaxis"]["title"]["text"] == "TWh"
    assert any(t["name"].startswith("published projections") for t in spec["data"])  # TWh projections shown
    assert not any(t["name"].startswith("edge_inference") for t in spec["data"])
    at.multiselect(key="overview-extra").set_value(["edge_inference"]).run()
    assert any(t["name"].startswith("edge_inference") for t in plotly_specs(at)[0]["data"])
    ages = at.dataframe[-1].value
    assert ages["age_days"].notna().all()  # retrieved is ISO text in meta.source_files


def test_overview_shows_a_republished_warehouse_without_restart(own_warehouse: Path, tmp_path: Path) -> None:
    at = AppTest.from_file(str(PAGES / "overview.py"), default_timeout=TIMEOUT).run()
    assert metrics(at)["Last successful run"] == "2026-01-05 06:08"
    os.replace(build_fixture_warehouse(tmp_path / "next", variant=3), own_warehouse)
    at.run()
    assert not at.exception
    assert metrics(at)["Last successful run"] == "2026-02-03 06:00"


def test_market_tiers_region_filter_changes_chart_and_table(warehouse: Path) -> None:
    at = run_page("market_tiers.py")
    assert_every_chart_has_csv_and_provenance(at)
    assert at.dataframe[0].value.shape[0] == 9
    at.multiselect(key="tiers-regions").set_value(["Europe"]).run()
    assert not at.exception
    table = at.dataframe[0].value
    assert set(table["region"]) == {"Europe"} and table.shape[0] == 3
    at.multiselect(key="tiers-regions").set_value([]).run()
    assert any("at least one region" in i.value for i in at.info)


def test_map_filters_change_the_points(warehouse: Path) -> None:
    at = run_page("map.py")
    assert len(at.get("deck_gl_json_chart")) == 1
    spec = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    assert spec["mapStyle"].startswith("data:application/json")  # no tile server
    assert metrics(at)["Facilities shown"] == "16"  # incl. status 'unknown' and a site in no market
    at.multiselect(key="map-stage-Facilities").set_value(["operational"]).run()
    assert metrics(at)["Facilities shown"] == "8"
    at.multiselect(key="map-tier-Facilities").set_value(["unknown"]).run()
    assert metrics(at)["Facilities shown"] == "1"
    at.segmented_control(key="map-layer").set_value("AI deployments").run()
    assert not at.exception
    assert metrics(at)["AI deployments shown"] == "12"
    at.radio(key="map-colour").set_value("Workload").run()
    assert "training: rgb" in captions(at)


def test_siting_weights_change_the_best_market(warehouse: Path) -> None:
    at = run_page("siting.py")
    assert_every_chart_has_csv_and_provenance(at)
    assert len(at.get("plotly_chart")) == 2  # training and inference tabs
    best = [m.value for m in at.metric]
    assert best[0] == "Texas (other)"  # cheap power, big pipeline, remote: training
    assert best[1] in {"Dallas-Fort Worth", "Northern Virginia"}  # urban tier 1 with capacity: inference
    for key in ("energy_price", "operating_capacity", "pipeline_capacity", "tier"):
        at.slider(key=f"siting-inference-{key}").set_value(0.0).run()
    at.slider(key="siting-inference-urban").set_value(1.0).run()
    at.slider(key="siting-training-urban").set_value(1.0).run()
    at.slider(key="siting-training-energy_price").set_value(0.0).run()
    at.slider(key="siting-training-pipeline_capacity").set_value(0.0).run()
    at.slider(key="siting-training-tier").set_value(0.0).run()
    assert not at.exception
    assert at.metric[0].value != "Texas (other)"  # the remote, non-urban market loses on urban weight
    assert any("/100 = energy" in md.value for md in at.markdown)


def test_economics_assumptions_change_costs(warehouse: Path) -> None:
    at = run_page("economics.py")
    assert_every_chart_has_csv_and_provenance(at)
    before = at.metric[0].value
    at.slider(key="econ-years").set_value(2.0).run()
    assert not at.exception
    assert at.metric[0].value != before
    summary = at.dataframe[-1].value if len(at.dataframe) else None
    assert summary is not None
    assert set(summary["deployment"]) == {
        "25,000 x A100 training cluster", "2,000 x H800 inference (15-40 kW racks)", "100,000 x H100 cluster",
    }  # fmt: skip


def test_economics_uses_the_warehouses_load_factors_and_names_the_price_basis(own_warehouse: Path) -> None:
    import duckdb

    with duckdb.connect(str(own_warehouse)) as con:  # as if the dbt var load_factor_training were 0.5
        con.execute("update marts.fct_ai_deployments set load_factor = 0.5 where workload = 'training'")
    at = run_page("economics.py")
    text = captions(at)
    assert "training 0.5" in text and "inference 0.6" in text
    summary = at.dataframe[-1].value
    h100 = summary[summary["deployment"] == "100,000 x H100 cluster"].iloc[0]
    assert h100["annual_mwh"] == pytest.approx(h100["facility_mw"] * 8760 * 0.5)
    assert "EIA retail industrial price, 2019" in text
    assert "Ember wholesale price, mean of 2024 (latest full year)" in text


def test_market_tiers_caption_names_the_demand_rule_and_price_basis(warehouse: Path) -> None:
    at = run_page("market_tiers.py")
    text = captions(at)
    assert "counts_in_demand" in text
    assert "EIA retail industrial price, 2019" in text and "different bases" in text
    table = at.dataframe[0].value.set_index("market_name")
    # Northern Virginia: dep-02 counted, dep-03 superseded (not counted); Frankfurt: Ember 2024 mean, not 2025-03.
    assert table.loc["Northern Virginia", "ai_inference_mw"] == 0
    assert table.loc["Frankfurt", "energy_price_usd_mwh"] == pytest.approx(84.0)


def test_siting_caption_names_the_price_basis(warehouse: Path) -> None:
    at = run_page("siting.py")
    assert "Ember wholesale price, mean of" in captions(at)


def test_scenario_builder_recomputes_live_and_offers_yaml(warehouse: Path) -> None:
    at = run_page("scenario_builder.py")
    assert_every_chart_has_csv_and_provenance(at)
    before = metrics(at)
    at.slider(key="sb-base-accelerator_power_cagr").set_value(0.6).run()
    assert not at.exception
    after = metrics(at)
    assert after != before
    assert "accelerator_power_cagr" in at.code[0].value and "value: 0.6" in at.code[0].value
    assert any(d.proto.label == "Download scenario YAML" for d in at.get("download_button"))
    at.selectbox(key="sb-start").set_value("high").run()
    assert not at.exception


def test_scenario_builder_says_which_driver_binds(warehouse: Path) -> None:
    at = run_page("scenario_builder.py")
    told = [e.value for e in at.info] + [e.value for e in at.caption]
    assert any("pipeline binds" in t or "growth trend binds" in t for t in told)


def test_scenario_builder_without_the_forecast_module_shows_stored_scenarios(
    warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "transforms.forecast", None)  # import now raises ImportError
    at = AppTest.from_file(str(PAGES / "scenario_builder.py"), default_timeout=TIMEOUT).run()
    assert not at.exception
    assert any("not available" in w.value for w in at.warning)
    assert len(at.get("plotly_chart")) == 1


def test_sql_console_runs_examples_and_shows_refusals(warehouse: Path) -> None:
    at = run_page("sql_console.py")
    assert len(at.expander) >= 12  # schema browser: every marts and meta table
    at.selectbox(key="sql-example").set_value("2030 forecast by scenario").run()
    at.button(key="sql-run").click().run()
    assert not at.exception and not at.error
    result = at.dataframe[0].value
    assert {"low", "base", "high"} <= set(result["scenario"])
    labels = [d.proto.label for d in at.get("download_button")]
    assert labels == ["Download CSV", "Download Parquet"]
    at.text_area(key="sql-text").set_value("drop table marts.dim_markets").run()
    at.button(key="sql-run").click().run()
    assert not at.exception
    assert "Refused" in at.error[0].value
