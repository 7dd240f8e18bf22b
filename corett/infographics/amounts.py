"""Amounts as an infographic shows them: exact, suppressed ("<5") or bounded ("312-320").

A figure that leaves the owning country is disclosure-controlled: some cells are suppressed and
known only within bounds (UNODC's "<5" is 1 to 4). A sum over such cells is not a number but an
interval, and it is printed as one: never as 0, never as the lower bound alone without saying so.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Amount:
    lower: int = 0
    upper: int | None = 0  # None: no upper bound is known (a part of the sum is unbounded)
    reported: bool = True  # False: nothing was reported at all
    suppressed: bool = False  # the published cell itself is suppressed (e.g. UNODC's "<5")
    # Set when some part carries differentially private noise: the epsilon spent on it.
    epsilon: float | None = None

    @classmethod
    def exact(cls, value: int) -> Amount:
        return cls(lower=value, upper=value)

    @classmethod
    def hidden(cls, lower: int = 1, upper: int | None = 4) -> Amount:
        return cls(lower=lower, upper=upper, suppressed=True)

    @classmethod
    def missing(cls) -> Amount:
        return cls(lower=0, upper=0, reported=False)

    @property
    def is_exact(self) -> bool:
        return self.reported and not self.suppressed and self.upper == self.lower

    @property
    def value(self) -> int | None:
        """The number, when it is known exactly."""
        return self.lower if self.is_exact else None

    def __add__(self, other: Amount) -> Amount:
        if not self.reported:
            return other
        if not other.reported:
            return self
        upper = None if self.upper is None or other.upper is None else self.upper + other.upper
        return Amount(lower=self.lower + other.lower, upper=upper, suppressed=False,
                      epsilon=epsilon_of([self, other]))

    def text(self, language: str | None = None) -> str:
        """"312", "<5", "312-320", "at least 312" or "no data", in the active language."""
        if not self.reported:
            return _("no data")
        if self.suppressed and self.lower <= 1 and self.upper is not None:
            return f"<{self.upper + 1}"
        if self.upper == self.lower:
            return number(self.lower)
        if self.upper is None:
            return _("at least %(number)s") % {"number": number(self.lower)}
        return f"{number(self.lower)}–{number(self.upper)}"  # noqa: RUF001


    def short(self) -> str:
        """As ``text()``, with "≥ 312" for "at least 312": for chart labels, where space is short."""
        if self.reported and self.upper is None:
            return f"≥\u202f{number(self.lower)}"
        return self.text()


def epsilon_of(amounts: Iterable[Amount]) -> float | None:
    """The epsilon a figure made of ``amounts`` states, None when none carries noise.

    The parts an infographic adds up count different people (countries, years, categories), each
    noised independently: by parallel composition the sum spends the largest of their epsilons
    (the rule ``corett.statistics.release`` applies to regional sums)."""
    found = [a.epsilon for a in amounts if a.reported and a.epsilon is not None]
    return max(found) if found else None


def epsilon_number(epsilon: float) -> str:
    """"0.5" in English, "0,5" in Spanish; no trailing zeros ("1", not "1.0")."""
    from django.utils.translation import get_language

    text = f"{epsilon:g}"
    return text.replace(".", ",") if (get_language() or "es").startswith("es") else text


def epsilon_text(epsilon: float) -> str:
    """What a figure carrying differentially private noise says about it: "… ε = 0.5"."""
    return _("Differential privacy: ε = %(epsilon)s") % {"epsilon": epsilon_number(epsilon)}


def total(amounts: list[Amount]) -> Amount:
    result = Amount.missing()
    for amount in amounts:
        result = result + amount
    return result


def number(value: int) -> str:
    """Thousands grouped as each language writes them: "12,345" in English; in Spanish a
    non-breaking space from five digits on ("12 345", "1234"), as the RAE and the UN write it."""
    from django.utils.translation import get_language

    if (get_language() or "es").startswith("es"):
        return f"{value:,}".replace(",", "\u00a0") if value >= 10_000 else str(value)
    return f"{value:,}"


def share(part: Amount, whole: Amount) -> float | None:
    """``part`` as a fraction of ``whole`` when both are exact (a bounded share would mislead)."""
    if part.value is None or not whole.value:
        return None
    return part.value / whole.value
