"""Who may do what in infographics (rules registered in the one policy layer)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet  # noqa: F401

from corett.accounts.roles import Role  # noqa: F401
from corett.policy import ANY_ROLE, REGIONAL, STAFF, rule, scoping  # noqa: F401

# Infographics and the explorer show released figures only: approved and disclosure-controlled
# (the statistics module's ``released_values``), the same any coalition member may publish. So
# every role may look at them and download them; a country's focal point additionally sees its
# own country's figures exactly in the explorer's table (the release decides that, not this).
# The public (no account) reaches the approved infographics through the website, not here.


@rule("infographics.view")
def _view_infographics(user: Any, obj: Any) -> bool:
    return user.has_role(*ANY_ROLE)


@rule("infographics.explore")
def _explore(user: Any, obj: Any) -> bool:
    return user.has_role(*ANY_ROLE)


@rule("infographics.export")
def _export(user: Any, obj: Any) -> bool:
    """Exports carry the public release only (see ``corett.infographics.explorer``)."""
    return user.has_role(*ANY_ROLE)
