"""What every chart's SVG shares: its namespace and the prefix of its ids."""

from __future__ import annotations

import re

SVG_NS = "http://www.w3.org/2000/svg"


def id_prefix(measure_id: str, size: str) -> str:
    """The prefix of every id in a chart: unique on a page that shows several charts."""
    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", measure_id).strip("-") or "chart"
    return f"{slug}-{size}-"
