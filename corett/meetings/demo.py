"""Demo data: plenary III-2022 exactly as the coalition's report tells it (San Salvador, 5 and 6
September 2022, at SICA's General Secretariat; the nine members, the observers and the partners
named; agreements A to G in the report's words), the memoranda with OUR and El Pozo de Vida that
agreements A and B approved, follow-up updates in every state, and the next plenary with its
automatic follow-up item. What the report does not say (responsible actors, due dates, validity
of the memoranda, progress) is demonstration data, written as such in the README.

Built through the services, as a Secretariat user would; run once (idempotent by the code
III-2022).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings

from corett.accounts.models import User
from corett.directory.models import Country, Organisation, PresidencyTerm
from corett.meetings import services
from corett.meetings.models import Agreement, Meeting

REPORT_AGREEMENTS: list[tuple[str, str, str, str, str]] = [
    (
        "A", "MdE con OUR", "MoU with OUR",
        "La aprobación y suscripción de un memorándum de entendimiento (MdE) con OUR (Operation Underground "
        "Railroad), una ONG estadounidense dedicada al rescate de víctimas de la trata de personas, con un "
        "enfoque especial en la niñez. Al momento, incluso antes de esta firma, OUR ya había colaborado con "
        "varios países de la CORETT financiando la repatriación de víctimas de trata de personas. El MdE con "
        "OUR se enfoca en esfuerzos como los que ya se han realizado en dicha cooperación.",
        "The approval and signature of a memorandum of understanding (MoU) with OUR (Operation Underground "
        "Railroad), a US NGO dedicated to rescuing victims of trafficking in persons, with a special focus on "
        "children. Even before this signature, OUR had already worked with several CORETT countries, funding "
        "the repatriation of victims of trafficking. The MoU with OUR focuses on efforts such as those already "
        "made in that cooperation.",
    ),
    (
        "B", "MdE con El Pozo de Vida", "MoU with El Pozo de Vida",
        "La aprobación y suscripción de un MdE con El Pozo de Vida, una ONG mexicana dedicada a la lucha contra "
        "la trata de personas y miembro observador de la CORETT. El MdE incluye, entre otros, colaboración para "
        "visibilizar el trabajo de la CORETT mediante la página web y otros, así como para generar materiales "
        "informativos sobre la trata de personas en la región mesoamericana.",
        "The approval and signature of an MoU with El Pozo de Vida, a Mexican NGO dedicated to the fight against "
        "trafficking in persons and an observer member of the CORETT. The MoU includes, among other things, "
        "collaboration to make the CORETT's work visible through the website and other means, and to produce "
        "information materials on trafficking in persons in the Mesoamerican region.",
    ),
    (
        "C", "Plan Operativo de Acción 2023-2025", "Operational Action Plan 2023-2025",
        "CORETT aprobó el Plan Operativo de Acción 2023-2025 que incluye los objetivos y las acciones a tomar "
        "por parte de la Presidencia, Secretaría Técnica, países miembros y miembros observadores.",
        "CORETT approved the Operational Action Plan 2023-2025, which includes the objectives and the actions "
        "to be taken by the Presidency, the Technical Secretariat, the member countries and the observer members.",
    ),
    (
        "D", "Trabajo conjunto con la SG-SICA", "Joint work with SICA's General Secretariat",
        "CORETT mantuvo reuniones con el nuevo Secretario General del Sistema de la Integración Centroamericana "
        "(SICA) y sus asesores para unir esfuerzos en el abordaje de la trata de personas y el tráfico ilícito "
        "de migrantes, así como para colocar estos temas al más alto nivel de la agenda centroamericana. Ya la "
        "CORETT ha trabajado con el SICA por medio de la Comisión de Seguridad de Centroamérica.",
        "CORETT met the new Secretary General of the Central American Integration System (SICA) and his "
        "advisers to join efforts in addressing trafficking in persons and the smuggling of migrants, and to "
        "place these issues at the highest level of the Central American agenda. CORETT has already worked "
        "with SICA through the Central American Security Commission.",
    ),
    (
        "E", "Cooperación con la OIM", "Cooperation with IOM",
        "CORETT agradeció el apoyo y reafirmó el compromiso con las acciones de cooperación del Programa "
        "Regional sobre Migración de la Organización Internacional para las Migraciones (OIM). Esto mediante "
        "la elaboración de las infografías de trata de personas en cada país y en la región, un eventual "
        "estudio sobre los factores de riesgo de las mujeres migrantes en la región, y la coordinación de "
        "proyectos entre la Secretaría General del SICA - OIM - CORETT y STM-COMMCA para abordar la violencia "
        "que afrontan las mujeres migrantes en la región.",
        "CORETT thanked the International Organization for Migration (IOM) Regional Programme on Migration for "
        "its support and reaffirmed its commitment to its cooperation actions: infographics on trafficking in "
        "persons for each country and for the region, a possible study of the risk factors of migrant women in "
        "the region, and the coordination of projects between SICA's General Secretariat, IOM, CORETT and "
        "STM-COMMCA to address the violence migrant women face in the region.",
    ),
    (
        "F", "Capacitación de comisiones y comités locales", "Training of commissions and local committees",
        "CORETT agradeció y aprobó el apoyo de OIM y la SG del SICA para capacitar a las comisiones y comités "
        "locales miembros de la CORETT sobre las estrategias de prevención de la trata de personas y tráfico "
        "ilícito de migrantes, atención de víctimas de trata de personas y personas objeto de tráfico ilícito "
        "de migrantes, y el protocolo de repatriación de víctimas de trata de personas.",
        "CORETT thanked IOM and SICA's General Secretariat for, and approved, their support to train the "
        "CORETT's member commissions and local committees on strategies to prevent trafficking in persons and "
        "the smuggling of migrants, on care for victims of trafficking and for smuggled persons, and on the "
        "protocol for the repatriation of victims of trafficking.",
    ),
    (
        "G", "Folleto para medios de comunicación", "Media brochure",
        "CORETT agradeció y aprobó el folleto sobre comunicación de la trata de personas para medios de "
        "comunicación en la región, elaborado con el apoyo de la Oficina de Naciones Unidas contra la Droga y "
        "el Delito (UNODC).",
        "CORETT thanked UNODC for, and approved, the brochure on communicating about trafficking in persons for "
        "the media in the region, prepared with the support of the United Nations Office on Drugs and Crime.",
    ),
]

# Demonstration values: who answers for each agreement, by when, and where it stands.
ACTORS: dict[str, list[tuple[str, str, str, dt.date]]] = {
    "A": [("secretariat", "", "lead", dt.date(2022, 12, 31)), ("organisation", "OUR", "support", dt.date(2022, 12, 31))],
    "B": [("secretariat", "", "lead", dt.date(2022, 12, 31)), ("organisation", "El Pozo de Vida", "support", dt.date(2022, 12, 31))],
    "C": [("presidency", "", "lead", dt.date(2027, 6, 30)), ("secretariat", "", "support", dt.date(2027, 6, 30))]
    + [("country", iso2, "support", dt.date(2027, 3, 31)) for iso2 in ("BZ", "CR", "SV", "GT", "HN", "MX", "NI", "PA", "DO")],
    "D": [("secretariat", "", "lead", dt.date(2027, 6, 30)), ("organisation", "SG-SICA", "support", dt.date(2027, 6, 30))],
    "E": [("secretariat", "", "lead", dt.date(2024, 6, 30)), ("organisation", "OIM", "support", dt.date(2024, 6, 30))],
    "F": [("secretariat", "", "lead", dt.date(2027, 12, 31)), ("organisation", "OIM", "support", dt.date(2027, 12, 31)),
          ("organisation", "SG-SICA", "support", dt.date(2027, 12, 31))],
    "G": [("secretariat", "", "lead", dt.date(2023, 3, 31)), ("organisation", "UNODC", "support", dt.date(2023, 3, 31))],
}
FULFILLED = ("A", "B", "G")
IN_PROGRESS = ("C", "D", "F")

MEMBERS = ("BZ", "CR", "SV", "GT", "HN", "MX", "NI", "PA", "DO")
OBSERVERS = ("SG-SICA", "OIM", "UNODC", "El Pozo de Vida")
PARTNERS = ("ASFC", "ECPAT Guatemala", "OUR")


def _org(key: str) -> Organisation:
    return Organisation.objects.filter(acronym=key).first() or Organisation.objects.get(name=key)


def _commission(iso2: str) -> Organisation:
    return Organisation.objects.get(kind="national_commission", country__iso2=iso2)


def seed(accounts: dict[str, Any]) -> None:
    if not settings.DEMO:
        raise RuntimeError("Demo data is loaded only when CORETT_DEMO=1.")
    if Meeting.objects.filter(code="III-2022").exists():
        return
    staff = User.objects.get(username=accounts["secretariat"].username)
    plenary = _plenary_iii_2022(staff)
    agreements = {a.letter: a for a in plenary.agreements.all()}
    _mous(staff, agreements)
    _updates(staff, agreements)
    nxt = _next_plenary(staff)
    _minutes(staff, plenary, nxt)


def _plenary_iii_2022(staff: User) -> Meeting:
    presidency = PresidencyTerm.objects.filter(started_on__lte=dt.date(2022, 9, 5), ended_on__gte=dt.date(2022, 9, 5)).first()
    meeting = services.meeting_create(actor=staff, data={
        "kind": "ordinary", "number": 3, "title_es": "Reunión Plenaria de la CORETT III-2022",
        "title_en": "CORETT Plenary Meeting III-2022", "modality": "in_person",
        "host_country": Country.objects.get(iso2="SV"), "city": "San Salvador",
        "venue": "Secretaría General del Sistema de la Integración Centroamericana (SG-SICA)",
        "starts_on": dt.date(2022, 9, 5), "ends_on": dt.date(2022, 9, 6), "presidency": presidency,
        "is_public": True,
    })
    meeting = services.meeting_transition(actor=staff, meeting=meeting, to_state="convened")
    for iso2 in MEMBERS:
        services.delegation_add(actor=staff, meeting=meeting, data={"organisation": _commission(iso2), "capacity": "member"})
    for key in OBSERVERS:
        services.delegation_add(actor=staff, meeting=meeting, data={"organisation": _org(key), "capacity": "observer"})
    for key in PARTNERS:
        services.delegation_add(actor=staff, meeting=meeting, data={"organisation": _org(key), "capacity": "partner"})
    items = {}
    for key, es, en in (
        ("agreements", "Acuerdos de la plenaria", "Agreements of the plenary"),
        ("sica", "Reunión con el Secretario General del SICA", "Meeting with the Secretary General of SICA"),
    ):
        items[key] = services.agenda_item_add(actor=staff, meeting=meeting, data={"title_es": es, "title_en": en})
    for letter, title_es, title_en, text_es, text_en in REPORT_AGREEMENTS:
        agreement = services.agreement_create(actor=staff, meeting=meeting, data={
            "letter": letter, "title_es": title_es, "title_en": title_en, "text_es": text_es, "text_en": text_en,
            "agenda_item": items["sica" if letter == "D" else "agreements"],
        })
        for kind, key, role, due_on in ACTORS[letter]:
            data: dict[str, Any] = {"kind": kind, "role": role, "due_on": due_on, "reporting": "half_yearly"}
            if kind == "country":
                data["country"] = Country.objects.get(iso2=key)
            elif kind == "organisation":
                data["organisation"] = _org(key)
            services.actor_add(actor=staff, agreement=agreement, data=data)
        services.agreement_decide(actor=staff, agreement=agreement, adoption_state="adopted")
    meeting = services.meeting_transition(actor=staff, meeting=meeting, to_state="held")
    for item in meeting.agenda_items.all():
        services.agenda_item_decide(actor=staff, item=item, outcome="dealt_with")
    meeting = services.meeting_transition(actor=staff, meeting=meeting, to_state="closed")
    for agreement in meeting.agreements.all():
        if agreement.letter in FULFILLED:
            services.agreement_set_implementation(actor=staff, agreement=agreement, to_state="fulfilled")
        elif agreement.letter in IN_PROGRESS:
            services.agreement_set_implementation(actor=staff, agreement=agreement, to_state="in_progress")
    # E stays pending past its due date: the sweep turns it overdue, as `corett meetings-overdue` does daily.
    services.sweep()
    return meeting


def _mous(staff: User, agreements: dict[str, Agreement]) -> None:
    our = services.mou_create(actor=staff, data={
        "code": "MDE-2022-01", "title_es": "Memorándum de entendimiento CORETT - Operation Underground Railroad",
        "title_en": "Memorandum of understanding CORETT - Operation Underground Railroad",
        "purpose": "Cooperación para el rescate de víctimas de la trata de personas y el financiamiento de su "
                   "repatriación, con un enfoque especial en la niñez.",
        "themes": "repatriación, financiamiento, niñez", "authorised_by": agreements["A"],
        "signed_on": dt.date(2022, 9, 6), "valid_from": dt.date(2022, 9, 6), "valid_until": dt.date(2027, 9, 5),
        "renewal_terms": "Renovable por períodos iguales por acuerdo escrito de las partes.", "notice_days": 90,
    })
    pozo = services.mou_create(actor=staff, data={
        "code": "MDE-2022-02", "title_es": "Memorándum de entendimiento CORETT - El Pozo de Vida",
        "title_en": "Memorandum of understanding CORETT - El Pozo de Vida",
        "purpose": "Visibilizar el trabajo de la CORETT mediante la página web y otros medios, y generar "
                   "materiales informativos sobre la trata de personas en la región mesoamericana.",
        "themes": "comunicación, sitio web, materiales informativos", "authorised_by": agreements["B"],
        "signed_on": dt.date(2022, 9, 6), "valid_from": dt.date(2022, 9, 6), "valid_until": dt.date(2027, 1, 31),
        "renewal_terms": "Renovación automática por un año salvo aviso en contrario.", "notice_days": 60,
    })
    secretariat_org = staff.organisation
    for mou, partner in ((our, _org("OUR")), (pozo, _org("El Pozo de Vida"))):
        services.mou_party_add(actor=staff, mou=mou, data={"organisation": secretariat_org, "signatory": "Secretaría Técnica de la CORETT"})
        services.mou_party_add(actor=staff, mou=mou, data={"organisation": partner})
        services.mou_version_add(actor=staff, mou=mou, text=f"{mou.title_es}\n\n{mou.purpose}\n\n(Texto de demostración.)",
                                 reason="Texto aprobado en la Plenaria III-2022")
        for state in ("negotiation", "legal_review", "approved", "in_force"):
            services.mou_transition(actor=staff, mou=mou, to_state=state)
    our_party = our.parties.get(organisation__acronym="OUR")
    services.commitment_add(actor=staff, mou=our, data={
        "party": our_party, "kind": "funding", "currency": "USD",
        "description": "Financiar la repatriación de víctimas de trata, con prioridad para niñas, niños y adolescentes",
        "status": "in_progress"})
    services.commitment_add(actor=staff, mou=our, data={
        "party": our.parties.get(organisation=secretariat_org), "kind": "general",
        "description": "Canalizar a OUR las solicitudes de financiamiento de los países", "status": "in_progress"})
    pozo_party = pozo.parties.get(organisation__name="El Pozo de Vida")
    services.commitment_add(actor=staff, mou=pozo, data={
        "party": pozo_party, "description": "Visibilizar el trabajo de la CORETT en su página web",
        "due_on": dt.date(2023, 6, 30), "status": "met"})
    services.commitment_add(actor=staff, mou=pozo, data={
        "party": pozo_party, "description": "Elaborar materiales informativos sobre la trata en la región mesoamericana",
        "due_on": dt.date(2026, 12, 31), "status": "in_progress"})


def _updates(staff: User, agreements: dict[str, Agreement]) -> None:
    """Agreement C's follow-up by the focal points, in every state an update can be in."""
    plan = agreements["C"]
    for iso2, percent, outcome in (("gt", 60, "accepted"), ("sv", 45, "returned"), ("hn", 30, "submitted"),
                                   ("cr", 20, "draft")):
        focal = User.objects.get(username=f"focal-{iso2}")
        actor = plan.actors.get(kind="country", country__iso2=iso2.upper())
        update = services.update_create(actor=focal, agreement=plan, data={
            "actor": actor, "percent_done": percent,
            "narrative": "Se designaron las personas responsables de las acciones del plan y se presentó el "
                         "primer informe a la comisión nacional. (Texto de demostración.)"})
        if outcome == "draft":
            continue
        update = services.update_submit(actor=focal, update=update)
        if outcome == "accepted":
            services.update_review(actor=staff, update=update, accept=True)
        elif outcome == "returned":
            services.update_review(actor=staff, update=update, accept=False,
                                   comment="Indique qué acciones del plan se ejecutaron y adjunte la evidencia.")


def _next_plenary(staff: User) -> Meeting:
    meeting = services.meeting_create(actor=staff, data={
        "kind": "ordinary", "number": 1, "title_es": "Reunión Plenaria de la CORETT I-2023",
        "title_en": "CORETT Plenary Meeting I-2023", "modality": "virtual",
        "starts_on": dt.date(2023, 3, 22), "ends_on": dt.date(2023, 3, 22), "is_public": True,
    })
    services.agenda_item_add(actor=staff, meeting=meeting, data={
        "title_es": "Aprobación del acta de la Plenaria III-2022", "title_en": "Approval of the minutes of plenary III-2022"})
    meeting = services.meeting_transition(actor=staff, meeting=meeting, to_state="convened")
    return services.meeting_transition(actor=staff, meeting=meeting, to_state="held")


def _minutes(staff: User, plenary: Meeting, approved_at: Meeting) -> None:
    minutes = services.minutes_draft(actor=staff, meeting=plenary)
    services.minutes_circulate(actor=staff, minutes=minutes)
    services.minutes_approve(actor=staff, minutes=minutes, at_meeting=approved_at)
    services.minutes_freeze(actor=staff, minutes=minutes)
