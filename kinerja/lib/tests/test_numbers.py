from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation
from django.utils.translation import override
from hypothesis import given
from hypothesis import strategies as st

from kinerja.lib.numbers import (
    NumberFormatError,
    format_decimal,
    format_number,
    input_number,
    parse_decimal,
    round_half_up,
)

pytestmark = pytest.mark.usefixtures("english")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0", "0"),
        ("1234", "1234"),
        ("007", "7"),
        ("12,5", "12.5"),
        ("0,25", "0.25"),
        ("-12,5", "-12.5"),
        ("+12,5", "12.5"),
        ("1.234.567", "1234567"),
        ("12.345.678,90", "12345678.90"),
        ("1.234,5", "1234.5"),
        ("1,234.5", "1234.5"),
        ("1,234,567.25", "1234567.25"),
        ("12.5", "12.5"),
        ("0.25", "0.25"),
        ("3.14159", "3.14159"),
        ("1.2345", "1.2345"),
        ("0.250", "0.250"),  # 0 cannot open a thousands group, so this is not ambiguous
        ("75%", "75"),
        ("75,5 %", "75.5"),
        ("  12,5\u00a0", "12.5"),
        ("\u202f-4\u202f", "-4"),
        ("-0", "0"),
        ("12345678901234567890", "12345678901234567890"),
        ("1234567890,1234567890", "1234567890.1234567890"),
    ],
)
def test_accepted_numbers(text: str, expected: str) -> None:
    result = parse_decimal(text)
    assert isinstance(result, Decimal)
    assert result == Decimal(expected)
    assert str(result) == expected


def test_result_is_exact_not_float() -> None:
    assert parse_decimal("0,1") + parse_decimal("0,2") == Decimal("0.3")


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("\u00a0", "empty"),
        ("-", "invalid"),
        ("%", "invalid"),
        ("abc", "invalid"),
        ("12a", "invalid"),
        ("1e5", "invalid"),
        ("NaN", "invalid"),
        ("Infinity", "invalid"),
        ("--1", "invalid"),
        ("+-1", "invalid"),
        ("1-", "invalid"),
        ("1 234", "invalid"),
        ("1\u00a0234", "invalid"),
        ("Rp 1.000", "invalid"),
        ("1,234,567", "commas"),
        ("1,2,3", "commas"),
        ("1.234", "ambiguous"),
        ("12.500", "ambiguous"),
        ("-1.234", "ambiguous"),
        ("1.23.456", "grouping"),
        ("1.2345.678", "grouping"),
        ("1234.567.890", "grouping"),
        ("0.123.456", "grouping"),
        ("1.23,5", "grouping"),
        ("1,2.5", "grouping"),
        ("1.234,5,6", "grouping"),
        ("1,234.5.6", "grouping"),
        ("1,", "separator"),
        (",5", "separator"),
        (".5", "separator"),
        ("1..2", "separator"),
        ("123456789012345678901", "too_long"),
        ("1234567890,12345678901", "too_long"),
    ],
)
def test_rejected_numbers(text: str, code: str) -> None:
    with pytest.raises(NumberFormatError) as caught:
        parse_decimal(text)
    assert caught.value.code == code
    assert str(caught.value.message)


def test_ambiguous_message_suggests_both_readings() -> None:
    with override("en"), pytest.raises(NumberFormatError) as caught:
        parse_decimal("1.234")
    assert str(caught.value) == (
        "“1.234” is ambiguous: write the number without thousands separators, "
        "and use a comma for decimals (1234 or 1,234)."
    )


def test_number_format_error_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        parse_decimal("x")


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        ("2.345", 2, "2.35"),
        ("2.344", 2, "2.34"),
        ("-2.345", 2, "-2.35"),
        ("2.5", 0, "3"),
        ("2", 2, "2.00"),
        ("1.00005", 4, "1.0001"),
        ("123456789012345678901234567890.125", 2, "123456789012345678901234567890.13"),
    ],
)
def test_round_half_up(value: str, places: int, expected: str) -> None:
    assert str(round_half_up(Decimal(value), places)) == expected


@pytest.mark.parametrize(
    ("value", "places", "indonesian", "english"),
    [
        (Decimal("1234.5"), 2, "1.234,50", "1,234.50"),
        (Decimal("1234567.125"), 2, "1.234.567,13", "1,234,567.13"),
        (Decimal("-1234.5"), 2, "-1.234,50", "-1,234.50"),
        (Decimal("0.005"), 2, "0,01", "0.01"),
        (Decimal("-0.001"), 2, "0,00", "0.00"),
        (Decimal("100"), 0, "100", "100"),
        (Decimal("99.5"), 0, "100", "100"),
        (Decimal(1) / Decimal(3), 2, "0,33", "0.33"),
        (12, 2, "12,00", "12.00"),
        (None, 2, "", ""),
    ],
)
def test_format_decimal(value: Decimal | int | None, places: int, indonesian: str, english: str) -> None:
    with override("id"):
        assert format_decimal(value, places) == indonesian
    with override("en"):
        assert format_decimal(value, places) == english


@pytest.mark.parametrize(
    ("value", "indonesian", "english"),
    [
        (Decimal("12"), "12", "12"),
        (Decimal("12.50"), "12,5", "12.5"),
        (Decimal("12.000"), "12", "12"),
        (Decimal("1E+3"), "1.000", "1,000"),
        (Decimal("1234.5678"), "1.234,5678", "1,234.5678"),
        (Decimal("0.123456"), "0,1235", "0.1235"),
        (Decimal("2.00005"), "2,0001", "2.0001"),
        (Decimal("-0.00001"), "0", "0"),
        (Decimal("0.0000"), "0", "0"),
        (7, "7", "7"),
        (None, "", ""),
    ],
)
def test_format_number(value: Decimal | int | None, indonesian: str, english: str) -> None:
    with override("id"):
        assert format_number(value) == indonesian
    with override("en"):
        assert format_number(value) == english


def test_formatting_refuses_non_finite() -> None:
    with pytest.raises(ValueError):
        format_decimal(Decimal("NaN"))


@pytest.mark.parametrize(
    ("value", "typed"),
    [
        (Decimal("1463.0000"), "1463"),
        (Decimal("1.463"), "1,463"),
        (Decimal("12.50"), "12,5"),
        (Decimal("-0.0"), "0"),
        (Decimal("1500000000"), "1500000000"),
        (Decimal("1E+3"), "1000"),
    ],
)
@pytest.mark.parametrize("language", ["id", "en"])
def test_a_number_put_back_in_a_form_reads_back_the_same(value: Decimal, typed: str, language: str) -> None:
    # A grouped "1.463" would be refused as ambiguous, and an English "1,463" read as 1,463 (one and a bit).
    with translation.override(language):
        assert input_number(value) == typed
        assert parse_decimal(input_number(value)) == value


@given(st.decimals(min_value=-(10**15), max_value=10**15, places=4, allow_nan=False, allow_infinity=False))
def test_input_number_round_trips(value: Decimal) -> None:
    assert parse_decimal(input_number(value)) == value
