"""The map: bubble sizes and colours, the view that fits the points, labels that do not overlap."""

from __future__ import annotations

import math

import polars as pl

BUBBLE_MIN_PX = 4.0
BUBBLE_MAX_PX = 20.0
BUBBLE_PX_PER_SQRT_MW = 0.6


def bubble_radius_px(
    mw: pl.Expr,
    min_px: float = BUBBLE_MIN_PX,
    max_px: float = BUBBLE_MAX_PX,
    px_per_sqrt_mw: float = BUBBLE_PX_PER_SQRT_MW,
) -> pl.Expr:
    """Bubble radius in screen pixels ~ sqrt(MW), clamped: a 20 MW edge site (4 px) and a 1 GW
    campus (19 px) are both visible, and no bubble grows past ``max_px`` to cover its neighbours
    (the page also draws the largest first, so smaller bubbles stay on top). Area, not radius, is
    proportional to MW between the clamps."""
    return (mw.fill_null(0.0).clip(lower_bound=0.0).sqrt() * px_per_sqrt_mw).clip(min_px, max_px)


def training_share_rgb(share: pl.Expr) -> pl.Expr:
    """A continuous colour from inference (blue, share 0) to training (red, share 1); grey if unknown."""
    s = share.clip(0.0, 1.0)
    return (
        pl.when(share.is_null())
        .then(pl.lit([156, 163, 175]))
        .otherwise(
            pl.concat_list(
                (37 + s * (220 - 37)).round().cast(pl.Int64),
                (99 + s * (38 - 99)).round().cast(pl.Int64),
                (235 + s * (38 - 235)).round().cast(pl.Int64),
            )
        )
    )


def view_for(
    latitudes: list[float], longitudes: list[float], width_px: float = 860.0, height_px: float = 560.0
) -> dict[str, float]:
    """Centre and zoom that fit the points in Web Mercator, for a map of at least ``width_px`` x
    ``height_px`` (the page's map is 620 px high and as wide as the main column), with a margin."""
    if not latitudes:
        return {"latitude": 20.0, "longitude": 0.0, "zoom": 1.0}
    lat_min, lat_max = max(min(latitudes), -80.0), min(max(latitudes), 80.0)
    lon_min, lon_max = min(longitudes), max(longitudes)

    def merc(lat: float) -> float:
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    y_span = max(merc(lat_max) - merc(lat_min), 1e-3) / (2 * math.pi)  # share of the world's height
    x_span = max(lon_max - lon_min, 1e-3) / 360.0
    tile = 512.0  # deck.gl: the world is 512 x 2^zoom px wide
    zoom = min(math.log2(width_px / (tile * x_span)), math.log2(height_px / (tile * y_span))) - 0.15
    centre_y = (merc(lat_min) + merc(lat_max)) / 2
    return {
        "latitude": math.degrees(2 * math.atan(math.exp(centre_y)) - math.pi / 2),
        "longitude": (lon_min + lon_max) / 2,
        "zoom": max(0.3, min(9.0, zoom)),
    }


def _pixel(lat: float, lon: float, zoom: float) -> tuple[float, float]:
    world = 512.0 * 2**zoom
    lat = max(min(lat, 85.0), -85.0)
    y = (1 - math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)) / math.pi) / 2
    return world * (lon + 180) / 360, world * y


def declutter_labels(labels: pl.DataFrame, zoom: float, char_px: float = 6.5, line_px: float = 22.0) -> pl.DataFrame:
    """The labels (in priority order: ``label``, ``latitude``, ``longitude``) that do not overlap a label
    kept before them at the opening ``zoom`` (text about ``char_px`` wide per character, one line high)."""
    kept: list[tuple[float, float, float]] = []
    keep = []
    for label, lat, lon in labels.select("label", "latitude", "longitude").iter_rows():
        if lat is None or lon is None:
            keep.append(False)
            continue
        x, y = _pixel(lat, lon, zoom)
        width = len(label) * char_px
        clear = all(abs(x - kx) > (width + kw) / 2 or abs(y - ky) > line_px for kx, ky, kw in kept)
        if clear:
            kept.append((x, y, width))
        keep.append(clear)
    return labels.filter(pl.Series(keep, dtype=pl.Boolean))


# Planned generators are many (2,000+) and drawn under the markets: smaller and fainter than the points above.
GENERATOR_MIN_PX = 2.0
GENERATOR_MAX_PX = 12.0
GENERATOR_PX_PER_SQRT_MW = 0.35
GENERATOR_ALPHA = 130


def generator_points(generators: pl.DataFrame, fuel_rgb: dict[str, list[int]]) -> pl.DataFrame:
    """The planned generators (dashboards.data.queries.map_planned_generators) as map points: colour by fuel,
    radius ~ sqrt(nameplate MW) between GENERATOR_MIN_PX and GENERATOR_MAX_PX, a tooltip naming the source."""
    return generators.filter(pl.col("latitude").is_not_null() & pl.col("longitude").is_not_null()).select(
        pl.col("plant_name").alias("name"),
        "latitude",
        "longitude",
        pl.col("nameplate_mw").alias("mw"),
        bubble_radius_px(pl.col("nameplate_mw"), GENERATOR_MIN_PX, GENERATOR_MAX_PX, GENERATOR_PX_PER_SQRT_MW).alias(
            "radius_px"
        ),
        pl.concat_list(
            pl.col("fuel").replace_strict(fuel_rgb, default=fuel_rgb["other"], return_dtype=pl.List(pl.Int64)),
            pl.lit(GENERATOR_ALPHA),
        ).alias("rgba"),
        pl.lit([0, 0, 0, 0], dtype=pl.List(pl.Int64)).alias("line_rgba"),
        pl.format(
            "<b>{}</b> ({})<br/>planned generator: {} MW {}, {} {}, planned for {}<br/>nearest market: {} ({} km)"
            "<br/>source: {}; not deliverable power",
            pl.col("plant_name").fill_null("-"),
            pl.col("state_code").fill_null("-"),
            pl.col("nameplate_mw").round(0),
            pl.col("fuel"),
            pl.col("status").fill_null("-"),
            pl.col("iso").fill_null("-"),
            pl.col("planned_year"),
            pl.col("nearest_market_id").fill_null("none near"),
            pl.col("nearest_market_km").round(0).fill_null(0),
            pl.col("source_release").fill_null("EIA-860M"),
        ).alias("tooltip"),
    )


def generator_caption(generators: pl.DataFrame, power_label: str, fuel_rgb: dict[str, list[int]]) -> str:
    """The power layer's caption: what is drawn, how much, and the colours."""
    by_fuel = generators.group_by("fuel").agg(pl.col("nameplate_mw").sum()).sort("nameplate_mw", descending=True)
    parts = [
        f"{fuel} {mw / 1000:,.1f} GW rgb{tuple(fuel_rgb.get(fuel, fuel_rgb['other']))}"
        for fuel, mw in by_fuel.iter_rows()
    ]
    return (
        f" Underneath: {generators.height:,} planned generators (marts.fct_planned_generators), the points behind "
        f"{power_label}; radius ~ sqrt(nameplate MW), "
        f"{GENERATOR_MIN_PX:g}-{GENERATOR_MAX_PX:g} px; by fuel: " + ", ".join(parts) + "."
    )
