"""What the platform may tell someone, and with which words.

A notification is stored as a kind and a few parameters, never as text: the text is written at
display time, in the reader's language. Each kind declares its parameters, and each parameter
accepts only a value that cannot identify anyone: a case code (checked against its check
character), a code from a closed vocabulary (a stage, an approval kind), a date or a count.
There is no free-text parameter, so a name, a birth date or a narrative has no way in: the
guarantee is in the types, not in the care of each caller. Later modules add their kinds here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import formats
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from corett.cases.models import ApprovalKind, ApprovalState, FundingState, Stage, is_valid_case_code

StrOrPromise = str | Promise
JsonValue = str | int


class Param:
    """One parameter: ``clean`` turns a value into what is stored (or refuses it), ``display``
    turns what is stored into words of the active language."""

    def clean(self, value: Any) -> JsonValue:
        raise NotImplementedError

    def display(self, stored: JsonValue) -> str:
        return str(stored)


class CaseCode(Param):
    """A repatriation case's pseudonymous code, e.g. RP-7K2M-Q9XA4."""

    def clean(self, value: Any) -> JsonValue:
        if not isinstance(value, str) or not is_valid_case_code(value):
            raise ValidationError(_("Not a case code."))
        return value


@dataclass(frozen=True)
class Choice(Param):
    """A code from a closed vocabulary; shown as its translated label."""

    labels: Mapping[str, StrOrPromise]

    def clean(self, value: Any) -> JsonValue:
        if not isinstance(value, str) or value not in self.labels:
            raise ValidationError(_("Not a known code."))
        return value

    def display(self, stored: JsonValue) -> str:
        return str(self.labels.get(str(stored), stored))


class Day(Param):
    """A calendar date (not a moment); stored as ISO 8601, shown in the reader's format."""

    def clean(self, value: Any) -> JsonValue:
        if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
            raise ValidationError(_("Not a date."))
        return value.isoformat()

    def display(self, stored: JsonValue) -> str:
        try:
            return formats.date_format(dt.date.fromisoformat(str(stored)), "DATE_FORMAT")
        except ValueError:
            return str(stored)


class Count(Param):
    def clean(self, value: Any) -> JsonValue:
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ValidationError(_("Not a count."))
        return value


def _choices(enum: Any, *values: str) -> dict[str, StrOrPromise]:
    """Labels of an enum's members (of some of them, when ``values`` are given)."""
    return {m.value: m.label for m in enum if not values or m.value in values}


@dataclass(frozen=True)
class Kind:
    code: str
    params: Mapping[str, Param]
    # The message, with %(name)s placeholders; or, when ``by`` names a parameter, one message
    # per value of that parameter (whole sentences translate better than spliced words).
    message: StrOrPromise | Mapping[str, StrOrPromise]
    by: str = ""
    subject: StrOrPromise = field(default=_("CORETT Hub: a case needs your attention"))

    def clean(self, params: Any) -> dict[str, JsonValue]:
        """The parameters as stored, or ValidationError naming what is wrong."""
        if not isinstance(params, Mapping):
            raise ValidationError({"params": _("The parameters must be a mapping.")})
        unknown = sorted(set(params) - set(self.params))
        missing = sorted(set(self.params) - set(params))
        if unknown or missing:
            raise ValidationError(
                {"params": _("Parameters not allowed: %(unknown)s; missing: %(missing)s.")
                 % {"unknown": ", ".join(map(str, unknown)) or "-", "missing": ", ".join(missing) or "-"}}
            )
        cleaned: dict[str, JsonValue] = {}
        for name, param in self.params.items():
            try:
                cleaned[name] = param.clean(params[name])
            except ValidationError as exc:
                raise ValidationError({"params": [f"{name}: {m}" for m in exc.messages]}) from None
        return cleaned

    def render(self, stored: Mapping[str, JsonValue]) -> str:
        """The message in the active language."""
        shown = {name: param.display(stored.get(name, "")) for name, param in self.params.items()}
        if isinstance(self.message, Mapping):
            template = self.message.get(str(stored.get(self.by, "")), next(iter(self.message.values())))
        else:
            template = self.message
        return str(template) % shown


@dataclass(frozen=True)
class Reference(Param):
    """A code of a record that names no person: an agreement ("III-2022/A"), a plan action
    ("1.2.3"), a data set ("2025-S1"). Only the characters of such codes are accepted, and only
    a few of them, so no name or sentence fits."""

    max_length: int = 32

    def clean(self, value: Any) -> JsonValue:
        import re

        if not isinstance(value, str) or not re.fullmatch(rf"[A-Z0-9][A-Z0-9./_-]{{0,{self.max_length - 1}}}",
                                                            value):
            raise ValidationError(_("Not a reference code."))
        return value


CASE = CaseCode()

KINDS: dict[str, Kind] = {
    kind.code: kind
    for kind in (
        Kind(
            "case.requested_to_origin",
            {"case": CASE},
            _("Your country is asked to receive the return of case %(case)s."),
        ),
        Kind(
            "case.origin_answered",
            {"case": CASE, "answer": Choice(_choices(Stage, Stage.ACCEPTED_BY_ORIGIN, Stage.DECLINED_BY_ORIGIN))},
            {
                Stage.ACCEPTED_BY_ORIGIN: _("The country of origin accepted the return of case %(case)s."),
                Stage.DECLINED_BY_ORIGIN: _("The country of origin declined the return of case %(case)s."),
            },
            by="answer",
        ),
        Kind(
            "case.approval_requested",
            {"case": CASE, "approval": Choice(_choices(ApprovalKind))},
            _("Your approval is requested for case %(case)s: %(approval)s."),
        ),
        Kind(
            "case.approval_decided",
            {"case": CASE, "approval": Choice(_choices(ApprovalKind)),
             "decision": Choice(_choices(ApprovalState, ApprovalState.APPROVED, ApprovalState.REJECTED))},
            {
                ApprovalState.APPROVED: _("Your request for case %(case)s was approved: %(approval)s."),
                ApprovalState.REJECTED: _("Your request for case %(case)s was rejected: %(approval)s."),
            },
            by="decision",
        ),
        Kind(
            "case.funding_requested",
            {"case": CASE},
            _("Your organisation is asked to fund the return of case %(case)s."),
        ),
        Kind(
            "case.funding_advanced",
            {"case": CASE, "state": Choice(_choices(FundingState))},
            _("The funding request for case %(case)s is now: %(state)s."),
        ),
        Kind(
            "case.duplicate_suspected",
            {"case": CASE},
            _("Case %(case)s may concern a person who also has a case in another country. "
              "See the flag on the case."),
        ),
        Kind(
            "case.task_overdue",
            {"case": CASE, "stage": Choice(_choices(Stage)), "due_on": Day()},
            _("A task of case %(case)s is overdue: %(stage)s, due on %(due_on)s."),
        ),
    )
}

# The other modules declare their kinds in ``corett/<app>/notification_kinds.py`` (a ``KINDS``
# sequence of Kind), read on first use so that those modules may import this one.
_modules_loaded = False


def _load_module_kinds() -> None:
    global _modules_loaded
    if _modules_loaded:
        return
    from corett import modules

    for part in modules.parts("notification_kinds"):
        for kind in part.KINDS:
            if kind.code in KINDS:
                raise RuntimeError(f"Two notification kinds named {kind.code}")
            KINDS[kind.code] = kind
    _modules_loaded = True


# A notification whose kind a later version no longer knows still says something.
UNKNOWN_MESSAGE = _("You have a notification.")


def get_kind(code: str) -> Kind:
    _load_module_kinds()
    try:
        return KINDS[code]
    except KeyError:
        raise ValidationError({"kind": _("Unknown kind of notification.")}) from None
