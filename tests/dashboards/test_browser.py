"""Real browser: `streamlit run` on 127.0.0.1, Debian's headless Chromium loads every page.

Chromium comes from the OS (`apt-get install chromium`; never downloaded by a tool). Playwright (a
dev dependency) drives that binary through ``executable_path``; the bare ``chromium --dump-dom``
CLI returns the page shell before Streamlit's websocket has rendered anything. Screenshots and
timings go to ``artifacts/screenshots/`` (git-ignored). The warehouse is the one the pipeline built
from tests/fixtures/sources (conftest ``built_warehouse``); set ``DCPULSE_BROWSER_TEST_WAREHOUSE`` to a
published warehouse file to run the same checks on real data instead.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.dashboards.conftest import REPO, copy_warehouse, republished

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = REPO / "artifacts" / "screenshots"
PLOT = '[data-testid="stPlotlyChart"] .main-svg'
# url path -> (title, selectors that exist only once the page has finished drawing)
PAGES = {
    "": ("Overview", [PLOT, '[data-testid="stDataFrame"]']),
    "market-tiers": ("Market tiers", [PLOT, '[data-testid="stDataFrame"]']),
    "map": ("Map", ['[data-testid="stDeckGlJsonChart"] canvas']),
    "siting": ("Siting", [PLOT]),
    "economics": ("GPU & energy economics", [PLOT, '[data-testid="stDataFrame"]']),
    "scenario-builder": ("Scenario builder", [PLOT, '[data-testid="stCode"]']),
    "sql": ("SQL console", ["textarea", '[data-testid="stExpander"]']),
}
RENDERED = """() => {
  if (document.querySelector('[data-testid="stStatusWidget"]')) return false;      // script still running
  if (document.querySelector('[data-testid="stSkeleton"]')) return false;
  const plots = document.querySelectorAll('[data-testid="stPlotlyChart"]');
  const drawn = document.querySelectorAll('[data-testid="stPlotlyChart"] .main-svg');
  if (drawn.length < plots.length) return false;
  const decks = document.querySelectorAll('[data-testid="stDeckGlJsonChart"]');
  const canvases = document.querySelectorAll('[data-testid="stDeckGlJsonChart"] canvas');
  return canvases.length >= decks.length;
}"""

_NO_CHROMIUM = (
    "{path} is missing. Install Debian's package with "
    "`apt-get update && apt-get install -y chromium` (.ci/run does) to run the real-browser test."
)
START_ATTEMPTS = 3


def require_chromium(path: Path = CHROMIUM) -> None:
    """Debian's chromium must be there: installed here when missing (as root, with apt), else the test FAILS."""
    if not path.exists() and path == CHROMIUM and os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=False, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], check=False, env=env, capture_output=True)
    if not path.exists():
        pytest.fail(f"BROWSER TEST CANNOT RUN: {_NO_CHROMIUM.format(path=path)}", pytrace=False)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _PortTaken(Exception):
    """Streamlit could not bind the port _free_port found: another process took it in between."""


def _wait_healthy(url: str, proc: subprocess.Popen[bytes], log: Path, port: int, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            text = log.read_text()
            if f"Port {port} is not available" in text:  # Streamlit's words when the bind fails
                raise _PortTaken(text)
            raise AssertionError(f"streamlit exited with {proc.returncode}:\n{text}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read().strip() == b"ok":
                    return
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"streamlit not healthy after {timeout}s:\n{log.read_text()}")


def _stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def start_streamlit(warehouse_dir: Path, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    """`streamlit run` on a free 127.0.0.1 port, healthy; a port taken between the probe and
    Streamlit's bind (it exits: "Port N is not available") is retried on a new port."""
    env = {**os.environ, "DCPULSE_WAREHOUSE_DIR": str(warehouse_dir)}
    for _ in range(START_ATTEMPTS):
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        with log.open("ab") as out:
            server = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "streamlit",
                    "run",
                    str(REPO / "dashboards" / "app.py"),
                    "--server.address",
                    "127.0.0.1",
                    "--server.port",
                    str(port),
                    "--server.headless",
                    "true",
                    "--browser.gatherUsageStats",
                    "false",
                ],  # fmt: skip
                cwd=REPO,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, killed by id in _stop
            )
        try:
            _wait_healthy(url, server, log, port)
            return server, url
        except _PortTaken:
            _stop(server)
        except BaseException:
            _stop(server)
            raise
    raise AssertionError(f"streamlit found no free port in {START_ATTEMPTS} attempts:\n{log.read_text()}")


def test_a_port_taken_before_streamlit_binds_it_is_retried(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "warehouse").mkdir()  # Streamlit's health check needs no warehouse
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        ports = iter([int(taken.getsockname()[1])])
        real_free_port = _free_port
        monkeypatch.setitem(globals(), "_free_port", lambda: next(ports, None) or real_free_port())
        server, url = start_streamlit(tmp_path / "warehouse", tmp_path / "streamlit.log")
        try:
            assert not url.endswith(f":{taken.getsockname()[1]}")
            assert "is not available" in (tmp_path / "streamlit.log").read_text()  # the first attempt failed
        finally:
            _stop(server)


def test_missing_chromium_fails_the_test(tmp_path: Path) -> None:
    with pytest.raises(pytest.fail.Exception, match="CANNOT RUN"):
        require_chromium(tmp_path / "no-chromium")


# The base map's land and sea colours (dashboards/charts.py) as drawn: the map really rendered if both
# cover a good part of the canvas and some pixels are neither (the bubbles, the borders, the labels).
LAND_RGB = (250, 250, 249)
SEA_RGB = (219, 231, 240)


def map_pixel_shares(png: bytes) -> dict[str, float]:
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    pixels = list(image.getdata())

    def near(a: tuple[int, ...], b: tuple[int, ...]) -> bool:
        return all(abs(x - y) <= 6 for x, y in zip(a, b, strict=True))

    land = sum(near(px, LAND_RGB) for px in pixels) / len(pixels)
    sea = sum(near(px, SEA_RGB) for px in pixels) / len(pixels)
    saturated = sum(max(px) - min(px) > 60 for px in pixels) / len(pixels)  # coloured bubbles
    return {"land": land, "sea": sea, "coloured": saturated}


@pytest.mark.browser
def test_every_page_renders_in_a_real_browser(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    require_chromium()
    from playwright.sync_api import sync_playwright

    warehouse_dir = tmp_path / "warehouse"
    real = os.environ.get("DCPULSE_BROWSER_TEST_WAREHOUSE")  # e.g. data/warehouse/dcpulse.duckdb after make run
    built = Path(real) if real else request.getfixturevalue("built_warehouse")
    copy_warehouse(built, warehouse_dir)  # a copy: the test republishes over it
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    log = tmp_path / "streamlit.log"
    server, url = start_streamlit(warehouse_dir, log)
    timings: dict[str, dict[str, float]] = {}
    outside: list[str] = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=str(CHROMIUM),
                args=[
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-background-networking",
                    "--use-angle=swiftshader",
                    "--enable-unsafe-swiftshader",
                ],  # fmt: skip
            )
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.on(
                "request",
                lambda r: (
                    outside.append(r.url) if not r.url.startswith((url, "data:", "blob:", "ws://127.0.0.1")) else None
                ),
            )
            for path, (title, ready) in PAGES.items():
                name = path or "overview"
                timings[name] = {}
                for attempt in ("first_load", "second_load"):
                    started = time.monotonic()
                    page.goto(f"{url}/{path}")
                    page.get_by_role("heading", name=title, level=1).wait_for(timeout=90_000)
                    for selector in ready:
                        page.locator(selector).first.wait_for(state="attached", timeout=90_000)
                    page.wait_for_function(RENDERED, timeout=90_000, polling=200)
                    timings[name][attempt] = round(time.monotonic() - started, 2)
                # A deep link runs through the router (st.navigation): its sidebar, not file names.
                nav = page.locator('[data-testid="stSidebarNav"]')
                assert nav.get_by_text("Decisions").count() == 1, f"{name}: opened without the router"
                page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))
                if name == "overview":  # the README's picture: the forecast chart on its own
                    page.locator('[data-testid="stPlotlyChart"]').first.screenshot(
                        path=str(SCREENSHOTS / "overview_forecast.png")
                    )
                if name == "map":
                    page.wait_for_timeout(1500)  # deck.gl draws on the next animation frames
                    shares = map_pixel_shares(page.locator('[data-testid="stDeckGlJsonChart"]').first.screenshot())
                    assert shares["land"] > 0.1 and shares["sea"] > 0.1, f"no base map drawn: {shares}"
                    assert shares["coloured"] > 0.0005, f"no bubbles drawn: {shares}"
                html = page.content()
                assert 'data-testid="stException"' not in html, f"{name}: Streamlit exception on the page"
                assert "stAlertContentError" not in html, f"{name}: st.error on the page"
                assert page.locator("h1", has_text=title).count() == 1

            # A republish while the dashboard is open shows up on the next load, no restart.
            later = republished(built, tmp_path / "next", "browser-republish", "2099-01-03 06:00:00")
            os.replace(later, warehouse_dir / "dcpulse.duckdb")
            page.goto(url)
            page.get_by_text("2099-01-03 06:00").wait_for(timeout=90_000)
            browser.close()
    finally:
        _stop(server)
    (SCREENSHOTS / "timings.json").write_text(json.dumps(timings, indent=2))
    print("page load seconds:", json.dumps(timings))
    assert not outside, f"the dashboard reached outside 127.0.0.1: {sorted(set(outside))}"
    assert "Traceback" not in log.read_text(), log.read_text()
