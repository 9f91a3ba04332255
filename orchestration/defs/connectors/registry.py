"""The connector registry: which raw tables have a live source, who publishes them, and the URLs tried in order
(kind ``file``, a ``zip`` member, ``eia_api`` pages, the SkyPilot ``skypilot_lambda`` composition or the newest
monthly ``eia860m`` workbook)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml

from transforms.storage.paths import PROJECT_ROOT

Kind = Literal["file", "zip", "eia_api", "skypilot_lambda", "eia860m"]
Expect = Literal["csv", "xlsx", "json"]
Origin = Literal["publisher", "mirror", "inbox"]

EIA_API_URL = "https://api.eia.gov/v2/electricity/retail-sales/data/"
# EIA-860M's folder: <month>_generator<year>.xlsx under xls/ (recent months) and archive/xls/ (older ones)
EIA860M_URL = "https://www.eia.gov/electricity/data/eia860m/"


@dataclass(frozen=True)
class Endpoint:
    """One way to get a source: a URL and what it returns."""

    url: str
    kind: Kind = "file"
    member: str | None = None  # kind zip: the archive member that is the source file
    expect: Expect | None = None  # kind file: the format (default: from the source's file suffix)


@dataclass(frozen=True)
class Connector:
    table: str
    rel_path: str  # the shipped file under data/sources, and the mirror's path
    publisher: str
    endpoints: tuple[Endpoint, ...]  # tried in order; empty: no live URL (mirror or inbox only)
    note: str = ""
    # An API used instead of the endpoints when this environment variable holds a key (endpoints stay the fallback).
    api_key_env: str | None = None
    api_endpoint: Endpoint | None = None
    api_rel_path: str | None = None  # the API's own landed shape (e.g. a long CSV instead of a workbook)

    @property
    def file_name(self) -> str:
        return Path(self.rel_path).name

    @property
    def cadence_days(self) -> int:
        """The publisher's update cadence, a lower bound for freshness: from the shipped SOURCES.yml, its one home."""
        return int(_shipped_provenance()[self.table]["cadence_days"])


@functools.cache
def _shipped_provenance() -> dict[str, dict[str, Any]]:
    path = PROJECT_ROOT / "data" / "sources" / "SOURCES.yml"
    return (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("sources", {})


EPOCH = "Epoch AI"
_EPOCH_DC = "https://epoch.ai/data/data_centers"

CONNECTORS: dict[str, Connector] = {
    c.table: c
    for c in (
        Connector(
            "epoch_gpu_clusters",
            "epoch/gpu_clusters.csv",
            EPOCH,
            (
                Endpoint("https://epoch.ai/data/gpu_clusters.csv"),
                Endpoint("https://epoch.ai/data/gpu_clusters.zip", "zip", member="gpu_clusters.csv"),
            ),
        ),
        Connector(
            "epoch_ml_hardware",
            "epoch/ml_hardware.csv",
            EPOCH,
            (
                Endpoint("https://epoch.ai/data/ml_hardware.csv"),
                Endpoint("https://epoch.ai/data/ml_hardware.zip", "zip", member="ml_hardware.csv"),
            ),
        ),
        Connector(
            "epoch_data_centers",
            "epoch/data_centers.csv",
            EPOCH,
            (
                Endpoint(f"{_EPOCH_DC}/data_centers.csv"),
                Endpoint(f"{_EPOCH_DC}/data_centers.zip", "zip", member="data_centers.csv"),
            ),
        ),
        Connector(
            "epoch_data_center_timelines",
            "epoch/data_center_timelines.csv",
            EPOCH,
            (
                Endpoint(f"{_EPOCH_DC}/data_center_timelines.csv"),
                Endpoint(f"{_EPOCH_DC}/data_centers.zip", "zip", member="data_center_timelines.csv"),
            ),
        ),
        Connector(
            "epoch_data_center_chip_quantities",
            "epoch/data_center_chip_quantities.csv",
            EPOCH,
            (Endpoint(f"{_EPOCH_DC}/data_centers.zip", "zip", member="data_center_chip_quantities.csv"),),
        ),
        Connector(
            "fractracker_facilities",
            "fractracker/us_datacenters.csv",
            "FracTracker Alliance",
            (
                Endpoint(
                    "https://docs.google.com/spreadsheets/d/e/2PACX-1vRZgBssB4WNmXOSNxewk5-X514gV-hfpouEVp9K-F5"
                    "ozlImxOWF-BlrfqAy-4YfeJCpl8l7IIAlxPFt/pub?output=csv",
                    expect="csv",
                ),
            ),
            note="the tracker's published Google Sheet (CSV export); its live header is unverified here: a header "
            "that differs from the shipped file's fails verification and names the columns",
        ),
        Connector(
            "eia_retail_sales_monthly",
            "eia/eia861m_sales_revenue.xlsx",
            "US Energy Information Administration",
            (Endpoint("https://www.eia.gov/electricity/data/eia861m/xls/sales_revenue.xlsx"),),
            api_key_env="EIA_API_KEY",
            api_endpoint=Endpoint(EIA_API_URL, "eia_api"),
            api_rel_path="eia/eia861m_api_monthly.csv",
        ),
        Connector(
            "eia860m_planned_generators",
            "eia860m/planned_generators_2026-04.json",
            "US Energy Information Administration",
            (Endpoint(EIA860M_URL, "eia860m"),),
            note="the newest monthly EIA-860M workbook (sheet Planned), found by trying months newest first",
        ),
        Connector(
            "eia860m_state_capacity",
            "eia860m/state_capacity_2026-04.json",
            "US Energy Information Administration",
            (Endpoint(EIA860M_URL, "eia860m"),),
            note="the same workbook (sheets Operating, Planned, Canceled or Postponed), summed by state",
        ),
        Connector(
            "ember_wholesale_prices",
            "ember/wholesale_prices_monthly.csv",
            "Ember",
            (
                Endpoint(
                    "https://files.ember-energy.org/public-downloads/price/outputs/"
                    "european_wholesale_electricity_price_data_monthly.csv"
                ),
                Endpoint(
                    "https://storage.googleapis.com/emb-prod-bkt-publicdata/public-downloads/price/outputs/"
                    "european_wholesale_electricity_price_data_monthly.csv"
                ),
            ),
        ),
        Connector(
            "skypilot_gpu_prices",
            "skypilot/gpu_cloud_prices.csv",
            "SkyPilot catalog (skypilot-org/skypilot-catalog)",
            (),
            note="the shipped file is a hand-selected composition of seven providers' catalog files (v8/v9, "
            "per-provider row subsets) that no rule reproduces",
        ),
        Connector(
            "lambda_gpu_prices",
            "skypilot/lambda_gpu_prices.csv",
            "SkyPilot catalog (skypilot-org/skypilot-catalog)",
            (Endpoint("skypilot-org/skypilot-catalog:catalogs/v7/lambda/vms.csv", "skypilot_lambda"),),
            note="composed from the catalog's latest commit of catalogs/v7/lambda/vms.csv: one row per instance "
            "type (identical across regions) with the number of regions listed",
        ),
    )
}
# Shipped only, no connector: eia_retail_prices (a 1990-2019 snapshot) and reference/*.csv (curated here).
