"""One reader for the model parameters: the home file, and a run's overrides (DCPULSE_VARS) applied to every value
handed out, to dbt as the same values."""

from __future__ import annotations

import json

import pytest

from transforms import params


def test_no_override_reads_the_home_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(params.OVERRIDES_ENV, raising=False)
    assert (
        params.param("pue_ai_cluster")
        == params._home_parameters(params.DBT_PROJECT_FILE.resolve())["pue_ai_cluster"].value
    )
    assert params.dbt_vars_arg() == []


def test_an_override_reaches_every_reader_and_dbt_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(params.OVERRIDES_ENV, "{pue_ai_cluster: 1.3, inference_share_target: 0.9}")
    assert params.param("pue_ai_cluster") == 1.3
    low, value, high = params.param_range("inference_share_target")
    assert value == 0.9 and high == 0.9 and low < 0.9  # outside the home range: the range widens to hold it
    table = params.parameter_table()
    row = table.filter(table["parameter"] == "pue_ai_cluster").row(0, named=True)
    assert row["value"] == "1.3" and "overridden for this run by DCPULSE_VARS (home value 1.2)" in row["note"]
    flag, payload = params.dbt_vars_arg()
    handed = json.loads(payload)
    assert flag == "--vars" and set(handed) == {"pue_ai_cluster", "inference_share_target"}
    assert handed["pue_ai_cluster"]["value"] == 1.3 and handed["inference_share_target"]["high"] == 0.9


def test_an_override_of_an_unknown_var_or_of_the_wrong_shape_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(params.OVERRIDES_ENV, "{pue_ai_clustr: 1.3}")
    with pytest.raises(KeyError, match="pue_ai_clustr"):
        params.param("pue_ai_cluster")
    monkeypatch.setenv(params.OVERRIDES_ENV, "1.3")
    with pytest.raises(ValueError, match="must be a mapping"):
        params.var_overrides()
    monkeypatch.setenv(params.OVERRIDES_ENV, "{pue_ai_cluster: [1, 2]}")
    with pytest.raises(ValueError, match="pue_ai_cluster"):
        params.var_overrides()
