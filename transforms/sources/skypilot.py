"""GPU cloud list prices from the SkyPilot catalog: every provider's, and Lambda's (catalog v7)."""

from __future__ import annotations

from transforms.ingest import Column, LookupCheck, RowCheck, SourceSpec
from transforms.sources.common import _UNKNOWN_CHIP_REJECT, GPU_HOUR_USD, PRICE_OUTLIER_FACTOR, _f, _s


def _price_outlier_check(price: str) -> RowCheck:
    median = f"median({price}) over (partition by accelerator_name)"
    return RowCheck(
        price,
        f"price per GPU-hour more than {PRICE_OUTLIER_FACTOR:g}x away from the median of the same accelerator",
        f"{price} is null or ({price} <= {median} * {PRICE_OUTLIER_FACTOR} "
        f"and {price} >= {median} / {PRICE_OUTLIER_FACTOR})",
    )


SKYPILOT_GPU_PRICES = SourceSpec(
    table="skypilot_gpu_prices",
    description="GPU cloud list prices from the SkyPilot catalog: one row per provider, instance and region",
    columns=(
        _s("provider", "provider", required=True),
        _s("underlying_provider", "underlying_provider"),
        _s("instance_type", "instance_type", required=True),
        _s("accelerator_name", "accelerator_name", required=True),
        _f("accelerator_count", "accelerator_count", required=True, min=1, max=64),
        _s("region", "region"),
        _f("price_usd_per_hour", "price_usd_per_hour", min=0),
        _f("spot_price_usd_per_hour", "spot_price_usd_per_hour", min=0),
        _f("price_usd_per_gpu_hour", "price_usd_per_gpu_hour", required=True, min=GPU_HOUR_USD[0], max=GPU_HOUR_USD[1]),
        _s("source_repo", "source_repo", optional=True),
        _s("source_path", "source_path"),
        _s("source_commit", "source_commit"),
        _s("notes", "notes", optional=True),
    ),
    unique_key=("provider", "underlying_provider", "instance_type", "region"),
    row_checks=(
        RowCheck(
            "price_usd_per_gpu_hour",
            "per-GPU price disagrees with instance price / GPU count (>2%)",
            "price_usd_per_hour is null or abs(price_usd_per_hour / accelerator_count - price_usd_per_gpu_hour)"
            " <= 0.02 * price_usd_per_gpu_hour + 0.001",
        ),
        _price_outlier_check("price_usd_per_gpu_hour"),
    ),
    lookup_checks=(LookupCheck("accelerator_name", "known_chips", _UNKNOWN_CHIP_REJECT),),
)


LAMBDA_GPU_PRICES = SourceSpec(
    table="lambda_gpu_prices",
    description="Lambda on-demand list prices (SkyPilot catalog v7): one row per instance type",
    unique_key=("instance_type",),
    columns=(
        _s("provider", "provider", required=True),
        _s("instance_type", "InstanceType", required=True),
        _s("accelerator_name", "AcceleratorName"),
        _f("accelerator_count", "AcceleratorCount", min=1, max=64),
        _f("vcpus", "vCPUs", min=0),
        _f("memory_gib", "MemoryGiB", min=0),
        _f("price_usd_per_hour", "Price_usd_per_hour", required=True, min=0, max=2_000),
        _f("price_usd_per_gpu_hour", "Price_usd_per_gpu_hour", min=GPU_HOUR_USD[0], max=GPU_HOUR_USD[1]),
        Column("n_regions_listed", ("n_regions_listed",), "int", min=0),
        _s("source_repo", "source_repo", optional=True),
        _s("source_path", "source_path"),
        _s("source_commit", "source_commit"),
    ),
    row_checks=(_price_outlier_check("price_usd_per_gpu_hour"),),
    lookup_checks=(LookupCheck("accelerator_name", "known_chips", _UNKNOWN_CHIP_REJECT),),
)
