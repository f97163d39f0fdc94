from __future__ import annotations

from django import template

from kinerja.lib.nip import format_nip

register = template.Library()


@register.filter
def nip(value: str) -> str:
    return format_nip(value)
