"""The demo Operational Action Plan 2023-2025 (agreement C of plenary III-2022).

Clearly illustrative: the plenary approved a POA 2023-2025 with objectives and actions for the
Presidency, the Technical Secretariat, the member countries and the observers; the axes,
actions, budgets and figures below are invented to show the module, built from what the plenary's
other agreements name (the MoUs with OUR and El Pozo de Vida, the infographics, the study with IOM
on migrant women, the SICA-IOM-CORETT-COMMCA projects, the IOM/SICA training, the UNODC media
guide). Progress reports are written through the services, as the demo users, in every state.
Idempotent: nothing is added when the plan exists.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction

from corett.accounts.models import User
from corett.directory.models import Country
from corett.plans import services
from corett.plans.actors import ActorCodes
from corett.plans.models import (
    ActionStatus,
    Axis,
    ExpectedResult,
    Indicator,
    JointProject,
    Measure,
    Milestone,
    Objective,
    Plan,
    PlanState,
    ProgressReport,
    ProjectDocument,
    ReportingPeriod,
    Target,
)

CODE = "POA-2023-2025"
D = dt.date

# axis, title, [(objective, title, [(result, title, type)])]
TREE = [
    ("1", "Prevención y comunicación", [
        ("1.1", "Sensibilizar a la población y a los medios sobre la trata de personas", [
            ("1.1.1", "Infografías nacionales y regional de trata de personas publicadas", "output"),
            ("1.1.2", "Medios de comunicación de la región aplican el folleto de UNODC", "outcome"),
        ]),
    ]),
    ("2", "Protección y repatriación de víctimas", [
        ("2.1", "Aplicar el protocolo regional de repatriación", [
            ("2.1.1", "Víctimas repatriadas según el protocolo, con financiamiento de socios", "outcome"),
            ("2.1.2", "Comisiones y comités locales capacitados en atención y repatriación", "output"),
        ]),
    ]),
    ("3", "Coordinación regional y alianzas", [
        ("3.1", "Colocar la trata y el tráfico ilícito de migrantes en la agenda centroamericana", [
            ("3.1.1", "Agenda conjunta con la SG-SICA y la OIM", "outcome"),
            ("3.1.2", "Estudio sobre factores de riesgo de las mujeres migrantes", "output"),
        ]),
        ("3.2", "Dar seguimiento al plan y a los acuerdos de la plenaria", [
            ("3.2.1", "Informes de avance semestrales aprobados", "output"),
        ]),
    ]),
]

# code, result, description, lead, support, start, end, budget, funding source
ACTIONS: list[tuple[str, str, str, str, str, dt.date, dt.date, int | None, str]] = [
    ("1.1.1.1", "1.1.1", "Elaborar y publicar la infografía nacional de trata de personas", "ALL", "OIM",
     D(2023, 2, 1), D(2023, 11, 30), 4000, "OIM, Programa Regional sobre Migración"),
    ("1.1.1.2", "1.1.1", "Consolidar y publicar la infografía regional", "SECRETARIAT", "OIM",
     D(2023, 9, 1), D(2024, 3, 31), 6000, "OIM"),
    ("1.1.2.1", "1.1.2", "Difundir el folleto de comunicación para medios elaborado con UNODC", "UNODC",
     "SECRETARIAT; EL POZO DE VIDA", D(2023, 1, 15), D(2024, 6, 30), 8000, "UNODC"),
    ("1.1.2.2", "1.1.2", "Campaña digital regional en la página web de la coalición", "EL POZO DE VIDA",
     "SECRETARIAT", D(2024, 1, 15), D(2025, 10, 31), 12000, "El Pozo de Vida (MdE III-2022/B)"),
    ("2.1.1.1", "2.1.1", "Financiar repatriaciones de víctimas, con énfasis en niñez", "OUR", "ALL",
     D(2023, 1, 1), D(2025, 12, 31), 150000, "Operation Underground Railroad (MdE III-2022/A)"),
    ("2.1.1.2", "2.1.1", "Designar y mantener actualizados los puntos focales de repatriación", "ALL", "",
     D(2023, 1, 1), D(2023, 6, 30), None, ""),
    ("2.1.1.3", "2.1.1", "Pilotar el registro regional de casos de repatriación", "GT", "HN; SV; SECRETARIAT",
     D(2024, 1, 1), D(2025, 6, 30), 20000, "Cooperación Luxemburguesa"),
    ("2.1.2.1", "2.1.2", "Capacitar a comisiones y comités locales en prevención, atención y repatriación",
     "OIM", "SG-SICA; ALL", D(2023, 4, 1), D(2025, 9, 30), 60000, "OIM y SG-SICA"),
    ("3.1.1.1", "3.1.1", "Reuniones de alto nivel con la Secretaría General del SICA", "PRESIDENCY",
     "SECRETARIAT; SG-SICA", D(2023, 1, 1), D(2025, 12, 31), None, ""),
    ("3.1.1.2", "3.1.1", "Coordinar los proyectos SG-SICA – OIM – CORETT – STM-COMMCA sobre violencia "  # noqa: RUF001
     "contra mujeres migrantes", "SECRETARIAT", "OIM; STM-COMMCA", D(2023, 6, 1), D(2025, 12, 31), 30000,
     "OIM"),
    ("3.1.2.1", "3.1.2", "Estudio sobre factores de riesgo de las mujeres migrantes en la región", "OIM",
     "SECRETARIAT; MX", D(2024, 2, 1), D(2025, 8, 31), 45000, "OIM"),
    ("3.2.1.1", "3.2.1", "Consolidar los informes de avance semestrales para la plenaria", "SECRETARIAT",
     "PRESIDENCY", D(2023, 1, 1), D(2025, 12, 31), None, ""),
]

# code, result, title, measure, cumulative, baseline, baseline year, responsible, key, by country, source,
# targets {year: value}
INDICATORS: list[tuple[Any, ...]] = [
    ("I-1", "2.1.1", "Víctimas repatriadas según el protocolo regional", Measure.UNIT, True, 0, 2022,
     "SECRETARIAT", True, True, "cases.victims_repatriated", {2023: 20, 2024: 30, 2025: 40}),
    ("I-2", "2.1.2", "Personas de comisiones y comités locales capacitadas", Measure.UNIT, True, 0, 2022,
     "OIM", True, False, "training.people_trained", {2023: 60, 2024: 120, 2025: 120}),
    ("I-3", "1.1.1", "Infografías nacionales publicadas", Measure.UNIT, False, 0, 2022, "ALL", True, True, "",
     {2023: 9, 2024: 9, 2025: 9}),
    ("I-4", "2.1.1", "Porcentaje de países con punto focal de repatriación activo", Measure.PERCENTAGE, False, 55,
     2022, "SECRETARIAT", True, False, "", {2023: 100, 2024: 100, 2025: 100}),
    ("I-5", "3.1.1", "Víctimas detectadas en la región (estadísticas aprobadas)", Measure.UNIT, False, None,
     None, "SECRETARIAT", False, False, "statistics:detected_victims", {}),
    ("I-6", "3.1.1", "Inclusión de la trata en la agenda de la Reunión de Presidentes del SICA",
     Measure.QUALITATIVE, False, None, None, "PRESIDENCY", False, False, "", {}),
]

# Each period's reports: who files, in what state, at what percent of its actions.
APPROVED_AND_LOCKED = ["2023-S1", "2023-S2", "2024-S1", "2024-S2"]
LAST_PERIOD = "2025-S2"
LAST_STATES = {
    "focal-gt": "approved", "focal-hn": "submitted", "focal-sv": "returned", "focal-cr": "draft",
    "secretariat": "approved", "observer-iom": "submitted", "partner-our": "approved",
}


@transaction.atomic
def seed(accounts: dict[str, Any]) -> None:
    if Plan.objects.filter(code=CODE).exists():
        return
    staff = User.objects.get(username="secretariat")
    codes = ActorCodes()
    plan = services.plan_create(actor=staff, data={
        "code": CODE, "title": "Plan Operativo de Acción 2023-2025 (ilustrativo)", "start_year": 2023,
        "end_year": 2025, "reporting_frequency": "semester", "report_due_days": 30})
    results = _tree(plan)
    actions = {}
    for code, result, text, lead, support, start, end, budget, funding in ACTIONS:
        responsibles = [services.ResponsibleActor(codes.parse(c), "lead") for c in lead.split(";")]
        responsibles += [services.ResponsibleActor(codes.parse(c), "support") for c in support.split(";") if c.strip()]
        actions[code] = services.action_save(actor=staff, plan=plan, responsibles=responsibles, data={
            "result": results[result], "code": code, "description": text, "planned_start": start,
            "planned_end": end, "budget": Decimal(budget) if budget else None, "currency": "USD",
            "funding_source": funding})
    _indicators(plan, results, codes)
    _projects(plan, actions, codes)
    for state in (PlanState.IN_REVIEW, PlanState.APPROVED, PlanState.IN_EXECUTION):
        services.plan_transition(actor=staff, plan=plan, to_state=state, agreement_reference="III-2022/C",
                                 approved_on=D(2022, 9, 6))
    plan.refresh_from_db()
    _reports(plan, staff)
    _second_version(plan, staff, codes)


def _second_version(plan: Plan, staff: User, codes: ActorCodes) -> None:
    """A draft version 2, to show how an approved plan changes (and how versions compare)."""
    new = services.plan_new_version(
        actor=staff, plan=plan,
        reason="Ilustrativo: la plenaria pide extender el estudio sobre mujeres migrantes hasta noviembre "
               "de 2025 y añadir una acción de seguimiento con STM-COMMCA.")
    study = new.actions.get(code="3.1.2.1")
    services.action_save(
        actor=staff, plan=new, action=study, data={"planned_end": D(2025, 11, 30)},
        responsibles=[services.ResponsibleActor(codes.parse("OIM"), "lead"),
                      services.ResponsibleActor(codes.parse("SECRETARIAT"), "support"),
                      services.ResponsibleActor(codes.parse("MX"), "support")])
    services.action_save(
        actor=staff, plan=new, responsibles=[services.ResponsibleActor(codes.parse("STM-COMMCA"), "lead"),
                                             services.ResponsibleActor(codes.parse("SECRETARIAT"), "support")],
        data={"result": new.actions.get(code="3.1.1.2").result, "code": "3.1.1.3",
              "description": "Seguimiento conjunto con STM-COMMCA de las recomendaciones del estudio",
              "planned_start": D(2025, 9, 1), "planned_end": D(2025, 12, 31), "budget": Decimal(5000),
              "currency": "USD", "funding_source": "Por definir"})


def _tree(plan: Plan) -> dict[str, ExpectedResult]:
    results = {}
    for axis_code, axis_title, objectives in TREE:
        axis = Axis.objects.create(plan=plan, code=axis_code, title=axis_title)
        for objective_code, objective_title, rows in objectives:
            objective = Objective.objects.create(axis=axis, code=objective_code, title=objective_title)
            for code, title, kind in rows:
                results[code] = ExpectedResult.objects.create(objective=objective, code=code, title=title,
                                                              result_type=kind)
    return results


def _indicators(plan: Plan, results: dict[str, ExpectedResult], codes: ActorCodes) -> None:
    members = list(Country.objects.members())
    for (code, result, title, measure, cumulative, baseline, year, who, key, by_country, source,
         targets) in INDICATORS:
        actor = codes.parse(who)
        indicator = Indicator(
            plan=plan, result=results[result], code=code, title=title, measure=measure, cumulative=cumulative,
            baseline_value=Decimal(baseline) if baseline is not None else None, baseline_year=year,
            baseline_comment="Valor de referencia ilustrativo" if baseline is not None else "",
            means_of_verification="Informes de avance aprobados; registros de la plataforma",
            actor_kind=actor.kind, country_id=actor.country_id, organisation_id=actor.organisation_id,
            is_key=key, by_country=by_country, source=source, definition=title)
        indicator.full_clean()
        indicator.save()
        for target_year, value in targets.items():
            Target.objects.create(indicator=indicator, year=target_year, value=Decimal(value))
            if by_country and members:
                share = Decimal(value) / len(members) if code != "I-3" else Decimal(1)
                for country in members:
                    Target.objects.create(indicator=indicator, year=target_year, country=country,
                                          value=share.quantize(Decimal("0.1")))


def _projects(plan: Plan, actions: dict[str, Any], codes: ActorCodes) -> None:
    study = JointProject.objects.create(
        plan=plan, code="P-1", kind="study", title="Estudio sobre los factores de riesgo de las mujeres migrantes",
        description="Estudio con la OIM previsto en el acuerdo E de la plenaria III-2022 (ilustrativo).",
        starts_on=D(2024, 2, 1), ends_on=D(2025, 8, 31))
    project = JointProject.objects.create(
        plan=plan, code="P-2", kind="project",
        title="Proyectos SG-SICA – OIM – CORETT – STM-COMMCA sobre violencia contra mujeres migrantes",  # noqa: RUF001
        description="Coordinación de proyectos regionales (acuerdo E de la plenaria III-2022; ilustrativo).",
        starts_on=D(2023, 6, 1), ends_on=D(2025, 12, 31))
    from corett.meetings.models import Agreement

    # Both were started by agreement E of plenary III-2022 (when the meetings demo holds it).
    started_by = Agreement.objects.filter(code="III-2022/E").first()
    if started_by is not None:
        JointProject.objects.filter(pk__in=[study.pk, project.pk]).update(started_by=started_by)
    for item, partners, served in ((study, ["OIM"], ["3.1.2.1"]),
                                   (project, ["OIM", "SG-SICA", "STM-COMMCA"], ["3.1.1.2"])):
        item.partners.set([codes.organisations[p] for p in partners if p in codes.organisations])
        item.actions.set([actions[c] for c in served])
    Milestone.objects.bulk_create([
        Milestone(project=study, title="Términos de referencia aprobados", due_on=D(2024, 3, 31),
                  done_on=D(2024, 3, 20)),
        Milestone(project=study, title="Trabajo de campo en cuatro países", due_on=D(2024, 12, 15),
                  done_on=D(2025, 2, 10)),
        Milestone(project=study, title="Presentación del estudio a la plenaria", due_on=D(2025, 8, 31)),
        Milestone(project=project, title="Hoja de ruta conjunta firmada", due_on=D(2023, 10, 31),
                  done_on=D(2023, 11, 7)),
        Milestone(project=project, title="Primer informe conjunto", due_on=D(2025, 6, 30)),
    ])
    ProjectDocument.objects.create(
        project=study, title="Términos de referencia (ilustrativo)", content_type="application/pdf",
        file=ContentFile(_tiny_pdf("Terminos de referencia - documento ilustrativo"), name="tdr-estudio.pdf"))


def _tiny_pdf(text: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=f"<p>{text}</p>", base_url="about:blank").write_pdf()


def _progress(report: ProgressReport, period_index: int, *, complete: bool = False) -> None:
    actions = {}
    for update in report.action_updates.select_related("action"):
        action = update.action
        period: ReportingPeriod = report.period
        if period.ends_on < action.planned_start:
            status, percent = ActionStatus.NOT_STARTED, 0
        elif complete or (period.ends_on >= action.planned_end and action.code not in ("2.1.1.3", "1.1.2.2")):
            status, percent = ActionStatus.COMPLETED, 100
        elif action.code in ("2.1.1.3", "1.1.2.2") and period.ends_on > action.planned_end:
            status, percent = ActionStatus.DELAYED, 80
        else:
            span = max((action.planned_end - action.planned_start).days, 1)
            percent = min(95, max(5, round(100 * (period.ends_on - action.planned_start).days / span)))
            status = ActionStatus.IN_PROGRESS
        obstacles = "Retraso en la firma del convenio con el donante." if status == ActionStatus.DELAYED else ""
        actions[update.pk] = services.ActionProgress(status, percent, "Actividades del período realizadas "
                                                                      "según lo previsto (ilustrativo).", obstacles)
    indicators = {}
    for value in report.indicator_values.select_related("indicator"):
        code = value.indicator.code
        if value.indicator.measure == Measure.QUALITATIVE:
            indicators[value.pk] = services.IndicatorProgress(narrative="Gestiones en curso con la SG-SICA.")
        elif code == "I-4":
            indicators[value.pk] = services.IndicatorProgress(value=Decimal(min(100, 66 + 8 * period_index)))
        else:
            indicators[value.pk] = services.IndicatorProgress(value=Decimal(1 if period_index % 2 else 0))
    services.report_save(actor=report.created_by, report=report, summary="Resumen ilustrativo del período.",
                         actions=actions, indicators=indicators)


def _reports(plan: Plan, staff: User) -> None:
    users = {u.username: u for u in User.objects.filter(username__in=[
        "focal-gt", "focal-hn", "focal-sv", "focal-cr", "secretariat", "observer-iom", "partner-our"])}
    periods = {p.label: p for p in plan.periods.all()}
    for index, label in enumerate(APPROVED_AND_LOCKED):
        for username in ("focal-gt", "focal-hn", "secretariat", "observer-iom", "partner-our"):
            if username not in users:
                continue
            report = services.report_start(actor=users[username], period=periods[label])
            _progress(report, index)
            services.report_submit(actor=users[username], report=report)
            services.report_approve(actor=staff, report=report, notes="Conforme.")
        services.period_lock(actor=staff, period=periods[label])
    # 2025-S1: approved, left open; 2025-S2: every state of the workflow.
    for username in ("focal-gt", "focal-hn", "secretariat", "partner-our"):
        if username in users:
            report = services.report_start(actor=users[username], period=periods["2025-S1"])
            _progress(report, 4)
            services.report_submit(actor=users[username], report=report)
            services.report_approve(actor=staff, report=report)
    for username, state in LAST_STATES.items():
        if username not in users:
            continue
        report = services.report_start(actor=users[username], period=periods[LAST_PERIOD])
        _progress(report, 5, complete=username == "secretariat")
        if state == "draft":
            continue
        services.report_submit(actor=users[username], report=report)
        if state == "approved":
            services.report_approve(actor=staff, report=report)
        elif state == "returned":
            services.report_return(actor=staff, report=report,
                                   notes="Adjunte la evidencia de las capacitaciones y revise el porcentaje de 2.1.1.3.")
