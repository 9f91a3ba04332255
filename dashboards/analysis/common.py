"""What every page shares: the marts' vocabulary in canonical order, and the model parameters as the
warehouse applied them (meta.parameters, written by the run from their one home, the dbt vars)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl
import yaml

from transforms.vocabulary import AI_WORKLOADS, HPC, MARKET_KINDS, TIERS

# the warehouse's vocabulary, from its one home
TIER_ORDER = TIERS
KIND_ORDER = MARKET_KINDS
STAGES = (
    "operational",
    "expanding",
    "under_construction",
    "planned",
    "suspended",
    "cancelled",
    "decommissioned",
    "unknown",
)


def ordered(values: list[str], order: tuple[str, ...]) -> list[str]:
    """``values`` in the canonical ``order``, then any value the order does not know."""
    present = set(values)
    return [v for v in order if v in present] + sorted(present - set(order))


# ---------------------------------------------------------------------------------------------
# Parameters: meta.parameters (written by the run from their one home, the dbt vars)


def parameter_value(parameters: pl.DataFrame, name: str, scope: str = "model") -> Any:
    """The value of one parameter as the warehouse was built with it (meta.parameters stores values as
    YAML text); a parameter the warehouse does not list is read from its home (transforms.params)."""
    rows = parameters.filter((pl.col("parameter") == name) & (pl.col("scope") == scope))
    if rows.is_empty():
        if scope != "model":
            raise KeyError(f"meta.parameters has no {scope} parameter {name!r}")
        from transforms.params import param

        return param(name)
    text = rows["value"][0]
    return None if text is None else yaml.safe_load(text)


@dataclass(frozen=True)
class ModelParams:
    """The model parameters the pages use, as the warehouse applied them."""

    pue_ai_cluster: float
    server_overhead: float
    load_factor: dict[str, float]
    forecast_end_year: int
    hpc_counts_as_ai_demand: bool
    # Life of AI accelerators in service (the hardware_retirement scenario's life; the Economics page's default
    # amortisation).
    accelerator_depreciation_years: float

    @classmethod
    def from_frame(cls, parameters: pl.DataFrame) -> ModelParams:
        def value(name: str) -> Any:
            return parameter_value(parameters, name)

        return cls(
            pue_ai_cluster=float(value("pue_ai_cluster")),
            server_overhead=float(value("server_overhead")),
            load_factor={w: float(value(f"load_factor_{w}")) for w in (*AI_WORKLOADS, HPC)},
            forecast_end_year=int(value("forecast_end_year")),
            hpc_counts_as_ai_demand=bool(value("hpc_counts_as_ai_demand")),
            accelerator_depreciation_years=float(value("accelerator_depreciation_years")),
        )

    def load_factor_text(self) -> str:
        return ", ".join(f"{w} {v:g}" for w, v in self.load_factor.items())
