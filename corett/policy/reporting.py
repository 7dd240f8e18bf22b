"""Who may do what in national reporting (rules registered in the one policy layer)."""

from __future__ import annotations

from typing import Any  # noqa: F401

from django.db.models import QuerySet  # noqa: F401

from corett.accounts.roles import Role  # noqa: F401
from corett.policy import ANY_ROLE, REGIONAL, STAFF, rule, scoping  # noqa: F401
