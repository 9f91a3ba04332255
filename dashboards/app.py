"""dcpulse dashboard: the router. Run with ``make dashboard`` (streamlit run dashboards/app.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `streamlit run dashboards/app.py` puts only dashboards/ on the path
    sys.path.insert(0, str(ROOT))

import dashboards.charts  # noqa: E402,F401  (loads pandas and plotly fully once, see charts.py)

# Not "pages/": Streamlit also discovers a pages/ folder beside the main script as old-style pages, and
# a deep link such as /map then ran pages/map.py on its own (no router, no wide layout, a file-name
# sidebar) whenever its url_path equalled a file name. The views are only reachable through st.navigation.
PAGES = Path(__file__).resolve().parent / "views"

# No Material icons: Streamlit turns them into a favicon fetched from fonts.gstatic.com (unreachable
# offline); an emoji favicon is an inline data URI. Pages carry no icon (no emoji font on servers).
st.set_page_config(page_title="dcpulse", page_icon="⚡", layout="wide")

navigation = st.navigation(
    {
        "Demand": [
            st.Page(PAGES / "overview.py", title="Overview", default=True),
            st.Page(
                PAGES / "market_tiers.py",
                title="Market tiers",
                url_path="market-tiers",
            ),
            st.Page(PAGES / "map.py", title="Map", url_path="map"),
        ],
        "Decisions": [
            st.Page(PAGES / "siting.py", title="Siting", url_path="siting"),
            st.Page(PAGES / "economics.py", title="GPU & energy economics", url_path="economics"),
            st.Page(
                PAGES / "scenario_builder.py",
                title="Scenario builder",
                url_path="scenario-builder",
            ),
        ],
        "Data": [
            st.Page(PAGES / "sql_console.py", title="SQL console", url_path="sql"),
        ],
    }
)
navigation.run()
