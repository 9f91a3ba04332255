"""Coordinates written as text: degrees-minutes-seconds and decimal degrees, in one place.

Two readers share these pieces and differ only in how much they tolerate:

* a coordinate *field* (an ingest column of kind ``coord``): the whole value is one latitude or longitude,
  decimal (``-90.09``) or DMS with an upper-case hemisphere (``90°05'35"W``). ``DMS_FIELD`` is written so that
  Python's ``re`` and DuckDB's RE2 read it alike: the ingest's SQL cast and ``parse_coordinate`` agree.
* coordinates *in free text* (the market matcher reads Epoch's location strings): a DMS pair anywhere in the
  text, either case, typographic quotes too (``33°24’28.7”N``): ``DMS_IN_TEXT``.

Distance between points lives in ``transforms.markets`` (haversine, polars) and in the dbt macro
``haversine_km``.
"""

from __future__ import annotations

import re
from typing import Final

_DEGREES: Final[str] = r"(\d{1,3}(?:\.\d+)?)\s*°\s*"


def _dms(minute_marks: str, second_marks: str) -> str:
    """Degrees, then optional minutes and seconds (three groups); the hemisphere is the caller's."""
    return (
        _DEGREES
        + rf"(?:(\d{{1,2}}(?:\.\d+)?)\s*{minute_marks}\s*)?"
        + rf"(?:(\d{{1,2}}(?:\.\d+)?)\s*{second_marks}\s*)?"
    )


# A whole field: ASCII and prime marks only, upper-case hemisphere (groups: degrees, minutes, seconds, hemisphere).
DMS_FIELD: Final[str] = r"^\s*" + _dms(r"['′]", r"(?:\"|″|'')") + r"([NSEW])\s*$"

# Anywhere in free text: typographic quotes too, either case.
DMS_IN_TEXT: Final[str] = _dms(r"['′’]", r"(?:\"|″|”|''|’’)") + r"([NSEWnsew])\b"

_DMS_FIELD_RE: Final[re.Pattern[str]] = re.compile(DMS_FIELD)


def dms_to_decimal(degrees: str, minutes: str | None, seconds: str | None, hemisphere: str) -> float:
    """Decimal degrees of a DMS reading; south and west are negative."""
    value = float(degrees) + float(minutes or 0.0) / 60.0 + float(seconds or 0.0) / 3600.0
    return -value if hemisphere.upper() in ("S", "W") else value


def parse_coordinate(text: str | None) -> float | None:
    """A latitude or longitude field as decimal degrees (``-90.09``) or DMS (``90°05'35"W``); None otherwise."""
    if text is None:
        return None
    try:
        return float(text)
    except ValueError:
        pass
    match = _DMS_FIELD_RE.match(text)
    return dms_to_decimal(*match.groups()) if match else None
