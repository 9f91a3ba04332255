"""The GX suites pass on good frames and fail, naming the expectation, on bad ones."""

import pandas as pd

from orchestration.lib.expectations import validate


def _deployments(**changes) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "deployment_id": ["a", "b"],
            "workload": ["training", "inference"],
            "power_basis": ["reported", "calculated"],
            "facility_power_mw": [150.0, 3.2],
            "it_power_mw": [125.0, 2.7],
            "market_id": ["us-memphis", "unassigned"],
        }
    )
    for column, values in changes.items():
        frame[column] = values
    return frame


def test_good_frame_passes():
    assert validate("marts.fct_ai_deployments", _deployments()).success


def test_negative_power_and_unknown_workload_fail_with_names():
    result = validate(
        "marts.fct_ai_deployments", _deployments(facility_power_mw=[-1.0, 3.2], workload=["training", "gaming"])
    )
    assert not result.success
    assert "expect_column_values_to_be_between facility_power_mw" in result.failed
    assert "expect_column_values_to_be_in_set workload" in result.failed


def test_duplicate_ids_fail():
    assert not validate("marts.fct_ai_deployments", _deployments(deployment_id=["a", "a"])).success
