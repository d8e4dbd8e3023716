"""Worked examples shared by several test modules (see ../shared/reference/xmr-and-pump.md)."""

# TV1: Wheeler's 16 monthly values; the reference gives its limits and signals.
TV1 = (
    5045,
    4350,
    4350,
    3975,
    4290,
    4430,
    4485,
    4285,
    3980,
    3925,
    3645,
    3760,
    3300,
    3685,
    3463,
    5200,
)
