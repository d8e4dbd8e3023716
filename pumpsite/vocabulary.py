"""The closed sets of words the settings, the analysis and the charts share, and the numbers the
method fixes: one definition each, so that a setting, the maths and a chart cannot disagree."""

from __future__ import annotations

from typing import Literal

Better = Literal["up", "down", "neutral"]
"""Which direction of a measure is an improvement."""
Profile = Literal["wheeler", "pump", "nhs"]
"""A set of signal rules."""
Dispersion = Literal["average", "median"]
"""The moving range the limits are computed from."""
ChartSize = Literal["full", "small"]
"""A measure's chart on its own page, or on an overview card."""

MIN_LIMIT_POINTS = 5
"""Fewer baseline values than this give no limits: the phase is a run chart. The least baseline
a measure (or `pumpsite xmr --baseline`) may ask for."""
