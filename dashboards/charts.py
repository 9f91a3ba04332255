"""Figures from frames: plotly for charts, pydeck for the map. No queries, no Streamlit calls."""

from __future__ import annotations

import json
import math
import urllib.parse

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
TIER_COLOURS = {"tier_1": "#1d4ed8", "tier_2": "#0d9488", "tier_3": "#f59e0b", "unknown": "#9ca3af"}
WORKLOAD_RGB = {"training": [220, 38, 38], "inference": [37, 99, 235], "mixed": [147, 51, 234]}
STAGE_RGB = {
    "operational": [22, 163, 74],
    "expanding": [132, 204, 22],
    "under_construction": [234, 179, 8],
    "planned": [249, 115, 22],
    "suspended": [107, 114, 128],
    "cancelled": [156, 163, 175],
    "decommissioned": [75, 85, 99],
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


def tier_chart(frame: pl.DataFrame, last_history_year: int | None) -> go.Figure:
    """Facility MW by tier over time, one panel per workload; a line marks where forecast starts."""
    fig = px.area(
        frame.sort("year"),
        x="year",
        y="facility_power_mw",
        color="market_tier",
        facet_col="workload",
        color_discrete_map=TIER_COLOURS,
        category_orders={"market_tier": list(TIER_COLOURS)},
        labels={"facility_power_mw": "facility MW", "market_tier": "tier"},
    )
    if last_history_year is not None:
        fig.add_vline(x=last_history_year + 0.5, line={"color": "#6b7280", "dash": "dot"})
    fig.update_layout(**_LAYOUT)
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


def _radius(mw: pl.Expr) -> pl.Expr:
    """Pixels: 3 px plus the square root of MW (100 MW -> 8 px, 1,000 MW -> 19 px)."""
    return (3 + mw.fill_null(0.0).clip(lower_bound=0.0).sqrt() * 0.5).alias("radius_px")


# A blank MapLibre style as a data: URL. With no style Streamlit's frontend falls back to Carto's
# tile server (unreachable offline); a style given as a dict breaks its frontend (it expects a
# string). This one draws a plain background and fetches nothing.
BLANK_MAP_STYLE = "data:application/json;charset=utf-8," + urllib.parse.quote(
    json.dumps(
        {
            "version": 8,
            "sources": {},
            "layers": [{"id": "background", "type": "background", "paint": {"background-color": "#f1f5f9"}}],
        }
    )
)


def map_deck(points: pl.DataFrame, labels: pl.DataFrame) -> pdk.Deck:
    """Points sized by MW and coloured as given (``rgb`` column), market names as text.

    No base map: the dashboard runs offline, so the map carries no tiles (``BLANK_MAP_STYLE``).
    """
    data = points.with_columns(_radius(pl.col("mw"))).to_dicts()
    layers = [
        pdk.Layer(
            "ScatterplotLayer",
            data=data,
            get_position=["longitude", "latitude"],
            get_radius="radius_px",
            radius_units="pixels",
            get_fill_color="rgb",
            opacity=0.7,
            pickable=True,
            stroked=True,
            get_line_color=[255, 255, 255],
            line_width_min_pixels=1,
        ),
        pdk.Layer(
            "TextLayer",
            data=labels.to_dicts(),
            get_position=["longitude", "latitude"],
            get_text="market_name",
            get_size=12,
            get_color=[55, 65, 81],
            get_alignment_baseline="'top'",
            get_pixel_offset=[0, 8],
        ),
    ]
    if points.is_empty():
        view = pdk.ViewState(latitude=30, longitude=0, zoom=1)
    else:
        lat = points["latitude"].drop_nulls()
        lon = points["longitude"].drop_nulls()
        span = max(float(lat.max() - lat.min()), float(lon.max() - lon.min()) / 2, 1.0)  # type: ignore[operator]
        view = pdk.ViewState(
            latitude=float(lat.mean()),
            longitude=float(lon.mean()),  # type: ignore[arg-type]
            zoom=max(0.5, min(8.0, math.log2(180 / span))),
        )
    return pdk.Deck(
        layers=layers,
        initial_view_state=view,
        map_style=BLANK_MAP_STYLE,
        map_provider=None,
        tooltip={"html": "{tooltip}", "style": {"fontSize": "12px"}},
    )
