"""What the per-publisher specs share: plausibility limits (each with its reason), the unknown-chip
messages and the column shorthands."""

from __future__ import annotations

from transforms.ingest import Column
from transforms.params import param

# Plausibility limits (each is a named parameter with its reason).
MAX_SITE_MW = float(param("max_site_mw"))  # one home: dbt var max_site_mw (with its reason)
MAX_ACCELERATORS = 10_000_000.0  # Epoch's largest plan (xAI, 2030) is ~50M H100e but few chips; 10M chips
MAX_H100E = 100_000_000.0  # xAI's stated 2030 goal is 50M H100e; twice that is implausible
MAX_TDP_W = 30_000.0  # Cerebras CS-3 is a ~23 kW wafer-scale system; nothing in the dataset is above
MAX_PRICE_CENTS_KWH = 200.0  # EIA state averages stay below ~45 c/kWh (Hawaii); 200 is a typo
WHOLESALE_EUR_MWH = (-500.0, 4_000.0)  # day-ahead prices, hourly or monthly; EU market floor -500, cap 4,000
GPU_HOUR_USD = (0.01, 200.0)  # per GPU-hour list price; a GB200/B300 is < $20; above 200 is a typo
# A cloud price more than this factor away from the median of the same accelerator is an outlier
# (assumption: list prices of one model spread ~3x across providers in the shipped catalog).
PRICE_OUTLIER_FACTOR = 5.0


_UNKNOWN_CHIP_FLAG = (
    "unknown GPU model {value!r}: not in reference/gpu_models.csv; the row loads and its "
    "power falls back to the reported MW or H100-equivalents"
)
_UNKNOWN_CHIP_REJECT = "unknown GPU model {value!r}: not in reference/gpu_models.csv"


def _s(name: str, *source: str, **kw: object) -> Column:
    return Column(name, source or (name,), "str", **kw)  # type: ignore[arg-type]


def _f(name: str, *source: str, **kw: object) -> Column:
    return Column(name, source or (name,), "float", **kw)  # type: ignore[arg-type]


def _d(name: str, *source: str, **kw: object) -> Column:
    return Column(name, source or (name,), "date", **kw)  # type: ignore[arg-type]
