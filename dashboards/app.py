"""dcpulse dashboard: the router. Run with ``make dashboard`` (streamlit run dashboards/app.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `streamlit run dashboards/app.py` puts only dashboards/ on the path
    sys.path.insert(0, str(ROOT))

PAGES = Path(__file__).resolve().parent / "pages"

st.set_page_config(page_title="dcpulse", page_icon=":material/bolt:", layout="wide")

navigation = st.navigation(
    {
        "Demand": [
            st.Page(PAGES / "overview.py", title="Overview", icon=":material/monitoring:", default=True),
            st.Page(
                PAGES / "market_tiers.py",
                title="Market tiers",
                icon=":material/stacked_bar_chart:",
                url_path="market-tiers",
            ),
            st.Page(PAGES / "map.py", title="Map", icon=":material/map:", url_path="map"),
        ],
        "Decisions": [
            st.Page(PAGES / "siting.py", title="Siting", icon=":material/location_on:", url_path="siting"),
            st.Page(
                PAGES / "economics.py", title="GPU & energy economics", icon=":material/payments:", url_path="economics"
            ),
            st.Page(
                PAGES / "scenario_builder.py",
                title="Scenario builder",
                icon=":material/tune:",
                url_path="scenario-builder",
            ),
        ],
        "Data": [
            st.Page(PAGES / "sql_console.py", title="SQL console", icon=":material/terminal:", url_path="sql"),
        ],
    }
)
navigation.run()
