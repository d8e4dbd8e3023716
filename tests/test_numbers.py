"""Numbers for people: decimals, formatting and counts."""

from __future__ import annotations

import pytest

from pumpsite.numbers import (
    ascii_digits,
    counted,
    data_decimals,
    fmt,
    foreign_digit,
    listed,
    unstorable,
)


def test_counts_say_one_thing_and_many_things() -> None:
    assert counted(1, "measure") == "1 measure"
    assert counted(0, "measure") == "0 measures"
    assert counted(2, "goal") == "2 goals"


def test_values_keep_the_decimals_they_were_written_with() -> None:
    assert data_decimals([1.5, 2.25, None]) == 2
    assert fmt(2.5, 2) == "2.50"
    assert fmt(-0.001, 1) == "0.0"


def test_lists_stay_short_however_many_items() -> None:
    assert listed([]) == ""
    assert listed(["a"]) == "a"
    assert listed(["a", "b", "c"]) == "a, b and c"
    assert listed([f"x{n}" for n in range(2_000)]) == "x0, x1, x2 and 1,997 more"


def test_digits_other_than_0_to_9_are_named_and_read() -> None:
    assert foreign_digit("12.5") is None
    assert foreign_digit("2026-０３") == (
        "'０' (FULLWIDTH DIGIT ZERO), which is not one of the digits 0-9"
    )
    assert foreign_digit("12²") == "'²' (SUPERSCRIPT TWO), which is not one of the digits 0-9"
    assert ascii_digits("١٢٣.٤") == "123.4"
    assert ascii_digits("12²") == "12²"  # a power, not a digit: no guess


@pytest.mark.parametrize(
    ("text", "trouble"),
    [
        ("12.5", None),
        ("0", None),
        ("-0.000e-999", None),
        ("2.3e-308", None),
        ("1e-400", "underflow"),
        ("-5e-320", "underflow"),
        ("1e400", "overflow"),
        ("-1.5E+309", "overflow"),
    ],
)
def test_numbers_that_cannot_be_stored_as_written(text: str, trouble: str | None) -> None:
    assert unstorable(text, float(text)) == trouble


def test_a_written_infinity_is_not_an_overflow() -> None:
    assert unstorable(".inf", float("inf")) is None  # YAML's infinity, reported as not finite
