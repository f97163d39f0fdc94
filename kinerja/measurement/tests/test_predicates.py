from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils.translation import override

from kinerja.measurement.predicates import (
    DEFAULT_BANDS,
    EFFICIENCY_LABELS,
    EFFICIENT,
    FAIRLY_EFFICIENT,
    INEFFICIENT,
    Band,
    absorption,
    classify,
    efficiency,
    validate_bands,
)

D = Decimal


@pytest.mark.parametrize(
    ("percent", "label"),
    [
        ("-10", "Sangat Rendah"),
        ("0", "Sangat Rendah"),
        ("50", "Sangat Rendah"),
        ("50.5", "Sangat Rendah"),
        ("50.995", "Rendah"),  # shown as 51,00
        ("51", "Rendah"),
        ("65", "Rendah"),
        ("65.99", "Rendah"),
        ("66", "Sedang"),
        ("75", "Sedang"),
        ("75.994", "Sedang"),
        ("76", "Tinggi"),
        ("90", "Tinggi"),
        ("90.5", "Tinggi"),
        ("90.994", "Tinggi"),
        ("90.995", "Sangat Tinggi"),
        ("91", "Sangat Tinggi"),
        ("100", "Sangat Tinggi"),
        ("150", "Sangat Tinggi"),
    ],
)
def test_default_scale(percent: str, label: str) -> None:
    band = classify(D(percent), DEFAULT_BANDS)
    assert band is not None
    assert band.label == label


def test_default_scale_colours() -> None:
    assert [band.colour for band in DEFAULT_BANDS] == ["green", "lime", "yellow", "orange", "red"]
    assert validate_bands(DEFAULT_BANDS) == []


def test_classify_none() -> None:
    assert classify(None, DEFAULT_BANDS) is None


def test_classify_ignores_band_order() -> None:
    shuffled = list(reversed(DEFAULT_BANDS))
    assert classify(D(80), shuffled) == DEFAULT_BANDS[1]
    assert classify(D(10), shuffled) == DEFAULT_BANDS[-1]


def test_classify_without_catch_all() -> None:
    bands = [Band(D(50), "Good", "green")]
    assert classify(D(49), bands) is None
    assert classify(D(0), []) is None


def messages(bands: list[Band]) -> list[str]:
    with override("en"):
        return [str(message) for message in validate_bands(bands)]


CATCH_ALL = Band(None, "Low", "red")


@pytest.mark.parametrize(
    ("bands", "fragment"),
    [
        ([], "at least one band"),
        ([Band(D(50), "High", "green")], "must have no minimum"),
        ([Band(D(50), "High", "green"), CATCH_ALL, Band(None, "Lower", "red")], "Only one band"),
        ([Band(D(50), "High", "green"), Band(D(50), "Also", "lime"), CATCH_ALL], "same minimum, 50"),
        ([Band(D(50), " ", "green"), CATCH_ALL], "needs a label"),
        ([Band(D(50), "High", "purple"), CATCH_ALL], "Unknown colour “purple”"),
        ([Band(D(-1), "High", "green"), CATCH_ALL], "between 0 and 1000"),
        ([Band(D("1000.01"), "High", "green"), CATCH_ALL], "between 0 and 1000"),
    ],
)
def test_validate_bands_errors(bands: list[Band], fragment: str) -> None:
    found = messages(bands)
    assert len(found) == 1, found
    assert fragment in found[0]


def test_validate_bands_accepts_limits() -> None:
    assert messages([Band(D(1000), "Top", "green"), Band(D(0), "Zero", "grey"), CATCH_ALL]) == []


def test_validate_bands_reports_every_problem() -> None:
    assert len(messages([Band(D(50), "", "pink"), Band(D(50), "x", "green")])) == 4


@pytest.mark.parametrize(
    ("ceiling", "spent", "expected"),
    [
        ("1000", "250", D(25)),
        ("1000", "0", D(0)),
        ("1000", "1200", D(120)),
        ("3", "1", D("33.33333333333333333333333333333333")),  # 34 significant digits, unrounded
        ("0", "10", None),
        ("-5", "10", None),
    ],
)
def test_absorption(ceiling: str, spent: str, expected: Decimal | None) -> None:
    assert absorption(ceiling=D(ceiling), spent=D(spent)) == expected


@pytest.mark.parametrize(
    ("achievement", "spent", "difference", "category"),
    [
        ("100", "80", D(20), EFFICIENT),
        ("90", "85", D(5), FAIRLY_EFFICIENT),
        ("90", "84.99", D("5.01"), EFFICIENT),
        ("90", "84.996", D("5.004"), FAIRLY_EFFICIENT),  # shown as 5,00
        ("90", "84.995", D("5.005"), EFFICIENT),  # shown as 5,01
        ("80", "80", D(0), FAIRLY_EFFICIENT),
        ("80", "85", D(-5), FAIRLY_EFFICIENT),
        ("80", "85.01", D("-5.01"), INEFFICIENT),
        ("50", "100", D(-50), INEFFICIENT),
    ],
)
def test_efficiency(achievement: str, spent: str, difference: Decimal, category: str) -> None:
    assert efficiency(achievement=D(achievement), absorption=D(spent)) == (difference, category)
    assert category in EFFICIENCY_LABELS


@pytest.mark.parametrize(("achievement", "spent"), [(None, D(1)), (D(1), None), (None, None)])
def test_efficiency_unknown(achievement: Decimal | None, spent: Decimal | None) -> None:
    assert efficiency(achievement=achievement, absorption=spent) == (None, "")


def test_efficiency_with_unknown_ceiling() -> None:
    assert efficiency(achievement=D(90), absorption=absorption(ceiling=D(0), spent=D(5))) == (None, "")


def test_efficiency_labels() -> None:
    with override("en"):
        assert {key: str(label) for key, label in EFFICIENCY_LABELS.items()} == {
            EFFICIENT: "Efficient",
            FAIRLY_EFFICIENT: "Fairly efficient",
            INEFFICIENT: "Not efficient",
        }
