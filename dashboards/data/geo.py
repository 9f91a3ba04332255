"""The base map: not in the warehouse, shipped reference files, read once per process."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import streamlit as st

from dashboards.data.warehouse import REPO_ROOT

GEO_DIR = REPO_ROOT / "data" / "reference" / "geo"
COUNTRIES_FILE = "ne_110m_admin_0_countries.geojson"
STATES_FILE = "ne_110m_admin_1_states_provinces.geojson"


def _rounded(coordinates: Any, digits: int) -> Any:
    if isinstance(coordinates, list):
        return [_rounded(c, digits) for c in coordinates]
    return round(coordinates, digits) if isinstance(coordinates, float) else coordinates


def _slim_geojson(path: Path, keep: dict[str, str], digits: int = 2) -> dict[str, Any]:
    """The features' geometry, coordinates rounded to ``digits`` decimals (0.01 degree is about 1 km,
    finer than the 1:110m generalisation; it halves what each map render sends to the browser), and
    the ``keep`` properties renamed."""
    import json

    document = json.loads(path.read_text(encoding="utf-8"))
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {
                    "type": feature["geometry"]["type"],
                    "coordinates": _rounded(feature["geometry"]["coordinates"], digits),
                },
                "properties": {new: feature["properties"].get(old) for old, new in keep.items()},
            }
            for feature in document["features"]
        ],
    }


@st.cache_resource(show_spinner=False)
def base_map() -> tuple[dict[str, Any], dict[str, Any]]:
    """(countries, US states) from Natural Earth 1:110m (data/reference/geo, PROVENANCE.md), each a
    GeoJSON FeatureCollection reduced to geometry and name. Countries are keyed on ADM0_A3 (ISO_A3 is
    -99 for France and Norway)."""
    countries = _slim_geojson(GEO_DIR / COUNTRIES_FILE, {"ADM0_A3": "adm0_a3", "NAME": "name"})
    states = _slim_geojson(GEO_DIR / STATES_FILE, {"postal": "postal", "name": "name"})
    return countries, states
