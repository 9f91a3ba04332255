"""EIA-860M, the *Preliminary Monthly Electric Generator Inventory*: planned generators and state capacity, as the
long CSVs the ingest reads.

Two shapes reach dcpulse, and both become the same columns:

- the publisher's workbook (``<month>_generator<year>.xlsx``, what the live connector lands): sheets ``Operating``,
  ``Planned``, ``Retired``, ``Canceled or Postponed``, each with a few title rows above its header (the row that
  names ``Plant State`` and ``Nameplate Capacity (MW)``). Every planned generator is kept at full precision
  (nameplate and net summer MW, planned month and year, county, balancing authority, EIA's status code) and named
  by its sheet row;
- the shipped copy (``planned_generators_<yyyy>-<mm>.json``): the same April 2026 release vendored as JSON by the
  MIT-licensed ``interconnection-atlas`` repository, which kept solar, wind, storage and gas only, rounded nameplate
  MW to whole MW, bucketed the status and did not keep net summer MW, month, county or balancing authority (those
  columns are empty, never guessed).

``planned_generators_csv`` and ``state_capacity_csv`` sniff which shape a file is (a workbook is a zip archive,
the copy is JSON). A value that is not a number stays text: the ingest rejects it with its place and reason.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import polars as pl

# State FIPS code -> USPS code (the vendored copy names states by FIPS).
STATE_FIPS: dict[str, str] = {
    "01": "AL", "02": "AK", "04": "AZ", "05": "AR", "06": "CA", "08": "CO", "09": "CT", "10": "DE", "11": "DC",
    "12": "FL", "13": "GA", "15": "HI", "16": "ID", "17": "IL", "18": "IN", "19": "IA", "20": "KS", "21": "KY",
    "22": "LA", "23": "ME", "24": "MD", "25": "MA", "26": "MI", "27": "MN", "28": "MS", "29": "MO", "30": "MT",
    "31": "NE", "32": "NV", "33": "NH", "34": "NJ", "35": "NM", "36": "NY", "37": "NC", "38": "ND", "39": "OH",
    "40": "OK", "41": "OR", "42": "PA", "44": "RI", "45": "SC", "46": "SD", "47": "TN", "48": "TX", "49": "UT",
    "50": "VT", "51": "VA", "53": "WA", "54": "WV", "55": "WI", "56": "WY", "72": "PR",
}  # fmt: skip
FIPS_OF_STATE = {code: fips for fips, code in STATE_FIPS.items()}
# EIA technology (workbook column ``Technology``) -> fuel group. Unknown technologies stay as written and are
# rejected by the ingest's allowed list, with the value, so a new technology is seen, not folded into 'other'.
TECHNOLOGY_FUEL: dict[str, str] = {
    "solar photovoltaic": "solar",
    "solar thermal with energy storage": "solar",
    "solar thermal without energy storage": "solar",
    "onshore wind turbine": "wind",
    "offshore wind turbine": "wind",
    "batteries": "storage",
    "hydroelectric pumped storage": "storage",
    "flywheels": "storage",
    "natural gas fired combined cycle": "gas",
    "natural gas fired combustion turbine": "gas",
    "natural gas internal combustion engine": "gas",
    "natural gas steam turbine": "gas",
    "natural gas with compressed air storage": "gas",
    "other natural gas": "gas",
    "nuclear": "nuclear",
    "conventional hydroelectric": "hydro",
    "geothermal": "geothermal",
    "wood/wood waste biomass": "biomass",
    "landfill gas": "biomass",
    "municipal solid waste": "biomass",
    "other waste biomass": "biomass",
    "conventional steam coal": "coal",
    "coal integrated gasification combined cycle": "coal",
    "petroleum liquids": "oil",
    "petroleum coke": "oil",
    "all other": "other",
    "other gases": "other",
}
FUELS = ("solar", "wind", "storage", "gas", "nuclear", "hydro", "geothermal", "biomass", "coal", "oil", "other")
# EIA-860M status codes -> the bucket the vendored copy uses (its documented mapping).
STATUS_BUCKET: dict[str, str] = {"P": "under-study", "L": "under-study", "T": "active", "U": "active", "V": "active"}
STATUS_BUCKETS = ("under-study", "active", "operational")
# Balancing authority code -> ISO/RTO (the seven of the vendored footprints); any other BA is 'Non-ISO'.
BA_ISO: dict[str, str] = {
    "PJM": "PJM",
    "MISO": "MISO",
    "ERCO": "ERCOT",
    "CISO": "CAISO",
    "SWPP": "SPP",
    "NYIS": "NYISO",
    "ISNE": "ISO-NE",
}
PLANNED_COLUMNS = (
    "generator_id",
    "plant_id",
    "generator_code",
    "plant_name",
    "state",
    "county",
    "latitude",
    "longitude",
    "nameplate_mw",
    "net_summer_mw",
    "technology",
    "fuel",
    "status_code",
    "status",
    "planned_year",
    "planned_month",
    "balancing_authority",
    "iso",
    "release",
    "source_shape",
    "sheet",
    "sheet_row",
)
STATE_COLUMNS = (
    "state",
    "state_fips",
    "operating_mw",
    "planned_mw",
    "planned_generators",
    "canceled_mw",
    "canceled_generators",
    "release",
    "source_shape",
)
SHEET_PLANNED = "Planned"
SHEET_OPERATING = "Operating"
SHEET_CANCELED = "Canceled or Postponed"
# header names the workbook has used for each field (first one current); a renamed column is mapped here.
HEADER_NAMES: dict[str, tuple[str, ...]] = {
    "state": ("Plant State", "State"),
    "plant_name": ("Plant Name",),
    "plant_id": ("Plant ID", "Plant Id"),
    "generator_code": ("Generator ID", "Generator Id"),
    "nameplate_mw": ("Nameplate Capacity (MW)", "Nameplate Capacity(MW)", "Nameplate Capacity MW"),
    "net_summer_mw": ("Net Summer Capacity (MW)", "Net Summer Capacity(MW)"),
    "technology": ("Technology",),
    "status_code": ("Status",),
    "balancing_authority": ("Balancing Authority Code",),
    "county": ("County",),
    "latitude": ("Latitude",),
    "longitude": ("Longitude",),
    "planned_month": ("Planned Operation Month",),
    "planned_year": ("Planned Operation Year",),
}
REQUIRED_HEADERS = ("state", "nameplate_mw")
MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
_RELEASE_IN_NAME = re.compile(r"(\d{4})-(\d{2})")
_WORKBOOK_NAME = re.compile(r"([a-z]+)_generator(\d{4})", re.IGNORECASE)
_RELEASE_IN_TITLE = re.compile(r"\b(" + "|".join(m.capitalize() for m in MONTHS) + r")\s+(\d{4})\b", re.IGNORECASE)


def _is_workbook(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(4) == b"PK\x03\x04"


def release_of_name(name: str) -> str:
    """'2026-04' from 'planned_generators_2026-04.json' or 'april_generator2026.xlsx'; '' when the name says none."""
    match = _RELEASE_IN_NAME.search(name)
    if match:
        return f"{match[1]}-{match[2]}"
    match = _WORKBOOK_NAME.search(name)
    if match and match[1].lower() in MONTHS:
        return f"{match[2]}-{MONTHS.index(match[1].lower()) + 1:02d}"
    return ""


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _csv(columns: tuple[str, ...], rows: list[list[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([[_text(v) for v in row] for row in rows])
    return out.getvalue().encode("utf-8")


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8-sig"))
    except ValueError as error:
        raise ValueError(f"{path.name} is neither an EIA-860M workbook nor its JSON copy: {error}") from None


# --- the publisher's workbook -------------------------------------------------------------------


def _sheet(path: Path, name: str) -> tuple[list[tuple[Any, ...]], dict[str, int], int, str]:
    """The sheet's rows as text, the column index of each field, the header's row index, and the release named in
    the title rows ('' when none). Raises ValueError naming a missing sheet or header."""
    try:
        frame = pl.read_excel(path, sheet_name=name, has_header=False, infer_schema_length=0)
    except Exception as error:  # noqa: BLE001 - the reader's own error names what is wrong with the file
        raise ValueError(f"sheet {name!r}: {type(error).__name__}: {error}") from None
    rows = list(frame.iter_rows())
    for index, row in enumerate(rows[:30]):
        cells = [_text(c) for c in row]
        if any(c in HEADER_NAMES["state"] for c in cells) and any(c in HEADER_NAMES["nameplate_mw"] for c in cells):
            positions: dict[str, int] = {}
            for field, names in HEADER_NAMES.items():
                for i, cell in enumerate(cells):
                    if cell in names:
                        positions[field] = i
                        break
            title = " ".join(_text(c) for r in rows[:index] for c in r if c)
            match = _RELEASE_IN_TITLE.search(title)
            release = f"{match[2]}-{MONTHS.index(match[1].lower()) + 1:02d}" if match else ""
            return rows, positions, index, release
    raise ValueError(f"sheet {name!r} has no header row naming 'Plant State' and 'Nameplate Capacity (MW)'")


def _cell(row: tuple[Any, ...], positions: dict[str, int], field: str) -> str:
    index = positions.get(field)
    return _text(row[index]) if index is not None and index < len(row) else ""


def _data_rows(rows: list[tuple[Any, ...]], positions: dict[str, int], header: int) -> list[tuple[int, tuple]]:
    """(1-based sheet row, row) of the data rows under the header: a row with a state; footnotes have none."""
    out = []
    for index in range(header + 1, len(rows)):
        row = rows[index]
        state = _cell(row, positions, "state")
        if len(state) == 2 and state.isalpha():
            out.append((index + 1, row))
    return out


def _workbook_planned(path: Path) -> bytes:
    rows, positions, header, title_release = _sheet(path, SHEET_PLANNED)
    release = title_release or release_of_name(path.name)
    out = []
    for sheet_row, row in _data_rows(rows, positions, header):

        def get(field: str, row: tuple[Any, ...] = row) -> str:
            return _cell(row, positions, field)

        technology = get("technology")
        status = get("status_code")
        code = status.split()[0].strip("()").upper() if status else ""  # "(P) Planned for ..." -> "P"
        ba = get("balancing_authority")
        out.append(
            [
                f"eia-{get('plant_id')}-{get('generator_code')}",
                get("plant_id"),
                get("generator_code"),
                get("plant_name"),
                get("state"),
                get("county"),
                get("latitude"),
                get("longitude"),
                get("nameplate_mw"),
                get("net_summer_mw"),
                technology,
                TECHNOLOGY_FUEL.get(technology.lower(), technology.lower()),
                code,
                STATUS_BUCKET.get(code, "active" if code else ""),
                get("planned_year"),
                get("planned_month"),
                ba,
                BA_ISO.get(ba.upper(), "Non-ISO") if ba else "",
                release,
                "workbook",
                SHEET_PLANNED,
                sheet_row,
            ]
        )
    return _csv(PLANNED_COLUMNS, out)


def _workbook_state_capacity(path: Path) -> bytes:
    totals: dict[str, dict[str, float]] = {}
    release = ""
    for sheet, key in ((SHEET_OPERATING, "operating"), (SHEET_PLANNED, "planned"), (SHEET_CANCELED, "canceled")):
        rows, positions, header, title_release = _sheet(path, sheet)
        release = release or title_release
        for _, row in _data_rows(rows, positions, header):
            state = _cell(row, positions, "state").upper()
            try:
                mw = float(_cell(row, positions, "nameplate_mw").replace(",", ""))
            except ValueError:
                continue  # a generator without a MW figure adds nothing to a total (the planned table names it)
            entry = totals.setdefault(state, {})
            entry[f"{key}_mw"] = entry.get(f"{key}_mw", 0.0) + mw
            entry[f"{key}_n"] = entry.get(f"{key}_n", 0) + 1
    release = release or release_of_name(path.name)
    out = [
        [
            state,
            FIPS_OF_STATE.get(state, ""),
            round(t.get("operating_mw", 0.0), 3),
            round(t.get("planned_mw", 0.0), 3),
            int(t.get("planned_n", 0)),
            round(t.get("canceled_mw", 0.0), 3),
            int(t.get("canceled_n", 0)),
            release,
            "workbook",
        ]
        for state, t in sorted(totals.items())
    ]
    return _csv(STATE_COLUMNS, out)


# --- the vendored JSON copy -----------------------------------------------------------------------


def _json_planned(path: Path) -> bytes:
    document = _read_json(path)
    if not isinstance(document, list):
        raise ValueError(f"{path.name}: expected a JSON list of generators, got {type(document).__name__}")
    release = release_of_name(path.name)
    out = []
    for index, item in enumerate(document, start=1):
        item = item if isinstance(item, dict) else {}
        generator_id = _text(item.get("id"))
        parts = generator_id.split("-", 2)
        fips = _text(item.get("stateId")).zfill(2) if item.get("stateId") is not None else ""
        out.append(
            [
                generator_id,
                parts[1] if len(parts) == 3 else "",
                parts[2] if len(parts) == 3 else "",
                _text(item.get("name")),
                STATE_FIPS.get(fips, fips),  # an unknown FIPS code stays as written: rejected with its value
                "",
                _text(item.get("lat")),
                _text(item.get("lon")),
                _text(item.get("capacityMw")),
                "",
                "",
                _text(item.get("fuel")),
                "",
                _text(item.get("status")),
                _text(item.get("queueYear")),
                "",
                "",
                _text(item.get("iso")),
                release,
                "vendored_json",
                "",
                index,
            ]
        )
    return _csv(PLANNED_COLUMNS, out)


def _json_state_capacity(path: Path) -> bytes:
    document = _read_json(path)
    if not isinstance(document, list):
        raise ValueError(f"{path.name}: expected a JSON list of states, got {type(document).__name__}")
    release = release_of_name(path.name)
    out = []
    for item in document:
        item = item if isinstance(item, dict) else {}
        fips = _text(item.get("id")).zfill(2)

        def mw(key: str, item: dict[str, Any] = item) -> str:
            value = item.get(key)
            return repr(round(float(value) * 1000, 3)) if isinstance(value, int | float) else _text(value)

        out.append(
            [
                STATE_FIPS.get(fips, fips),
                fips,
                mw("existingGw"),
                mw("proposedGw"),
                _text(item.get("proposedCount")),
                mw("canceledGw"),
                _text(item.get("canceledCount")),
                release,
                "vendored_json",
            ]
        )
    return _csv(STATE_COLUMNS, out)


def planned_generators_csv(path: Path) -> bytes:
    """The planned generators of an EIA-860M workbook or of its shipped JSON copy, as the long CSV."""
    return _workbook_planned(path) if _is_workbook(path) else _json_planned(path)


def state_capacity_csv(path: Path) -> bytes:
    """Operating, planned and canceled-or-postponed MW by state from a workbook or the shipped JSON copy."""
    return _workbook_state_capacity(path) if _is_workbook(path) else _json_state_capacity(path)
