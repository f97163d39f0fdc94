from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from kinerja.lib.nip import format_nip, normalize_nip, validate_nip


@pytest.mark.parametrize("nip", ["197306101994021003", "199203052019031006", "198510222010012004"])
def test_valid_nip_passes(nip: str) -> None:
    validate_nip(nip)


@pytest.mark.parametrize(
    ("nip", "code"),
    [
        ("19730610199402100", "nip_length"),
        ("1973061019940210031", "nip_length"),
        ("19730610199402100A", "nip_length"),
        ("", "nip_length"),
        ("197302301994021003", "nip_birth"),
        ("197313101994021003", "nip_birth"),
        ("197306101994131003", "nip_tmt"),
        ("197306101994001003", "nip_tmt"),
        ("197306101980021003", "nip_order"),
        ("197306101994023003", "nip_sex"),
        ("197306101994021000", "nip_serial"),
    ],
)
def test_invalid_nip_is_refused_with_its_reason(nip: str, code: str) -> None:
    with pytest.raises(ValidationError) as exc:
        validate_nip(nip)
    assert exc.value.code == code


def test_nip_is_displayed_in_its_four_groups() -> None:
    assert format_nip("197306101994021003") == "19730610 199402 1 003"
    assert format_nip("short") == "short"


def test_nip_typed_with_separators_is_read_as_digits() -> None:
    assert normalize_nip("19730610 199402 1 003") == "197306101994021003"
    assert normalize_nip("19730610.199402.1.003") == "197306101994021003"
