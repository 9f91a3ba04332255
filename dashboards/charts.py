"""Figures from frames: plotly for charts, pydeck for the map. No queries, no Streamlit calls."""

from __future__ import annotations

import json
import urllib.parse
from typing import Any

# Import pandas completely before plotly needs it: plotly (through narwhals) looks pandas up in
# sys.modules without the import lock, so a page rendering while another session's thread is still
# importing pandas failed in the browser with "partially initialized module 'pandas' has no
# attribute 'Series'".
import pandas  # noqa: F401
import plotly.express as px
import plotly.graph_objects as go
import polars as pl
import pydeck as pdk
from plotly.subplots import make_subplots

SCENARIO_COLOURS = {"history": "#1f2937", "low": "#60a5fa", "base": "#2563eb", "high": "#1e3a8a"}
TIER_COLOURS = {
    "tier_1": "#1d4ed8",
    "tier_2": "#0d9488",
    "tier_3": "#f59e0b",
    "unclassified": "#7c3aed",
    "unknown": "#9ca3af",
}
# tier x market kind: one hue per tier, a shade per kind.
TIER_KIND_COLOURS = {
    "tier_1 · metro": "#1d4ed8",
    "tier_2 · metro": "#0d9488",
    "tier_3 · metro": "#b45309",
    "tier_3 · edge": "#f59e0b",
    "tier_3 · campus": "#dc2626",
    "tier_3 · state_rest": "#fcd34d",
    "unclassified · metro": "#7c3aed",
    "unknown · country_rest": "#6b7280",
    "unknown · unassigned": "#d1d5db",
}
WORKLOAD_COLOURS = {"training": "#dc2626", "inference": "#2563eb", "hpc": "#6b7280"}
KIND_RGB = {
    "metro": [29, 78, 216],
    "edge": [245, 158, 11],
    "campus": [220, 38, 38],
    "state_rest": [13, 148, 136],
    "country_rest": [107, 114, 128],
    "unassigned": [209, 213, 219],
}
# Planned generators (EIA-860M) by fuel group: the map's power layer.
FUEL_RGB = {
    "gas": [217, 119, 6],
    "solar": [234, 179, 8],
    "wind": [14, 165, 233],
    "storage": [124, 58, 237],
    "nuclear": [22, 163, 74],
    "hydro": [37, 99, 235],
    "geothermal": [190, 18, 60],
    "biomass": [101, 163, 13],
    "coal": [68, 64, 60],
    "oil": [120, 113, 108],
    "other": [156, 163, 175],
}
STAGE_RGB = {
    "operational": [22, 163, 74],
    "expanding": [132, 204, 22],
    "under_construction": [234, 179, 8],
    "planned": [249, 115, 22],
    "suspended": [107, 114, 128],
    "cancelled": [156, 163, 175],
    "decommissioned": [75, 85, 99],
    "unknown": [209, 213, 219],
}


def _scenario_order(name: str) -> tuple[int, str]:
    order = ["low", "base", "high"]
    return (order.index(name) if name in order else len(order), name)


_LAYOUT = {
    "margin": {"l": 10, "r": 10, "t": 70, "b": 10},
    "legend": {"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0},
}


def forecast_chart(totals: pl.DataFrame, projections: pl.DataFrame, unit_label: str) -> go.Figure:
    """History as a solid line, each scenario's forecast dashed from the last history year, and
    published projections (other scopes, same unit) as labelled markers."""
    fig = go.Figure()
    history = totals.filter(pl.col("scenario") == "history").sort("year")
    if not history.is_empty():
        fig.add_trace(
            go.Scatter(
                x=history["year"].to_list(),
                y=history["value"].to_list(),
                name="history (reported/modelled)",
                mode="lines+markers",
                line={"color": SCENARIO_COLOURS["history"], "width": 3},
            )
        )
    last = history.tail(1)
    for scenario in sorted(set(totals["scenario"].to_list()) - {"history"}, key=_scenario_order):
        rows = totals.filter(pl.col("scenario") == scenario).sort("year")
        if not last.is_empty():
            rows = pl.concat([last.with_columns(scenario=pl.lit(scenario)), rows])
        fig.add_trace(
            go.Scatter(
                x=rows["year"].to_list(),
                y=rows["value"].to_list(),
                name=f"{scenario} (forecast, modelled)",
                mode="lines",
                line={"color": SCENARIO_COLOURS.get(scenario), "dash": "dash"},
            )
        )
    if not projections.is_empty():
        labels = [
            f"{p} {s} ({g}, {sc}): {v:,.0f} {u}"
            for p, s, g, sc, v, u in projections.select(
                "publisher", "scope", "geography", "scenario", "value", "unit"
            ).iter_rows()
        ]
        fig.add_trace(
            go.Scatter(
                x=projections["year"].to_list(),
                y=projections["value"].to_list(),
                mode="markers",
                name="published projections (other scopes)",
                marker={"symbol": "diamond", "size": 11, "color": "#f97316"},
                text=labels,
                hovertemplate="%{text}<extra></extra>",
            )
        )
    if not history.is_empty():
        fig.add_vline(x=float(history["year"].max()) + 0.5, line={"color": "#9ca3af", "dash": "dot"})
    fig.update_layout(yaxis_title=unit_label, xaxis_title="year", **_LAYOUT)
    return fig


def tier_chart(frame: pl.DataFrame, last_history_year: int | None, order: list[str]) -> go.Figure:
    """Facility MW by tier x market kind over time (stacked), one panel per workload; a dotted line
    marks where the forecast starts."""
    fig = px.area(
        frame.sort("year"),
        x="year",
        y="facility_power_mw",
        color="tier_kind",
        facet_col="workload",
        facet_col_spacing=0.06,
        color_discrete_map=TIER_KIND_COLOURS,
        category_orders={
            "tier_kind": order,
            "workload": [w for w in ("training", "inference", "hpc") if w in frame["workload"].to_list()],
        },
        labels={"facility_power_mw": "facility MW", "tier_kind": "tier · kind"},
    )
    if last_history_year is not None:
        fig.add_vline(x=last_history_year + 0.5, line={"color": "#6b7280", "dash": "dot"})
    fig.for_each_annotation(lambda a: a.update(text=a.text.split("=")[-1], font={"size": 14}))
    # The legend under the panels: above them it would cover the facet titles.
    fig.update_layout(
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        legend={"orientation": "h", "y": -0.18, "yanchor": "top", "x": 0, "title": {"text": "tier · kind "}},
    )
    return fig


def workload_bar(frame: pl.DataFrame, label: str, value: str = "facility_power_mw") -> go.Figure:
    """Horizontal stacked bars of training and inference (and hpc, hatched apart) per ``label``."""
    fig = go.Figure()
    rows = frame.reverse()
    for column, name, colour, pattern in (
        ("ai_training_mw", "training (AI)", WORKLOAD_COLOURS["training"], ""),
        ("ai_inference_mw", "inference (AI)", WORKLOAD_COLOURS["inference"], ""),
        ("hpc_mw", "hpc (not AI, apart)", WORKLOAD_COLOURS["hpc"], "/"),
    ):
        if column in rows.columns:
            fig.add_trace(
                go.Bar(
                    y=rows[label].to_list(),
                    x=rows[column].to_list(),
                    orientation="h",
                    name=name,
                    marker={"color": colour, "pattern": {"shape": pattern}},
                )
            )
    fig.update_layout(barmode="stack", xaxis_title="facility MW", height=max(260, 30 * rows.height + 120), **_LAYOUT)
    return fig


def binding_chart(binding: pl.DataFrame) -> go.Figure:
    """Regions per projected year by the driver that sets their total (total_basis)."""
    fig = px.bar(
        binding,
        x="year",
        y="regions",
        color="total_basis",
        hover_data=["region_names"],
        color_discrete_map={
            "pipeline_floor": "#f97316",
            "trend": "#2563eb",
            "trend_after_pipeline": "#7c3aed",
        },
        labels={"regions": "regions", "total_basis": "what sets the total"},
    )
    fig.update_layout(barmode="stack", height=300, **_LAYOUT)
    return fig


def tornado_chart(sensitivity: pl.DataFrame) -> go.Figure:
    """One bar per driver: the total with the driver at the low scenario's value and at the high's, around base."""
    rows = sensitivity.sort("swing_mw")
    base = float(rows["base_mw"][0]) if rows.height else 0.0
    labels = [f"{p} ({lo} / {hi})" for p, lo, hi in rows.select("parameter", "low_value", "high_value").iter_rows()]
    fig = go.Figure()
    for column, name, colour in (
        ("mw_at_low_value", "low scenario's value", "#2563eb"),
        ("mw_at_high_value", "high scenario's value", "#f97316"),
    ):
        fig.add_trace(
            go.Bar(
                y=labels,
                x=[v - base for v in rows[column].to_list()],
                base=base,
                orientation="h",
                name=name,
                marker_color=colour,
                hovertemplate="%{y}: %{x:+,.0f} MW from base<extra>" + name + "</extra>",
            )
        )
    fig.add_vline(x=base, line_dash="dot", line_color="#374151")
    fig.update_layout(barmode="overlay", height=80 + 45 * max(rows.height, 1), xaxis_title="AI MW", **_LAYOUT)
    return fig


def siting_chart(scored: pl.DataFrame, top: int = 15) -> go.Figure:
    parts = [c for c in scored.columns if c.startswith("pts_")]
    rows = scored.head(top).reverse()
    fig = go.Figure()
    for part in parts:
        fig.add_trace(
            go.Bar(
                y=rows["market_name"].to_list(),
                x=rows[part].to_list(),
                orientation="h",
                name=part.removeprefix("pts_").replace("_", " "),
            )
        )
    fig.update_layout(barmode="stack", xaxis_title="score (0-100)", height=max(300, 28 * rows.height + 120), **_LAYOUT)
    return fig


def gpu_cost_chart(costs: pl.DataFrame, cloud: pl.DataFrame) -> go.Figure:
    """Owned cost per GPU-hour (capex + energy) by market, one panel per GPU model, with the cloud
    on-demand median as a dashed line in each panel."""
    models = costs["gpu_model"].unique(maintain_order=True).to_list()
    fig = make_subplots(
        rows=1, cols=max(len(models), 1), shared_yaxes=True, horizontal_spacing=0.03,
        subplot_titles=[m.removeprefix("NVIDIA ") for m in models],
    )  # fmt: skip
    medians = dict(cloud.select("gpu_model", "cloud_median_usd").iter_rows())
    for i, model in enumerate(models, start=1):
        rows = costs.filter(pl.col("gpu_model") == model)
        x = rows["market_name"].to_list()
        for column, name, colour in (
            ("capex_usd_per_gpu_hour", "capex amortisation", "#1d4ed8"),
            ("energy_usd_per_gpu_hour", "energy", "#60a5fa"),
        ):
            fig.add_trace(
                go.Bar(x=x, y=rows[column].to_list(), name=name, marker_color=colour, showlegend=i == 1,
                       legendgroup=name),
                row=1, col=i,
            )  # fmt: skip
        median = medians.get(model)
        if median is not None:
            fig.add_trace(
                go.Scatter(
                    x=x, y=[median] * len(x), mode="lines", name="cloud on-demand median",
                    line={"color": "#f97316", "dash": "dash", "width": 3}, showlegend=i == 1,
                    legendgroup="cloud",
                ),
                row=1, col=i,
            )  # fmt: skip
    fig.update_layout(barmode="stack", yaxis_title="USD per GPU-hour", height=460, **_LAYOUT)
    fig.update_xaxes(tickangle=-45)
    return fig


def reference_cost_chart(costs: pl.DataFrame) -> go.Figure:
    fig = px.bar(
        costs.with_columns(annual_energy_cost_musd=pl.col("annual_energy_cost_usd") / 1e6),
        x="market_name",
        y="annual_energy_cost_musd",
        color="deployment",
        barmode="group",
        labels={"annual_energy_cost_musd": "USD million per year", "market_name": "market"},
    )
    fig.update_layout(**_LAYOUT)
    return fig


def scenario_chart(stored: pl.DataFrame, custom: pl.DataFrame) -> go.Figure:
    """The stored scenarios (thin) against the live custom scenario (bold)."""
    fig = go.Figure()
    for scenario in stored["scenario"].unique().sort().to_list():
        rows = stored.filter(pl.col("scenario") == scenario).sort("year")
        fig.add_trace(
            go.Scatter(
                x=rows["year"].to_list(),
                y=rows["value"].to_list(),
                name=f"stored: {scenario}",
                mode="lines",
                line={
                    "color": SCENARIO_COLOURS.get(scenario, "#9ca3af"),
                    "width": 1.5,
                    "dash": "solid" if scenario == "history" else "dot",
                },
            )
        )
    rows = custom.sort("year")
    fig.add_trace(
        go.Scatter(
            x=rows["year"].to_list(),
            y=rows["value"].to_list(),
            name="your scenario (modelled)",
            mode="lines+markers",
            line={"color": "#dc2626", "width": 3},
        )
    )
    fig.update_layout(yaxis_title="facility MW", xaxis_title="year", **_LAYOUT)
    return fig


# A blank MapLibre style as a data: URL. With no style Streamlit's frontend falls back to Carto's
# tile server (unreachable offline); a style given as a dict breaks its frontend (it expects a
# string). This one draws a plain sea-coloured background and fetches nothing; the land comes from
# the Natural Earth layers below.
BLANK_MAP_STYLE = "data:application/json;charset=utf-8," + urllib.parse.quote(
    json.dumps(
        {
            "version": 8,
            "sources": {},
            "layers": [{"id": "background", "type": "background", "paint": {"background-color": "#dbe7f0"}}],
        }
    )
)


def map_deck(
    points: pl.DataFrame,
    labels: pl.DataFrame,
    countries: dict[str, Any],
    states: dict[str, Any],
    view: dict[str, float],
    underlay: pl.DataFrame | None = None,
) -> pdk.Deck:
    """Natural Earth countries (filled) and US states (outlines) drawn offline as GeoJSON layers, the
    points on top (``radius_px`` screen pixels, ``rgba`` colour, ``tooltip`` HTML) and market names.
    ``underlay`` (same columns; the planned generators) is drawn under the points, unstroked.
    No tiles, no network: the base map comes from data/reference/geo."""
    layers = [
        pdk.Layer(
            "GeoJsonLayer",
            id="countries",
            data=countries,
            stroked=True,
            filled=True,
            get_fill_color=[250, 250, 249],
            get_line_color=[148, 163, 184],
            line_width_min_pixels=0.6,
            pickable=False,
        ),
        pdk.Layer(
            "GeoJsonLayer",
            id="us-states",
            data=states,
            stroked=True,
            filled=False,
            get_line_color=[203, 213, 225],
            line_width_min_pixels=0.5,
            pickable=False,
        ),
        *(
            [
                pdk.Layer(
                    "ScatterplotLayer",
                    id="underlay",
                    data=underlay.to_dicts(),
                    get_position=["longitude", "latitude"],
                    get_radius="radius_px",
                    radius_units="'pixels'",
                    get_fill_color="rgba",
                    pickable=True,
                    stroked=False,
                )
            ]
            if underlay is not None and underlay.height
            else []
        ),
        pdk.Layer(
            "ScatterplotLayer",
            id="points",
            data=points.to_dicts(),
            get_position=["longitude", "latitude"],
            get_radius="radius_px",
            radius_units="'pixels'",  # quoted: pydeck would read a bare string as an expression
            get_fill_color="rgba",
            pickable=True,
            stroked=True,
            get_line_color="line_rgba",
            line_width_min_pixels=1,
        ),
        pdk.Layer(
            "TextLayer",
            id="labels",
            data=labels.to_dicts(),
            get_position=["longitude", "latitude"],
            get_text="label",
            get_size=12,
            get_color=[30, 41, 59],
            get_alignment_baseline="'top'",
            get_pixel_offset=[0, 8],
            font_family="'Helvetica Neue, Arial, sans-serif'",
            character_set="'auto'",
            background=True,  # a light box behind each name, readable over borders and bubbles
            get_background_color=[255, 255, 255, 210],
            background_padding=[3, 1],
        ),
    ]
    return pdk.Deck(
        layers=layers,
        initial_view_state=pdk.ViewState(**view),
        map_style=BLANK_MAP_STYLE,
        map_provider=None,
        tooltip={"html": "{tooltip}", "style": {"fontSize": "12px"}},
    )
