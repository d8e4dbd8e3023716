"""Numbers for people: decimals, formatting and counts."""

from __future__ import annotations

from pumpsite.numbers import counted, data_decimals, fmt


def test_counts_say_one_thing_and_many_things() -> None:
    assert counted(1, "measure") == "1 measure"
    assert counted(0, "measure") == "0 measures"
    assert counted(2, "goal") == "2 goals"


def test_values_keep_the_decimals_they_were_written_with() -> None:
    assert data_decimals([1.5, 2.25, None]) == 2
    assert fmt(2.5, 2) == "2.50"
    assert fmt(-0.001, 1) == "0.0"
