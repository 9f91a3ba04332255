"""EIA-861M 'sales_revenue.xlsx' (the publisher's own workbook) -> one long CSV the ingest reads.

The workbook has a sheet per geography (Monthly-States: 50 states + DC, one row per state and month;
US-YTD: the United States, one row per month plus year-to-date rows marked '.') with three header
rows and, per sector (RESIDENTIAL, COMMERCIAL, INDUSTRIAL, TRANSPORTATION, TOTAL), four columns:
revenue (thousand USD), sales (MWh), customers, price (cents/kWh). Footnote rows at the bottom are
not data. The long form has one row per year x month x state x sector, with the sheet and the row
it came from, so a value quarantined later still names its place in the workbook.

The same long shape is what the EIA API v2 connector lands (``eia861m_api_monthly.csv``), so both
feed one raw table: year, month, state, sector (RES | COM | IND | TRA | OTH | ALL), price_cents_kwh,
revenue_musd, sales_mwh, customers, data_status, sheet, sheet_row.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import polars as pl

SECTOR_CODES = {
    "RESIDENTIAL": "RES",
    "COMMERCIAL": "COM",
    "INDUSTRIAL": "IND",
    "TRANSPORTATION": "TRA",
    "OTHER": "OTH",
    "TOTAL": "ALL",
}
COLUMNS = (
    "year",
    "month",
    "state",
    "sector",
    "price_cents_kwh",
    "revenue_musd",
    "sales_mwh",
    "customers",
    "data_status",
    "sheet",
    "sheet_row",
)
# sheet -> (first sector column, whether the sheet has a State column)
SHEETS = {"Monthly-States": (4, True), "US-YTD": (3, False)}
HEADER_ROWS = 3


def _number(text: str | None, scale: float = 1.0) -> str:
    if text is None or text.strip() in ("", "."):
        return ""
    try:
        return repr(float(text) * scale) if scale != 1.0 else text.strip()
    except ValueError:
        return text.strip()  # kept as text: the ingest rejects it with its place and reason


def workbook_to_csv(path: Path) -> bytes:
    """The long CSV of the workbook at ``path`` (UTF-8, header line first)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for sheet, (first, has_state) in SHEETS.items():
        frame = pl.read_excel(path, sheet_name=sheet, has_header=False, infer_schema_length=0)
        sectors_row = frame.row(0)
        sectors: list[tuple[str, int]] = []
        for i in range(first, frame.width, 4):
            name = (sectors_row[i] or "").strip().upper()
            if name in SECTOR_CODES:
                sectors.append((SECTOR_CODES[name], i))
        for index, row in enumerate(frame.iter_rows()):
            if index < HEADER_ROWS:
                continue
            year = (row[0] or "").strip()
            if not (len(year) == 4 and year.isdigit()):
                continue  # a footnote row under the table, not data
            month = (row[1] or "").strip()
            if month == ".":
                continue  # a year-to-date total, not a month (the months are there)
            state = (row[2] or "").strip() if has_state else "US"
            status = (row[3] if has_state else row[2]) or ""
            for code, col in sectors:
                revenue, sales, customers, price = row[col : col + 4]
                writer.writerow(
                    [
                        year,
                        month,
                        state,
                        code,
                        _number(price),
                        _number(revenue, 0.001),
                        _number(sales),
                        _number(customers),
                        status.strip(),
                        sheet,
                        index + 1,
                    ]
                )
    return out.getvalue().encode("utf-8")
