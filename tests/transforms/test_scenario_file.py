"""The scenario file's reader: inheritance (``extends:``), parameters whose home is a dbt var (``var:``), target
years that follow the horizon, and the bounds the scenario builder's sliders take from the model."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from transforms.forecast.scenarios import (
    DEFAULT_SCENARIOS_PATH,
    ScenarioParams,
    load_scenarios,
    parameter_bounds,
    parse_scenarios,
)
from transforms.params import param

BASE = {
    "accelerator_power_cagr": {"value": 0.2, "assumption": True, "note": "base growth"},
    "pue_new_build": {"value": 1.15, "source": "a report", "note": "base PUE"},
    "pipeline_delay_years": {"value": 0.5, "assumption": True, "note": "base delay"},
}
MIX = {
    "training": {"tier_1": 0.3, "tier_2": 0.15, "tier_3": 0.55},
    "inference": {"tier_1": 0.45, "tier_2": 0.35, "tier_3": 0.2},
}


def document(**scenarios: dict[str, Any]) -> dict[str, Any]:
    return {
        "version": "test",
        "defaults": {
            "tier_mix_target": {"value": MIX, "assumption": True, "note": "default mix"},
            "growth_taper": {"value": 0.0, "assumption": True, "note": "default taper"},
        },
        "scenarios": {"base": copy.deepcopy(BASE), **scenarios},
    }


def test_a_derived_scenario_gets_its_parents_value_unless_it_overrides() -> None:
    out = parse_scenarios(
        document(
            faster={"extends": "base", "accelerator_power_cagr": {"value": 0.3, "assumption": True, "note": "x"}},
            later={"extends": "faster", "pipeline_delay_years": {"value": 2.0, "assumption": True, "note": "y"}},
        )
    )
    base, faster, later = out["base"], out["faster"], out["later"]
    assert faster.accelerator_power_cagr == 0.3  # overridden
    assert faster.pue_new_build == base.pue_new_build == 1.15  # inherited from base
    assert faster.pipeline_delay_years == base.pipeline_delay_years == 0.5
    assert later.accelerator_power_cagr == 0.3  # inherited from its parent, not from base
    assert later.pipeline_delay_years == 2.0
    assert later.pue_new_build == 1.15  # two levels down
    assert later.growth_taper == base.growth_taper == 0.0  # the defaults reach every scenario
    # an inherited value keeps the source of the scenario that set it; defaults keep their own provenance
    assert later.provenance["pue_new_build"].source == "a report"
    assert later.provenance["pue_new_build"].note == "As base."
    assert later.provenance["accelerator_power_cagr"].note == "As faster."
    assert later.provenance["tier_mix_target"].note == "default mix"


def test_an_overridden_mapping_replaces_the_inherited_one_whole() -> None:
    training_only = {"training": {"tier_1": 0.2, "tier_2": 0.05, "tier_3": 0.75}}
    out = parse_scenarios(
        document(mix={"extends": "base", "tier_mix_target": {"value": training_only, "assumption": True, "note": "z"}})
    )
    assert out["mix"].tier_mix_target["training"].tier_3 == 0.75
    assert "inference" not in out["mix"].tier_mix_target  # not merged with the inherited mapping
    assert out["base"].tier_mix_target["inference"].tier_1 == 0.45


def test_an_unknown_parent_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match=r"'orphan' extends unknown scenario 'nowhere'"):
        parse_scenarios(document(orphan={"extends": "nowhere"}))


@pytest.mark.parametrize(
    ("scenarios", "cycle"),
    [
        ({"a": {"extends": "a"}}, "a -> a"),
        ({"a": {"extends": "b"}, "b": {"extends": "a"}}, "a -> b -> a"),
        ({"a": {"extends": "b"}, "b": {"extends": "c"}, "c": {"extends": "b"}}, "b -> c -> b"),
    ],
)
def test_an_inheritance_cycle_is_refused(scenarios: dict[str, Any], cycle: str) -> None:
    with pytest.raises(ValueError, match=f"inheritance cycle: {cycle}"):
        parse_scenarios(document(**scenarios))


def test_the_shipped_derived_scenarios_extend_base_and_differ_only_where_they_say() -> None:
    raw = yaml.safe_load(DEFAULT_SCENARIOS_PATH.read_text(encoding="utf-8"))["scenarios"]
    scenarios = load_scenarios()
    derived = [name for name, body in raw.items() if body.get("extends") == "base"]
    assert {"training_concentrated", "edge_inference", "hardware_retirement"} <= set(derived)
    base = scenarios["base"].model_dump(exclude={"name", "description", "provenance"})
    for name in derived:
        params = scenarios[name].model_dump(exclude={"name", "description", "provenance"})
        named = set(raw[name]) - {"extends", "description"}
        assert named, name
        for key, value in params.items():
            if key not in named:
                assert value == base[key], (name, key)
        for key in named:  # the file lists only what differs from base
            assert params[key] != base[key], (name, key)


def test_target_years_follow_the_horizon_unless_a_scenario_sets_them() -> None:
    horizon = int(param("forecast_end_year"))
    for params in load_scenarios().values():
        assert params.pue_new_build_year == horizon
        assert params.tier_shift_target_year == horizon
    built = ScenarioParams(name="t", accelerator_power_cagr=0.1, pue_new_build=1.2, tier_mix_target=MIX)
    assert built.pue_new_build_year == built.tier_shift_target_year == horizon
    own = parse_scenarios(
        document(early={"extends": "base", "pue_new_build_year": {"value": 2027, "assumption": True, "note": "e"}})
    )["early"]
    assert own.pue_new_build_year == 2027
    assert own.tier_shift_target_year == horizon


def test_a_var_entry_takes_the_dbt_vars_value_and_source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import transforms.forecast.scenarios as module
    from transforms import params as model

    project = tmp_path / "dbt_project.yml"
    project.write_text(
        yaml.safe_dump({"vars": {"forecast_end_year": {"value": 2033, "unit": "year", "source": "a horizon"}}})
    )
    monkeypatch.setattr(module, "model_parameters", lambda: model.model_parameters(project))
    monkeypatch.setattr(module, "param", lambda name: model.param(name, project))
    doc = document()
    doc["defaults"]["pue_new_build_year"] = {"var": "forecast_end_year", "note": "the horizon"}
    base = parse_scenarios(doc)["base"]
    assert base.pue_new_build_year == 2033  # the var's value, from the one home
    assert base.provenance["pue_new_build_year"].source == "a horizon"
    assert base.provenance["pue_new_build_year"].note == "the horizon Value: dbt var forecast_end_year."
    assert base.tier_shift_target_year == 2033  # not in the file: the model's default is the horizon too
    with pytest.raises(ValueError, match="unknown dbt var 'no_such_var'"):
        parse_scenarios(document(x={"extends": "base", "growth_taper": {"var": "no_such_var"}}))
    with pytest.raises(ValueError, match="takes only `note:` and `assumption: true`"):
        parse_scenarios(document(x={"extends": "base", "growth_taper": {"var": "forecast_end_year", "value": 1}}))
    doc["defaults"]["pue_new_build_year"]["assumption"] = True  # the choice is ours: no source claimed
    assumed = parse_scenarios(doc)["base"]
    assert assumed.pue_new_build_year == 2033
    assert assumed.provenance["pue_new_build_year"].source is None
    assert assumed.provenance["pue_new_build_year"].assumption


def test_hardware_retirement_retires_at_the_one_hardware_life() -> None:
    hw = load_scenarios()["hardware_retirement"]
    assert hw.hardware_life_years == param("accelerator_depreciation_years")
    assert hw.provenance["hardware_life_years"].source
    assert "dbt var accelerator_depreciation_years" in hw.provenance["hardware_life_years"].note


def test_parameter_bounds_are_the_models_field_constraints() -> None:
    assert parameter_bounds("pue_new_build") == (1.0, 2.0)
    assert parameter_bounds("tier_shift_strength") == (0.0, 1.0)
    lo, hi = parameter_bounds("pipeline_delay_years")
    ScenarioParams(
        name="t", accelerator_power_cagr=0.1, pue_new_build=1.2, tier_mix_target=MIX, pipeline_delay_years=hi
    )
    with pytest.raises(ValueError):
        ScenarioParams(
            name="t", accelerator_power_cagr=0.1, pue_new_build=1.2, tier_mix_target=MIX, pipeline_delay_years=hi + 0.1
        )
    with pytest.raises(ValueError):
        ScenarioParams(
            name="t", accelerator_power_cagr=0.1, pue_new_build=1.2, tier_mix_target=MIX, pipeline_delay_years=lo - 0.1
        )
    with pytest.raises(ValueError, match="no lower and upper bound"):
        parameter_bounds("tier_mix_target")


def test_the_readmes_example_scenario_loads_and_extends_base() -> None:
    readme = (DEFAULT_SCENARIOS_PATH.parents[2] / "README.md").read_text(encoding="utf-8")
    example = readme[readme.index("**Adding a scenario.**") :]
    example = example[example.index("```yaml") + len("```yaml") : example.index("```", example.index("```yaml") + 7)]
    added = yaml.safe_load(example)["scenarios"]
    document = yaml.safe_load(DEFAULT_SCENARIOS_PATH.read_text(encoding="utf-8"))
    document["scenarios"].update(added)
    scenarios = parse_scenarios(document)
    (name,) = added
    assert scenarios[name].pipeline_delay_years == 2.0
    assert scenarios[name].accelerator_power_cagr == scenarios["base"].accelerator_power_cagr
