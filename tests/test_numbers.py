"""Numbers for people: parsing a cell, decimals, formatting and counts."""

from __future__ import annotations

import time

import pytest

from pumpsite.numbers import (
    Number,
    ascii_digits,
    counted,
    data_decimals,
    fmt,
    foreign_digit,
    listed,
    parse_number,
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


# --- parsing --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("12.5", Number(12.5)),
        ("-3", Number(-3.0)),
        ("+.5", Number(0.5)),
        ("1e3", Number(1000.0)),
        ("12,5", Number(None, "PS306", "12.5")),
        ("1.234,5", Number(None, "PS306", "1234.5")),
        ("1 234,5", Number(None, "PS306", "1234.5")),
        ("1,234", Number(None, "PS307", "1234")),
        ("1 234", Number(None, "PS307", "1234")),
        ("1\u202f234", Number(None, "PS307", "1234")),
        ("1,234,567.5", Number(None, "PS307", "1234567.5")),
        ("NaN", Number(None, "PS308")),
        ("-inf", Number(None, "PS308")),
        ("1e999", Number(None, "PS329")),
        ("1e-999", Number(None, "PS331")),
        ("0e-999", Number(0.0)),
        ("١٢٣", Number(None, "PS305", "123")),
        ("１２.５", Number(None, "PS305", "12.5")),
        ("12²", Number(None, "PS305")),
        ("ten", Number(None, "PS305")),
        ("12%", Number(None, "PS305", "12")),
        ("1_000", Number(None, "PS305")),
    ],
)
def test_parse_number(text: str, number: Number) -> None:
    assert parse_number(text) == number


def test_parse_number_does_not_backtrack_on_long_input() -> None:
    """Not a speed test: a backtracking pattern would take minutes here, a linear one a moment;
    the bound is generous so a busy machine cannot fail it."""
    start = time.perf_counter()
    assert parse_number("1" * 1_000_000 + "x").code == "PS305"
    assert time.perf_counter() - start < 10
