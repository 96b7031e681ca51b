"""Small template helpers: money in 元 with two decimals, and aware times."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template

register = template.Library()


def format_yuan(value) -> str:
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except (InvalidOperation, TypeError, ValueError):
        return str(value)
    # Grouped with commas in every language, as Chinese notices print amounts (Django's zh-Hans
    # format has no thousands separator).
    return f"{amount:,.2f} 元"


@register.filter
def yuan(value) -> str:
    """1234567.5 -> '1,234,567.50 元'."""
    return format_yuan(value)


@register.filter
def wan_yuan(value) -> str:
    """Amounts as the notices print them: 万元 with four decimals."""
    if value is None or value == "":
        return ""
    amount = (Decimal(value) / Decimal(10000)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    return f"{amount:,.4f} 万元"


@register.simple_tag(takes_context=True)
def query_with(context, **kwargs) -> str:
    """The current query string with some parameters replaced (for pagination and sorting links)."""
    params = context["request"].GET.copy()
    for key, value in kwargs.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    return params.urlencode()
