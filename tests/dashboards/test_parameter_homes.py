"""The pages read parameters from their one home: the scenario builder's slider bounds are the scenario model's own
ranges, its downloaded scenario extends the one it started from, and the Economics page amortises over the
accelerators' life in service (dbt var accelerator_depreciation_years, as the warehouse applied it)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
import yaml

from tests.dashboards.test_pages import model_param, run_page
from transforms.forecast import ScenarioParams, load_scenarios, parse_scenarios
from transforms.forecast.scenarios import DEFAULT_SCENARIOS_PATH
from transforms.params import param

SLIDERS = (
    "accelerator_power_cagr",
    "pue_new_build",
    "tier_shift_strength",
    "pipeline_delay_years",
    "past_due_delay_years",
)


def test_scenario_builder_slider_bounds_are_the_models(warehouse: Path) -> None:
    at = run_page("scenario_builder.py")
    schema = ScenarioParams.model_json_schema()["properties"]
    for name in SLIDERS:
        slider = at.slider(key=f"sb-base-{name}")
        assert (slider.min, slider.max) == (schema[name]["minimum"], schema[name]["maximum"]), name
        assert slider.value == pytest.approx(getattr(load_scenarios()["base"], name))


def test_the_downloaded_scenario_extends_its_start_and_loads_into_the_scenario_file(warehouse: Path) -> None:
    at = run_page("scenario_builder.py")
    at.slider(key="sb-base-pipeline_delay_years").set_value(2.0).run()
    assert not at.exception
    downloaded = yaml.safe_load(at.code[0].value)
    (name, body), *_ = downloaded["scenarios"].items()
    assert body["extends"] == "base"
    document = yaml.safe_load(DEFAULT_SCENARIOS_PATH.read_text(encoding="utf-8"))
    document["scenarios"][name] = body
    custom, base = parse_scenarios(document)[name], load_scenarios()["base"]
    assert custom.pipeline_delay_years == 2.0
    assert custom.model_dump(exclude={"name", "description", "provenance", "pipeline_delay_years"}) == base.model_dump(
        exclude={"name", "description", "provenance", "pipeline_delay_years"}
    )


def test_economics_amortises_over_the_hardware_life_by_default(warehouse: Path, wh: duckdb.DuckDBPyConnection) -> None:
    at = run_page("economics.py")
    life = float(model_param(wh, "accelerator_depreciation_years"))
    assert at.slider(key="econ-years").value == pytest.approx(life)
    assert life == float(param("accelerator_depreciation_years"))
    assert load_scenarios()["hardware_retirement"].hardware_life_years == life  # the same life as the forecast's
