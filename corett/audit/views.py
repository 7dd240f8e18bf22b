"""The audit trail viewer: administrators only, and every look at it is itself audited."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from corett import policy
from corett.audit.forms import EntryFilterForm
from corett.audit.models import AuditEntry
from corett.audit.services import audit_log, audit_verify

PAGE_SIZE = 50

# audit_verify() explains a break in English for logs and cron; the page says it in the user's
# language.
REASONS = {
    "link to the previous entry is broken": _(
        "Its link to the previous entry is broken: an entry before it was removed or altered."
    ),
    "content does not match its hash": _(
        "Its content does not match its hash: the entry was altered after it was written."
    ),
}


@require_GET
@login_required
def entry_list(request: HttpRequest) -> HttpResponse:
    policy.authorize(request.user, "audit.view")
    form = EntryFilterForm(request.GET)
    form.is_valid()
    entries = form.filter(AuditEntry.objects.order_by("-id"))
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    # Read the page before recording this look, so the count and the rows agree.
    page.object_list = list(page.object_list)
    audit_log(
        actor=request.user,
        action="audit.view",
        extra={"filters": form.used() if form.is_valid() else [], "page": page.number},
    )
    return render(request, "audit/entry_list.html", {"form": form, "page": page})


@require_GET
@login_required
def entry_detail(request: HttpRequest, pk: int) -> HttpResponse:
    policy.authorize(request.user, "audit.view")
    entry = get_object_or_404(AuditEntry, pk=pk)
    audit_log(
        actor=request.user, action="audit.view", object_type="audit.auditentry", object_id=entry.pk
    )
    return render(request, "audit/entry_detail.html", {"entry": entry})


@require_POST
@login_required
def verify(request: HttpRequest) -> HttpResponse:
    policy.authorize(request.user, "audit.verify")
    result = audit_verify()
    broken = (
        AuditEntry.objects.filter(pk=result.broken_id).first()
        if result.broken_id is not None
        else None
    )
    # Recorded after the walk, so the verification never covers its own entry.
    audit_log(
        actor=request.user,
        action="audit.verify",
        extra={"ok": result.ok, "checked": result.checked, "broken_id": result.broken_id},
    )
    return render(
        request,
        "audit/verify.html",
        {"result": result, "broken": broken, "reason": REASONS.get(result.reason, result.reason)},
    )
