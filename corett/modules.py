"""The platform's modules beyond the foundation, and the parts each may plug in.

A module ``corett/<app>/`` may bring, each optional:

- ``navigation.py``: ``ITEMS``, its entries in the main navigation (shown if the policy allows);
- ``api.py``: ``register(router)``, its endpoints under /api/v1/;
- ``notification_kinds.py``: ``KINDS``, the notifications it sends;
- ``demo.py``: ``seed(accounts)``, its demo data (idempotent);
- ``tests/test_access_matrix.py``: ``MATRIX``, its URLs in the authorisation matrix.

Listed in the order their parts are read (the demo is seeded in this order, so a later module
may use an earlier one's data).
"""

from __future__ import annotations

import importlib
import importlib.util
from types import ModuleType

MODULES = ("statistics", "reporting", "infographics", "meetings", "plans", "training", "website")


def parts(part: str) -> list[ModuleType]:
    """Each module's ``part`` (e.g. "navigation"), imported, for the modules that have one."""
    names = [f"corett.{app}.{part}" for app in MODULES]
    return [importlib.import_module(n) for n in names if _exists(n)]


def _exists(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:  # the module's package itself is missing
        return False
