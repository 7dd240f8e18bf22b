"""The repatriation cases' pages: the work list, the overdue tasks, a case and its steps, and the
partners' funding inbox.

Every case view fetches through ``_get_case_for_user``: a code that fails its check character,
or a case the user may not see, is a 404, so that nobody learns that a case exists in another
country. The action is then authorised with ``policy.authorize`` (403, audited) and every write
goes through ``corett.cases.services``, which authorise again, validate and audit. Every page
that shows a case records the look with ``services.case_read``.

A POST whose input is wrong, or that a service refuses, shows the case page again with the
form and its errors at the field (HTTP 400); a step of the protocol whose guards fail shows
them (HTTP 409) and changes nothing. A POST that succeeds redirects back to the case.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Case as SqlCase
from django.db.models import (
    Count,
    Exists,
    OuterRef,
    Q,
    When,
)
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from corett import policy
from corett.accounts.models import User
from corett.audit.models import AuditEntry
from corett.cases import labels, protocol, related, services
from corett.cases import vocabularies as vocab
from corett.cases.forms import (
    DOCUMENT_KINDS,
    LANGUAGES,
    ApprovalDecisionForm,
    ApprovalRequestForm,
    CaseFilterForm,
    CaseForm,
    ConsentForm,
    ConsentOverrideForm,
    DeadlinesForm,
    FlagResolveForm,
    FollowUpReportForm,
    FundingAdvanceForm,
    FundingRequestForm,
    OriginContactsForm,
    RelatedPersonForm,
    TransitionForm,
    document_formset,
    funding_item_formset,
)
from corett.cases.models import (
    FINAL_STAGES,
    SHARING_PURPOSES,
    ApprovalKind,
    ApprovalState,
    Case,
    ConsentPurpose,
    CountryCaseSettings,
    Flag,
    FundingRequest,
    FundingState,
    RelatedRole,
    Stage,
    Task,
    is_valid_case_code,
)
from corett.cases.worklist import COUNT_CAP, Row, WorkList, filters_key
from corett.core.forms import add_service_error, submitted
from corett.lib.compiled import CompiledQuery
from corett.lib.urls import cached_reverse

PAGE_SIZE = 25
OVERDUE_PAGE_SIZE = 50
ACCESS_LOG_SIZE = 50

# The protocol's main line, in order; the other stages are side states shown beside it.
MAIN_LINE = [
    Stage.IDENTIFIED, Stage.PROTECTED, Stage.CONSULAR_NOTIFICATION, Stage.ASSESSING,
    Stage.RETURN_DECIDED, Stage.REQUESTED_TO_ORIGIN, Stage.ACCEPTED_BY_ORIGIN, Stage.FAMILY_ASSESSED,
    Stage.FUNDING_REQUESTED, Stage.FUNDED, Stage.TRAVEL_SCHEDULED, Stage.IN_TRANSIT, Stage.RECEIVED,
    Stage.REINTEGRATION, Stage.CLOSED,
]
STAGE_ORDER = {stage: i for i, stage in enumerate([*MAIN_LINE, *(s for s in Stage if s not in MAIN_LINE)])}

# What the access log says for each audited action (unknown actions show their code).
ACTION_LABELS = {
    "cases.case.view": gettext_lazy("Viewed"),
    "cases.case.create": gettext_lazy("Opened the case"),
    "cases.case.update": gettext_lazy("Edited the case"),
    "cases.consent.record": gettext_lazy("Recorded a consent"),
    "cases.consent.withdraw": gettext_lazy("Recorded the withdrawal of a consent"),
    "cases.consent.override": gettext_lazy("Decided to share without the consent"),
    "cases.related_person.create": gettext_lazy("Added a related person"),
    "cases.origin_contacts.set": gettext_lazy("Named the contacts in the country of origin"),
    "cases.approval.request": gettext_lazy("Requested an approval"),
    "cases.approval.decide": gettext_lazy("Decided on an approval"),
    "cases.funding.request": gettext_lazy("Requested funding"),
    "cases.funding.advance": gettext_lazy("Updated a funding request"),
    "cases.follow_up.report": gettext_lazy("Reported a follow-up"),
    "cases.flag.duplicate": gettext_lazy("Flagged a possible duplicate"),
    "cases.flag.resolve": gettext_lazy("Resolved a flag"),
    "cases.case.purge_identity": gettext_lazy("Erased the identity at the end of the retention period"),
    "cases.attachment.add": gettext_lazy("Added a document"),
    "cases.attachment.download": gettext_lazy("Downloaded a document"),
    "cases.attachment.remove": gettext_lazy("Removed a document"),
    "cases.case_file": gettext_lazy("Downloaded the case file"),
    "cases.export": gettext_lazy("Exported the case file (password-protected)"),
    "access.denied": gettext_lazy("Was refused an action"),
}

# The partner's buttons: the next states of a funding request, in the partner's words.
# (Reconciling is the owners' step: its button is on the case page.)
FUNDING_ACTIONS = {
    FundingState.COMMITTED: gettext_lazy("Commit the funding"),
    FundingState.DECLINED: gettext_lazy("Decline"),
    FundingState.DISBURSED: gettext_lazy("Record the disbursement"),
}
FUNDING_ORDER: dict[str, int] = {state: i for i, state in enumerate(FUNDING_ACTIONS)}


class AuthenticatedRequest(HttpRequest):
    # Every view here is behind @login_required.
    user: User


# --- Fetch and authorise -----------------------------------------------------------------------


def _get_case_for_user(user: Any, code: str, *, full: bool = False, lists: Iterable[str] = ()) -> Case:
    """The case the user may see, by its code; 404 for a tampered code or someone else's case.

    ``lists`` preloads those of the case's lists (``related.LISTS``), ``full`` all of them (what
    the case file shows), so a page costs the same number of queries however long the case's
    history.
    """
    if not is_valid_case_code(code):
        raise Http404
    # The case and its relations are read by its code with a statement compiled once
    # (``related.read_case``); the policy's rule for seeing a case (the rule its scope,
    # ``Case.objects.visible_to``, puts in SQL) then decides. Someone else's case is not found.
    case = related.read_case(code)
    if case is None or not policy.can(user, "cases.view", case):
        raise Http404
    if full or lists:
        related.load(case, None if full else lists)
    return case


def _get_funding_for_user(user: Any, pk: int) -> FundingRequest:
    """A funding request the user may see (a partner: those addressed to its organisation)."""
    requests = policy.scope(user, "cases.view_funding", FundingRequest.objects.all()).select_related(
        "partner", "case__destination_country"
    )
    return get_object_or_404(requests, pk=pk)


# --- The work list and the overdue tasks -------------------------------------------------------


def _filtered_cases(form: CaseFilterForm, user: Any) -> WorkList:
    today = timezone.localdate()
    open_tasks = Task.objects.filter(case=OuterRef("pk"), done_at__isnull=True)
    open_flags = Flag.objects.filter(case=OuterRef("pk"), resolved_at__isnull=True)
    cases = Case.objects.visible_to(user)
    if code := form.value("q"):
        cases = cases.filter(code__icontains=code.strip().upper())
    if stage := form.value("stage"):
        cases = cases.filter(stage=stage)
    if form.value("child"):
        cases = cases.children()
    if form.value("overdue"):
        cases = cases.filter(Exists(open_tasks.filter(due_on__lt=today)))
    if form.value("flagged"):
        cases = cases.filter(Exists(open_flags))
    # The two halves of what a case worker sees (see corett.cases.worklist), or the one chosen.
    owned = Q(destination_country_id=user.country_id)
    incoming = Q(origin_country_id=user.country_id, shared_with_origin_at__isnull=False)
    side = form.value("side")
    halves = {CaseFilterForm.OWNED: [owned], CaseFilterForm.INCOMING: [incoming]}.get(side, [owned, incoming])
    return WorkList(cases, halves)


@login_required
@require_GET
def case_list(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    policy.authorize(user, "cases.view")
    form = CaseFilterForm(request.GET)
    cases = _filtered_cases(form, user)
    # WorkList offers what Paginator uses (count() and slices), not a whole sequence.
    paginator: Paginator[Case] = Paginator(cases, PAGE_SIZE)  # type: ignore[arg-type]
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "cases/case_list.html",
        {
            "form": form,
            "page": page,
            "rows": _work_list_rows(page.object_list, user.country_id),
            "filters_key": filters_key(form),
            "count_capped": cases.capped,
            "count_cap": COUNT_CAP,
            "user_country_id": user.country_id,
            "can_open": policy.can(user, "cases.create", None),
        },
    )


def _work_list_rows(rows: Iterable[Row], user_country_id: int | None) -> SafeString:
    """The work list's table rows, as the template wrote them, rendered here (as the
    directory's organisation list is): through the template engine a row cost ~0.3 ms (some
    twenty lookups, tags and escapes), the list's largest part. Every value is escaped; the
    words are translated once a page."""
    owned = format_html('<span class="badge text-bg-light border">{}</span>', _("owned"))
    incoming = format_html('<span class="badge text-bg-info">{}</span>', _("incoming"))
    child = format_html('<span class="badge text-bg-warning">{}</span>', _("Child"))
    adult = format_html('<span class="visually-hidden">{}</span>', _("Adult"))
    overdue = format_html(' <span class="badge text-bg-danger">{}</span>', _("overdue"))
    html = []
    for row in rows:
        side = owned if row.destination_country_id == user_country_id else incoming
        due = (
            f"{conditional_escape(row.next_due_text)}{overdue if row.is_overdue else ''}" if row.next_due else "—"
        )
        flags = "".join(
            f'<span class="badge text-bg-secondary me-1">{conditional_escape(flag.label)}</span>'
            for flag in row.open_flags
        ) or "—"
        html.append(
            f'<tr><th scope="row"><a href="{conditional_escape(row.url)}" class="font-monospace">'
            f"{conditional_escape(row.code)}</a> {side}</th>"
            f"<td>{conditional_escape(row.stage_label)}</td>"
            f"<td>{conditional_escape(row.destination)} → {conditional_escape(row.origin)}</td>"
            f"<td>{child if row.is_child else adult}</td>"
            f"<td>{conditional_escape(row.risk_label)}</td>"
            f"<td>{due}</td><td>{flags}</td></tr>\n"
        )
    return mark_safe("".join(html))  # noqa: S308  (every value escaped above)


@login_required
@require_GET
def overdue(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    policy.authorize(user, "cases.view")
    today = timezone.localdate()
    order = SqlCase(*(When(stage=stage, then=i) for stage, i in STAGE_ORDER.items()), default=len(STAGE_ORDER))
    tasks = (
        Task.objects.filter(
            case__in=Case.objects.visible_to(user).values("pk"), done_at__isnull=True, due_on__lt=today
        )
        .select_related("case")
        .only("stage", "title", "due_on", "case__code", "case__risk_level", "case__destination_country_id")
        .annotate(stage_order=order)
        .order_by("stage_order", "due_on", "pk")
    )
    counts = {row["stage"]: row["n"] for row in tasks.order_by().values("stage").annotate(n=Count("pk"))}
    page = Paginator(tasks, OVERDUE_PAGE_SIZE).get_page(request.GET.get("page"))
    for task in page.object_list:
        task.days_late = (today - task.due_on).days
    summary = [(Stage(stage).label, counts[stage]) for stage in sorted(counts, key=STAGE_ORDER.__getitem__)]
    return render(
        request,
        "cases/overdue.html",
        {"page": page, "summary": summary, "total": sum(counts.values()), "user_country_id": user.country_id,
         "can_configure": policy.can(user, "cases.configure_deadlines", None)},
    )


@login_required
def deadlines(request: AuthenticatedRequest) -> HttpResponse:
    """The user's country's deadlines for its cases (its case supervisors change them)."""
    user = request.user
    country = user.country
    policy.authorize(user, "cases.configure_deadlines", country)
    current = CountryCaseSettings.objects.filter(country=country).first() or CountryCaseSettings(country=country)
    initial: dict[str, Any] = {f"days_{stage.value}": current.days_for(stage) for stage in DeadlinesForm.STAGES}
    initial["follow_up_months"] = ", ".join(str(m) for m in current.follow_ups())
    form = DeadlinesForm(request.POST if request.method == "POST" else None, initial=initial)
    if submitted(request, form, lambda data: services.deadlines_update(actor=user, country=country, **data)):
        messages.success(request, _("The deadlines have been saved. New tasks and follow-ups use them."))
        return redirect("cases:deadlines")
    return render(request, "cases/deadlines.html", {"form": form, "country": country})


# --- Opening and editing -----------------------------------------------------------------------


def _case_initial(case: Case) -> dict[str, Any]:
    names = [*CaseForm.base_fields]
    initial = {name: getattr(case, name) for name in names}
    initial["origin_country"] = case.origin_country_id
    initial["identifying_organisation"] = case.identifying_organisation_id
    return initial


@login_required
def case_open(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    country = user.country
    policy.authorize(user, "cases.create", country)
    data = request.POST if request.method == "POST" else None
    form = CaseForm(data, user=user)
    documents = document_formset(data)
    if request.method == "POST" and all([form.is_valid(), documents.is_valid()]):
        values = form.service_data()
        values["documents"] = documents.documents() or None
        try:
            case = services.case_open(actor=user, destination_country=country, data=values)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The case %(code)s has been opened.") % {"code": case.code})
            return redirect(case)
    return render(
        request,
        "cases/case_form.html",
        {"form": form, "documents": documents, "title": _("Open a case"), "case": None},
    )


@login_required
def case_edit(request: AuthenticatedRequest, code: str) -> HttpResponse:
    user = request.user
    case = _get_case_for_user(user, code)
    policy.authorize(user, "cases.change", case)
    data = request.POST if request.method == "POST" else None
    form = CaseForm(data, user=user, case=case, initial=_case_initial(case))
    documents = document_formset(data, case=case)
    if request.method == "POST" and all([form.is_valid(), documents.is_valid()]):
        values = form.service_data(only_changed=True)
        entered = documents.documents()
        if entered != (case.documents or []):
            values["documents"] = entered or None
        try:
            services.case_update(actor=user, case=case, data=values)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The case has been updated."))
            return redirect(case)
    # The form shows the person's identity: a look at the case like any other.
    services.case_read(actor=user, case=case, identity=True)
    return render(
        request,
        "cases/case_form.html",
        {
            "form": form, "documents": documents, "case": case,
            "title": _("Edit the case %(code)s") % {"code": case.code},
        },
    )


# --- The case page -----------------------------------------------------------------------------


def _stage_steps(case: Case) -> list[dict[str, Any]]:
    """The main line with what is done, current and to come (a side state stops the line)."""
    if case.stage in MAIN_LINE:
        reached = MAIN_LINE.index(Stage(case.stage))
    else:
        # Where the main line stopped: the last main-line stage the case was in.
        reached = max(
            (MAIN_LINE.index(Stage(c.to_stage)) for c in case.stage_changes.all() if c.to_stage in MAIN_LINE),
            default=0,
        )
    steps = []
    for i, stage in enumerate(MAIN_LINE):
        if i < reached or (i == reached and case.stage not in MAIN_LINE):
            state = "done"
        elif i == reached:
            state = "current"
        else:
            state = "todo"
        steps.append({"stage": stage, "label": stage.label, "state": state})
    return steps


# The case's latest audit entries, newest first (compiled once: see corett.lib.compiled).
_ACCESS_LOG = CompiledQuery(
    lambda case_id: AuditEntry.objects.filter(object_type=Case._meta.label_lower, object_id=case_id)
    .order_by("-id")
    .values_list("created_at", "actor_username", "action", "extra")[:ACCESS_LOG_SIZE],
    case_id="\x00the case's id",
)


def _steps_items(steps: list[dict[str, Any]]) -> SafeString:
    """The protocol's main line as the template wrote it, one ``<li>`` a stage (15 stages: the
    template's lookups and conditions cost ~0.3 ms a page)."""
    done, current = _("done"), _("current stage")
    notes = {"done": f" ({done})", "current": f" ({current})"}
    classes = {"done": " list-group-item-success", "current": " active"}
    items = []
    for step in steps:
        state = step["state"]
        marker = ' aria-current="step"' if state == "current" else ""
        items.append(
            f'<li class="list-group-item{classes.get(state, "")}"{marker}>\n'
            f'  {conditional_escape(step["label"])}<span class="visually-hidden">{conditional_escape(notes.get(state, ""))}</span>\n'
            "</li>\n"
        )
    return mark_safe("".join(items))  # noqa: S308  (the labels escaped above)


def _access_log(case: Case) -> list[dict[str, Any]]:
    # Plain rows, not audit entries: the page shows four columns of up to 50 of them.
    entries = _ACCESS_LOG.rows(case._state.db or "default", case_id=str(case.pk))
    words: dict[str, str] = {}  # each action's label translated once a page
    rows = []
    for at, actor, action, extra in entries:
        if action == "cases.case.view" and (extra or {}).get("identity"):
            label = _("Viewed, with the person's identity")
        elif action == "cases.case.view" and (extra or {}).get("section", "detail") in SECTIONS_SHOWN:
            section = extra["section"]
            if (label := words.get(section, "")) == "":
                label = words[section] = _("Viewed: %(section)s") % {"section": SECTIONS[section].label}
        elif (label := words.get(action, "")) == "":
            if action.startswith("cases.transition."):
                step = protocol.TRANSITIONS.get(action.removeprefix("cases.transition."))
                label = _("Step: %(step)s") % {"step": step.label} if step else action
            else:
                label = str(ACTION_LABELS.get(action, action))
            words[action] = label
        rows.append({"at": at, "actor": actor, "label": label})
    return rows


def _table_rows(rows: Iterable[Sequence[Any]]) -> SafeString:
    """Table rows as the templates wrote them (``<tr><th scope="row">…</th><td>…</td>…</tr>``),
    every value escaped unless already safe markup. Through the template engine each cell cost
    ~10 µs (a lookup, a filter, localisation, escaping): 1.5 to 3 ms a page for the access log's
    50 rows, the history and the tasks."""
    html = []
    for first, *rest in rows:
        cells = "".join(f"<td>{conditional_escape(cell)}</td>" for cell in rest)
        html.append(f'<tr><th scope="row">{conditional_escape(first)}</th>{cells}</tr>\n')
    return mark_safe("".join(html))  # noqa: S308  (every cell escaped above)


def _access_log_rows(log: list[dict[str, Any]]) -> SafeString:
    when = labels.short_datetimes()
    return _table_rows((when(r["at"]), r["actor"] or "—", r["label"]) for r in log)


def _history_rows(case: Case) -> SafeString:
    opened = _("Opened")
    when = labels.short_datetimes()
    return _table_rows(
        (
            when(change.at),
            opened if change.transition == "open" else labels.label(change, "from_stage"),
            labels.label(change, "to_stage"),
            change.by.get_full_name() or change.by.username,
        )
        for change in case.stage_changes.all()
    )


def _task_rows(case: Case, today: Any) -> SafeString:
    overdue = format_html(' <span class="badge text-bg-danger">{}</span>', _("overdue"))
    still_open = _("Open")
    when, day = labels.short_datetimes(), labels.dates()
    return _table_rows(
        (
            labels.label(task, "stage"),
            format_html("{}{}", day(task.due_on), overdue if not task.done_at and task.due_on < today else ""),
            when(task.done_at) if task.done_at else still_open,
        )
        for task in case.tasks.all()
    )


def _labels(case: Case, *, identity: bool) -> dict[str, Any]:
    """The case's coded values in the reader's language (sealed ones only for those allowed)."""
    languages = dict(LANGUAGES)
    labels: dict[str, Any] = {
        "language_labels": [str(languages.get(code, code)) for code in case.languages or []],
        "exploitation": [_choice(vocab.FormOfExploitation, code) for code in case.forms_of_exploitation or []],
        "control": [_choice(vocab.MethodOfControl, code) for code in case.methods_of_control or []],
    }
    if identity:
        kinds = dict(DOCUMENT_KINDS)
        labels["gender_label"] = _choice(vocab.Gender, case.gender) if case.gender else ""
        labels["documents"] = [
            {"label": str(kinds.get(str(d.get("type", "")), d.get("type", ""))), "number": d.get("number", ""),
             "issuer": d.get("issuer") or d.get("issued_by") or ""}
            for d in case.documents or [] if isinstance(d, dict)
        ]
    return labels


def _choice(choices: Any, code: str) -> str:
    try:
        return str(choices(code).label)
    except ValueError:
        return code


def _person_roles(user: Any, case: Case) -> list[str]:
    """The related people the user may record: the owners any of them; the country of origin
    the caregiver it traced and assessed (``cases.record_caregiver``)."""
    may_change = policy.can(user, "cases.change", case)
    may_caregiver = policy.can(user, "cases.record_caregiver", case)
    return [
        role for role in RelatedRole.values
        if (may_caregiver if role == RelatedRole.CAREGIVER else may_change)
    ]


def _unconsented_sharing(case: Case) -> list[str]:
    """The sharing purposes whose consent (or override) is still missing."""
    guards = {ConsentPurpose.SHARE_ORIGIN: protocol.CONSENT_SHARE_ORIGIN,
              ConsentPurpose.SHARE_FUNDER: protocol.CONSENT_SHARE_FUNDER}
    return [purpose for purpose in SHARING_PURPOSES if not guards[purpose].holds(case, {})]


def _transitions_for(user: Any, case: Case, bound: dict[str, Any], refused: dict[str, list[str]]) -> list[dict]:
    """The steps the user's side may take now, each with the guards that still fail."""
    options = []
    for transition in protocol.from_stage(case):
        action = "cases.transition_origin" if transition.side == protocol.ORIGIN else "cases.transition_destination"
        if not policy.can(user, action, case):
            continue
        # Guards that only check what the user types (a reason) are asked for by the form.
        typed = dict.fromkeys(transition.needs, "…")
        unmet = [str(g.message) for g in protocol.failed_guards(case, transition, typed)]
        form = bound.get(f"transition:{transition.name}") or TransitionForm(
            needs=transition.needs, auto_id=f"id_{transition.name}_%s"
        )
        options.append({
            "transition": transition, "unmet": unmet, "form": form,
            "refused": refused.get(transition.name, []),
            "final": transition.target in FINAL_STAGES,
        })
    return options


# --- The case record, in sections -----------------------------------------------------------------
#
# Like Primero's case record, the case is read a section at a time: the overview (where the case
# stands in the protocol, what can be done next, its flags and tasks) and one page for each other
# part of the record. Each section reads only the lists it shows and writes one look at the case
# to the audit trail, saying which section was looked at (and whether the identity was shown).

@dataclass(frozen=True)
class Section:
    slug: str  # the URL's name in the ``cases`` namespace, and what the audit entry records
    label: Any  # lazy: translated when shown
    parts: tuple[str, ...]  # the templates of its parts, in order
    anchors: tuple[str, ...]  # the ids of those parts (where a form's result sends the reader)
    lists: tuple[str, ...]  # the case's lists it reads (``related.LISTS``); every section shows the flags
    steps: bool = False  # it offers the steps the protocol allows now, and reads what their guards read

    def url(self, case: Case) -> str:
        return cached_reverse(f"cases:{self.slug}", case.code)

    def lists_for(self, case: Case) -> tuple[str, ...]:
        if not self.steps:
            return self.lists
        return tuple(dict.fromkeys((*self.lists, *protocol.lists_read(case.stage))))


SECTIONS: dict[str, Section] = {section.slug: section for section in (
    Section("detail", gettext_lazy("Overview"), ("cases/_protocol.html", "cases/_flags.html", "cases/_tasks.html"),
            ("stage", "flags", "tasks"), ("stage_changes", "flags", "tasks"), steps=True),
    Section("person", gettext_lazy("The person"),
            ("cases/_identity.html", "cases/_consents.html", "cases/_related_people.html"),
            ("identity", "consents", "related-people"), ("consents", "consent_overrides", "related_people", "flags")),
    Section("coordination", gettext_lazy("Coordination"),
            ("cases/_approvals.html", "cases/_origin_contacts.html", "cases/_funding.html"),
            ("approvals", "origin-contacts", "funding"), ("approvals", "funding_requests", "flags")),
    Section("follow_up", gettext_lazy("Follow-up"), ("cases/_follow_ups.html",), ("follow-ups",),
            ("follow_ups", "flags")),
    Section("documents", gettext_lazy("Documents"), ("cases/documents/_attachments.html",), ("documents",),
            ("flags",)),
    Section("history", gettext_lazy("History"), ("cases/_history.html", "cases/_access_log.html"),
            ("history", "access-log"), ("stage_changes", "flags")),
)}
# The sections a look at is named for in the access log (a look at the overview is "Viewed").
SECTIONS_SHOWN = frozenset(SECTIONS) - {"detail"}
SECTION_OF_ANCHOR = {anchor: section.slug for section in SECTIONS.values() for anchor in section.anchors}
# The section that shows each form again with its errors (the key ``bound`` holds it under,
# before any ``:``).
SECTION_OF_FORM = {
    "transition": "detail", "flag": "detail",
    "consent": "person", "override": "person", "person": "person",
    "origin": "coordination", "funding": "coordination",
    "follow_up": "follow_up",
}


def section_url(case: Case, anchor: str = "") -> str:
    """The address of the section of the case that holds ``anchor`` (a part's id), with it."""
    url = SECTIONS[SECTION_OF_ANCHOR.get(anchor, "detail")].url(case)
    return f"{url}#{anchor}" if anchor else url


def _section_tabs(case: Case, current: Section) -> SafeString:
    """The sections as tabs (links: each is a page of its own, and works without JavaScript)."""
    items = []
    for section in SECTIONS.values():
        url = section.url(case)
        active = section is current
        items.append(format_html(
            '<li class="nav-item"><a class="nav-link{}" href="{}"{}>{}</a></li>\n',
            " active" if active else "", url, mark_safe(' aria-current="page"') if active else "", section.label,
        ))
    return mark_safe("".join(items))  # noqa: S308  (each item built by format_html)


def _overview(user: Any, case: Case, bound: dict[str, Any], refused: dict[str, list[str]], **common: Any) -> dict[str, Any]:
    if common["can_change"]:
        for flag in common["flags"]:
            if flag.resolved_at is None:
                flag.resolve_form = bound.get(f"flag:{flag.pk}") or FlagResolveForm(auto_id=f"id_flag{flag.pk}_%s")
    today = timezone.localdate()
    return {
        "steps": (steps := _stage_steps(case)),
        "steps_items": _steps_items(steps),
        "side_state": labels.label(case, "stage") if case.stage not in MAIN_LINE else "",
        "transitions": _transitions_for(user, case, bound, refused),
        "tasks": case.tasks.all(),
        "task_rows": _task_rows(case, today),
        "today": today,
    }


def _person(user: Any, case: Case, bound: dict[str, Any], refused: dict[str, list[str]], **common: Any) -> dict[str, Any]:
    context: dict[str, Any] = {
        "consents": case.consents.all(),
        "overrides": case.consent_overrides.all(),
        "related_people": case.related_people.all(),
        # Each form only for those the policy lets use it (the POST asks the policy again). The
        # rarely used one (a related person) comes from its own address when its <details> is
        # opened, unless a submission of it is shown again with its errors.
        "may_add_person": bool(_person_roles(user, case)),
        **_labels(case, identity=common["can_identity"]),
    }
    if "person" in bound:
        context["person_form"] = bound["person"]
    if policy.can(user, "cases.override_consent", case) and (unconsented := _unconsented_sharing(case)):
        context["override_form"] = bound.get("override") or ConsentOverrideForm(
            purposes=unconsented, auto_id="id_override_%s"
        )
    if common["can_change"]:
        context["consent_form"] = bound.get("consent") or ConsentForm(auto_id="id_consent_%s")
    return context


def _coordination(user: Any, case: Case, bound: dict[str, Any], refused: dict[str, list[str]], **common: Any) -> dict[str, Any]:
    approvals = list(case.approvals.all())
    for approval in approvals:
        approval.may_decide = approval.state == ApprovalState.PENDING and policy.can(  # type: ignore[attr-defined]
            user, "cases.approve", approval
        )
    pending_kinds = {a.kind for a in approvals if a.state == ApprovalState.PENDING}
    funding_requests = list(case.funding_requests.all())
    for funding in funding_requests:
        funding.may_reconcile = funding.state == FundingState.DISBURSED and policy.can(  # type: ignore[attr-defined]
            user, "cases.reconcile_funding", funding
        )
    context: dict[str, Any] = {
        "approvals": approvals,
        "approval_kinds": [(k, label) for k, label in ApprovalKind.choices if k not in pending_kinds],
        "funding_requests": funding_requests,
    }
    # The funding request's form comes from its own address when its <details> is opened,
    # unless a submission of it is shown again with its errors.
    if common["can_change"] and "funding" in bound:
        context["funding_form"], context["items"] = bound["funding"], bound["items"]
    if common["is_origin"]:
        context["origin_form"] = bound.get("origin") or OriginContactsForm(user=user, case=case, auto_id="id_origin_%s")
    return context


def _follow_up(user: Any, case: Case, bound: dict[str, Any], refused: dict[str, list[str]], **common: Any) -> dict[str, Any]:
    may_report = policy.can(user, "cases.report_follow_up", case)
    follow_ups = list(case.follow_ups.all())
    day = labels.dates()
    for follow_up in follow_ups:
        # What the template's {% blocktranslate %} with a |date wrote (~40 µs each, in Python ~3).
        months = follow_up.months_after_return
        follow_up.heading = ngettext(  # type: ignore[attr-defined]
            "%(months)s month after the return", "%(months)s months after the return", months
        ) % {"months": months}
        follow_up.due_text = _("Due %(day)s") % {"day": day(follow_up.due_on)}  # type: ignore[attr-defined]
        if follow_up.reported_on:
            follow_up.reported_text = _("reported on %(day)s") % {"day": day(follow_up.reported_on)}  # type: ignore[attr-defined]
        if may_report and follow_up.reported_on is None:
            follow_up.report_form = bound.get(f"follow_up:{follow_up.pk}") or FollowUpReportForm(  # type: ignore[attr-defined]
                auto_id=f"id_followup{follow_up.pk}_%s", initial={"reported_on": timezone.localdate()}
            )
    return {"follow_ups": follow_ups, "today": timezone.localdate()}


def _documents(user: Any, case: Case, bound: dict[str, Any], refused: dict[str, list[str]], **common: Any) -> dict[str, Any]:
    return {}  # the part reads what it shows itself ({% case_documents %})


def _history(user: Any, case: Case, bound: dict[str, Any], refused: dict[str, list[str]], **common: Any) -> dict[str, Any]:
    access_log = _access_log(case) if policy.can(user, "cases.view_access_log", case) else None
    return {
        "history_rows": _history_rows(case),
        "access_log": access_log,
        "access_log_rows": _access_log_rows(access_log) if access_log is not None else "",
    }


SECTION_CONTEXT = {
    "detail": _overview, "person": _person, "coordination": _coordination, "follow_up": _follow_up,
    "documents": _documents, "history": _history,
}


def _render_case(
    request: AuthenticatedRequest,
    case: Case,
    *,
    section: str = "detail",
    bound: dict[str, Any] | None = None,
    errors: list[str] | None = None,
    refused: dict[str, list[str]] | None = None,
    status: int = 200,
    preloaded: bool = False,
) -> HttpResponse:
    """A section of the case record; ``bound`` holds a submitted form to show again with its errors.

    The case is read again with the lists the section shows, unless it was ``preloaded`` so.
    """
    user = request.user
    shown = SECTIONS[section]
    bound = bound or {}
    if not preloaded:
        case = _get_case_for_user(user, case.code)
        related.load(case, shown.lists_for(case))
    can_identity = policy.can(user, "cases.view_identity", case)
    can_change = policy.can(user, "cases.change", case)
    is_origin = policy.can(user, "cases.transition_origin", case)
    # The identity is shown (and its look recorded) only in the section about the person.
    services.case_read(actor=user, case=case, identity=can_identity and section == "person", section=section)
    flags = list(case.flags.all())
    common: dict[str, Any] = {
        "flags": flags, "can_identity": can_identity, "can_change": can_change, "is_origin": is_origin,
    }
    context: dict[str, Any] = {
        "case": case,
        "section": shown,
        "section_tabs": _section_tabs(case, shown),
        "side": protocol.side_of(user, case),
        "is_child": case.is_child,
        "errors": errors or [],
        "refused": refused or {},
        **common,
        **SECTION_CONTEXT[section](user, case, bound, refused or {}, **common),
    }
    return render(request, "cases/case_detail.html", context, status=status)


def _form_on_demand(request: AuthenticatedRequest, case: Case, template: str, title: str, context: dict) -> HttpResponse:
    """A GET of a rarely used form's own address: the fragment htmx puts in its <details> on the
    case page when it is opened, or, without JavaScript, a page of its own. It holds an empty
    form and nothing of the case but its code: not a look at the case (none is audited)."""
    context = {"case": case, "title": title, "form_template": template, **context}
    if request.headers.get("HX-Request") == "true":
        response = render(request, template, context)
    else:
        response = render(request, "cases/case_form_page.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_GET
def case_detail(request: AuthenticatedRequest, code: str, section: str = "detail") -> HttpResponse:
    """The case record's overview, or another of its sections (``SECTIONS``)."""
    case = _get_case_for_user(request.user, code)
    related.load(case, SECTIONS[section].lists_for(case))
    return _render_case(request, case, section=section, preloaded=True)


def _invalid(request: AuthenticatedRequest, case: Case, key: str, form: Any, **extra: Any) -> HttpResponse:
    """Show the case again with the submitted form and its errors (HTTP 400), nothing saved."""
    errors = [str(e) for e in form.non_field_errors()] if hasattr(form, "non_field_errors") else []
    if not errors:
        errors = [_("The form below has errors: nothing was saved.")]
    section = SECTION_OF_FORM[key.split(":")[0]]
    return _render_case(request, case, section=section, bound={key: form, **extra}, errors=errors, status=400)


def _done(request: AuthenticatedRequest, case: Case, message: str, anchor: str) -> HttpResponse:
    """After a change: the message, and the section that shows what changed."""
    messages.success(request, message)
    return redirect(section_url(case, anchor))


@login_required
@require_POST
def case_transition(request: AuthenticatedRequest, code: str, name: str) -> HttpResponse:
    user = request.user
    case = _get_case_for_user(user, code)
    transition = protocol.TRANSITIONS.get(name)
    if transition is None:
        raise Http404
    action = "cases.transition_origin" if transition.side == protocol.ORIGIN else "cases.transition_destination"
    policy.authorize(user, action, case)
    form = TransitionForm(request.POST, needs=transition.needs, auto_id=f"id_{name}_%s")
    if not form.is_valid():
        return _invalid(request, case, f"transition:{name}", form)
    try:
        services.case_transition(actor=user, case=case, name=name, data=form.service_data())
    except protocol.TransitionRefused as refusal:
        # Nothing changed: the page says exactly which guards failed.
        return _render_case(
            request, case, bound={f"transition:{name}": form}, refused={name: refusal.reasons},
            errors=[_("“%(step)s” cannot be done yet.") % {"step": transition.label}, *refusal.reasons],
            status=409,
        )
    except ValidationError as error:
        add_service_error(form, error)
        return _invalid(request, case, f"transition:{name}", form)
    return _done(request, case, _("Done: %(step)s.") % {"step": transition.label}, "stage")


@login_required
@require_POST
def consent_add(request: AuthenticatedRequest, code: str) -> HttpResponse:
    user = request.user
    case = _get_case_for_user(user, code)
    policy.authorize(user, "cases.change", case)
    form = ConsentForm(request.POST, auto_id="id_consent_%s")
    if form.is_valid():
        try:
            services.consent_record(actor=user, case=case, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            return _done(request, case, _("The consent has been recorded."), "consents")
    return _invalid(request, case, "consent", form)


@login_required
@require_POST
def consent_withdraw(request: AuthenticatedRequest, code: str, pk: int) -> HttpResponse:
    user = request.user
    case = _get_case_for_user(user, code)
    policy.authorize(user, "cases.change", case)
    consent = get_object_or_404(case.consents.select_related("case__destination_country"), pk=pk)
    if consent.withdrawn_at is not None:
        messages.info(request, _("This consent had already been withdrawn."))
        return redirect(section_url(case, "consents"))
    services.consent_withdraw(actor=user, consent=consent)
    return _done(request, case, _("The withdrawal of the consent has been recorded."), "consents")


@login_required
@require_POST
def consent_override(request: AuthenticatedRequest, code: str) -> HttpResponse:
    user = request.user
    # The form offers the sharing still unconsented.
    case = _get_case_for_user(user, code, lists=("consents", "consent_overrides"))
    policy.authorize(user, "cases.override_consent", case)
    form = ConsentOverrideForm(request.POST, purposes=list(SHARING_PURPOSES), auto_id="id_override_%s")
    if form.is_valid():
        try:
            services.consent_override(actor=user, case=case, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            return _done(request, case, _("The decision to share without the consent has been recorded."), "consents")
    return _invalid(request, case, "override", form)


@login_required
@require_http_methods(["GET", "POST"])
def related_person_add(request: AuthenticatedRequest, code: str) -> HttpResponse:
    user = request.user
    case = _get_case_for_user(user, code)
    roles = _person_roles(user, case)
    if not roles:
        policy.authorize(user, "cases.change", case)  # refused, and audited
    if request.method == "GET":
        may_change = policy.can(user, "cases.change", case)
        return _form_on_demand(
            request, case, "cases/_person_form.html",
            _("Add a guardian, caregiver or escort") if may_change else _("Record the caregiver you assessed"),
            {"person_form": RelatedPersonForm(case=case, roles=roles, auto_id="id_person_%s")},
        )
    form = RelatedPersonForm(request.POST, case=case, roles=roles, auto_id="id_person_%s")
    if form.is_valid():
        try:
            services.related_person_add(actor=user, case=case, data=form.service_data())
        except ValidationError as error:
            add_service_error(form, error)
        else:
            return _done(request, case, _("The person has been added."), "related-people")
    return _invalid(request, case, "person", form)


@login_required
@require_POST
def approval_request(request: AuthenticatedRequest, code: str) -> HttpResponse:
    user = request.user
    case = _get_case_for_user(user, code, lists=("approvals",))  # the form reads the pending requests
    policy.authorize(user, "cases.change", case)
    form = ApprovalRequestForm(request.POST, case=case, auto_id="id_approval_%s")
    if form.is_valid():
        try:
            services.approval_request(actor=user, case=case, kind=form.cleaned_data["kind"])
        except ValidationError as error:
            add_service_error(form, error)
        else:
            return _done(request, case, _("The approval has been requested."), "approvals")
    return _render_case(
        request, case, section="coordination", errors=[str(e) for field in form.errors.values() for e in field],
        status=400,
    )


@login_required
@require_POST
def approval_decide(request: AuthenticatedRequest, code: str, pk: int) -> HttpResponse:
    user = request.user
    case = _get_case_for_user(user, code)
    approval = get_object_or_404(
        case.approvals.select_related("case__destination_country"), pk=pk
    )
    policy.authorize(user, "cases.approve", approval)
    form = ApprovalDecisionForm(request.POST)
    errors: list[str] = []
    if form.is_valid():
        try:
            services.approval_decide(actor=user, approval=approval, approve=form.approve)
        except ValidationError as error:
            errors = list(error.messages)
        else:
            message = _("Approved.") if form.approve else _("Rejected.")
            return _done(request, case, message, "approvals")
    else:
        errors = [str(e) for field in form.errors.values() for e in field]
    return _render_case(request, case, section="coordination", errors=errors, status=400)


@login_required
@require_POST
def origin_contacts(request: AuthenticatedRequest, code: str) -> HttpResponse:
    user = request.user
    case = _get_case_for_user(user, code)
    policy.authorize(user, "cases.transition_origin", case)
    form = OriginContactsForm(request.POST, user=user, case=case, auto_id="id_origin_%s")
    if form.is_valid():
        try:
            services.origin_contacts_set(
                actor=user, case=case, contact=form.cleaned_data["contact"],
                alternate=form.cleaned_data["alternate"],
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            return _done(request, case, _("The contacts have been recorded."), "origin-contacts")
    return _invalid(request, case, "origin", form)


@login_required
@require_http_methods(["GET", "POST"])
def funding_request_add(request: AuthenticatedRequest, code: str) -> HttpResponse:
    user = request.user
    case = _get_case_for_user(user, code)
    policy.authorize(user, "cases.change", case)
    if request.method == "GET":
        return _form_on_demand(
            request, case, "cases/_funding_form.html", _("Request funding from a partner"),
            {"funding_form": FundingRequestForm(auto_id="id_funding_%s"), "items": funding_item_formset()},
        )
    form = FundingRequestForm(request.POST, auto_id="id_funding_%s")
    items = funding_item_formset(request.POST)
    if all([form.is_valid(), items.is_valid()]):
        data = form.cleaned_data
        try:
            services.funding_request_create(
                actor=user, case=case, partner=data["partner"],
                data={"currency": data["currency"], "items": items.items(), "route": data["route"],
                      "travel_on": data["travel_on"]},
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            return _done(request, case, _("The funding request has been sent to the partner."), "funding")
    return _invalid(request, case, "funding", form, items=items)


@login_required
@require_POST
def follow_up_report(request: AuthenticatedRequest, code: str, pk: int) -> HttpResponse:
    user = request.user
    case = _get_case_for_user(user, code)
    policy.authorize(user, "cases.report_follow_up", case)
    follow_up = get_object_or_404(case.follow_ups.select_related("case__destination_country"), pk=pk)
    form = FollowUpReportForm(request.POST, auto_id=f"id_followup{pk}_%s")
    if form.is_valid() and follow_up.reported_on is not None:
        form.add_error(None, _("This follow-up has already been reported."))
    if form.is_valid():
        try:
            services.follow_up_report(actor=user, follow_up=follow_up, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            return _done(request, case, _("The follow-up has been reported."), "follow-ups")
    return _invalid(request, case, f"follow_up:{pk}", form)


@login_required
@require_POST
def flag_resolve(request: AuthenticatedRequest, code: str, pk: int) -> HttpResponse:
    user = request.user
    case = _get_case_for_user(user, code)
    policy.authorize(user, "cases.change", case)
    flag = get_object_or_404(case.flags.select_related("case"), pk=pk)
    form = FlagResolveForm(request.POST, auto_id=f"id_flag{pk}_%s")
    if form.is_valid():
        try:
            services.flag_resolve(actor=user, flag=flag, resolution=form.cleaned_data["resolution"])
        except ValidationError as error:
            add_service_error(form, error)
        else:
            return _done(request, case, _("The flag has been resolved."), "flags")
    return _invalid(request, case, f"flag:{pk}", form)


# --- The partners' funding inbox ---------------------------------------------------------------

# What a partner sees of a request: never the person, only the case's code, dates, route, costs.
FUNDING_ROW = ("state", "currency", "items", "route", "travel_on", "requested_at", "partner", "case__code")


@login_required
@require_GET
def funding_inbox(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    policy.authorize(user, "cases.view_funding")
    requests = (
        policy.scope(user, "cases.view_funding", FundingRequest.objects.all())
        .filter(partner_id=user.organisation_id)
        .select_related("case")
        .only(*FUNDING_ROW)
        .order_by("-requested_at", "-pk")
    )
    state = request.GET.get("state", "")
    if state in FundingState.values:
        requests = requests.filter(state=state)
    page = Paginator(requests, PAGE_SIZE).get_page(request.GET.get("page"))
    for funding in page.object_list:
        funding.next_steps = [
            (s, FUNDING_ACTIONS[FundingState(s)])
            for s in sorted(
                (s for s in services.FUNDING_STEPS.get(funding.state, ()) if s in FUNDING_ACTIONS),
                key=FUNDING_ORDER.__getitem__,
            )
        ]
    return render(
        request,
        "cases/funding_inbox.html",
        {"page": page, "state": state, "states": FundingState.choices},
    )


@login_required
@require_POST
def funding_advance(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    funding = _get_funding_for_user(user, pk)
    form = FundingAdvanceForm(request.POST)
    # The partner commits, declines and disburses from its inbox; the owners reconcile from the
    # case page. The service asks the policy which of the two may take the requested step.
    back = (
        redirect("cases:funding_inbox")
        if policy.can(user, "cases.decide_funding", funding)
        else redirect(funding.case)
    )
    if not form.is_valid():
        for error in form["state"].errors:
            messages.error(request, str(error))
        return back
    try:
        services.funding_request_advance(actor=user, funding=funding, state=form.cleaned_data["state"])
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("The request for %(code)s is now “%(state)s”.")
            % {"code": funding.case.code, "state": FundingState(form.cleaned_data["state"]).label},
        )
    return back

