"""The pages anonymous visitors use: a session's registration link, a participant's own page
(tests, survey, check-in, certificate) reached through their personal link, and the public
verification of certificates at /verify/<code>.

These are the platform's only training pages without an account, so each write is rate-limited
per client address, validated by the services like any other, and nothing here shows more than
the visitor already holds: the session through its link, their own registration through theirs,
a certificate's four facts through its code.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from corett.core.forms import add_service_error, submitted
from corett.lib import ratelimit
from corett.training import certificates, learning, services
from corett.training.forms import CheckInForm, PublicRegistrationForm, SurveyForm, TestForm
from corett.training.models import PUBLIC_STATES, Certificate, Registration, Session, TestKind

REGISTRATIONS_PER_HOUR = 10
CHECK_INS_PER_HOUR = 30
VERIFICATIONS_PER_HOUR = 60


def _too_many(request: HttpRequest) -> HttpResponse:
    return render(request, "training/public/too_many.html", status=429)


# --- Registration through the session's link ----------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest, token: str) -> HttpResponse:
    session = get_object_or_404(
        Session.objects.select_related("programme", "country").filter(state__in=PUBLIC_STATES), registration_token=token
    )
    form = PublicRegistrationForm(request.POST or None, initial={"country": session.country_id})
    if request.method == "POST":
        if not ratelimit.hit(request, "training.register", limit=REGISTRATIONS_PER_HOUR, window=3600):
            return _too_many(request)
        registration = submitted(request, form, lambda data: services.register_through_link(session=session, data=data))
        if registration is not None:
            return redirect("training:participant_home", token=registration.token)
    return render(request, "training/public/register.html", {"session": session, "form": form},
                  status=400 if request.method == "POST" else 200)


# --- The participant's own page -----------------------------------------------------------------


def _registration(token: str) -> Registration:
    return get_object_or_404(
        Registration.objects.select_related("session", "session__programme", "session__country", "participant"),
        token=token,
    )


@never_cache
@require_GET
def participant_home(request: HttpRequest, token: str) -> HttpResponse:
    registration = _registration(token)
    session = registration.session
    attempts = {a.kind: a for a in registration.test_attempts.all()}
    certificate = Certificate.objects.filter(registration=registration).first()
    today = timezone.localdate()
    return render(request, "training/public/participant_home.html", {
        "registration": registration, "session": session, "attempts": attempts,
        "pre_open": learning.test_is_open(registration, TestKind.PRE),
        "post_open": learning.test_is_open(registration, TestKind.POST),
        "survey_open": learning.survey_is_open(registration),
        "check_in_open": session.state == "running" and today in session.days and registration.status == "confirmed",
        "checked_in_today": registration.attendances.filter(day=today).exists(),
        "days_attended": registration.attendances.count(), "day_count": len(session.days),
        "certificate": certificate, "check_in_form": CheckInForm(),
    })


@never_cache
@require_http_methods(["GET", "POST"])
def participant_test(request: HttpRequest, token: str, kind: str) -> HttpResponse:
    registration = _registration(token)
    if kind not in TestKind.values:
        raise Http404
    language = request.GET.get("language") or (get_language() or "es")[:2]
    questions = learning.questions_for(registration, language)
    form = TestForm(request.POST or None, questions=questions)
    if request.method == "POST":
        if form.is_valid():
            try:
                attempt = learning.test_submit(registration=registration, kind=kind, language=language, answers=form.answers())
                messages.success(request, _("Thank you. Your score: %(score)s of %(total)s (%(percent)s %%).") % {
                    "score": attempt.score, "total": attempt.total, "percent": attempt.percent})
                return redirect("training:participant_home", token=token)
            except ValidationError as error:
                add_service_error(form, error)
        return render(request, "training/public/test.html", {
            "registration": registration, "form": form, "kind": TestKind(kind), "language": language}, status=400)
    if not learning.test_is_open(registration, kind):
        messages.error(request, _("This test is not open for you now."))
        return redirect("training:participant_home", token=token)
    return render(request, "training/public/test.html", {
        "registration": registration, "form": form, "kind": TestKind(kind), "language": language})


@never_cache
@require_http_methods(["GET", "POST"])
def participant_survey(request: HttpRequest, token: str) -> HttpResponse:
    registration = _registration(token)
    form = SurveyForm(request.POST or None)
    if submitted(request, form, lambda data: learning.survey_submit(registration=registration, data=data)):
        messages.success(request, _("Thank you for your answers."))
        return redirect("training:participant_home", token=token)
    if request.method == "GET" and not learning.survey_is_open(registration):
        messages.error(request, _("The survey of this session is closed, or you have already answered it."))
        return redirect("training:participant_home", token=token)
    return render(request, "training/public/survey.html", {"registration": registration, "form": form},
                  status=400 if request.method == "POST" else 200)


@never_cache
@require_POST
def participant_check_in(request: HttpRequest, token: str) -> HttpResponse:
    registration = _registration(token)
    if not ratelimit.hit(request, "training.check_in", limit=CHECK_INS_PER_HOUR, window=3600):
        return _too_many(request)
    form = CheckInForm(request.POST)
    if form.is_valid():
        try:
            services.attendance_check_in(registration=registration, code=form.cleaned_data["code"], today=timezone.localdate())
            messages.success(request, _("You are checked in for today."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    else:
        messages.error(request, " ".join(str(e) for e in form.errors.get("code", [])))
    return redirect("training:participant_home", token=token)


@require_GET
def participant_certificate(request: HttpRequest, token: str) -> HttpResponse:
    registration = _registration(token)
    certificate = Certificate.objects.filter(registration=registration, revoked_at__isnull=True).first()
    if certificate is None:
        raise Http404
    from corett.training.views import _pdf_response

    return _pdf_response(certificates.render_certificates([certificate]), f"certificate-{certificate.code}.pdf")


# --- Verification ---------------------------------------------------------------------------------


@require_GET
def verify_lookup(request: HttpRequest) -> HttpResponse:
    """A form to type a code printed on a certificate."""
    code = (request.GET.get("code") or "").strip()
    if code:
        return redirect("verify:certificate", code=code[:40])
    return render(request, "training/public/verify.html", {"error": None, "certificate": None})


def _wants_json(request: HttpRequest) -> bool:
    return request.GET.get("format") == "json" or "application/json" in request.headers.get("Accept", "")


@require_GET
def verify_certificate(request: HttpRequest, code: str) -> HttpResponse:
    """Confirm a certificate: holder, programme, date and issuer (and whether it was revoked)."""
    as_json = _wants_json(request)
    if not ratelimit.hit(request, "training.verify", limit=VERIFICATIONS_PER_HOUR, window=3600):
        if as_json:
            return JsonResponse({"status": "error", "error": "too_many_requests"}, status=429)
        return _too_many(request)
    try:
        certificate = certificates.find_certificate(code)
    except certificates.CodeError as error:
        reason = error.code or "unknown"
        message = " ".join(error.messages)
        if as_json:
            return JsonResponse({"status": "error", "error": reason, "message": message}, status=404)
        return render(request, "training/public/verify.html", {"error": message, "typed": code[:40]}, status=404)
    facts = certificates.public_facts(certificate)
    if as_json:
        return JsonResponse(facts)
    return render(request, "training/public/verify.html", {"facts": facts, "certificate": certificate,
                                                           "json_url": reverse("verify:certificate", args=[code]) + "?format=json"})
