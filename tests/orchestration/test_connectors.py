"""Connectors against a real HTTP server on 127.0.0.1: retries, Retry-After, timeouts, truncated and wrong bodies,
EIA API pagination with the key masked, a renamed column, a missing zip member, the SkyPilot Lambda composition;
the Dagster landing assets (never fail the run), the inbox sensor, freshness; and a mirror round trip.

The servers run in their own process group and are stopped by PID. Backoff is made fast through DCPULSE_HTTP_*.
"""

import dataclasses
import hashlib
import io
import json
import logging
import os
import shutil
import subprocess
import sys
import time
import urllib.request
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest

from orchestration.defs.connectors import errors, fetch, landing_store, publisher_kinds, verification
from orchestration.defs.connectors.errors import FetchError
from orchestration.defs.connectors.registry import CONNECTORS, Endpoint
from tests.servers import free_port, serve_folder, stop

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ROOT / "data" / "sources"
FIXTURES = ROOT / "tests" / "fixtures" / "http"
EIA_KEY = "test-secret-KEY-9f3a1c"
LAMBDA_COMMIT = "11580132cea293395776b033c8533714d42abb4e"
PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")


@pytest.fixture(scope="module")
def server_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Bodies the scripted server serves: shipped files, a renamed-column CSV, zips, the Lambda catalog sample."""
    root = tmp_path_factory.mktemp("served")
    for rel in ("ember/wholesale_prices_monthly.csv", "epoch/gpu_clusters.csv", "epoch/ml_hardware.csv"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(SOURCES / rel, root / rel)
    ember = (SOURCES / "ember/wholesale_prices_monthly.csv").read_bytes()
    (root / "renamed.csv").write_bytes(ember.replace(b"ISO3 Code", b"ISO 3166 alpha-3", 1))
    with zipfile.ZipFile(root / "clusters.zip", "w") as archive:
        archive.writestr("gpu_clusters/gpu_clusters.csv", (SOURCES / "epoch/gpu_clusters.csv").read_bytes())
        archive.writestr("gpu_clusters/README.md", "Epoch AI GPU clusters")
    with zipfile.ZipFile(root / "wrong.zip", "w") as archive:
        archive.writestr("ai_models.csv", "Model,Year\nA,2024\n")
    catalog = root / "catalog" / "catalogs" / "v7" / "lambda" / "vms.csv"
    catalog.parent.mkdir(parents=True)
    shutil.copyfile(FIXTURES / "skypilot_lambda_vms_v7_head.csv", catalog)
    return root


@pytest.fixture(scope="module")
def server(server_root: Path) -> Iterator[str]:
    env = {k: v for k, v in os.environ.items() if k not in PROXY_VARS}
    proc = subprocess.Popen(
        [sys.executable, str(FIXTURES / "scripted_server.py"), str(server_root), EIA_KEY],
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group: a Ctrl-C of pytest does not reach it; stopped by PID
        env=env,
    )
    try:
        port = int(proc.stdout.readline().strip())
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(proc)


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    for name in (*PROXY_VARS, "DCPULSE_MIRROR_URL", "EIA_API_KEY", "GITHUB_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    settings = {
        "DCPULSE_LANDING_DIR": str(tmp_path / "landing"),
        "DCPULSE_INBOX_DIR": str(tmp_path / "inbox"),
        "DCPULSE_HTTP_ATTEMPTS": "3",
        "DCPULSE_HTTP_BACKOFF_BASE": "0.01",
        "DCPULSE_HTTP_BACKOFF_MAX": "0.05",
        "DCPULSE_HTTP_RETRY_AFTER_MAX": "5",
        "DCPULSE_HTTP_CONNECT_TIMEOUT": "2",
        "DCPULSE_HTTP_READ_TIMEOUT": "0.5",
        "DCPULSE_INBOX_SETTLE_SECONDS": "0",
    }
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    return {"landing": tmp_path / "landing", "inbox": tmp_path / "inbox"}


def _key() -> str:
    return uuid.uuid4().hex[:12]


def _point(monkeypatch: pytest.MonkeyPatch, table: str, *endpoints: Endpoint) -> None:
    monkeypatch.setitem(CONNECTORS, table, dataclasses.replace(CONNECTORS[table], endpoints=endpoints))


def _server_log(server: str, key: str) -> list[dict]:
    with urllib.request.urlopen(f"{server}/_log/{key}", timeout=5) as response:
        return json.loads(response.read())


def _manifests(landing: Path, table: str) -> list[dict]:
    return [json.loads(p.read_text()) for p in sorted((landing / table).glob("*/manifest.json"))]


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _assert_failed(landing: Path, table: str, error: FetchError, *needles: str) -> dict:
    """A failure is one clear line naming the source, and a failed manifest without a data file."""
    text = str(error)
    assert "\n" not in text and text.startswith(f"{table}: ")
    for needle in needles:
        assert needle in text, text
    (manifest,) = _manifests(landing, table)
    assert manifest["ok"] is False and manifest["error"] == error.message and manifest["table"] == table
    (directory,) = (landing / table).iterdir()
    assert sorted(p.name for p in directory.iterdir()) == ["manifest.json"]
    assert landing_store.latest_landed(table) is None
    return manifest


# ---------------------------------------------------------------------------------------------
# Network failures


def test_429_then_success_honours_retry_after(server: str, env: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    key = _key()
    _point(
        monkeypatch,
        "ember_wholesale_prices",
        Endpoint(f"{server}/r429/{key}/ember/wholesale_prices_monthly.csv?after=1"),
    )
    landed = fetch.fetch_source("ember_wholesale_prices", run_id="run-429")
    shipped = (SOURCES / "ember/wholesale_prices_monthly.csv").read_bytes()
    assert landed.ok and landed.path.read_bytes() == shipped
    assert landed.manifest["attempts"] == 2 and landed.manifest["status"] == 200
    assert landed.manifest["sha256"] == _sha(shipped) and landed.manifest["bytes"] == len(shipped)
    assert landed.manifest["run_id"] == "run-429" and landed.manifest["fetched_at"].endswith("Z")
    assert landed.manifest["changed"] is True and landed.manifest["previous_landing"] is None
    times = [entry["time"] for entry in _server_log(server, key)]
    assert len(times) == 2 and times[1] - times[0] >= 0.95  # waited Retry-After: 1, not the 0.01 s backoff


def test_retry_after_beyond_the_cap_fails_at_once(server: str, env: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    key = _key()
    _point(
        monkeypatch,
        "ember_wholesale_prices",
        Endpoint(f"{server}/r429/{key}/ember/wholesale_prices_monthly.csv?after=3600"),
    )
    with pytest.raises(FetchError) as caught:
        fetch.fetch_source("ember_wholesale_prices")
    _assert_failed(env["landing"], "ember_wholesale_prices", caught.value, "HTTP 429", "retry after 3600 s")
    assert len(_server_log(server, key)) == 1


def test_500_and_503_are_retried_then_success(server: str, env: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    key = _key()
    _point(monkeypatch, "epoch_gpu_clusters", Endpoint(f"{server}/r5xx/{key}/epoch/gpu_clusters.csv"))
    landed = fetch.fetch_source("epoch_gpu_clusters")
    assert landed.ok and landed.manifest["attempts"] == 3
    assert landed.path.read_bytes() == (SOURCES / "epoch/gpu_clusters.csv").read_bytes()
    assert len(_server_log(server, key)) == 3
    _point(monkeypatch, "epoch_gpu_clusters", Endpoint(f"{server}/ok/{key}/epoch/gpu_clusters.csv"))
    again = fetch.fetch_source("epoch_gpu_clusters")
    assert again.manifest["changed"] is False and again.manifest["previous_landing"] == landed.directory.name
    assert landing_store.latest_landed("epoch_gpu_clusters") == again


def test_5xx_every_time_gives_up_after_the_attempts(server: str, env: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    key = _key()
    _point(monkeypatch, "epoch_gpu_clusters", Endpoint(f"{server}/always503/{key}/epoch/gpu_clusters.csv"))
    with pytest.raises(FetchError) as caught:
        fetch.fetch_source("epoch_gpu_clusters")
    manifest = _assert_failed(
        env["landing"], "epoch_gpu_clusters", caught.value, "HTTP 503", "gave up after 3 attempts"
    )
    assert manifest["status"] == 503 and manifest["url"].endswith("/epoch/gpu_clusters.csv")
    assert len(_server_log(server, key)) == 3


def test_timeout(server: str, env: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DCPULSE_HTTP_ATTEMPTS", "2")
    key = _key()
    _point(
        monkeypatch,
        "ember_wholesale_prices",
        Endpoint(f"{server}/slow/{key}/ember/wholesale_prices_monthly.csv?sleep=5"),
    )
    started = time.monotonic()
    with pytest.raises(FetchError) as caught:
        fetch.fetch_source("ember_wholesale_prices")
    assert time.monotonic() - started < 4.0  # two 0.5 s read timeouts, never the server's 5 s
    _assert_failed(env["landing"], "ember_wholesale_prices", caught.value, "timed out", "gave up after 2 attempts")


def test_truncated_body_is_an_error(server: str, env: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    key = _key()
    _point(monkeypatch, "ember_wholesale_prices", Endpoint(f"{server}/trunc/{key}/ember/wholesale_prices_monthly.csv"))
    with pytest.raises(FetchError) as caught:
        fetch.fetch_source("ember_wholesale_prices")
    _assert_failed(env["landing"], "ember_wholesale_prices", caught.value, "truncated body")
    assert len(_server_log(server, key)) == 3  # a cut download is transient: retried


def test_html_error_page_instead_of_csv(server: str, env: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    key = _key()
    _point(monkeypatch, "epoch_ml_hardware", Endpoint(f"{server}/html/{key}/epoch/ml_hardware.csv"))
    with pytest.raises(FetchError) as caught:
        fetch.fetch_source("epoch_ml_hardware")
    _assert_failed(
        env["landing"], "epoch_ml_hardware", caught.value, "HTML page", "CSV was expected", "Service Unavailable"
    )
    assert len(_server_log(server, key)) == 1  # a 200 page is an answer, not a transient failure


def test_empty_body(server: str, env: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    _point(monkeypatch, "epoch_ml_hardware", Endpoint(f"{server}/empty/{_key()}/epoch/ml_hardware.csv"))
    with pytest.raises(FetchError) as caught:
        fetch.fetch_source("epoch_ml_hardware")
    _assert_failed(env["landing"], "epoch_ml_hardware", caught.value, "empty body")


def test_renamed_column_is_named(server: str, env: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    _point(monkeypatch, "ember_wholesale_prices", Endpoint(f"{server}/ok/{_key()}/renamed.csv"))
    with pytest.raises(FetchError) as caught:
        fetch.fetch_source("ember_wholesale_prices")
    _assert_failed(env["landing"], "ember_wholesale_prices", caught.value, "'ISO3 Code' missing", "'ISO 3166 alpha-3'")


def test_zip_member(server: str, server_root: Path, env: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    _point(
        monkeypatch,
        "epoch_gpu_clusters",
        Endpoint(f"{server}/ok/{_key()}/clusters.zip", "zip", member="gpu_clusters.csv"),
    )
    landed = fetch.fetch_source("epoch_gpu_clusters")
    assert landed.path.name == "gpu_clusters.csv"
    assert landed.path.read_bytes() == (SOURCES / "epoch/gpu_clusters.csv").read_bytes()
    assert landed.manifest["member"] == "gpu_clusters/gpu_clusters.csv"
    assert landed.manifest["archive_sha256"] == _sha((server_root / "clusters.zip").read_bytes())


def test_zip_member_missing(server: str, env: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    _point(
        monkeypatch, "epoch_gpu_clusters", Endpoint(f"{server}/ok/{_key()}/wrong.zip", "zip", member="gpu_clusters.csv")
    )
    with pytest.raises(FetchError) as caught:
        fetch.fetch_source("epoch_gpu_clusters")
    _assert_failed(env["landing"], "epoch_gpu_clusters", caught.value, "no member 'gpu_clusters.csv'", "ai_models.csv")


def test_fallback_url_and_redirect(server: str, env: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    key = _key()
    _point(
        monkeypatch,
        "ember_wholesale_prices",
        Endpoint(f"{server}/html/{key}/ember/wholesale_prices_monthly.csv"),
        Endpoint(f"{server}/redirect/{key}/ember/wholesale_prices_monthly.csv"),
    )
    landed = fetch.fetch_source("ember_wholesale_prices")
    assert landed.manifest["url"].endswith(f"/redirect/{key}/ember/wholesale_prices_monthly.csv")
    assert landed.manifest["final_url"].endswith(f"/ok/{key}/ember/wholesale_prices_monthly.csv")
    assert "HTML page" in landed.manifest["earlier_failures"][0]["error"]


def test_unreachable_host_is_not_retried_twice_and_offline_fails_fast(
    env: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = free_port()  # nothing listens there: connection refused
    _point(
        monkeypatch,
        "epoch_gpu_clusters",
        Endpoint(f"http://127.0.0.1:{port}/gpu_clusters.csv"),
        Endpoint(f"http://127.0.0.1:{port}/gpu_clusters.zip", "zip", member="gpu_clusters.csv"),
    )
    with pytest.raises(FetchError) as caught:
        fetch.fetch_source("epoch_gpu_clusters")
    assert "connection failed" in str(caught.value) and "skipped: 127.0.0.1 could not be reached" in str(caught.value)
    monkeypatch.setenv("DCPULSE_OFFLINE", "1")
    with pytest.raises(FetchError, match="offline"):
        fetch.fetch_source("epoch_gpu_clusters")
    assert [m["ok"] for m in _manifests(env["landing"], "epoch_gpu_clusters")] == [False, False]


def test_one_failing_source_does_not_stop_the_others(server: str, env: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    key = _key()
    _point(monkeypatch, "ember_wholesale_prices", Endpoint(f"{server}/ok/{key}/ember/wholesale_prices_monthly.csv"))
    _point(monkeypatch, "epoch_ml_hardware", Endpoint(f"{server}/html/{key}/epoch/ml_hardware.csv"))
    _point(monkeypatch, "epoch_gpu_clusters", Endpoint(f"{server}/r5xx/{key}/epoch/gpu_clusters.csv"))
    results = fetch.fetch_all(
        ["epoch_ml_hardware", "ember_wholesale_prices", "epoch_gpu_clusters", "skypilot_gpu_prices"]
    )
    assert isinstance(results["epoch_ml_hardware"], FetchError)
    assert "no live publisher URL" in str(results["skypilot_gpu_prices"])
    assert results["ember_wholesale_prices"].ok and results["epoch_gpu_clusters"].ok
    assert landing_store.latest_landed("ember_wholesale_prices") == results["ember_wholesale_prices"]
    assert [m["ok"] for m in _manifests(env["landing"], "skypilot_gpu_prices")] == [False]


# ---------------------------------------------------------------------------------------------
# EIA API v2 and the SkyPilot Lambda composition


def test_eia_api_pagination_with_the_key_masked(
    server: str, env: dict, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    key = _key()
    monkeypatch.setenv("EIA_API_KEY", EIA_KEY)
    monkeypatch.setenv("DCPULSE_EIA_API_URL", f"{server}/eia/{key}/")
    caplog.set_level(logging.DEBUG)
    logging.getLogger("httpx").setLevel(logging.DEBUG)
    landed = fetch.fetch_source("eia_retail_sales_monthly", run_id="run-eia")
    requests = _server_log(server, key)
    assert [r["path"].split("offset=")[1].split("&")[0] for r in requests] == ["0", "5000", "10000"]
    assert all(f"api_key={EIA_KEY}" in r["path"] and "length=5000" in r["path"] for r in requests)
    assert (
        landed.path.name == "eia861m_api_monthly.csv" and landed.manifest["landed_as"] == "eia/eia861m_api_monthly.csv"
    )
    assert [p["rows"] for p in landed.manifest["api_pages"]] == [5000, 5000, 2000]
    assert landed.manifest["api_total"] == 12000
    assert landed.manifest["rows_skipped_not_a_state"] == 2400  # NEW and PACC are regions
    lines = landed.path.read_text().splitlines()
    assert lines[0] == "year,month,state,sector,price_cents_kwh,revenue_musd,sales_mwh,customers"
    assert len(lines) == 1 + 9600
    assert lines[1] == "2008,1,CA,RES,10.68,14127.91913,132318505.01,4061081"  # GWh -> MWh exactly
    assert {line.split(",")[2] for line in lines[1:]} == {"US", "VA", "TX", "CA", "NY", "WA", "OR", "GA"}
    manifest_text = (landed.directory / "manifest.json").read_text()
    assert EIA_KEY not in manifest_text and "api_key=***" in manifest_text
    assert EIA_KEY not in caplog.text and "api_key=***" in caplog.text  # httpx's request log, masked
    assert EIA_KEY not in landed.path.read_text()


def test_eia_api_failure_is_masked_and_falls_back_to_the_workbook(
    server: str, env: dict, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    key = _key()
    monkeypatch.setenv("EIA_API_KEY", "wrong-" + EIA_KEY)
    monkeypatch.setenv("DCPULSE_EIA_API_URL", f"{server}/eia/{key}/")
    _point(monkeypatch, "eia_retail_sales_monthly", Endpoint(f"{server}/html/{key}/sales_revenue.xlsx"))
    caplog.set_level(logging.DEBUG)
    with pytest.raises(FetchError) as caught:
        fetch.fetch_source("eia_retail_sales_monthly")
    text = str(caught.value)
    assert "HTTP 403" in text and "HTML page" in text and "XLSX was expected" in text
    manifest = _assert_failed(env["landing"], "eia_retail_sales_monthly", caught.value)
    for blob in (text, json.dumps(manifest), caplog.text):
        assert EIA_KEY not in blob
    assert manifest["url"].endswith("api_key=***&frequency=monthly&data[0]=price&data[1]=revenue&data[2]=sales&data[3]="
                                     "customers&sort[0][column]=period&sort[0][direction]=asc&sort[1][column]=stateid&"
                                     "sort[1][direction]=asc&sort[2][column]=sectorid&sort[2][direction]=asc&offset=0&"
                                     "length=5000")  # fmt: skip


def test_eia_sample_response_shape() -> None:
    """The recorded EIA v2 response (annual, Virginia): the connector's unit table knows each unit it labels."""
    document = json.loads((FIXTURES / "eia_v2_retail_sales_VA_2023_annual_response.json").read_text())
    for row in document["response"]["data"]:
        assert row["sales-units"] in publisher_kinds._SALES_FACTOR
        assert row["revenue-units"] in publisher_kinds._REVENUE_FACTOR
        assert row["price-units"] in publisher_kinds._PRICE_FACTOR
        assert row["sectorid"] in publisher_kinds.EIA_SECTORS


def test_skypilot_lambda_composition_reproduces_the_shipped_rows(
    server: str, env: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = _key()
    monkeypatch.setenv("DCPULSE_GITHUB_API_URL", f"{server}/gh/{key}")
    monkeypatch.setenv("DCPULSE_GITHUB_RAW_URL", f"{server}/gh/{key}/raw")
    landed = fetch.fetch_source("lambda_gpu_prices")
    shipped = (SOURCES / "skypilot/lambda_gpu_prices.csv").read_bytes().splitlines(keepends=True)
    # The fixture is the catalog's first five instance types (17 regions each) at the shipped commit.
    assert landed.path.read_bytes() == b"".join(shipped[:6])
    assert landed.manifest["source_commit"] == LAMBDA_COMMIT


def test_skypilot_lambda_composition_refuses_region_differences() -> None:
    catalog = (
        (FIXTURES / "skypilot_lambda_vms_v7_head.csv")
        .read_text()
        .replace("gpu_8x_v100,V100,8.0,92.0,448.0,4.4,me-west-1", "gpu_8x_v100,V100,8.0,92.0,448.0,4.9,me-west-1")
    )
    with pytest.raises(errors.Problem, match="'gpu_8x_v100' differs between regions .* in Price"):
        publisher_kinds.compose_lambda(catalog.encode(), "r", "p", LAMBDA_COMMIT)


# ---------------------------------------------------------------------------------------------
# Dagster: landing assets, inbox sensor, freshness


def _materialization(result: dg.ExecuteInProcessResult, table: str) -> dict:
    (event,) = [e for e in result.get_asset_materialization_events() if e.asset_key == dg.AssetKey(["landing", table])]
    return event.materialization.metadata


def test_landing_assets_never_fail_the_run(server: str, env: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    from orchestration.defs.connectors.assets import landing_assets
    from orchestration.defs.connectors.checks import freshness_checks

    key = _key()
    _point(monkeypatch, "ember_wholesale_prices", Endpoint(f"{server}/ok/{key}/ember/wholesale_prices_monthly.csv"))
    _point(monkeypatch, "epoch_ml_hardware", Endpoint(f"{server}/html/{key}/epoch/ml_hardware.csv"))
    wanted = {dg.AssetKey(["landing", "ember_wholesale_prices"]), dg.AssetKey(["landing", "epoch_ml_hardware"])}
    assets = [a for a in landing_assets if a.key in wanted]
    checks = [c for c in freshness_checks if any(s.asset_key in wanted for s in c.check_specs)]
    instance = dg.DagsterInstance.ephemeral()
    result = dg.materialize([*assets, *checks], instance=instance, raise_on_error=False)
    assert result.success
    good = _materialization(result, "ember_wholesale_prices")
    bad = _materialization(result, "epoch_ml_hardware")
    assert good["ok"].value is True and good["sha256"].value == _sha(
        (SOURCES / "ember/wholesale_prices_monthly.csv").read_bytes()
    )
    assert (
        bad["ok"].value is False and "HTML page" in bad["error"].value and bad["url"].value.endswith("ml_hardware.csv")
    )
    assert "shipped file data/sources/epoch/ml_hardware.csv" in bad["kept"].value
    assert landing_store.landed_for_run("epoch_ml_hardware", result.run_id).ok is False
    assert landing_store.landed_for_run("ember_wholesale_prices", result.run_id).ok is True
    # A failed fetch is not an update: its last_updated time is the shipped snapshot's date, so it is overdue.
    retrieved = bad["dagster/last_updated_timestamp"].value
    assert retrieved < time.time() - 14 * 86400
    evaluations = {e.asset_key.path[-1]: e.passed for e in result.get_asset_check_evaluations()}
    assert evaluations == {"ember_wholesale_prices": True, "epoch_ml_hardware": False}


def test_freshness_checks_cover_every_connector_at_its_cadence() -> None:
    from orchestration.defs.connectors.checks import freshness_checks

    seconds = {}
    for check in freshness_checks:
        for spec in check.check_specs:
            params = spec.metadata["dagster/freshness_params"].value
            seconds[spec.asset_key.path[-1]] = params["lower_bound_delta_seconds"] / 86400
    assert seconds == {t: float(c.cadence_days) for t, c in CONNECTORS.items()}
    # the cadence's one home is SOURCES.yml
    assert seconds["eia_retail_sales_monthly"] == 31 and seconds["fractracker_facilities"] == 90
    assert seconds["epoch_gpu_clusters"] == 14 and seconds["lambda_gpu_prices"] == 7


def test_inbox_sensor_lands_drops_and_requests_a_run(server: str, env: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    from orchestration.defs.connectors.assets import INBOX_LANDINGS_TAG, landing_assets
    from orchestration.defs.connectors.sensors import INGEST_JOB_NAME, inbox_sensor

    good = env["inbox"] / "ember_wholesale_prices" / "ember_2026-02.csv"
    good.parent.mkdir(parents=True)
    data = (SOURCES / "ember/wholesale_prices_monthly.csv").read_bytes()
    good.write_bytes(data)
    bad = env["inbox"] / "epoch_gpu_clusters" / "clusters.csv"
    bad.parent.mkdir(parents=True)
    bad.write_bytes(b"<html><head><title>Sign in</title></head></html>")
    (env["inbox"] / "epoch_gpu_clusters" / "partial.csv.part").write_bytes(b"Name,")
    instance = dg.DagsterInstance.ephemeral()
    result = inbox_sensor(dg.build_sensor_context(instance=instance))
    assert isinstance(result, dg.SensorResult)
    (request,) = result.run_requests
    assert request.run_key == _sha(data) and inbox_sensor.job_name == INGEST_JOB_NAME
    landed = landing_store.latest_landed("ember_wholesale_prices")
    assert landed.origin == "inbox" and landed.url == "inbox:ember_2026-02.csv" and landed.path.read_bytes() == data
    assert request.tags[INBOX_LANDINGS_TAG] == f"ember_wholesale_prices/{landed.directory.name}"
    assert not good.exists() and not bad.exists() and len(list((bad.parent / ".rejected").iterdir())) == 1
    assert (bad.parent / "partial.csv.part").exists()
    assert [m["ok"] for m in _manifests(env["landing"], "epoch_gpu_clusters")] == [False]
    (event,) = result.asset_events
    assert event.asset_key == dg.AssetKey(["landing", "ember_wholesale_prices"])
    assert isinstance(inbox_sensor(dg.build_sensor_context(instance=instance)), dg.SkipReason)
    # The run the sensor asked for uses the dropped file as its landing: no live fetch over it.
    _point(monkeypatch, "ember_wholesale_prices", Endpoint(f"{server}/always503/{_key()}/x.csv"))
    asset = next(a for a in landing_assets if a.key == dg.AssetKey(["landing", "ember_wholesale_prices"]))
    run = dg.materialize([asset], instance=instance, tags=request.tags)
    assert run.success and _materialization(run, "ember_wholesale_prices")["origin"].value == "inbox"
    assert landing_store.landed_for_run("ember_wholesale_prices", run.run_id).directory == landed.directory
    assert len(_manifests(env["landing"], "ember_wholesale_prices")) == 1


# ---------------------------------------------------------------------------------------------
# Mirror round trip


def test_mirror_round_trip(tmp_path: Path, env: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    mirror = tmp_path / "mirror"
    clean = {k: v for k, v in os.environ.items() if k not in PROXY_VARS and k != "DCPULSE_SOURCES_DIR"}
    built = subprocess.run(
        [sys.executable, "-m", "orchestration.defs.connectors.mirror", str(mirror)],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert built.returncode == 0, built.stderr
    index = json.loads((mirror / "index.json").read_text())
    shipped = {p.relative_to(SOURCES).as_posix() for p in SOURCES.rglob("*") if p.is_file()}
    assert {f["path"] for f in index["files"]} == shipped
    proc, base = serve_folder(mirror, env=clean)
    try:
        monkeypatch.setenv("DCPULSE_MIRROR_URL", base)
        monkeypatch.setenv("EIA_API_KEY", EIA_KEY)  # the mirror wins over the API
        monkeypatch.setenv("DCPULSE_HTTP_READ_TIMEOUT", "30")
        fetched = 0
        for table, connector in CONNECTORS.items():
            source = SOURCES / connector.rel_path
            if not source.exists():
                continue
            landed = fetch.fetch_source(table, run_id="mirror-run")
            assert landed.origin == "mirror" and landed.manifest["url"] == f"{base}{connector.rel_path}"
            assert landed.sha256 == _sha(source.read_bytes()), table
            assert landed.path.name == source.name and landed.path.read_bytes() == source.read_bytes()
            fetched += 1
        assert fetched >= len(CONNECTORS) - 1  # every connector source that is shipped
    finally:
        stop(proc)


def test_mirror_over_file_url(tmp_path: Path, env: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    from orchestration.defs.connectors.mirror import build_mirror

    build_mirror(tmp_path / "m")
    monkeypatch.setenv("DCPULSE_MIRROR_URL", (tmp_path / "m").as_uri())
    landed = fetch.fetch_source("lambda_gpu_prices")
    assert landed.sha256 == _sha((SOURCES / "skypilot/lambda_gpu_prices.csv").read_bytes())


def test_zip_fixture_helper_sanity() -> None:
    """The zip the server serves really holds the member under a folder (the connector matches by base name)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a/b.csv", "x\n1\n")
    name, data = verification.zip_member(buffer.getvalue(), "b.csv")
    assert name == "a/b.csv" and data == b"x\n1\n"
