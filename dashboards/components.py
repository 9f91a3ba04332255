"""Small UI helpers shared by the pages: headers, warehouse guard, chart + caption + CSV download."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from dashboards.data import connection, warehouse

T = TypeVar("T")


def header(title: str, intro: str) -> None:
    st.title(title)
    st.caption(intro)


def load(fn: Callable[..., T], *args: Any) -> T:
    """Call a data function; with no warehouse or a locked one, say so and stop the page."""
    try:
        return fn(*args)
    except warehouse.WarehouseMissing:
        st.info(
            "No warehouse has been published yet. Run `make run` first: it builds the warehouse and "
            f"publishes it to `{warehouse.warehouse_path()}`; this page then shows it without a restart."
        )
        st.stop()
    except warehouse.WarehouseBusy as error:
        st.warning(f"{error} Reload the page in a few seconds.")
        st.stop()
    raise AssertionError("unreachable")


def csv_download(frame: pl.DataFrame, name: str, label: str = "Download CSV") -> None:
    st.download_button(
        label,
        frame.write_csv().encode(),
        file_name=f"{name}.csv",
        mime="text/csv",
        key=f"csv-{name}",
        icon=":material/download:",
    )


def chart(fig: go.Figure, frame: pl.DataFrame, name: str, caption: str) -> None:
    """A chart, the caption saying its source and what is reported vs modelled, and its data as CSV."""
    st.plotly_chart(fig, key=f"chart-{name}")
    st.caption(caption)
    csv_download(frame, name)


def freshness_line() -> str:
    published = dt.datetime.fromtimestamp(connection.published_at(), tz=dt.UTC)
    return f"Warehouse published {published:%Y-%m-%d %H:%M} UTC."


def fmt_mw(value: float | None) -> str:
    if value is None:
        return "n/a"
    return f"{value / 1000:,.1f} GW" if abs(value) >= 1000 else f"{value:,.0f} MW"
