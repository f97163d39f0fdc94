from __future__ import annotations

from decimal import Decimal

from django import template

from kinerja.lib.nip import format_nip
from kinerja.lib.numbers import format_decimal, format_number, input_number

register = template.Library()


@register.filter
def nip(value: str) -> str:
    return format_nip(value)


@register.filter
def num(value: Decimal | int | None) -> str:
    """A stored number as the user writes it: no trailing zeros, the language's separators."""
    return format_number(value)


@register.filter
def input_num(value: Decimal | int | None) -> str:
    """A stored number put back into a form field, read back exactly by parse_decimal in any language."""
    return input_number(value)


@register.filter
def pct(value: Decimal | None) -> str:
    """A percentage rounded half up to two places for display; empty when there is none."""
    return format_decimal(value, 2)


@register.filter
def get_item(mapping: dict, key: object) -> object:
    """`mapping[key]` in a template, or None."""
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def attr(obj: object, name: str) -> object:
    """An attribute of `obj` named at run time; empty when `obj` is None."""
    return getattr(obj, name, "") if obj is not None else ""
