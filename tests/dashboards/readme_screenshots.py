"""README screenshots of the dashboard: Overview, Market tiers and Map, from a published warehouse.

Usage (after ``make run``)::

    .venv/bin/python -m tests.dashboards.readme_screenshots [WAREHOUSE_FILE] [OUT_DIR]

defaults ``data/warehouse/dcpulse.duckdb`` and ``docs/img``. Starts ``streamlit run`` on 127.0.0.1 on a
copy of the warehouse, drives Debian's Chromium (/usr/bin/chromium) through Playwright with a tall
viewport (Streamlit's main area scrolls inside the page, so a full-page screenshot would stop at the
window), waits until every chart has drawn, and trims the empty space under the content.
"""

from __future__ import annotations

import io
import sys
import tempfile
from pathlib import Path

from tests.dashboards.conftest import REPO, copy_warehouse
from tests.dashboards.test_browser import CHROMIUM, RENDERED, _stop, start_streamlit

# file name -> (url path, page title, viewport height)
SHOTS = {
    "dashboard_overview.png": ("", "Overview", 3300),
    "market_tiers.png": ("market-tiers", "Market tiers", 2300),
    "map.png": ("map", "Map", 1500),
}
WIDTH = 1400


def trim_bottom(png: bytes, margin: int = 24) -> bytes:
    """Cut the uniform rows under the last content (the tall viewport's empty end)."""
    from PIL import Image, ImageChops

    image = Image.open(io.BytesIO(png)).convert("RGB")
    background = Image.new("RGB", image.size, image.getpixel((image.width - 1, image.height - 1)))
    box = ImageChops.difference(image, background).getbbox()
    if box:
        image = image.crop((0, 0, image.width, min(image.height, box[3] + margin)))
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


# A fingerprint of what is on the page: the page has settled when it stops changing (Streamlit adds the
# script's elements as they come; a table inside a closed expander never draws, so none is waited for).
FINGERPRINT = """() => [
  document.querySelectorAll('[data-testid]').length,
  document.querySelectorAll('[data-testid="stSkeleton"]').length,
  document.querySelectorAll('[data-testid="stPlotlyChart"] .main-svg').length,
  document.querySelectorAll('canvas').length,
].join(',')"""


def settle(page: object, quiet_checks: int = 4) -> None:
    """Wait until the page has drawn (charts, map, tables) and stays unchanged for a few seconds."""
    last, calm = None, 0
    for _ in range(240):
        page.wait_for_function(RENDERED, timeout=120_000, polling=250)  # type: ignore[attr-defined]
        now = page.evaluate(FINGERPRINT)  # type: ignore[attr-defined]
        calm = calm + 1 if now == last and now.split(",")[1] == "0" else 0
        last = now
        if calm >= quiet_checks:
            page.wait_for_timeout(1500)  # type: ignore[attr-defined]  (plotly's and deck.gl's last frames)
            return
        page.wait_for_timeout(1000)  # type: ignore[attr-defined]
    raise TimeoutError("the page did not settle")


def main(warehouse: Path, out_dir: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    written = []
    with tempfile.TemporaryDirectory() as tmp:
        copy_warehouse(warehouse, Path(tmp) / "warehouse")
        server, url = start_streamlit(Path(tmp) / "warehouse", Path(tmp) / "streamlit.log")
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(
                    executable_path=str(CHROMIUM),
                    args=["--no-sandbox", "--disable-gpu", "--use-angle=swiftshader", "--enable-unsafe-swiftshader"],
                )
                for name, (path, title, height) in SHOTS.items():
                    page = browser.new_page(viewport={"width": WIDTH, "height": height})
                    page.goto(f"{url}/{path}")
                    page.get_by_role("heading", name=title, level=1).wait_for(timeout=120_000)
                    settle(page)
                    target = out_dir / name
                    target.write_bytes(trim_bottom(page.screenshot()))
                    written.append(target)
                    page.close()
                browser.close()
        finally:
            _stop(server)
    return written


if __name__ == "__main__":
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "data" / "warehouse" / "dcpulse.duckdb"
    target_dir = Path(sys.argv[2]) if len(sys.argv) > 2 else REPO / "docs" / "img"
    for written_path in main(source, target_dir):
        print(written_path)
