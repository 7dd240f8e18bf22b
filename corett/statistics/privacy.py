"""Optional differentially private release of public counts (OpenDP, the ``dp`` extra).

Off unless ``STATISTICS_DP_EPSILON`` is set. OpenDP is imported lazily: without it the platform
publishes the suppressed figures without noise, says so on the statistics page, and never
pretends a figure carries an epsilon it does not.
"""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from typing import Any

from django.conf import settings


def opendp_available() -> bool:
    return importlib.util.find_spec("opendp") is not None


def configured_epsilon() -> float | None:
    """The epsilon spent on each published count, or None when DP release is off or impossible."""
    epsilon = getattr(settings, "STATISTICS_DP_EPSILON", None)
    if not epsilon or not opendp_available():
        return None
    return float(epsilon)


@lru_cache(maxsize=8)
def _mechanism(epsilon: float) -> Any:
    import opendp.prelude as dp

    dp.enable_features("contrib")
    # One person changes a count by at most 1: discrete Laplace noise with scale 1/epsilon.
    return dp.m.make_laplace(dp.atom_domain(T=int), dp.absolute_distance(T=int), scale=1.0 / epsilon)


def noisy_count(value: int, epsilon: float) -> int:
    """``value`` plus discrete Laplace noise for ``epsilon``-DP, never below zero (post-processing)."""
    return max(0, int(_mechanism(epsilon)(int(value))))
