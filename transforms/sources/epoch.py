"""Epoch AI's datasets: GPU clusters, ML hardware, frontier data centers with their timelines and chips."""

from __future__ import annotations

from transforms.ingest import Column, Derived, LookupCheck, ParentCheck, RowCheck, SourceSpec
from transforms.sources.common import (
    _UNKNOWN_CHIP_FLAG,
    MAX_ACCELERATORS,
    MAX_H100E,
    MAX_SITE_MW,
    MAX_TDP_W,
    _d,
    _f,
    _s,
)

# Derived columns of the GPU-cluster table. source_urls: Source 1..5 joined with ' | '. planned_year:
# the year Epoch's date note gives for a planned cluster ('Planned 2026', 'Planned H2 2026', 'Planned Q1
# 2028', 'Planned 2029-02'); its First Operational Date is empty for nearly every planned row.
CLUSTER_DERIVED = (
    Derived("source_urls", "concat_ws(' | ', source_1, source_2, source_3, source_4, source_5)"),
    Derived(
        "planned_year",
        "try_cast(nullif(regexp_extract(first_operational_date_note, '(?i)planned.*?\\b((?:19|20)\\d{2})\\b', 1), '')"
        " as INTEGER)",
        "int",
    ),
)


EPOCH_GPU_CLUSTERS = SourceSpec(
    table="epoch_gpu_clusters",
    description="Epoch AI GPU clusters: one row per cluster or cluster phase",
    exact_duplicates="flag",
    multiline=True,
    derived=CLUSTER_DERIVED,
    columns=(
        _s("name", "Name", required=True),
        _s("status", "Status", required=True, allowed=("Existing", "Planned", "Decommissioned")),
        _s("certainty", "Certainty"),
        _s("single_cluster", "Single cluster?"),
        _f("h100_equivalents", "H100 equivalents", min=0, max=MAX_H100E),
        _s("chip_type_primary", "Chip type (primary)"),
        _f("chip_quantity_primary", "Chip quantity (primary)", min=0, max=MAX_ACCELERATORS, thousands=True),
        _s("chip_type_secondary", "Chip type (secondary)", optional=True),
        _f(
            "chip_quantity_secondary",
            "Chip quantity (secondary)",
            min=0,
            max=MAX_ACCELERATORS,
            thousands=True,
            optional=True,
        ),
        _f("total_ai_chips", "Total number of AI chips", min=0, max=MAX_ACCELERATORS, thousands=True, optional=True),
        _s("country", "Country"),
        _s("owner", "Owner"),
        _s("users", "Users", optional=True),
        _d("first_operational_date", "First Operational Date", on_invalid="null"),
        _s("first_operational_date_note", "First Operational Date Note", optional=True),
        _d(
            "decommissioned_date",
            "Decommissioned Date (if applicable)",
            "Decommissioned Date",
            on_invalid="null",
            optional=True,
        ),
        _s("note", "Note", optional=True),
        _s("quote", "Quote", optional=True),
        _s("hardware_note", "Hardware note", optional=True),
        _s("sector", "Sector"),
        _f("power_capacity_mw", "Power Capacity (MW)", min=0, max=MAX_SITE_MW, thousands=True),
        _f(
            "calculated_power_mw",
            "Calculated Power Capacity (MW)",
            min=0,
            max=MAX_SITE_MW,
            thousands=True,
            optional=True,
        ),
        _f("reported_power_mw", "Reported Power Capacity (MW)", min=0, max=MAX_SITE_MW, thousands=True, optional=True),
        _f("hardware_cost_usd", "Hardware Cost", min=0, on_invalid="null", optional=True),
        _f("reported_cost_usd", "Reported Cost", min=0, on_invalid="null", optional=True),
        _s("location", "Location"),
        _s("builds_upon", "Builds Upon", optional=True),
        _s("superseded_by", "Superseded by", optional=True),
        Column("possible_duplicate", ("Possible Duplicate",), "bool", on_invalid="null", optional=True),
        _s("possible_duplicate_of", "Possible Duplicate Of", optional=True),
        Column(
            "include_in_standard_analysis", ("Include in Standard Analysis",), "bool", on_invalid="null", optional=True
        ),
        _s("source_1", "Source 1", optional=True),
        _s("source_2", "Source 2", optional=True),
        _s("source_3", "Source 3", optional=True),
        _s("source_4", "Source 4", optional=True),
        _s("source_5", "Source 5", optional=True),
    ),
    ignored=(
        "Max OP/s (log)",
        "Certainty Note",
        "Energy Efficiency (log)",
        "GPU Supplier (primary)",
        "GPU supplier (secondary)",
        "Exclude",
        "Rank when first operational",
        "16-bit OP/s (log)",
        "Max OP/s",
        "8-bit OP/s",
        "16-bit OP/s",
        "32-bit OP/s",
        "Energy Efficiency",
        "Calculated Cost",
        "Reported Cost (Inflation adjusted)",
        "Cost Quote",
        "Noteworthy",
        "Largest existing cluster when first operational",
        "% of largest cluster when first operational",
    ),
    row_checks=(
        RowCheck(
            "h100_equivalents",
            "a cluster needs chips or power: no chip count, H100e or MW",
            "h100_equivalents is not null or chip_quantity_primary is not null or power_capacity_mw is not null",
            action="flag",
        ),
    ),
    lookup_checks=(
        LookupCheck("chip_type_primary", "known_chips", _UNKNOWN_CHIP_FLAG, action="flag"),
        LookupCheck("chip_type_secondary", "known_chips", _UNKNOWN_CHIP_FLAG, action="flag"),
    ),
)


EPOCH_ML_HARDWARE = SourceSpec(
    table="epoch_ml_hardware",
    multiline=True,
    description="Epoch AI ML hardware: one row per accelerator model",
    unique_key=("hardware_name",),
    columns=(
        _s("hardware_name", "Hardware name", required=True),
        _s("manufacturer", "Manufacturer"),
        _s("hardware_type", "Type"),
        _d("release_date", "Release date", on_invalid="null"),
        _f("release_price_usd", "Release price (USD)", min=0, max=10_000_000),
        _f("tdp_w", "TDP (W)", min=0, max=MAX_TDP_W),
        _f("memory_bytes", "Memory size per board (Byte)", min=0),
        _f("tensor_fp16_flops", "Tensor-FP16/BF16 performance (FLOP/s)", min=0, optional=True),
        _f("fp8_flops", "FP8 performance (FLOP/s)", min=0, optional=True),
        _f("int8_ops", "INT8 performance (OP/s)", min=0, optional=True),
        _s("price_source", "Source for the price", optional=True),
        _s("datasheet_url", "Link to datasheet", optional=True),
        _s("last_modified", "Last modified", optional=True),
    ),
    ignored=(
        "Notes",
        "FP64 (double precision) performance (FLOP/s)",
        "FP32 (single precision) performance (FLOP/s)",
        "FP16 (half precision) performance (FLOP/s)",
        "TF32 (TensorFloat-32) performance (FLOP/s)",
        "INT16 performance (OP/s)",
        "INT4 performance (OP/s)",
        "Memory bandwidth (byte/s)",
        "Intranode bandwidth (byte/s)",
        "Internode bandwidth (bit/s)",
        "Die Size (mm^2)",
        "Base clock (MHz)",
        "Boost clock (MHz)",
        "Memory clock (MHz)",
        "Memory bus (bit)",
        "Tensor cores",
        "Process size (nm)",
        "Foundry",
        "Transistors (millions)",
        "ML models",
        "Max performance",
        "Energy efficiency",
        "FP4 performance (FLOP/s)",
        "Total processing performance (bit-OP/s)",
        "Price-performance",
        "ML OP/s",
    ),
)


EPOCH_DATA_CENTERS = SourceSpec(
    table="epoch_data_centers",
    description="Epoch AI frontier data centers: one row per campus",
    unique_key=("name",),
    multiline=True,
    columns=(
        # Epoch's 2026 export keys a campus by Name (no Handle, Title or coordinates any more); the 2025
        # export's Handle is the same key under its old header.
        _s("name", "Name", "Handle", required=True),
        _s("title", "Title", optional=True),
        _s("project", "Project"),
        _s("address", "Address"),
        _s("country", "Country", optional=True),
        Column("latitude", ("Latitude",), "coord", min=-90, max=90, optional=True),
        Column("longitude", ("Longitude",), "coord", min=-180, max=180, optional=True),
        _s("owner", "Owner"),
        _s("users", "Users"),
        _s("investors", "Investors", optional=True),
        _s("construction_companies", "Construction companies", optional=True),
        _s("energy_companies", "Energy companies", optional=True),
        _s("current_chip_types", "Current chip types", optional=True),
        _f("current_h100_equivalents", "Current H100 equivalents", min=0, max=MAX_H100E),
        _f("current_power_mw", "Current power (MW)", min=0, max=MAX_SITE_MW),
        _f("current_capital_cost_usd_bn", "Current total capital cost (2025 USD billions)", min=0),
    ),
    ignored=("Sentinel satellite timelapse", "Selected Sources", "Calculations sheet", "All chip types"),
)


EPOCH_DATA_CENTER_TIMELINES = SourceSpec(
    table="epoch_data_center_timelines",
    description="Epoch AI frontier data-center build-out events: one row per campus and date",
    parent_checks=(ParentCheck("data_center", "epoch_data_center_names", "epoch_data_centers", "name"),),
    unique_key=("data_center", "event_date"),
    multiline=True,
    columns=(
        _d("event_date", "Date", required=True),
        _s("data_center", "Data center", required=True),
        _s("construction_status", "Construction status"),
        _f("it_power_mw", "IT power (MW)", min=0, max=MAX_SITE_MW, optional=True),
        _f("power_mw", "Power (MW)", min=0, max=MAX_SITE_MW),
        _f("h100_equivalents", "H100 equivalents", min=0, max=MAX_H100E),
        _f("buildings_operational", "Buildings operational", min=0),
        _f("total_capital_cost_usd_bn", "Total capital cost (2025 USD billions)", min=0),
    ),
    ignored=(
        "Compute cost (2025 USD billions)",
        "Construction cost (2025 USD billions)",
        "Annual operating cost (2025 USD billions)",
        "Building area (square feet)",
        "Site area (square feet)",
        "Water use (MGD)",
        "Performance (8-bit OP/s)",
        "Current H100 equivalents (from Data center)",
    ),
)


EPOCH_DATA_CENTER_CHIPS = SourceSpec(
    table="epoch_data_center_chip_quantities",
    description="Epoch AI frontier data centers: accelerators installed by chip type and date, one row per entry",
    parent_checks=(ParentCheck("data_center", "epoch_data_center_names", "epoch_data_centers", "name"),),
    unique_key=("handle",),
    multiline=True,
    columns=(
        _s("handle", "Handle", required=True),
        _s("data_center", "Data center", required=True),
        _d("as_of_date", "Date", required=True),
        _s("chip_type", "Chip type", required=True),
        _f("units", "Number of Units", min=0, max=MAX_ACCELERATORS),
        _s("chip_type_basis", "Chip type source"),
        _s("units_basis", "Number of Units source"),
        _s("owner", "Owner"),
        _s("user", "User"),
        _s("notes", "Notes"),
    ),
    ignored=("Created By", "Created", "Last Modified By", "Last Modified"),
)
