"""``{% csp_nonce %}``: the nonce that lets an inline script run under our CSP.

It reads the request's nonce from ``config.security``'s context variable, not
from the template context: widget templates (Wagtail's date pickers) are
rendered without the request.
"""

from __future__ import annotations

from django import template

from config.security import csp_nonce as current_nonce

register = template.Library()


@register.simple_tag
def csp_nonce() -> str:
    return current_nonce()
