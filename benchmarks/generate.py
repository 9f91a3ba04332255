"""A seeded SCALE-x copy of every shipped source, in the shipped formats and layout, for ``make bench``.

Usage: ``python -m benchmarks.generate --scale 100 --out DIR [--seed 0] [--ember auto|hourly|monthly]
[--unit FILE]``. ``DIR`` gets the layout of ``data/sources`` (point ``DCPULSE_SOURCES_DIR`` at it):

- every data CSV holds SCALE x its rows: the shipped rows first, byte for byte (so ``--scale 1`` is the
  shipped set), then SCALE-1 copies; copy *k* of a row is the real row with `` (s00k)`` appended to its
  key (a cluster's, campus's, site's or accelerator's name, an instance type, an EIA provider category)
  and its measures perturbed by one factor per row (x0.9-1.1, kept inside the spec's bounds where the
  real value was). Names that point at other rows (Builds Upon, Superseded by, Possible Duplicate Of; a
  timeline's or chip entry's data center) get the same suffix, so parent checks and phase links hold
  within each copy. FracTracker coordinates are jittered (+-0.005 degrees). Unique keys stay unique.
  Quoting and line endings are the shipped file's (Python's csv writer reproduces every shipped file).
- ``ember/wholesale_prices_monthly.csv`` at **hourly** grain (``--ember hourly``; ``auto`` = hourly for
  SCALE > 1, the shipped monthly file at SCALE 1): SCALE x 100,000 rows (10 million at 100) with the
  columns of Ember's hourly release (``Datetime (UTC)`` in place of ``Date``, an hour ``YYYY-MM-DD
  HH:MM:SS``), price = the month's price x a daily profile x noise.
  Each real country's months are expanded hour by hour in the file's order; when the real history is
  used up, further bidding zones follow (``Austria (s001)`` with an unused ISO3-shaped code that is in
  no country table). ``--ember monthly`` writes SCALE x the monthly rows with such zones instead.
- ``eia/eia861m_sales_revenue.xlsx`` is copied as shipped (1x): its key (year, month, two-letter state,
  sector, with years 2000-2100) has room for 78x the shipped state-months at most, and a scaled
  workbook would have to fake states or years; ``reference/*.csv`` and ``SOURCES.yml`` are copied.

``--unit FILE`` also writes the machine's unit: a 10,000,000-row CSV ``id,x`` (written by DuckDB) that
``benchmarks.run`` times with ``select count(*), sum(x) from read_csv(FILE)``.

Deterministic: the same seed, scale and generator give the same bytes (each copy draws from its own
``random.Random("<seed>:<table>:<copy>")``, the hourly series from ``numpy.random.default_rng``).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import math
import random
import re
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "data" / "sources"
GENERATOR_VERSION = "1"
STAMP = ".generated.json"
EMBER_ROWS_PER_SCALE = 100_000
UNIT_ROWS = 10_000_000


def suffix(copy: int) -> str:
    return f" (s{copy:03d})"


# ---------------------------------------------------------------------------------------------
# Numbers: perturbed in the real value's own format


_INT = re.compile(r"^-?\d+$")
_THOUSANDS = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")
_DECIMAL = re.compile(r"^-?\d+\.(\d+)$")
_EXP = re.compile(r"^-?\d+(\.\d+)?[eE][+-]?\d+$")


def perturb_number(text: str, factor: float, low: float | None = None, high: float | None = None) -> str:
    """``text`` x ``factor`` written like ``text`` (integer, 1,234, decimals, 1e+22); other text unchanged.
    A value inside [low, high] stays inside; one already outside (the ingest rejects it) stays as it was."""
    raw = text.strip()
    if not raw:
        return text
    plain = raw.replace(",", "")
    try:
        value = float(plain)
    except ValueError:
        return text
    if not math.isfinite(value):
        return text
    inside = (low is None or value >= low) and (high is None or value <= high)
    if not inside:
        return text
    new = value * factor
    if low is not None:
        new = max(new, low)
    if high is not None:
        new = min(new, high)
    if _INT.match(raw):
        return str(int(round(new)))
    if _THOUSANDS.match(raw):
        decimals = len(raw.split(".")[1]) if "." in raw else 0
        return f"{new:,.{decimals}f}"
    if _EXP.match(raw):
        return f"{new:.4g}"
    match = _DECIMAL.match(raw)
    if match:
        decimals = len(match.group(1))  # at least 4, so prices that must agree (per hour / per GPU) still do
        return repr(new) if decimals > 6 else f"{new:.{max(decimals, 4)}f}"
    return text


# ---------------------------------------------------------------------------------------------
# CSV sources: what each copy changes


@dataclass
class CsvPlan:
    table: str
    keys: tuple[str, ...] = ()  # columns that get the copy's suffix
    refs: tuple[str, ...] = ()  # columns naming other rows' keys (a comma list): known names get the suffix
    perturb: tuple[str, ...] = ()  # numeric columns, all x the row's factor
    jitter: tuple[str, ...] = ()  # coordinates, +- JITTER_DEGREES
    row_hook: Callable[[dict[str, int], list[str], int], None] | None = None
    bounds: dict[str, tuple[float | None, float | None]] = field(default_factory=dict)


JITTER_DEGREES = 0.005


def _chip_handle(position: dict[str, int], row: list[str], copy: int) -> None:
    """'A100 at Microsoft Project Osmium on 2021-...' -> the data center's suffixed name inside the handle."""
    h, dc = position["Handle"], position["Data center"]
    center = row[dc]  # still the real name: the hook runs before the keys get their suffix
    needle = f" at {center} on "
    if center and needle in row[h]:
        row[h] = row[h].replace(needle, f" at {center}{suffix(copy)} on ", 1)
    else:
        row[h] = row[h] + suffix(copy)


PLANS: dict[str, CsvPlan] = {
    p.table: p
    for p in (
        CsvPlan(
            "epoch_gpu_clusters",
            keys=("Name",),
            refs=(
                "Builds Upon",
                "Superseded by",
                "Possible Duplicate Of",
                "Largest existing cluster when first operational",
            ),
            perturb=(
                "H100 equivalents",
                "Chip quantity (primary)",
                "Chip quantity (secondary)",
                "Total number of AI chips",
                "Power Capacity (MW)",
                "Calculated Power Capacity (MW)",
                "Reported Power Capacity (MW)",
                "Hardware Cost",
                "Reported Cost",
                "Max OP/s",
                "8-bit OP/s",
                "16-bit OP/s",
                "32-bit OP/s",
                "Calculated Cost",
            ),
        ),
        CsvPlan("epoch_ml_hardware", keys=("Hardware name",), perturb=("Release price (USD)",)),
        CsvPlan(
            "epoch_data_centers",
            keys=("Name",),
            perturb=(
                "Current H100 equivalents",
                "Current power (MW)",
                "Current total capital cost (2025 USD billions)",
            ),
        ),
        CsvPlan(
            "epoch_data_center_timelines",
            keys=("Data center",),
            perturb=(
                "IT power (MW)",
                "Power (MW)",
                "H100 equivalents",
                "Total capital cost (2025 USD billions)",
                "Compute cost (2025 USD billions)",
                "Construction cost (2025 USD billions)",
            ),
        ),
        CsvPlan(
            "epoch_data_center_chip_quantities",
            keys=("Data center",),
            perturb=("Number of Units",),
            row_hook=_chip_handle,
        ),
        CsvPlan("fractracker_facilities", keys=("facility_name",), jitter=("lat", "long")),
        CsvPlan(
            "eia_retail_prices",
            keys=("Industry Sector Category",),
            perturb=("Residential", "Commercial", "Industrial", "Transportation", "Other", "Total"),
        ),
        CsvPlan(
            "skypilot_gpu_prices",
            keys=("instance_type",),
            perturb=("price_usd_per_hour", "spot_price_usd_per_hour", "price_usd_per_gpu_hour"),
        ),
        CsvPlan("lambda_gpu_prices", keys=("InstanceType",), perturb=("Price_usd_per_hour", "Price_usd_per_gpu_hour")),
    )
}


def _bounds(table: str) -> dict[str, tuple[float | None, float | None]]:
    """Header name -> (min, max) of the spec's column it maps to."""
    from transforms.sources import SOURCE_FILES

    spec = SOURCE_FILES[table][0]
    out: dict[str, tuple[float | None, float | None]] = {}
    for col in spec.columns:
        for name in col.source:
            out[name] = (col.min, col.max)
    return out


def _terminator(data: bytes) -> str:
    first = data.split(b"\n", 1)[0]
    return "\r\n" if first.endswith(b"\r") else "\n"


def scale_csv(src: Path, dst: Path, plan: CsvPlan, scale: int, seed: int, skip_lines: int) -> int:
    """Write ``dst``: the shipped bytes, then copies 1..scale-1. Returns the data rows written."""
    data = src.read_bytes()
    text = data.decode("utf-8")
    term = _terminator(data)
    records = list(csv.reader(io.StringIO(text, newline="")))
    lead = skip_lines + 1  # title lines + header
    header = records[skip_lines]
    rows = records[lead:]
    position = {h: i for i, h in enumerate(header)}
    bounds = _bounds(plan.table)
    names = {r[position[k]] for r in rows for k in plan.keys if k in position and r[position[k]]}
    key_cols = [position[k] for k in plan.keys if k in position]
    ref_cols = [position[k] for k in plan.refs if k in position]
    num_cols = [(position[k], *bounds.get(k, (None, None))) for k in plan.perturb if k in position]
    jit_cols = [position[k] for k in plan.jitter if k in position]
    lat_long_bounds = {position[k]: bounds.get(k, (None, None)) for k in plan.jitter if k in position}
    with open(dst, "wb") as out:
        out.write(data)
        if scale <= 1:
            return len(rows)
        ends = data.endswith(term.encode())
        if not ends:
            out.write(term.encode())
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer, lineterminator=term)
        for copy in range(1, scale):
            rng = random.Random(f"{seed}:{plan.table}:{copy}")
            sfx = suffix(copy)
            for real in rows:
                row = list(real)
                if len(row) != len(header):  # a malformed shipped record: copied as it is, with a new key
                    if row:
                        row[0] = row[0] + sfx
                    writer.writerow(row)
                    continue
                if plan.row_hook is not None:
                    plan.row_hook(position, row, copy)
                for i in key_cols:
                    if row[i]:
                        row[i] = row[i] + sfx
                for i in ref_cols:
                    if row[i]:
                        row[i] = _suffix_refs(row[i], names, sfx)
                factor = rng.uniform(0.9, 1.1)
                for i, low, high in num_cols:
                    row[i] = perturb_number(row[i], factor, low, high)
                for i in jit_cols:
                    low, high = lat_long_bounds[i]
                    row[i] = _jitter(row[i], rng, low, high)
                writer.writerow(row)
            out.write(buffer.getvalue().encode("utf-8"))
            buffer.seek(0)
            buffer.truncate()
        if not ends:
            out.flush()
            out.truncate(out.tell() - len(term.encode()))
    return len(rows) * scale


def _suffix_refs(value: str, names: set[str], sfx: str) -> str:
    if value in names:
        return value + sfx
    parts = value.split(",")
    return ",".join((p + sfx if p.strip() in names and p == p.strip() else _suffix_inner(p, names, sfx)) for p in parts)


def _suffix_inner(part: str, names: set[str], sfx: str) -> str:
    stripped = part.strip()
    if stripped in names:
        return part.replace(stripped, stripped + sfx, 1)
    return part


def _jitter(text: str, rng: random.Random, low: float | None, high: float | None) -> str:
    try:
        value = float(text)
    except ValueError:
        return text
    decimals = max(len(text.split(".")[1]) if "." in text else 0, 5)
    new = value + rng.uniform(-JITTER_DEGREES, JITTER_DEGREES)
    if (low is not None and new < low) or (high is not None and new > high):
        new = value
    return f"{new:.{decimals}f}"


# ---------------------------------------------------------------------------------------------
# Ember: hourly (or monthly) with extra bidding zones


def _zone_codes(taken: set[str]) -> list[str]:
    """ISO3-shaped codes no country table uses: X.., Q.., then the rest, none in ``taken``."""
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    order = "XQ" + "".join(c for c in letters if c not in "XQ")
    return [a + b + c for a in order for b in letters for c in letters if a + b + c not in taken]


def _country_codes() -> set[str]:
    path = ROOT / "dbt_project" / "seeds" / "country_codes.csv"
    if not path.exists():
        return set()
    with open(path, newline="", encoding="utf-8") as handle:
        return {r["iso3"] for r in csv.DictReader(handle)}


HOURLY_PROFILE = (  # day-ahead shape: night trough, morning and evening peaks (x the month's mean)
    0.82, 0.78, 0.75, 0.74, 0.76, 0.84, 0.98, 1.12, 1.18, 1.10, 1.02, 0.97,
    0.94, 0.92, 0.94, 0.99, 1.07, 1.19, 1.26, 1.22, 1.12, 1.03, 0.94, 0.86,
)  # fmt: skip


HOURLY_TIME = "Datetime (UTC)"  # Ember's hourly release names its time column so (its monthly one: Date)


def scale_ember(src: Path, dst: Path, scale: int, seed: int, grain: str) -> int:
    import numpy as np
    import polars as pl

    monthly = pl.read_csv(src, infer_schema=False)
    columns = monthly.columns  # Country, ISO3 Code, Date, Price (EUR/MWhe)
    country, iso, date, price = columns
    codes = iter(_zone_codes(_country_codes() | set(monthly[iso].to_list())))
    real_codes = list(dict.fromkeys(monthly[iso].to_list()))

    def zone(copy: int) -> dict[str, tuple[str, str]]:
        if copy == 0:
            return {}
        return {c: (f" (s{copy:03d})", next(codes)) for c in real_codes}

    if grain == "monthly":
        if scale <= 1:
            shutil.copyfile(src, dst)
            return monthly.height
        data = src.read_bytes()
        with open(dst, "wb") as out:
            out.write(data)
            buffer = io.StringIO(newline="")
            writer = csv.writer(buffer, lineterminator=_terminator(data))
            for copy in range(1, scale):
                rng = random.Random(f"{seed}:ember:{copy}")
                names = zone(copy)
                for name, code, day, value in monthly.iter_rows():
                    sfx, new_code = names[code]
                    writer.writerow([name + sfx, new_code, day, perturb_number(value, rng.uniform(0.9, 1.1))])
            out.write(buffer.getvalue().encode())
        return monthly.height * scale

    target = scale * EMBER_ROWS_PER_SCALE
    rng = np.random.default_rng(seed)
    profile = np.array(HOURLY_PROFILE)
    months = monthly.with_columns(
        pl.col(date).str.to_datetime("%Y-%m-%d", time_unit="us").alias("_start"),
        pl.col(price).cast(pl.Float64, strict=False).fill_null(50.0).alias("_price"),
    ).with_columns((pl.col("_start").dt.offset_by("1mo") - pl.col("_start")).dt.total_hours().alias("_hours"))
    hours = months["_hours"].to_numpy()
    before = np.concatenate(([0], np.cumsum(hours)[:-1]))
    written = 0
    with open(dst, "wb") as out:
        copy = 0
        while written < target:
            # each monthly row -> its hours (the last copy stops at the target)
            take = np.clip(target - written - before, 0, hours)
            index = np.repeat(np.arange(months.height), take)
            offset = np.arange(index.size) - np.repeat(np.cumsum(take) - take, take)
            rows = months[index].with_columns(_offset=pl.Series(offset, dtype=pl.Int64))
            if copy:
                names = zone(copy)
                rows = rows.with_columns(
                    pl.col(country) + pl.col(iso).replace_strict({c: s for c, (s, _) in names.items()}),
                    pl.col(iso).replace_strict({c: z for c, (_, z) in names.items()}),
                )
            values = rows["_price"].to_numpy() * profile[offset % 24] * rng.normal(1.0, 0.08, index.size)
            frame = rows.select(
                country,
                iso,
                (pl.col("_start") + pl.duration(hours=pl.col("_offset")))
                .dt.strftime("%Y-%m-%d %H:%M:%S")
                .alias(HOURLY_TIME),
                pl.Series(price, np.round(np.clip(values, -500.0, 4000.0), 2)),
            )
            frame.write_csv(out, include_header=copy == 0, float_precision=2)
            written += index.size
            copy += 1
    return written


# ---------------------------------------------------------------------------------------------
# The unit file and the whole set


def write_unit(path: Path, rows: int = UNIT_ROWS) -> None:
    """``id,x``: ``rows`` rows, x a deterministic two-decimal number (written by DuckDB, in order)."""
    import duckdb

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    con = duckdb.connect()
    try:
        con.execute("set preserve_insertion_order = true")
        con.execute(
            f"copy (select i as id, ((i * 7919) % 100003) / 100.0 as x from range({rows}) t(i)) "
            f"to '{tmp}' (header, delimiter ',')"
        )
    finally:
        con.close()
    tmp.replace(path)


def generator_hash() -> str:
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]


def _ember_grain(scale: int, ember: str) -> str:
    return ("monthly" if scale <= 1 else "hourly") if ember == "auto" else ember


def generate(scale: int, out: Path, seed: int = 0, ember: str = "auto", verbose: bool = True) -> dict[str, int]:
    """Write the SCALE-x source set into ``out`` (replaced); returns data rows per raw table."""
    from transforms.sources import SOURCE_FILES

    if scale < 1:
        raise ValueError("scale must be >= 1")
    grain = _ember_grain(scale, ember)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    shutil.copyfile(SHIPPED / "SOURCES.yml", out / "SOURCES.yml")
    counts: dict[str, int] = {}
    for table, (spec, rel) in SOURCE_FILES.items():
        src, dst = SHIPPED / rel, out / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        if table == "ember_wholesale_prices":
            counts[table] = scale_ember(src, dst, scale, seed, grain)
        elif table in PLANS and src.suffix == ".csv":
            counts[table] = scale_csv(src, dst, PLANS[table], scale, seed, spec.skip_lines)
        else:  # reference files and the EIA-861M workbook: as shipped
            shutil.copyfile(src, dst)
            counts[table] = -1
        if verbose:
            size = dst.stat().st_size
            rows = "as shipped" if counts[table] < 0 else f"{counts[table]:,} rows"
            print(f"  {rel:42s} {rows:>18s} {size / 2**20:9.1f} MiB  {time.perf_counter() - started:5.1f} s")
    stamp = {"scale": scale, "seed": seed, "ember": grain, "generator": generator_hash(), "rows": counts}
    (out / STAMP).write_text(json.dumps(stamp, indent=1))
    return counts


def is_current(out: Path, scale: int, seed: int, ember: str) -> bool:
    """True if ``out`` already holds this generator's set for (scale, seed, ember)."""
    try:
        stamp = json.loads((out / STAMP).read_text())
    except (OSError, ValueError):
        return False
    wanted = {"scale": scale, "seed": seed, "generator": generator_hash(), "ember": _ember_grain(scale, ember)}
    return all(stamp.get(k) == v for k, v in wanted.items())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--ember", choices=("auto", "hourly", "monthly"), default="auto")
    parser.add_argument("--unit", type=Path, help="also write the 10,000,000-row unit CSV here")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    print(f"generating scale {args.scale} (seed {args.seed}) into {args.out}")
    generate(args.scale, args.out, args.seed, args.ember)
    if args.unit:
        write_unit(args.unit)
        print(f"  unit: {args.unit} ({UNIT_ROWS:,} rows, {args.unit.stat().st_size / 2**20:.0f} MiB)")
    print(f"done in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
