"""Training pages for signed-in users: programmes, sessions, participants, committees, figures.

Each object view fetches through a ``_get_<thing>_for_user`` helper (404 when out of scope, then
``policy.authorize``: 403, audited); writes go through the services. The pages anonymous
visitors use (the registration link, the participant's own page, verification) are in
``public_views.py``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from corett import policy
from corett.audit.services import audit_log
from corett.core.forms import add_service_error, submitted
from corett.directory.models import Organisation, OrganisationKind
from corett.lib.exports import FORMATS
from corett.training import certificates, figures, services
from corett.training.forms import (
    AttendanceForm,
    CertificateLanguageForm,
    CommitteeMemberForm,
    CommitteeProfileForm,
    DashboardFilterForm,
    MaterialForm,
    MergeForm,
    ParticipantForm,
    ProgrammeForm,
    QuestionForm,
    RevokeForm,
    SessionFilterForm,
    SessionForm,
    TopicForm,
    TransitionForm,
)
from corett.training.learning import knowledge_gain
from corett.training.models import (
    SESSION_TRANSITIONS,
    Certificate,
    CommitteeMember,
    CommitteeProfile,
    Material,
    Participant,
    Programme,
    Registration,
    RegistrationStatus,
    Session,
    SessionState,
    SurveyResponse,
    Topic,
)

PAGE_SIZE = 25


# --- Fetch and authorise ----------------------------------------------------------------------


def _get_programme_for_user(user: Any, pk: int, action: str = "training.view") -> Programme:
    programme = get_object_or_404(
        Programme.objects.visible_to(user).select_related("topic").prefetch_related("partners"), pk=pk
    )
    policy.authorize(user, action, programme)
    return programme


def _get_session_for_user(user: Any, pk: int, action: str = "training.view") -> Session:
    sessions = Session.objects.visible_to(user).select_related("programme", "programme__topic", "country")
    session = get_object_or_404(sessions.prefetch_related("trainers", "target_committees"), pk=pk)
    policy.authorize(user, action, session)
    return session


def _get_registration_for_user(user: Any, pk: int) -> Registration:
    registration = get_object_or_404(
        Registration.objects.select_related("session", "session__programme", "session__country", "participant")
        .prefetch_related("session__trainers")
        .filter(session__in=Session.objects.managed_by(user)),
        pk=pk,
    )
    policy.authorize(user, "training.manage_session", registration.session)
    return registration


def _get_certificate_for_user(user: Any, pk: int) -> Certificate:
    certificate = get_object_or_404(
        Certificate.objects.select_related("registration__session__programme", "registration__session__country")
        .prefetch_related("registration__session__trainers")
        .filter(registration__session__in=Session.objects.managed_by(user)),
        pk=pk,
    )
    policy.authorize(user, "training.manage_session", certificate.registration.session)
    return certificate


def _get_participant_for_user(user: Any, pk: int) -> Participant:
    participant = get_object_or_404(Participant.objects.visible_to(user).select_related("country", "organisation"), pk=pk)
    policy.authorize(user, "training.view_participant", participant)
    return participant


def _get_committee_for_user(user: Any, pk: int, action: str = "training.view") -> Organisation:
    committee = get_object_or_404(
        Organisation.objects.select_related("country"), pk=pk, kind=OrganisationKind.LOCAL_COMMITTEE
    )
    policy.authorize(user, action, committee)
    return committee


def _form_page(request: HttpRequest, form: Any, *, title: str, back: str, status: int = 200) -> HttpResponse:
    return render(request, "training/form_page.html", {"form": form, "title": title, "back": back}, status=status)


# --- Sessions ---------------------------------------------------------------------------------


@login_required
@require_GET
def session_list(request: HttpRequest) -> HttpResponse:
    policy.authorize(request.user, "training.view")
    form = SessionFilterForm(request.GET or None)
    sessions = Session.objects.visible_to(request.user).select_related("programme", "country").annotate(
        confirmed=Count("registrations", filter=Q(registrations__status=RegistrationStatus.CONFIRMED))
    ).order_by("-starts_on", "-pk")  # explicit: a grouped query drops the model's default order
    if form.is_valid():
        data = form.cleaned_data
        if data["state"]:
            sessions = sessions.filter(state=data["state"])
        if data["country"]:
            sessions = sessions.filter(country=data["country"])
        if data["programme"]:
            sessions = sessions.filter(programme=data["programme"])
    page = Paginator(sessions, PAGE_SIZE).get_page(request.GET.get("page"))
    managed = set(Session.objects.managed_by(request.user).filter(pk__in=[s.pk for s in page]).values_list("pk", flat=True))
    return render(request, "training/session_list.html", {
        "page": page, "form": form, "managed": managed,
        "can_add": policy.can(request.user, "training.add_session"),
    })


@login_required
def session_create(request: HttpRequest) -> HttpResponse:
    policy.authorize(request.user, "training.add_session")
    initial = {"country": getattr(request.user, "country", None), "programme": request.GET.get("programme")}
    form = SessionForm(request.POST or None, initial=initial)
    session = submitted(request, form, lambda data: services.session_create(actor=request.user, data=data))
    if session is not None:
        messages.success(request, _("Session created."))
        return redirect(session)
    return _form_page(request, form, title=_("New training session"), back=reverse("training:session_list"))


@login_required
def session_edit(request: HttpRequest, pk: int) -> HttpResponse:
    session = _get_session_for_user(request.user, pk, "training.manage_session")
    form = SessionForm(request.POST or None, instance=Session.objects.get(pk=pk))
    saved = submitted(request, form, lambda data: services.session_update(actor=request.user, session=session, data=data))
    if saved is not None:
        messages.success(request, _("Session updated."))
        return redirect(session)
    return _form_page(request, form, title=_("Change the session"), back=session.get_absolute_url())


@login_required
@require_GET
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    session = _get_session_for_user(request.user, pk)
    manages = policy.can(request.user, "training.manage_session", session)
    context: dict[str, Any] = {
        "session": session, "manages": manages, "counts": services.registration_counts(session),
        "next_states": [SessionState(s) for s in SESSION_TRANSITIONS[session.state]],
        "trained_committees": services.committees_reached(Session.objects.filter(pk=session.pk)),
    }
    if manages:
        today = timezone.localdate()
        context.update({
            "registration_url": request.build_absolute_uri(reverse("training:register", args=[session.registration_token])),
            "check_in_code": session.check_in_code(today) if today in session.days else None,
            "gain": knowledge_gain(session.registrations.all()),
            "survey": SurveyResponse.objects.filter(registration__session=session).aggregate(
                n=Count("pk"), **{f: _avg(f) for f in ("overall", "relevance", "trainers")}
            ),
        })
    return render(request, "training/session_detail.html", context)


def _avg(field: str) -> Any:
    from django.db.models import Avg

    return Avg(field)


@login_required
@require_POST
def session_transition(request: HttpRequest, pk: int) -> HttpResponse:
    session = _get_session_for_user(request.user, pk, "training.manage_session")
    form = TransitionForm(request.POST)
    if form.is_valid():
        try:
            services.session_transition(actor=request.user, session=session, state=form.cleaned_data["state"],
                                        note=form.cleaned_data["note"])
            messages.success(request, _("The session is now: %(state)s.") % {"state": session.get_state_display()})
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    else:
        messages.error(request, _("Choose a state the session can move to."))
    return redirect(session)


@login_required
@require_POST
def session_renew_link(request: HttpRequest, pk: int) -> HttpResponse:
    session = _get_session_for_user(request.user, pk, "training.manage_session")
    services.session_renew_link(actor=request.user, session=session)
    messages.success(request, _("A new registration link was made; the old one no longer works."))
    return redirect(session)


# --- Registrations ----------------------------------------------------------------------------


@login_required
def session_participants(request: HttpRequest, pk: int) -> HttpResponse:
    session = _get_session_for_user(request.user, pk, "training.manage_session")
    form = ParticipantForm(request.POST or None, initial={"country": session.country_id})
    registration = submitted(
        request, form, lambda data: services.register_by_organiser(actor=request.user, session=session, data=data)
    )
    if registration is not None:
        messages.success(request, _("Registered: %(status)s.") % {"status": registration.get_status_display()})
        return redirect("training:session_participants", pk=session.pk)
    registrations = (
        session.registrations.select_related("participant", "participant__country", "certificate")
        .annotate(days=Count("attendances", distinct=True))
        .prefetch_related(Prefetch("test_attempts"))
        .order_by("status", "participant__full_name")
    )
    return render(request, "training/session_participants.html", {
        "session": session, "registrations": registrations, "form": form,
        "counts": services.registration_counts(session), "day_count": len(session.days),
    }, status=400 if request.method == "POST" else 200)


def _registration_action(request: HttpRequest, pk: int, action: Any, done: str) -> HttpResponse:
    registration = _get_registration_for_user(request.user, pk)
    try:
        action(actor=request.user, registration=registration)
        messages.success(request, done)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("training:session_participants", pk=registration.session_id)


@login_required
@require_POST
def registration_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _registration_action(request, pk, services.registration_approve, _("Registration approved."))


@login_required
@require_POST
def registration_reject(request: HttpRequest, pk: int) -> HttpResponse:
    return _registration_action(request, pk, services.registration_reject, _("Registration not accepted."))


@login_required
@require_POST
def registration_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _registration_action(request, pk, services.registration_cancel, _("Registration cancelled."))


# --- Attendance -------------------------------------------------------------------------------


@login_required
def session_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    session = _get_session_for_user(request.user, pk, "training.manage_session")
    registrations = list(session.registrations.holding_place().select_related("participant").order_by("participant__full_name"))
    today = timezone.localdate()
    chosen = request.GET.get("day") or (today.isoformat() if today in session.days else session.starts_on.isoformat())
    form = AttendanceForm(request.POST or None, session=session, registrations=registrations, initial={"day": chosen})
    done = submitted(request, form, lambda data: services.attendance_record(
        actor=request.user, session=session, day=data["day"], present=data["present"]))
    if done is not None:
        messages.success(request, _("Attendance saved: %(count)s present.") % {"count": done})
        return redirect(f"{reverse('training:session_attendance', args=[session.pk])}?day={form.cleaned_data['day'].isoformat()}")
    day = form.cleaned_data["day"].isoformat() if form.is_bound and form.is_valid() else chosen
    present = set(session.registrations.filter(attendances__day=day).values_list("pk", flat=True))
    if not form.is_bound:
        form.initial["present"] = list(present)
    return render(request, "training/session_attendance.html", {
        "session": session, "form": form, "day": day, "registrations": registrations,
    }, status=400 if form.is_bound else 200)


# --- Certificates -----------------------------------------------------------------------------


@login_required
def session_certificates(request: HttpRequest, pk: int) -> HttpResponse:
    session = _get_session_for_user(request.user, pk, "training.manage_session")
    form = CertificateLanguageForm(request.POST or None, initial={"language": session.language})
    issued = submitted(request, form, lambda data: certificates.certificates_issue_batch(
        actor=request.user, session=session, language=data["language"]))
    if issued is not None:
        messages.success(request, _("%(count)s certificates issued.") % {"count": len(issued)})
        return redirect("training:session_certificates", pk=session.pk)
    rows = Certificate.objects.filter(registration__session=session).select_related("registration__participant")
    waiting = session.registrations.filter(
        status=RegistrationStatus.CONFIRMED, completed=True, certificate__isnull=True
    ).select_related("participant")
    return render(request, "training/session_certificates.html", {
        "session": session, "form": form, "certificates": rows, "waiting": waiting,
    }, status=400 if request.method == "POST" else 200)


@login_required
@require_POST
def certificate_issue(request: HttpRequest, pk: int) -> HttpResponse:
    registration = _get_registration_for_user(request.user, pk)
    form = CertificateLanguageForm(request.POST)
    language = form.cleaned_data["language"] if form.is_valid() else ""
    try:
        certificates.certificate_issue(actor=request.user, registration=registration, language=language)
        messages.success(request, _("Certificate issued."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("training:session_certificates", pk=registration.session_id)


@login_required
def certificate_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    certificate = _get_certificate_for_user(request.user, pk)
    form = RevokeForm(request.POST or None)
    done = submitted(request, form, lambda data: certificates.certificate_revoke(
        actor=request.user, certificate=certificate, reason=data["reason"]))
    if done is not None:
        messages.success(request, _("Certificate %(code)s revoked.") % {"code": certificate.display_code})
        return redirect("training:session_certificates", pk=certificate.registration.session_id)
    return render(request, "training/certificate_revoke.html", {"certificate": certificate, "form": form},
                  status=400 if request.method == "POST" else 200)


@login_required
@require_GET
def certificate_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    certificate = _get_certificate_for_user(request.user, pk)
    return _pdf_response(certificates.render_certificates([certificate]), f"certificate-{certificate.code}.pdf")


@login_required
@require_GET
def session_certificates_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    session = _get_session_for_user(request.user, pk, "training.manage_session")
    valid = list(Certificate.objects.filter(registration__session=session, revoked_at__isnull=True).order_by("holder_name"))
    if not valid:
        messages.error(request, _("This session has no valid certificates to print."))
        return redirect("training:session_certificates", pk=session.pk)
    audit_log(actor=request.user, action="training.certificate.print_batch", obj=session, extra={"count": len(valid)})
    return _pdf_response(certificates.render_certificates(valid), f"certificates-session-{session.pk}.pdf")


def _pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename) or ""
    response["Cache-Control"] = "private, no-store"
    return response


# --- Programmes and topics --------------------------------------------------------------------


@login_required
@require_GET
def programme_list(request: HttpRequest) -> HttpResponse:
    policy.authorize(request.user, "training.view")
    programmes = Programme.objects.visible_to(request.user).select_related("topic").prefetch_related("partners").annotate(
        session_count=Count("sessions")
    )
    return render(request, "training/programme_list.html", {
        "programmes": programmes, "can_manage": policy.can(request.user, "training.manage_programmes"),
    })


@login_required
def programme_create(request: HttpRequest) -> HttpResponse:
    policy.authorize(request.user, "training.manage_programmes")
    form = ProgrammeForm(request.POST or None)
    programme = submitted(request, form, lambda data: services.programme_create(actor=request.user, data=data))
    if programme is not None:
        messages.success(request, _("Programme created."))
        return redirect(programme)
    return _form_page(request, form, title=_("New training programme"), back=reverse("training:programme_list"))


@login_required
def programme_edit(request: HttpRequest, pk: int) -> HttpResponse:
    programme = _get_programme_for_user(request.user, pk, "training.manage_programmes")
    form = ProgrammeForm(request.POST or None, instance=Programme.objects.get(pk=pk))
    saved = submitted(request, form, lambda data: services.programme_update(actor=request.user, programme=programme, data=data))
    if saved is not None:
        messages.success(request, _("Programme updated."))
        return redirect(programme)
    return _form_page(request, form, title=_("Change the programme"), back=programme.get_absolute_url())


@login_required
@require_GET
def programme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    programme = _get_programme_for_user(request.user, pk)
    sessions = programme.sessions.select_related("country").order_by("-starts_on")
    return render(request, "training/programme_detail.html", {
        "programme": programme, "sessions": sessions, "materials": programme.materials.all(),
        "questions": programme.questions.all() if policy.can(request.user, "training.manage_programmes") else None,
        "can_manage": policy.can(request.user, "training.manage_programmes"),
        "can_add_session": policy.can(request.user, "training.add_session"),
        "gain": knowledge_gain(Registration.objects.filter(session__programme=programme)),
    })


@login_required
def material_add(request: HttpRequest, pk: int) -> HttpResponse:
    programme = _get_programme_for_user(request.user, pk, "training.manage_programmes")
    form = MaterialForm(request.POST or None, request.FILES or None)
    if submitted(request, form, lambda data: services.material_add(actor=request.user, programme=programme, data=data)):
        messages.success(request, _("Material added."))
        return redirect(programme)
    return _form_page(request, form, title=_("Add a material"), back=programme.get_absolute_url())


@login_required
@require_GET
def material_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    material = get_object_or_404(Material.objects.select_related("programme"), pk=pk, programme__in=Programme.objects.visible_to(request.user))
    policy.authorize(request.user, "training.view", material.programme)
    if not material.file:
        raise Http404
    response = FileResponse(material.file.open("rb"), as_attachment=True, filename=material.file.name.rsplit("/", 1)[-1])
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def question_add(request: HttpRequest, pk: int) -> HttpResponse:
    programme = _get_programme_for_user(request.user, pk, "training.manage_programmes")
    form = QuestionForm(request.POST or None)
    if submitted(request, form, lambda data: services.question_add(actor=request.user, programme=programme, data=data)):
        messages.success(request, _("Question added to the bank."))
        return redirect(programme)
    return _form_page(request, form, title=_("Add a question"), back=programme.get_absolute_url())


@login_required
def topic_list(request: HttpRequest) -> HttpResponse:
    policy.authorize(request.user, "training.view")
    can_manage = policy.can(request.user, "training.manage_programmes")
    form = TopicForm(request.POST or None)
    if request.method == "POST":
        policy.authorize(request.user, "training.manage_programmes")
        if submitted(request, form, lambda data: services.topic_create(actor=request.user, data=data)):
            messages.success(request, _("Topic added."))
            return redirect("training:topic_list")
    topics = Topic.objects.annotate(programme_count=Count("programmes"))
    return render(request, "training/topic_list.html", {"topics": topics, "form": form, "can_manage": can_manage},
                  status=400 if request.method == "POST" else 200)


# --- Participants -----------------------------------------------------------------------------


@login_required
@require_GET
def participant_list(request: HttpRequest) -> HttpResponse:
    policy.authorize(request.user, "training.view_participant")
    participants = Participant.objects.visible_to(request.user).select_related("country").annotate(
        sessions=Count("registrations")
    ).order_by("full_name", "pk")
    text = (request.GET.get("q") or "").strip()[:100]
    if text:
        participants = participants.filter(Q(full_name__icontains=text) | Q(email__icontains=text) | Q(institution__icontains=text))
    page = Paginator(participants, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "training/participant_list.html", {"page": page, "q": text})


@login_required
def participant_detail(request: HttpRequest, pk: int) -> HttpResponse:
    participant = _get_participant_for_user(request.user, pk)
    candidates = services.possible_duplicates(participant, Participant.objects.visible_to(request.user))
    form = MergeForm(request.POST or None, candidates=candidates)
    if request.method == "POST":
        policy.authorize(request.user, "training.merge_participants")
        merged = submitted(request, form, lambda data: services.participant_merge(
            actor=request.user, keep=participant, duplicate=data["duplicate"]))
        if merged is not None:
            messages.success(request, _("The two records are now one person."))
            return redirect(participant)
    registrations = participant.registrations.select_related("session", "session__programme", "session__country")
    return render(request, "training/participant_detail.html", {
        "participant": participant, "registrations": registrations, "form": form, "candidates": candidates,
        "can_merge": policy.can(request.user, "training.merge_participants"),
    }, status=400 if request.method == "POST" else 200)


# --- Local committees -------------------------------------------------------------------------


@login_required
@require_GET
def committee_list(request: HttpRequest) -> HttpResponse:
    policy.authorize(request.user, "training.view")
    committees = (
        Organisation.objects.filter(kind=OrganisationKind.LOCAL_COMMITTEE)
        .select_related("country", "committee_profile")
        .annotate(
            sessions_targeting=Count("training_sessions", distinct=True),
            people_trained=Count(
                "training_participants", filter=Q(training_participants__registrations__completed=True), distinct=True
            ),
        )
        .order_by("country__name_es", "name")
    )
    return render(request, "training/committee_list.html", {"committees": committees})


@login_required
def committee_detail(request: HttpRequest, pk: int) -> HttpResponse:
    committee = _get_committee_for_user(request.user, pk)
    profile = CommitteeProfile.objects.filter(organisation=committee).first()
    can_manage = policy.can(request.user, "training.manage_committee", committee)
    profile_form = CommitteeProfileForm(request.POST if request.POST.get("form") == "profile" else None, instance=profile)
    member_form = CommitteeMemberForm(request.POST if request.POST.get("form") == "member" else None)
    if request.method == "POST":
        policy.authorize(request.user, "training.manage_committee", committee)
        if request.POST.get("form") == "profile" and submitted(request, profile_form, lambda data: services.committee_profile_save(
                actor=request.user, committee=committee, data=data)):
            messages.success(request, _("Committee details saved."))
            return redirect("training:committee_detail", pk=committee.pk)
        if request.POST.get("form") == "member":
            if profile is None:
                member_form.is_valid()
                add_service_error(member_form, ValidationError(_("Give the committee's municipality first.")))
            elif submitted(request, member_form, lambda data: services.committee_member_add(
                    actor=request.user, profile=profile, data=data)):
                messages.success(request, _("Member added."))
                return redirect("training:committee_detail", pk=committee.pk)
    sessions = committee.training_sessions.select_related("programme", "country").order_by("-starts_on")
    return render(request, "training/committee_detail.html", {
        "committee": committee, "profile": profile, "can_manage": can_manage,
        "members": profile.members.all() if profile and policy.can(request.user, "training.view_committee_members", committee) else None,
        "profile_form": profile_form, "member_form": member_form, "sessions": sessions,
        "trained": Registration.objects.filter(participant__organisation=committee, completed=True).values("participant").distinct().count(),
    }, status=400 if request.method == "POST" else 200)


@login_required
@require_POST
def committee_member_remove(request: HttpRequest, pk: int, member: int) -> HttpResponse:
    committee = _get_committee_for_user(request.user, pk, "training.manage_committee")
    found = CommitteeMember.objects.select_related("committee__organisation").filter(
        pk=member, committee__organisation=committee
    ).first()
    if found is None:  # removed meanwhile (a second click): nothing left to do
        messages.info(request, _("This member was already removed."))
    else:
        services.committee_member_remove(actor=request.user, member=found)
        messages.success(request, _("Member removed."))
    return redirect("training:committee_detail", pk=committee.pk)


# --- Figures ----------------------------------------------------------------------------------


def _filters(form: DashboardFilterForm) -> figures.Filters:
    if not form.is_valid():
        return figures.Filters()
    data = form.cleaned_data
    return figures.Filters(start=data["start"], end=data["end"], country=data["country"], topic=data["topic"],
                           programme=data["programme"])


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    policy.authorize(request.user, "training.view_dashboard")
    form = DashboardFilterForm(request.GET or None)
    data = figures.dashboard(_filters(form))
    return render(request, "training/dashboard.html", {
        "form": form, "figures": data, "query": request.GET.urlencode(), "threshold": figures.SMALL_COUNT_THRESHOLD,
        "formats": FORMATS,
    })


@login_required
@require_GET
def dashboard_export(request: HttpRequest) -> HttpResponse:
    policy.authorize(request.user, "training.export_dashboard")
    fmt = request.GET.get("format", "csv")
    if fmt not in FORMATS:
        fmt = "csv"
    form = DashboardFilterForm(request.GET)
    export = figures.DashboardExporter(figures.dashboard(_filters(form))).export(fmt)
    audit_log(actor=request.user, action="training.figures.export", extra={"format": fmt, "rows": export.rows})
    return export.as_response()
