"""The meetings pages: meetings, delegations, agenda, agreements and their follow-up, minutes,
exports, dashboards and memoranda of understanding.

Every object view fetches through a ``_get_<thing>_for_user`` helper: the record is looked up in
its scoped queryset (a record the user may not see is a 404, so its existence does not leak) and
then authorised for the action (403, audited). Writes go through ``corett.meetings.services``.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from corett import policy
from corett.accounts.models import User
from corett.audit.services import audit_log
from corett.core.forms import add_service_error, submitted
from corett.meetings import exports, forms, minutes, services
from corett.meetings.models import (
    MEETING_TRANSITIONS,
    MOU_TRANSITIONS,
    AgendaDocument,
    AgendaItem,
    Agreement,
    Delegation,
    Evidence,
    FollowUpUpdate,
    ImplementationState,
    ImplementationTransition,
    Meeting,
    MeetingState,
    Minutes,
    MinutesState,
    Mou,
    MouCommitment,
    MouState,
    Participant,
    ResponsibleActor,
    UpdateState,
)

REGISTRATION_SALT = "corett.meetings.registration"
AGREEMENTS_PER_PAGE = 50
REGISTRATION_MAX_AGE = 60 * 60 * 24 * 180


class AuthenticatedRequest(HttpRequest):
    user: User


# --- Fetch and authorise ---------------------------------------------------------------------------


def _get_meeting_for_user(user: Any, pk: int, action: str = "meetings.view") -> Meeting:
    meeting = get_object_or_404(
        Meeting.objects.visible_to(user).select_related("host_country", "presidency__country", "external_body"), pk=pk
    )
    policy.authorize(user, action, meeting)
    return meeting


def _get_agreement_for_user(user: Any, pk: int, action: str = "meetings.view_agreement") -> Agreement:
    agreements = Agreement.objects.visible_to(user).select_related("meeting", "agenda_item", "superseded_by").prefetch_related(
        Prefetch("actors", queryset=ResponsibleActor.objects.select_related("country", "organisation"))
    )
    agreement = get_object_or_404(agreements, pk=pk)
    policy.authorize(user, action, agreement if action != "meetings.manage" else agreement.meeting)
    return agreement


def _get_update_for_user(user: Any, pk: int, action: str = "meetings.view_update") -> FollowUpUpdate:
    updates = policy.scope(user, "meetings.view_update", FollowUpUpdate.objects.all()).select_related(
        "agreement__meeting", "actor__country", "actor__organisation", "author", "reviewed_by"
    )
    update = get_object_or_404(updates, pk=pk)
    policy.authorize(user, action, update)
    return update


def _get_mou_for_user(user: Any, pk: int, action: str = "meetings.view_mou") -> Mou:
    mou = get_object_or_404(Mou.objects.visible_to(user).select_related("authorised_by__meeting"), pk=pk)
    policy.authorize(user, action, mou)
    return mou


def _form_page(request: HttpRequest, form: Any, *, title: str, cancel_url: str, crumbs: list[tuple[str, str]],
               multipart: bool = False, intro: str = "") -> HttpResponse:
    status = 400 if request.method == "POST" else 200
    return render(request, "meetings/form_page.html", {
        "form": form, "title": title, "cancel_url": cancel_url, "crumbs": crumbs, "multipart": multipart,
        "intro": intro,
    }, status=status)


def _meeting_crumbs(meeting: Meeting) -> list[tuple[str, str]]:
    return [(reverse("meetings:index"), _("Meetings")), (meeting.get_absolute_url(), meeting.code)]


def _download(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = str(content_disposition_header(as_attachment=True, filename=filename))
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _language(request: HttpRequest) -> str:
    lang = request.GET.get("lang") or (get_language() or "es")[:2]
    if lang not in ("es", "en"):
        raise Http404
    return lang


# --- Meetings ---------------------------------------------------------------------------------------


@login_required
@require_GET
def index(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    policy.authorize(user, "meetings.view")
    meetings = (
        Meeting.objects.visible_to(user).select_related("host_country")
        .annotate(agreement_count=Count("agreements", distinct=True))
    )
    return render(request, "meetings/index.html", {
        "meetings": meetings, "can_manage": policy.can(user, "meetings.manage"),
        "can_owed": policy.can(user, "meetings.view_owed"),
    })


@login_required
def meeting_create(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    policy.authorize(user, "meetings.manage")
    form = forms.MeetingForm(request.POST or None, initial={"starts_on": timezone.localdate()})
    meeting = submitted(request, form, lambda data: services.meeting_create(actor=user, data=data))
    if meeting is not None:
        messages.success(request, _("Meeting %(code)s has been created.") % {"code": meeting.code})
        return redirect(meeting)
    return _form_page(request, form, title=_("New meeting"), cancel_url=reverse("meetings:index"),
                      crumbs=[(reverse("meetings:index"), _("Meetings"))])


@login_required
def meeting_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    meeting = _get_meeting_for_user(user, pk, "meetings.manage")
    form = forms.MeetingForm(request.POST or None, instance=meeting)
    if submitted(request, form, lambda data: services.meeting_update(actor=user, meeting=meeting, data=data)):
        messages.success(request, _("The meeting has been updated."))
        return redirect(meeting)
    return _form_page(request, form, title=_("Edit meeting %(code)s") % {"code": meeting.code},
                      cancel_url=meeting.get_absolute_url(), crumbs=_meeting_crumbs(meeting))


@login_required
@require_GET
def meeting_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    meeting = _get_meeting_for_user(user, pk)
    internal = policy.can(user, "meetings.view_internal", meeting)
    items = list(meeting.agenda_items.prefetch_related("documents").order_by("path"))
    if not internal:
        hidden = {i.path for i in items if not i.is_public}
        items = [i for i in items if not any(i.path == h or i.path.startswith(h + ".") for h in hidden)]
    delegations = meeting.delegations.select_related("organisation__country").prefetch_related("participants")
    agreements = meeting.agreements.select_related("agenda_item").prefetch_related(
        Prefetch("actors", queryset=ResponsibleActor.objects.select_related("country", "organisation"))
    )
    follow_up = services.open_agreements_before(meeting) if any(i.kind == "follow_up" for i in items) else []
    latest = _latest_updates([a.pk for a in follow_up], user)
    can_manage = policy.can(user, "meetings.manage", meeting) and meeting.state not in (
        MeetingState.CLOSED, MeetingState.CANCELLED)
    return render(request, "meetings/meeting_detail.html", {
        "meeting": meeting, "items": items, "delegations": delegations, "agreements": agreements,
        "follow_up": [(a, latest.get(a.pk)) for a in follow_up],
        "can_manage": can_manage, "can_manage_any": policy.can(user, "meetings.manage", meeting),
        "transitions": [(s, MeetingState(s).label) for s in MEETING_TRANSITIONS[MeetingState(meeting.state)]],
        "minutes": Minutes.objects.filter(meeting=meeting).first(),
        "can_minutes": policy.can(user, "meetings.view_minutes", meeting),
        "can_export": policy.can(user, "meetings.export", meeting),
        "undecided": meeting.undecided() if meeting.state == MeetingState.HELD else [],
        "registration_links": _registration_links(request, meeting) if can_manage else {},
        "attendance_form": forms.AttendanceForm(),
        "outcome_form": forms.OutcomeForm(),
    })


def _latest_updates(agreement_ids: list[int], user: Any) -> dict[int, FollowUpUpdate]:
    """The latest accepted update of each agreement (one query)."""
    latest: dict[int, FollowUpUpdate] = {}
    updates = FollowUpUpdate.objects.filter(agreement_id__in=agreement_ids, state=UpdateState.ACCEPTED).order_by("reviewed_at")
    for update in updates:
        latest[update.agreement_id] = update
    return latest


def _registration_links(request: HttpRequest, meeting: Meeting) -> dict[int, str]:
    links = {}
    for participant in Participant.objects.filter(delegation__meeting=meeting).only("pk"):
        token = signing.dumps(participant.pk, salt=REGISTRATION_SALT)
        links[participant.pk] = request.build_absolute_uri(reverse("meetings:register", args=[token]))
    return links


@login_required
@require_POST
def meeting_transition(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    meeting = _get_meeting_for_user(user, pk, "meetings.manage")
    return _state_change(
        request, meeting, lambda to: services.meeting_transition(actor=user, meeting=meeting, to_state=to),
        _("The meeting is now %(state)s."),
    )


def _state_change(request: AuthenticatedRequest, record: Any, move: Any, done: Any) -> HttpResponse:
    """A POSTed move to another state: ``move(to_state)`` asks the service, whose refusal (a
    ValidationError naming what is undecided) becomes the page's messages."""
    form = forms.StateForm(request.POST)
    if not form.is_valid():
        raise Http404
    try:
        record = move(form.cleaned_data["to_state"])
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, done % {"state": record.get_state_display().lower()})
    return redirect(record)


# --- Delegations and participants --------------------------------------------------------------------


@login_required
def delegation_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    meeting = _get_meeting_for_user(user, pk, "meetings.manage")
    form = forms.DelegationForm(request.POST or None, meeting=meeting)
    if submitted(request, form, lambda data: services.delegation_add(actor=user, meeting=meeting, data=data)):
        messages.success(request, _("The delegation has been registered."))
        return redirect(f"{meeting.get_absolute_url()}#delegations")
    return _form_page(request, form, title=_("Register a delegation"), cancel_url=meeting.get_absolute_url(),
                      crumbs=_meeting_crumbs(meeting))


def _get_delegation(user: Any, pk: int) -> Delegation:
    delegation = get_object_or_404(Delegation.objects.select_related("meeting", "organisation"), pk=pk)
    if not Meeting.objects.visible_to(user).filter(pk=delegation.meeting_id).exists():
        raise Http404
    return delegation


@login_required
def participant_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    delegation = _get_delegation(user, pk)
    policy.authorize(user, "meetings.manage", delegation.meeting)
    form = forms.ParticipantForm(request.POST or None)
    if submitted(request, form, lambda data: services.participant_add(actor=user, delegation=delegation, data=data)):
        messages.success(request, _("The participant has been added."))
        return redirect(f"{delegation.meeting.get_absolute_url()}#delegations")
    return _form_page(request, form, title=_("Add a participant to %(delegation)s") % {"delegation": delegation},
                      cancel_url=delegation.meeting.get_absolute_url(), crumbs=_meeting_crumbs(delegation.meeting))


@login_required
@require_POST
def participant_attendance(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    participant = get_object_or_404(Participant.objects.select_related("delegation__meeting"), pk=pk)
    meeting = _get_meeting_for_user(user, participant.delegation.meeting_id, "meetings.manage")
    form = forms.AttendanceForm(request.POST)
    if form.is_valid():
        try:
            services.participant_set_attendance(actor=user, participant=participant,
                                                attendance=form.cleaned_data["attendance"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    return redirect(f"{meeting.get_absolute_url()}#delegations")


@login_required
@require_GET
@never_cache
def invitation_pdf(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    delegation = _get_delegation(user, pk)
    policy.authorize(user, "meetings.manage", delegation.meeting)
    lang = _language(request)
    pdf = minutes.render_invitation(delegation, lang, _registration_links(request, delegation.meeting))
    audit_log(actor=user, action="meetings.invitation.download", obj=delegation)
    return _download(pdf, f"corett-{delegation.meeting.code}-invitation-{delegation.pk}-{lang}.pdf", minutes.PDF)


@login_required
@require_GET
@never_cache
def participants_pdf(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    meeting = _get_meeting_for_user(user, pk, "meetings.view_internal")
    lang = _language(request)
    pdf = minutes.render_participants(meeting, lang)
    audit_log(actor=user, action="meetings.participants.download", obj=meeting)
    return _download(pdf, f"corett-{meeting.code}-participants-{lang}.pdf", minutes.PDF)


@require_http_methods(["GET", "POST"])
@never_cache
def register(request: HttpRequest, token: str) -> HttpResponse:
    """The personal registration link: whoever holds it answers for that one participant."""
    try:
        pk = signing.loads(token, salt=REGISTRATION_SALT, max_age=REGISTRATION_MAX_AGE)
    except signing.BadSignature:
        raise Http404 from None
    participant = get_object_or_404(Participant.objects.select_related("delegation__meeting", "delegation__organisation"), pk=pk)
    form = forms.RegistrationForm(request.POST or None)
    done = submitted(request, form, lambda data: services.participant_self_register(
        participant=participant, attendance=data["attendance"]))
    if done is not None:
        messages.success(request, _("Thank you: your answer has been recorded."))
        return redirect(request.path)
    response = render(request, "meetings/register.html", {
        "participant": participant, "meeting": participant.delegation.meeting, "form": form,
    }, status=400 if request.method == "POST" else 200)
    response["Referrer-Policy"] = "no-referrer"
    return response


# --- Agenda -------------------------------------------------------------------------------------------


@login_required
def agenda_item_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    meeting = _get_meeting_for_user(user, pk, "meetings.manage")
    form = forms.AgendaItemForm(request.POST or None, meeting=meeting)
    if submitted(request, form, lambda data: services.agenda_item_add(actor=user, meeting=meeting, data=data)):
        messages.success(request, _("The agenda item has been added."))
        return redirect(f"{meeting.get_absolute_url()}#agenda")
    return _form_page(request, form, title=_("Add an agenda item"), cancel_url=meeting.get_absolute_url(),
                      crumbs=_meeting_crumbs(meeting))


def _get_item(user: Any, pk: int) -> AgendaItem:
    item = get_object_or_404(AgendaItem.objects.select_related("meeting"), pk=pk)
    if not Meeting.objects.visible_to(user).filter(pk=item.meeting_id).exists():
        raise Http404
    return item


@login_required
def agenda_item_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    item = _get_item(user, pk)
    policy.authorize(user, "meetings.manage", item.meeting)
    form = forms.AgendaItemForm(request.POST or None, instance=item, meeting=item.meeting)
    if submitted(request, form, lambda data: services.agenda_item_update(actor=user, item=item, data=data)):
        messages.success(request, _("The agenda item has been updated."))
        return redirect(f"{item.meeting.get_absolute_url()}#agenda")
    return _form_page(request, form, title=_("Edit agenda item %(number)s") % {"number": item.number},
                      cancel_url=item.meeting.get_absolute_url(), crumbs=_meeting_crumbs(item.meeting))


@login_required
@require_POST
def agenda_item_decide(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    item = _get_item(user, pk)
    policy.authorize(user, "meetings.manage", item.meeting)
    form = forms.OutcomeForm(request.POST)
    if form.is_valid():
        try:
            services.agenda_item_decide(actor=user, item=item, outcome=form.cleaned_data["outcome"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Agenda item %(number)s: %(outcome)s.") % {
                "number": item.number, "outcome": item.get_outcome_display().lower()})
    return redirect(f"{item.meeting.get_absolute_url()}#agenda")


@login_required
def agenda_document_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    item = _get_item(user, pk)
    policy.authorize(user, "meetings.manage", item.meeting)
    form = forms.DocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if upload.size > services.document_max_bytes():
                raise ValidationError({"file": _("The file is larger than %(limit)s MB.") % {
                    "limit": services.document_max_bytes() // (1024 * 1024)}})
            services.agenda_document_add(actor=user, item=item, filename=upload.name or "", content=upload.read())
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The document has been attached to the item."))
            return redirect(f"{item.meeting.get_absolute_url()}#agenda")
    return _form_page(request, form, title=_("Attach a document to item %(number)s") % {"number": item.number},
                      cancel_url=item.meeting.get_absolute_url(), crumbs=_meeting_crumbs(item.meeting), multipart=True)


def _file(document: AgendaDocument | Evidence) -> FileResponse:
    response = FileResponse(io.BytesIO(bytes(document.content)), as_attachment=True, filename=document.filename,
                            content_type=document.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def agenda_document_download(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    user = request.user
    document = get_object_or_404(AgendaDocument.objects.select_related("item__meeting"), pk=pk)
    meeting = _get_meeting_for_user(user, document.item.meeting_id)
    if not document.item.is_public:
        policy.authorize(user, "meetings.view_internal", meeting)
    return _file(document)


# --- Agreements ----------------------------------------------------------------------------------------


@login_required
@require_GET
def agreement_list(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    policy.authorize(user, "meetings.view_agreement")
    # A page at a time: decades of plenaries are thousands of agreements.
    page = Paginator(_filtered_agreements(request), AGREEMENTS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "meetings/agreement_list.html", {
        "agreements": page.object_list, "page": page, "query": query.urlencode(),
        "states": ImplementationState.choices,
        "state": request.GET.get("state", ""), "overdue": request.GET.get("overdue") == "1",
        "can_export": True, "can_configure": policy.can(user, "meetings.configure_workflow"),
    })


def _filtered_agreements(request: AuthenticatedRequest) -> Any:
    agreements = Agreement.objects.visible_to(request.user).select_related("meeting").prefetch_related(
        Prefetch("actors", queryset=ResponsibleActor.objects.select_related("country", "organisation"))
    )
    state = request.GET.get("state", "")
    if state in ImplementationState.values:
        agreements = agreements.filter(implementation_state=state)
    if request.GET.get("overdue") == "1":
        agreements = agreements.filter(implementation_state=ImplementationState.OVERDUE)
    country = request.GET.get("country", "")
    if len(country) == 2 and country.isalpha():
        agreements = agreements.filter(actors__country__iso2=country.upper()).distinct()
    return agreements


@login_required
def agreement_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    meeting = _get_meeting_for_user(user, pk, "meetings.manage")
    form = forms.AgreementForm(request.POST or None, meeting=meeting,
                               initial={"agenda_item": request.GET.get("item")})
    agreement = submitted(request, form, lambda data: services.agreement_create(actor=user, meeting=meeting, data=data))
    if agreement is not None:
        messages.success(request, _("Agreement %(code)s has been recorded.") % {"code": agreement.code})
        return redirect(agreement)
    return _form_page(request, form, title=_("Record an agreement"), cancel_url=meeting.get_absolute_url(),
                      crumbs=_meeting_crumbs(meeting))


@login_required
def agreement_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    agreement = _get_agreement_for_user(user, pk, "meetings.manage")
    form = forms.AgreementForm(request.POST or None, instance=agreement, meeting=agreement.meeting)
    if submitted(request, form, lambda data: services.agreement_update(actor=user, agreement=agreement, data=data)):
        messages.success(request, _("The agreement has been updated."))
        return redirect(agreement)
    return _form_page(request, form, title=_("Edit agreement %(code)s") % {"code": agreement.code},
                      cancel_url=agreement.get_absolute_url(), crumbs=_meeting_crumbs(agreement.meeting))


@login_required
@require_GET
def agreement_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    agreement = _get_agreement_for_user(user, pk)
    updates = policy.scope(user, "meetings.view_update", agreement.updates.all()).select_related(
        "actor__country", "actor__organisation").prefetch_related("evidence")
    can_manage = policy.can(user, "meetings.manage", agreement.meeting)
    steps = services.allowed_implementation_steps(agreement.implementation_state) if can_manage else []
    minutes_obj = Minutes.objects.filter(meeting=agreement.meeting, state=MinutesState.FROZEN).first()
    return render(request, "meetings/agreement_detail.html", {
        "agreement": agreement, "updates": updates, "can_manage": can_manage,
        "can_edit": can_manage and agreement.meeting.state not in (MeetingState.CLOSED, MeetingState.CANCELLED),
        "can_report": policy.can(user, "meetings.report", agreement),
        "decision_form": forms.DecisionForm(), "actor_form": forms.ActorForm(),
        "implementation_form": forms.ImplementationForm(agreement=agreement, steps=steps) if steps else None,
        "mous": Mou.objects.visible_to(user).filter(authorised_by=agreement),
        "linked": _linked_records(agreement, user),
        "excerpt": minutes_obj is not None and agreement.letter in minutes_obj.frozen_snapshot.get("agreements", {}),
    })


def _linked_records(agreement: Agreement, user: Any) -> list[tuple[str, str, str]]:
    """Records of other modules that point at this agreement (the action plan approved by C):
    shown here so the link shows on both sides. Each module's records are read only if the user
    may see them there (their ``visible_to``), so the link leaks nothing."""
    linked = []
    for relation in agreement._meta.related_objects:
        model = relation.related_model
        if model._meta.app_label in ("meetings",) or not hasattr(model.objects, "visible_to"):  # type: ignore[union-attr]
            continue
        accessor = relation.get_accessor_name()
        if accessor is None:
            continue
        records = model.objects.visible_to(user).filter(**{relation.field.name: agreement})  # type: ignore[union-attr]
        for record in records[:20]:
            url = record.get_absolute_url() if hasattr(record, "get_absolute_url") else ""
            linked.append((str(record._meta.verbose_name), str(record), url))
    return linked


@login_required
@require_POST
def agreement_decide(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    agreement = _get_agreement_for_user(user, pk, "meetings.manage")
    form = forms.DecisionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.agreement_decide(actor=user, agreement=agreement, adoption_state=data["adoption_state"],
                                      method=data["method"], votes_for=data["votes_for"],
                                      votes_against=data["votes_against"], abstentions=data["abstentions"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Agreement %(code)s: %(state)s.") % {
                "code": agreement.code, "state": agreement.get_adoption_state_display().lower()})
    else:
        messages.error(request, _("Choose what the meeting decided."))
    return redirect(agreement)


@login_required
def actor_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    agreement = _get_agreement_for_user(user, pk, "meetings.manage")
    form = forms.ActorForm(request.POST or None)
    if submitted(request, form, lambda data: services.actor_add(actor=user, agreement=agreement, data=data)):
        messages.success(request, _("The responsible actor has been added."))
        return redirect(agreement)
    return _form_page(request, form, title=_("Add a responsible actor to %(code)s") % {"code": agreement.code},
                      cancel_url=agreement.get_absolute_url(), crumbs=_meeting_crumbs(agreement.meeting))


@login_required
@require_POST
def agreement_implementation(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    agreement = _get_agreement_for_user(user, pk, "meetings.manage")
    steps = services.allowed_implementation_steps(agreement.implementation_state)
    form = forms.ImplementationForm(request.POST, agreement=agreement, steps=steps)
    if form.is_valid():
        try:
            services.agreement_set_implementation(actor=user, agreement=agreement,
                                                  to_state=form.cleaned_data["to_state"],
                                                  superseded_by=form.cleaned_data["superseded_by"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The implementation state has been changed."))
    else:
        messages.error(request, _("This step is not allowed by the workflow."))
    return redirect(agreement)


# --- Follow-up updates ------------------------------------------------------------------------------


@login_required
def update_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    agreement = _get_agreement_for_user(user, pk, "meetings.report")
    form = forms.UpdateForm(request.POST or None, agreement=agreement, user=user)
    update = submitted(request, form, lambda data: services.update_create(actor=user, agreement=agreement, data=data))
    if update is not None:
        messages.success(request, _("Your update has been saved as a draft. Submit it when it is ready."))
        return redirect(update)
    return _form_page(request, form, title=_("Report on agreement %(code)s") % {"code": agreement.code},
                      cancel_url=agreement.get_absolute_url(), crumbs=_meeting_crumbs(agreement.meeting))


@login_required
@require_GET
def update_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    update = _get_update_for_user(user, pk)
    return render(request, "meetings/update_detail.html", {
        "update": update, "agreement": update.agreement,
        "can_edit": policy.can(user, "meetings.edit_update", update),
        "can_review": policy.can(user, "meetings.review_update", update),
        "review_form": forms.ReviewForm(),
    })


@login_required
def update_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    update = _get_update_for_user(user, pk, "meetings.edit_update")
    form = forms.UpdateEditForm(request.POST or None, instance=update)
    if submitted(request, form, lambda data: services.update_edit(actor=user, update=update, data=data)):
        messages.success(request, _("Your update has been saved."))
        return redirect(update)
    return _form_page(request, form, title=_("Revise the update on %(code)s") % {"code": update.agreement.code},
                      cancel_url=update.get_absolute_url(), crumbs=_meeting_crumbs(update.agreement.meeting))


@login_required
@require_POST
def update_submit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    update = _get_update_for_user(user, pk, "meetings.edit_update")
    services.update_submit(actor=user, update=update)
    messages.success(request, _("Your update has been submitted to the Secretariat."))
    return redirect(update)


@login_required
@require_POST
def update_review(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    update = _get_update_for_user(user, pk, "meetings.review_update")
    form = forms.ReviewForm(request.POST)
    if form.is_valid():
        try:
            services.update_review(actor=user, update=update, accept=form.cleaned_data["decision"] == "accept",
                                   comment=form.cleaned_data["comment"])
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The update has been %(state)s.") % {"state": update.get_state_display().lower()})
            return redirect(update)
    return render(request, "meetings/update_detail.html", {
        "update": update, "agreement": update.agreement, "can_edit": False, "can_review": True, "review_form": form,
    }, status=400)


@login_required
def evidence_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    update = _get_update_for_user(user, pk, "meetings.edit_update")
    form = forms.DocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if upload.size > services.document_max_bytes():
                raise ValidationError({"file": _("The file is larger than %(limit)s MB.") % {
                    "limit": services.document_max_bytes() // (1024 * 1024)}})
            services.evidence_add(actor=user, update=update, filename=upload.name or "", content=upload.read())
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The evidence has been attached."))
            return redirect(update)
    return _form_page(request, form, title=_("Attach evidence"), cancel_url=update.get_absolute_url(),
                      crumbs=_meeting_crumbs(update.agreement.meeting), multipart=True)


@login_required
@require_GET
def evidence_download(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    user = request.user
    evidence = get_object_or_404(Evidence.objects.only("update_id"), pk=pk)
    _get_update_for_user(user, evidence.update_id)
    return _file(Evidence.objects.get(pk=pk))


# --- Minutes -----------------------------------------------------------------------------------------


@login_required
def minutes_page(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    meeting = _get_meeting_for_user(user, pk, "meetings.view_minutes")
    record = Minutes.objects.filter(meeting=meeting).select_related("approved_at_meeting").first()
    can_manage = policy.can(user, "meetings.manage", meeting)
    form = forms.MinutesForm(request.POST or None, instance=record) if record and can_manage else None
    if request.method == "POST":
        if record is None or form is None:
            policy.authorize(user, "meetings.manage", meeting) if not can_manage else None
            raise Http404
        if submitted(request, form, lambda data: services.minutes_edit(actor=user, minutes=record, data=data)):
            messages.success(request, _("The minutes have been saved."))
            return redirect("meetings:minutes", meeting.pk)
    return render(request, "meetings/minutes.html", {
        "meeting": meeting, "minutes": record, "form": form, "can_manage": can_manage,
        "can_comment": record is not None and policy.can(user, "meetings.comment_minutes", record),
        "comment_form": forms.MinutesCommentForm(),
        "approval_form": forms.MinutesApprovalForm(meeting=meeting),
        "comments": record.comments.select_related("author") if record else [],
        "body_es": minutes.markdown_html(record.body_es) if record else "",
        "body_en": minutes.markdown_html(record.body_en) if record else "",
        "letters": sorted((record.frozen_snapshot or {}).get("agreements", {})) if record else [],
    }, status=400 if request.method == "POST" else 200)


@login_required
@require_POST
def minutes_action(request: AuthenticatedRequest, pk: int, action: str) -> HttpResponse:
    user = request.user
    needs = "meetings.view_minutes" if action == "comment" else "meetings.manage"
    meeting = _get_meeting_for_user(user, pk, needs)
    record = Minutes.objects.filter(meeting=meeting).first()
    try:
        if action == "draft":
            services.minutes_draft(actor=user, meeting=meeting)
            messages.success(request, _("The minutes have been drafted from the meeting's data."))
        elif record is None:
            raise Http404
        elif action == "circulate":
            services.minutes_circulate(actor=user, minutes=record)
            messages.success(request, _("The minutes have been circulated for comments."))
        elif action == "comment":
            form = forms.MinutesCommentForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("Write your comment."))
            services.minutes_comment(actor=user, minutes=record, text=form.cleaned_data["text"])
            messages.success(request, _("Your comment has been recorded."))
        elif action == "approve":
            approval = forms.MinutesApprovalForm(request.POST, meeting=meeting)
            if not approval.is_valid():
                raise ValidationError(_("Choose the later meeting that approved the minutes."))
            services.minutes_approve(actor=user, minutes=record, at_meeting=approval.cleaned_data["approved_at_meeting"])
            messages.success(request, _("The minutes have been approved."))
        elif action == "freeze":
            services.minutes_freeze(actor=user, minutes=record)
            messages.success(request, _("The minutes have been frozen; their PDFs can no longer change."))
        else:
            raise Http404
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    return redirect("meetings:minutes", meeting.pk)


@login_required
@require_GET
@never_cache
def minutes_pdf(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    meeting = _get_meeting_for_user(user, pk, "meetings.view_minutes")
    record = get_object_or_404(Minutes.objects.select_related("meeting", "approved_at_meeting"), meeting=meeting)
    lang = _language(request)
    if record.is_frozen:
        content = bytes((record.pdf_es if lang == "es" else record.pdf_en) or b"")
        name = f"corett-{meeting.code}-minutes-{lang}.pdf"
    else:
        content = minutes.render_pdf(record, lang, draft=True)
        name = f"corett-{meeting.code}-minutes-draft-{lang}.pdf"
    return _download(content, name, minutes.PDF)


@login_required
@require_GET
@never_cache
def minutes_excerpt(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    agreement = _get_agreement_for_user(user, pk)
    record = get_object_or_404(Minutes, meeting=agreement.meeting, state=MinutesState.FROZEN)
    if agreement.letter not in record.frozen_snapshot.get("agreements", {}):
        raise Http404
    lang = _language(request)
    pdf = minutes.render_excerpt(record, agreement.letter, lang)
    return _download(pdf, f"corett-{agreement.code.replace('/', '-')}-excerpt-{lang}.pdf", minutes.PDF)


# --- Exports and calendar ---------------------------------------------------------------------------


@login_required
@require_GET
def meeting_export(request: AuthenticatedRequest, pk: int, kind: str, fmt: str) -> HttpResponse:
    user = request.user
    meeting = _get_meeting_for_user(user, pk, "meetings.export")
    internal = policy.can(user, "meetings.view_internal", meeting)
    if fmt == "json":
        content = exports.meeting_json(meeting, internal=internal)
        audit_log(actor=user, action="meetings.export", obj=meeting, extra={"format": "json"})
        return _download(content, f"corett-{meeting.code}.json", "application/json")
    exporter = exports.exporter_for(kind, meeting, internal=internal)
    result = exporter.export(fmt)
    audit_log(actor=user, action="meetings.export", obj=meeting, extra={"kind": kind, "format": fmt, "rows": result.rows})
    return result.as_response()


@login_required
@require_GET
def agreements_export(request: AuthenticatedRequest, fmt: str) -> HttpResponse:
    user = request.user
    policy.authorize(user, "meetings.view_agreement")
    agreements = _filtered_agreements(request)
    if fmt == "json":
        return _download(exports.agreements_json(agreements), "corett-agreements.json", "application/json")
    result = exports.AgreementExporter(agreements).export(fmt)
    audit_log(actor=user, action="meetings.export", extra={"kind": "agreements", "format": fmt, "rows": result.rows})
    return result.as_response()


@login_required
@require_GET
def calendar(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    policy.authorize(user, "meetings.view")
    token = signing.dumps(user.pk, salt=exports.CALENDAR_SALT)
    feed = request.build_absolute_uri(reverse("meetings:calendar_feed", args=[token]))
    if request.GET.get("download") == "1":
        return _ics(exports.calendar_ics(user))
    return render(request, "meetings/calendar.html", {"feed": feed})


def _ics(content: bytes) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="corett-meetings.ics"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """A personal feed for calendar applications (which cannot sign in): the signed token names
    the user, and the feed holds what that user may see today (a revoked account gets nothing)."""
    try:
        pk = signing.loads(token, salt=exports.CALENDAR_SALT)
    except signing.BadSignature:
        raise Http404 from None
    user = User.objects.filter(pk=pk, is_active=True).first()
    if user is None or not policy.can(user, "meetings.view"):
        raise Http404
    return _ics(exports.calendar_ics(user))


# --- Dashboards ------------------------------------------------------------------------------------


@login_required
@require_GET
def dashboard(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    policy.authorize(user, "meetings.view_dashboard")
    agreements = Agreement.objects.visible_to(user).filter(adoption_state="adopted")
    by_state = Counter(agreements.values_list("implementation_state", flat=True))
    actors = ResponsibleActor.objects.filter(agreement__in=agreements).select_related("country", "organisation", "agreement")
    by_actor: dict[str, Counter] = {}
    for actor in actors:
        by_actor.setdefault(str(actor), Counter())[actor.agreement.implementation_state] += 1
    overdue = agreements.filter(implementation_state=ImplementationState.OVERDUE).select_related("meeting")
    expiring = [m for m in Mou.objects.visible_to(user) if m.expires_soon()]
    return render(request, "meetings/dashboard.html", {
        "states": [(s, label, by_state.get(s, 0)) for s, label in ImplementationState.choices],
        "by_actor": [(name, [counts.get(code, 0) for code, _label in ImplementationState.choices])
                     for name, counts in sorted(by_actor.items())],
        "state_codes": ImplementationState.choices,
        "overdue": overdue, "expiring": expiring,
        "awaiting": policy.scope(user, "meetings.view_update", FollowUpUpdate.objects.filter(state=UpdateState.SUBMITTED))
        .select_related("agreement") if policy.can(user, "meetings.review_update") else [],
    })


@login_required
@require_GET
def owed(request: AuthenticatedRequest) -> HttpResponse:
    """What my country owes: the open agreements for which the focal point's country answers."""
    user = request.user
    policy.authorize(user, "meetings.view_owed")
    assert user.country_id is not None
    duties = (
        ResponsibleActor.objects.filter(country_id=user.country_id, agreement__in=Agreement.objects.visible_to(user).open())
        .select_related("agreement__meeting").order_by("due_on", "agreement__code")
    )
    latest = _latest_updates([d.agreement_id for d in duties], user)
    today = timezone.localdate()
    return render(request, "meetings/owed.html", {
        "duties": [(d, latest.get(d.agreement_id), d.due_on is not None and d.due_on < today) for d in duties],
        "country": user.country,
    })


@login_required
def workflow(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    policy.authorize(user, "meetings.configure_workflow")
    current = [f"{a}>{b}" for a, b in ImplementationTransition.objects.values_list("from_state", "to_state")]
    form = forms.WorkflowForm(request.POST or None, initial={"transitions": current})
    if request.method == "POST" and form.is_valid():
        try:
            services.workflow_configure(actor=user, pairs=form.pairs())
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The implementation workflow has been saved."))
            return redirect("meetings:workflow")
    return _form_page(request, form, title=_("Implementation workflow of agreements"),
                      cancel_url=reverse("meetings:agreement_list"), crumbs=[(reverse("meetings:agreement_list"), _("Agreements"))],
                      intro=_("Tick the steps the Secretariat may take between implementation states. "
                              "Turning overdue is automatic, after a due date passes."))


# --- Memoranda of understanding -----------------------------------------------------------------------


@login_required
@require_GET
def mou_list(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    policy.authorize(user, "meetings.view_mou")
    mous = Mou.objects.visible_to(user).select_related("authorised_by").prefetch_related("parties__organisation")
    return render(request, "meetings/mou_list.html", {"mous": mous, "can_manage": policy.can(user, "meetings.manage_mou"),
                                                      "today": timezone.localdate()})


@login_required
def mou_create(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    policy.authorize(user, "meetings.manage_mou")
    form = forms.MouForm(request.POST or None, initial={"authorised_by": request.GET.get("agreement")})
    mou = submitted(request, form, lambda data: services.mou_create(actor=user, data=data))
    if mou is not None:
        messages.success(request, _("The memorandum has been recorded."))
        return redirect(mou)
    return _form_page(request, form, title=_("New memorandum of understanding"), cancel_url=reverse("meetings:mou_list"),
                      crumbs=[(reverse("meetings:mou_list"), _("Memoranda of understanding"))])


@login_required
def mou_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    mou = _get_mou_for_user(user, pk, "meetings.manage_mou")
    form = forms.MouForm(request.POST or None, instance=mou)
    if submitted(request, form, lambda data: services.mou_update(actor=user, mou=mou, data=data)):
        messages.success(request, _("The memorandum has been updated."))
        return redirect(mou)
    return _form_page(request, form, title=_("Edit %(code)s") % {"code": mou.code}, cancel_url=mou.get_absolute_url(),
                      crumbs=[(reverse("meetings:mou_list"), _("Memoranda of understanding"))])


@login_required
@require_GET
def mou_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    mou = _get_mou_for_user(user, pk)
    commitments = mou.commitments.select_related("party__organisation")
    funding = _funding_requests(commitments, user)
    return render(request, "meetings/mou_detail.html", {
        "mou": mou, "parties": mou.parties.select_related("organisation", "focal_point"),
        "versions": mou.versions.select_related("created_by"), "commitments": commitments,
        "can_manage": policy.can(user, "meetings.manage_mou", mou), "funding": funding,
        "transitions": [(s, MouState(s).label) for s in MOU_TRANSITIONS[MouState(mou.state)]],
        "status_form": forms.CommitmentStatusForm(),
        "authorised_visible": mou.authorised_by is not None and policy.can(user, "meetings.view_agreement", mou.authorised_by),
    })


def _funding_requests(commitments: Any, user: Any) -> dict[int, list[Any]]:
    """The repatriation funding requests drawn on each funding commitment, as far as the user
    may see them (the cases module's own scope)."""
    from corett.cases.models import FundingRequest

    link = "mou_commitment"
    if not hasattr(FundingRequest, link):
        return {}
    visible = policy.scope(user, "cases.view_funding", FundingRequest.objects.all()).filter(
        **{f"{link}__in": [c.pk for c in commitments if c.kind == "funding"]}
    ).select_related("case")
    grouped: dict[int, list[Any]] = {}
    for request_ in visible:
        grouped.setdefault(getattr(request_, f"{link}_id"), []).append(request_)
    return grouped


@login_required
@require_POST
def mou_transition(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    mou = _get_mou_for_user(user, pk, "meetings.manage_mou")
    return _state_change(
        request, mou, lambda to: services.mou_transition(actor=user, mou=mou, to_state=to),
        _("The memorandum is now %(state)s."),
    )


@login_required
def mou_party_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    mou = _get_mou_for_user(user, pk, "meetings.manage_mou")
    form = forms.MouPartyForm(request.POST or None, user=user)
    if submitted(request, form, lambda data: services.mou_party_add(actor=user, mou=mou, data=data)):
        messages.success(request, _("The party has been added."))
        return redirect(mou)
    return _form_page(request, form, title=_("Add a party to %(code)s") % {"code": mou.code},
                      cancel_url=mou.get_absolute_url(), crumbs=[(reverse("meetings:mou_list"), _("Memoranda of understanding"))])


@login_required
def mou_version_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    mou = _get_mou_for_user(user, pk, "meetings.manage_mou")
    latest = mou.versions.order_by("-number").first()
    form = forms.MouVersionForm(request.POST or None, initial={"text": latest.text if latest else ""})
    if submitted(request, form, lambda data: services.mou_version_add(actor=user, mou=mou, **data)):
        messages.success(request, _("The new version of the text has been recorded."))
        return redirect(mou)
    return _form_page(request, form, title=_("New version of the text of %(code)s") % {"code": mou.code},
                      cancel_url=mou.get_absolute_url(), crumbs=[(reverse("meetings:mou_list"), _("Memoranda of understanding"))],
                      intro=_("Versions are never changed: each change of the text is a new version with its reason."))


@login_required
def commitment_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    mou = _get_mou_for_user(user, pk, "meetings.manage_mou")
    form = forms.CommitmentForm(request.POST or None, mou=mou)
    if submitted(request, form, lambda data: services.commitment_add(actor=user, mou=mou, data=data)):
        messages.success(request, _("The commitment has been recorded."))
        return redirect(mou)
    return _form_page(request, form, title=_("Add a commitment to %(code)s") % {"code": mou.code},
                      cancel_url=mou.get_absolute_url(), crumbs=[(reverse("meetings:mou_list"), _("Memoranda of understanding"))])


@login_required
@require_POST
def commitment_status(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    commitment = get_object_or_404(MouCommitment.objects.select_related("mou"), pk=pk)
    mou = _get_mou_for_user(user, commitment.mou_id, "meetings.manage_mou")
    form = forms.CommitmentStatusForm(request.POST)
    if form.is_valid():
        services.commitment_set_status(actor=user, commitment=commitment, status=form.cleaned_data["status"])
        messages.success(request, _("The commitment's status has been changed."))
    return redirect(mou)


def upcoming_for(user: Any, days: int = 60) -> list[Meeting]:
    """Meetings starting within ``days`` that the user may see (for the home page, if wanted)."""
    today = timezone.localdate()
    return list(Meeting.objects.visible_to(user).filter(
        Q(starts_on__gte=today) & Q(starts_on__lte=today + dt.timedelta(days=days))).order_by("starts_on"))
