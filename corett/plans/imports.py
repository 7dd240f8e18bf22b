"""The plan from the Excel template: all of it or nothing, with every error named by sheet and row.

The template (``template_workbook``) has five sheets, read by column position (the headings are
there for people): Plan, Results, Actions, Indicators, Targets. The whole file is read and checked
first; the plan is then written inside one transaction, and any error a record's own validation
finds rolls everything back. So the Secretariat sees every problem of the file at once and never a
half-loaded plan.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook

from corett import policy
from corett.audit.services import audit_log
from corett.plans.actors import ActorCodes
from corett.plans.models import (
    Action,
    Axis,
    ExpectedResult,
    Frequency,
    Indicator,
    Involvement,
    Measure,
    Objective,
    Plan,
    Responsibility,
    ResultType,
    Target,
)
from corett.plans.services import _create_periods

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 2000

SHEETS: dict[str, list[Any]] = {
    "Plan": [gettext_lazy("Field"), gettext_lazy("Value")],
    "Results": [gettext_lazy("Axis code"), gettext_lazy("Axis"), gettext_lazy("Objective code"),
                gettext_lazy("Objective"), gettext_lazy("Result code"), gettext_lazy("Expected result"),
                gettext_lazy("Type (output/outcome)")],
    "Actions": [gettext_lazy("Code"), gettext_lazy("Result code"), gettext_lazy("Description"),
                gettext_lazy("Lead"), gettext_lazy("Support"), gettext_lazy("Planned start"),
                gettext_lazy("Planned end"), gettext_lazy("Budget"), gettext_lazy("Currency"),
                gettext_lazy("Funding source")],
    "Indicators": [gettext_lazy("Code"), gettext_lazy("Result code"), gettext_lazy("Title"),
                   gettext_lazy("Definition"), gettext_lazy("Measure (unit/percentage/qualitative)"),
                   gettext_lazy("Higher is better (yes/no)"), gettext_lazy("Cumulative (yes/no)"),
                   gettext_lazy("Baseline value"), gettext_lazy("Baseline year"), gettext_lazy("Baseline comment"),
                   gettext_lazy("Means of verification"), gettext_lazy("Responsible"),
                   gettext_lazy("Key indicator (yes/no)"), gettext_lazy("By country (yes/no)"),
                   gettext_lazy("Computed from")],
    "Targets": [gettext_lazy("Indicator code"), gettext_lazy("Year"), gettext_lazy("Country (blank: regional)"),
                gettext_lazy("Target value"), gettext_lazy("Comment")],
}
PLAN_FIELDS = ["code", "title", "first_year", "last_year", "reporting_period"]


@dataclass(frozen=True)
class RowError:
    sheet: str
    row: int  # as Excel numbers it (the heading is row 1)
    message: str


@dataclass
class ImportResult:
    plan: Plan | None = None
    errors: list[RowError] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


class _Rollback(Exception):
    pass


def template_workbook() -> bytes:
    """The empty template, with one example row per sheet (to be replaced)."""
    workbook = Workbook()
    workbook.remove(workbook.active)  # type: ignore[arg-type]
    examples: dict[str, list[list[Any]]] = {
        "Plan": [["code", "POA-2023-2025"], ["title", "Plan Operativo de Acción 2023-2025"], ["first_year", 2023],
                 ["last_year", 2025], ["reporting_period", "semester"]],
        "Results": [["1", "Prevención", "1.1", "Fortalecer la prevención", "1.1.1",
                     "Campañas regionales realizadas", "output"]],
        "Actions": [["1.1.1.1", "1.1.1", "Campaña regional de prevención", "SECRETARIAT", "ALL; OIM",
                     dt.date(2023, 3, 1), dt.date(2023, 12, 15), 25000, "USD", "OIM"]],
        "Indicators": [["I-1", "1.1.1", "Campañas realizadas", "Número de campañas", "unit", "yes", "yes", 0, 2022,
                        "", "Informes de campaña", "SECRETARIAT", "yes", "no", ""]],
        "Targets": [["I-1", 2023, "", 1, ""]],
    }
    for name, headings in SHEETS.items():
        sheet = workbook.create_sheet(name)
        sheet.append([str(h) for h in headings])
        for row in examples[name]:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- Reading cells ---------------------------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _date(value: Any, label: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(_text(value))
    except ValueError:
        raise ValidationError(_("%(field)s must be a date (YYYY-MM-DD).") % {"field": label}) from None


def _decimal(value: Any, label: str, *, required: bool = False) -> Decimal | None:
    if value is None or _text(value) == "":
        if required:
            raise ValidationError(_("%(field)s is required.") % {"field": label})
        return None
    try:
        number = Decimal(_text(value).replace(",", ""))
    except InvalidOperation:
        raise ValidationError(_("%(field)s must be a number.") % {"field": label}) from None
    if not number.is_finite():
        raise ValidationError(_("%(field)s must be a number.") % {"field": label})
    return number


def _year(value: Any, label: str) -> int:
    number = _int(value, label)
    assert number is not None  # required: _int raised otherwise
    return number


def _int(value: Any, label: str, *, required: bool = True) -> int | None:
    number = _decimal(value, label, required=required)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise ValidationError(_("%(field)s must be a whole number.") % {"field": label})
    return int(number)


YES = {"yes", "sí", "si", "true", "1", "x"}
NO = {"no", "false", "0", ""}


def _bool(value: Any, label: str) -> bool:
    text = _text(value).lower()
    if text in YES:
        return True
    if text in NO:
        return False
    raise ValidationError(_("%(field)s must be yes or no.") % {"field": label})


def _choice(value: Any, choices: Any, label: str) -> str:
    text = _text(value).lower()
    if text not in choices.values:
        raise ValidationError(_("%(field)s must be one of: %(choices)s.") % {
            "field": label, "choices": ", ".join(choices.values)})
    return text


def _messages(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(f"{name}: {' '.join(msgs)}" if name != "__all__" else " ".join(msgs)
                         for name, msgs in exc.message_dict.items())
    return " ".join(exc.messages)


# --- The import ------------------------------------------------------------------------------------


class _Reader:
    def __init__(self, workbook: Any) -> None:
        self.workbook = workbook
        self.errors: list[RowError] = []
        self.actors = ActorCodes()

    def rows(self, name: str) -> list[tuple[int, tuple]]:
        if name not in self.workbook.sheetnames:
            self.errors.append(RowError(name, 0, _("The sheet “%(sheet)s” is missing.") % {"sheet": name}))
            return []
        found: list[tuple[int, tuple]] = []
        width = len(SHEETS[name])
        for number, row in enumerate(self.workbook[name].iter_rows(min_row=2, values_only=True), start=2):
            cells = tuple(list(row[:width]) + [None] * (width - len(row[:width])))
            if all(_text(c) == "" for c in cells):
                continue
            if len(found) >= MAX_ROWS:
                self.errors.append(RowError(name, number, _("Too many rows (at most %(max)s).") % {"max": MAX_ROWS}))
                break
            found.append((number, cells))
        return found

    def error(self, sheet: str, row: int, exc: ValidationError | str) -> None:
        message = exc if isinstance(exc, str) else _messages(exc)
        self.errors.append(RowError(sheet, row, message))


def plan_import(*, actor: Any, upload: Any) -> ImportResult:
    """Read the template from ``upload`` (a file object) and create a draft plan, or nothing."""
    policy.authorize(actor, "plans.manage")
    result = ImportResult()
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_BYTES:
        result.errors.append(RowError("", 0, _("The file is larger than 5 MB.")))
        return result
    try:
        workbook = load_workbook(upload, read_only=True, data_only=True)
    except Exception:
        result.errors.append(RowError("", 0, _("This is not a readable Excel (.xlsx) file. Start from the template.")))
        return result
    reader = _Reader(workbook)
    for name in SHEETS:
        if name not in workbook.sheetnames:
            reader.error(name, 0, _("The sheet “%(sheet)s” is missing.") % {"sheet": name})
    if reader.errors:
        workbook.close()
        result.errors = reader.errors
        return result
    try:
        with transaction.atomic():
            plan = _write(reader, actor, result)
            if reader.errors or plan is None:
                raise _Rollback
            audit_log(actor=actor, action="plans.plan.import", obj=plan, extra={"code": plan.code, **result.counts})
            result.plan = plan
    except _Rollback:
        result.plan = None
        result.counts = {}
    finally:
        workbook.close()
    result.errors = reader.errors
    return result


def _write(reader: _Reader, actor: Any, result: ImportResult) -> Plan | None:
    plan = _write_plan(reader)
    if plan is None:
        return None
    results = _write_results(reader, plan)
    actions = _write_actions(reader, plan, results)
    indicators = _write_indicators(reader, plan, results)
    targets = _write_targets(reader, indicators)
    result.counts = {"results": len(results), "actions": actions, "indicators": len(indicators), "targets": targets}
    if not actions and not reader.errors:
        reader.error("Actions", 0, _("The plan has no actions."))
    return plan


def _write_plan(reader: _Reader) -> Plan | None:
    values: dict[str, Any] = {}
    rows = {}
    for number, (key, value) in reader.rows("Plan"):
        values[_text(key).lower()] = value
        rows[_text(key).lower()] = number
    if reader.errors:
        return None
    missing = [name for name in PLAN_FIELDS if _text(values.get(name)) == ""]
    if missing:
        reader.error("Plan", 0, _("Missing: %(fields)s.") % {"fields": ", ".join(missing)})
        return None
    try:
        plan = Plan(
            code=_text(values["code"]).upper(), title=_text(values["title"]),
            start_year=_year(values["first_year"], "first_year"), end_year=_year(values["last_year"], "last_year"),
            reporting_frequency=_choice(values["reporting_period"], Frequency, "reporting_period"),
        )
        if Plan.objects.filter(code=plan.code).exists():
            raise ValidationError({"code": _("A plan with this code exists: open a new version of it instead.")})
        plan.full_clean()
    except ValidationError as exc:
        reader.error("Plan", rows.get("code", 0), exc)
        return None
    plan.save()
    _create_periods(plan)
    return plan


def _write_results(reader: _Reader, plan: Plan) -> dict[str, ExpectedResult]:
    axes: dict[str, Axis] = {}
    objectives: dict[str, Objective] = {}
    results: dict[str, ExpectedResult] = {}
    for number, cells in reader.rows("Results"):
        axis_code, axis_title, objective_code, objective_title, code, title, kind = (_text(c) for c in cells)
        try:
            if not (axis_code and objective_code and code and title):
                raise ValidationError(_("Axis code, objective code, result code and result are required."))
            if code in results:
                raise ValidationError(_("The result code %(code)s appears twice.") % {"code": code})
            if axis_code not in axes:
                axes[axis_code] = _saved(Axis(plan=plan, code=axis_code, title=axis_title))
            if objective_code not in objectives:
                objectives[objective_code] = _saved(
                    Objective(axis=axes[axis_code], code=objective_code, title=objective_title))
            elif objectives[objective_code].axis_id != axes[axis_code].pk:
                raise ValidationError(_("The objective %(code)s is under two axes.") % {"code": objective_code})
            results[code] = _saved(ExpectedResult(
                objective=objectives[objective_code], code=code, title=title,
                result_type=_choice(kind, ResultType, _("Type"))))
        except ValidationError as exc:
            reader.error("Results", number, exc)
    return results


def _saved(instance: Any) -> Any:
    # The plan is new, so uniqueness within it is what the reader's own "appears twice" checks
    # decide; the models' clean() holds every other rule, and the database's constraints stand
    # behind both. Django's validate_constraints would add a query per constraint and row.
    instance.full_clean(validate_constraints=False)
    instance.save()
    return instance


def _write_actions(reader: _Reader, plan: Plan, results: dict[str, ExpectedResult]) -> int:
    count = 0
    seen: set[str] = set()
    for number, cells in reader.rows("Actions"):
        code, result_code, description, lead, support, start, end, budget, currency, funding = cells
        try:
            code = _text(code)
            if code in seen:
                raise ValidationError(_("The action code %(code)s appears twice.") % {"code": code})
            seen.add(code)
            result = results.get(_text(result_code))
            if result is None:
                raise ValidationError(_("Unknown result code “%(code)s”.") % {"code": _text(result_code)})
            leads = reader.actors.parse_list(_text(lead))
            if not leads:
                raise ValidationError(_("An action needs at least one responsible actor (column Lead)."))
            supports = reader.actors.parse_list(_text(support))
            keys = [a.key for a in leads + supports]
            if len(keys) != len(set(keys)):
                raise ValidationError(_("An actor is named twice for the same action."))
            action = _saved(Action(
                plan=plan, result=result, code=code, description=_text(description),
                planned_start=_date(start, _("Planned start")), planned_end=_date(end, _("Planned end")),
                budget=_decimal(budget, _("Budget")), currency=_text(currency).upper() or "USD",
                funding_source=_text(funding)))
            Responsibility.objects.bulk_create(
                [Responsibility(action=action, actor_kind=a.kind, country_id=a.country_id,
                                organisation_id=a.organisation_id, involvement=Involvement.LEAD) for a in leads]
                + [Responsibility(action=action, actor_kind=a.kind, country_id=a.country_id,
                                  organisation_id=a.organisation_id, involvement=Involvement.SUPPORT)
                   for a in supports])
            count += 1
        except ValidationError as exc:
            reader.error("Actions", number, exc)
    return count


def _write_indicators(reader: _Reader, plan: Plan, results: dict[str, ExpectedResult]) -> dict[str, Indicator]:
    indicators: dict[str, Indicator] = {}
    for number, cells in reader.rows("Indicators"):
        (code, result_code, title, definition, measure, ascending, cumulative, baseline, baseline_year,
         baseline_comment, verification, responsible, key, by_country, source) = cells
        try:
            code = _text(code)
            if code in indicators:
                raise ValidationError(_("The indicator code %(code)s appears twice.") % {"code": code})
            result = results.get(_text(result_code))
            if result is None:
                raise ValidationError(_("Unknown result code “%(code)s”.") % {"code": _text(result_code)})
            who = reader.actors.parse(_text(responsible))
            indicators[code] = _saved(Indicator(
                plan=plan, result=result, code=code, title=_text(title), definition=_text(definition),
                measure=_choice(measure or "unit", Measure, _("Measure")),
                ascending=_bool(ascending if _text(ascending) else "yes", _("Higher is better")),
                cumulative=_bool(cumulative, _("Cumulative")), baseline_value=_decimal(baseline, _("Baseline value")),
                baseline_year=_int(baseline_year, _("Baseline year"), required=False),
                baseline_comment=_text(baseline_comment), means_of_verification=_text(verification),
                actor_kind=who.kind, country_id=who.country_id, organisation_id=who.organisation_id,
                is_key=_bool(key, _("Key indicator")), by_country=_bool(by_country, _("By country")),
                source=_text(source)))
        except ValidationError as exc:
            reader.error("Indicators", number, exc)
    return indicators


def _write_targets(reader: _Reader, indicators: dict[str, Indicator]) -> int:
    count = 0
    seen: set[tuple[str, int | None, str]] = set()
    for number, cells in reader.rows("Targets"):
        code, year, country, value, comment = cells
        try:
            indicator = indicators.get(_text(code))
            if indicator is None:
                raise ValidationError(_("Unknown indicator code “%(code)s”.") % {"code": _text(code)})
            iso2 = _text(country).upper()
            country_obj = reader.actors.countries.get(iso2) if iso2 else None
            if iso2 and country_obj is None:
                raise ValidationError(_("Unknown country code “%(code)s”.") % {"code": iso2})
            year_number = _year(year, _("Year"))
            key = (indicator.code, year_number, iso2)
            if key in seen:
                raise ValidationError(_("This target appears twice."))
            seen.add(key)
            _saved(Target(indicator=indicator, year=year_number, country=country_obj,
                          value=_decimal(value, _("Target value"), required=True) or Decimal(0),
                          comment=_text(comment)))
            count += 1
        except ValidationError as exc:
            reader.error("Targets", number, exc)
    return count
