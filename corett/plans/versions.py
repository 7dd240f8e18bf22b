"""Comparing two versions of a plan: what was added, removed or changed, matched by code."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from corett.plans.models import Involvement, Plan


@dataclass
class Change:
    code: str
    what: str  # "added", "removed", "changed"
    fields: list[tuple[str, str, str]] = field(default_factory=list)  # (label, old, new)


@dataclass
class Section:
    label: str
    changes: list[Change]


def _actions(plan: Plan) -> dict[str, dict[str, Any]]:
    rows = {}
    for a in plan.actions.select_related("result").prefetch_related(
            "responsibilities__country", "responsibilities__organisation"):
        leads = sorted(r.actor_label() for r in a.responsibilities.all() if r.involvement == Involvement.LEAD)
        support = sorted(r.actor_label() for r in a.responsibilities.all() if r.involvement == Involvement.SUPPORT)
        rows[a.code] = {
            _("Expected result"): a.result.code, _("Description"): a.description,
            _("Planned start"): a.planned_start, _("Planned end"): a.planned_end,
            _("Budget"): f"{a.budget} {a.currency}" if a.budget is not None else "",
            _("Funding source"): a.funding_source, _("Lead"): ", ".join(leads), _("Support"): ", ".join(support),
        }
    return rows


def _indicators(plan: Plan) -> dict[str, dict[str, Any]]:
    rows = {}
    for i in plan.indicators.prefetch_related("targets__country"):
        targets = ", ".join(f"{t.year}{' ' + t.country.iso2 if t.country else ''}: {t.value}" for t in i.targets.all())
        rows[i.code] = {
            _("Title"): i.title, _("Definition"): i.definition, _("Measure"): i.get_measure_display(),
            _("Baseline value"): i.baseline_value, _("Baseline year"): i.baseline_year, _("Targets"): targets,
            _("Computed from"): i.source,
        }
    return rows


def _results(plan: Plan) -> dict[str, dict[str, Any]]:
    # Keyed by code and level: an axis and an objective may share a code ("1"), and each level
    # is compared with its own kind. The code comes first, so the tree's order holds when sorted.
    rows = {}
    for axis in plan.axes.prefetch_related("objectives__results"):
        rows[f"{axis.code} ({_('strategic axis')})"] = {_("Strategic axis"): axis.title}
        for objective in axis.objectives.all():
            rows[f"{objective.code} ({_('objective')})"] = {_("Strategic axis"): axis.code,
                                                             _("Objective"): objective.title}
            for result in objective.results.all():
                rows[f"{result.code} ({_('expected result')})"] = {
                    _("Objective"): objective.code, _("Expected result"): result.title,
                    _("Result type"): result.get_result_type_display()}
    return rows


def _diff(old: dict[str, dict[str, Any]], new: dict[str, dict[str, Any]]) -> list[Change]:
    changes = []
    for code in sorted(set(old) | set(new)):
        if code not in old:
            changes.append(Change(code, "added"))
        elif code not in new:
            changes.append(Change(code, "removed"))
        else:
            fields = [(label, str(old[code][label] or ""), str(new[code].get(label) or ""))
                      for label in old[code] if str(old[code][label] or "") != str(new[code].get(label) or "")]
            if fields:
                changes.append(Change(code, "changed", fields))
    return changes


def compare_plans(old: Plan, new: Plan) -> list[Section]:
    sections = [
        Section(_("Results tree"), _diff(_results(old), _results(new))),
        Section(_("Actions"), _diff(_actions(old), _actions(new))),
        Section(_("Indicators"), _diff(_indicators(old), _indicators(new))),
    ]
    if old.title != new.title or (old.start_year, old.end_year) != (new.start_year, new.end_year):
        fields = [(_("Title"), old.title, new.title), (_("Years"), f"{old.start_year}–{old.end_year}",  # noqa: RUF001
                                                       f"{new.start_year}–{new.end_year}")]  # noqa: RUF001
        sections.insert(0, Section(_("Plan"), [Change(new.code, "changed", [f for f in fields if f[1] != f[2]])]))
    return sections
