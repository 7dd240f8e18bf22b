from __future__ import annotations

import math
import time
from typing import Any

import django_otp
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, Max, OuterRef, Prefetch
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import reverse, reverse_lazy
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp.models import Device
from django_otp.plugins.otp_totp.models import TOTPDevice

from corett import policy
from corett.accounts import forms, services, two_factor
from corett.accounts.models import ApiToken, RoleAssignment, User
from corett.audit.services import audit_log

# Between the password and the second factor the user id waits in the session this long.
PENDING_LOGIN_SECONDS = 5 * 60
_PENDING_KEY = "corett_pending_login"


class AuthenticatedRequest(HttpRequest):
    user: User


# --- Helpers ----------------------------------------------------------------------------------

def _safe_next(request: HttpRequest, url: str | None) -> str:
    """``url`` if it points into this site, otherwise ""."""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return ""


def _set_language(response: HttpResponseBase, language: str) -> HttpResponseBase:
    """Make ``language`` the one of this response and of the next requests (the cookie
    LocaleMiddleware reads, with the same attributes Django's set_language view uses)."""
    translation.activate(language)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


def _record_second_factor_failure(request: HttpRequest, user: User) -> None:
    """A wrong code counts as a failed login, so the lockout covers the second step too."""
    user_login_failed.send(
        sender=__name__,
        credentials={"username": user.get_username(), "step": "second_factor"},
        request=request,
    )


# --- Lockout ----------------------------------------------------------------------------------

def locked_out(request: HttpRequest, credentials: Any = None, *args: Any, **kwargs: Any) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: the page shown while an account is locked (HTTP 429).

    django-axes calls it as ``(request, original_response, credentials)`` and, for older
    signatures, ``(request, credentials)``; both are accepted.
    """
    if isinstance(credentials, HttpResponseBase):
        credentials = args[0] if args else None
    username = get_client_username(request, credentials) or ""
    cool_off = get_cool_off(request)
    now = timezone.now()
    last = AccessAttempt.objects.filter(username=username).aggregate(last=Max("attempt_time"))["last"]
    until = (last or now) + cool_off if cool_off else None
    minutes = max(1, math.ceil((until - now).total_seconds() / 60)) if until else None
    # The pending second step of this browser, if any, ends with the lockout.
    if hasattr(request, "session"):
        request.session.pop(_PENDING_KEY, None)
    response = render(
        request,
        "accounts/locked_out.html",
        {"minutes": minutes, "until": until},
        status=429,
    )
    if minutes:
        response["Retry-After"] = str(minutes * 60)
    return response


# --- Login, second factor, logout -------------------------------------------------------------

def _pending_set(request: HttpRequest, user: User, next_url: str) -> None:
    request.session[_PENDING_KEY] = {
        "user_id": user.pk,
        "backend": getattr(user, "backend", settings.AUTHENTICATION_BACKENDS[-1]),
        "hash": user.get_session_auth_hash(),
        "expires": time.time() + PENDING_LOGIN_SECONDS,
        "next": next_url,
    }


def _pending_get(request: HttpRequest) -> tuple[User, str, str] | None:
    """The user waiting for their second step, with backend and next URL; None if expired."""
    pending = request.session.get(_PENDING_KEY)
    if not isinstance(pending, dict) or pending.get("expires", 0) < time.time():
        request.session.pop(_PENDING_KEY, None)
        return None
    user = User.objects.filter(pk=pending.get("user_id") or 0, is_active=True).first()
    # A password changed in the meantime ends the attempt, as it ends sessions.
    if (
        user is None
        or not constant_time_compare(pending.get("hash", ""), user.get_session_auth_hash())
        or pending.get("backend") not in settings.AUTHENTICATION_BACKENDS
    ):
        request.session.pop(_PENDING_KEY, None)
        return None
    return user, pending["backend"], pending.get("next", "")


def _login_complete(
    request: HttpRequest, user: User, *, backend: str, device: Device | None, next_url: str
) -> HttpResponseBase:
    request.session.pop(_PENDING_KEY, None)
    login(request, user, backend=backend)
    if device is not None:
        django_otp.login(request, device)
    response = redirect(next_url or resolve_url(settings.LOGIN_REDIRECT_URL))
    return _set_language(response, user.preferred_language)


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def login_view(request: HttpRequest) -> HttpResponseBase:
    """Step one: username and password. With a device, step two asks for a code."""
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    if request.user.is_authenticated:
        return redirect(next_url or resolve_url(settings.LOGIN_REDIRECT_URL))
    form = forms.LoginForm(request, data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        user = form.get_user()
        assert isinstance(user, User)
        if two_factor.has_device(user):
            _pending_set(request, user, next_url)
            return redirect("accounts:login_two_factor")
        # No device: users whose role needs one are sent by the middleware to enrol first.
        return _login_complete(
            request, user, backend=user.backend, device=None, next_url=next_url  # type: ignore[attr-defined]
        )
    return render(request, "accounts/login.html", {"form": form, "next": next_url})


@sensitive_post_parameters("otp_token")
@csrf_protect
@never_cache
def login_two_factor(request: HttpRequest) -> HttpResponseBase:
    """Step two: the code from the authenticator app, or a one-time recovery code."""
    pending = _pending_get(request)
    if pending is None:
        messages.info(request, _("Your sign-in has expired. Please enter your username and password again."))
        return redirect("accounts:login")
    user, backend, next_url = pending
    credentials = {"username": user.get_username()}
    if not AxesProxyHandler.is_allowed(request, credentials):
        return locked_out(request, credentials)
    form = forms.OTPTokenForm(data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if two_factor.verify_is_throttled(user):
            form.add_error("otp_token", _("Too many wrong codes in a row. Wait a few seconds and try again."))
        else:
            device = two_factor.verify(user, form.cleaned_data["otp_token"])
            if device is not None:
                return _login_complete(request, user, backend=backend, device=device, next_url=next_url)
            form.add_error("otp_token", _("That code is not valid. Check the app and try again."))
            # If this failure locks the account, the axes middleware answers with locked_out().
            _record_second_factor_failure(request, user)
    return render(request, "accounts/login_two_factor.html", {"form": form, "pending_user": user})


@require_POST
def logout_view(request: HttpRequest) -> HttpResponseBase:
    logout(request)
    messages.success(request, _("You have signed out."))
    return redirect(settings.LOGOUT_REDIRECT_URL)


# --- Two-factor enrolment and management ------------------------------------------------------

@login_required
@never_cache
def two_factor_setup(request: AuthenticatedRequest) -> HttpResponseBase:
    """Enrol an authenticator app: scan, confirm with a code, keep the recovery codes."""
    user = request.user
    if two_factor.confirmed_totp_device(user) is not None:
        if not user.is_verified():  # type: ignore[attr-defined]
            return redirect("accounts:two_factor_verify")
        messages.info(request, _("Two-factor authentication is already on for your account."))
        return redirect("accounts:profile")
    device = two_factor.pending_totp_device(user)
    form = forms.TOTPConfirmForm(data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        codes = two_factor.totp_confirm(user=user, device=device, token=form.cleaned_data["otp_token"])
        if codes is not None:
            device.refresh_from_db()
            django_otp.login(request, device)
            messages.success(request, _("Two-factor authentication is now on for your account."))
            return render(request, "accounts/recovery_codes.html", {"codes": codes})
        form.add_error(
            "otp_token",
            _("That code does not match. Check that the phone's clock is right and try the newest code."),
        )
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "qr_data_uri": two_factor.qr_data_uri(device),
            "secret": two_factor.secret_for_display(device),
            "required": user.requires_two_factor,
        },
    )


@login_required
@sensitive_post_parameters("otp_token")
@never_cache
def two_factor_verify(request: AuthenticatedRequest) -> HttpResponseBase:
    """A signed-in session that lost its second factor proves it again (or signs out)."""
    user = request.user
    if user.is_verified() or not two_factor.has_device(user):  # type: ignore[attr-defined]
        return redirect("accounts:two_factor_setup")
    credentials = {"username": user.get_username()}
    if not AxesProxyHandler.is_allowed(request, credentials):
        logout(request)
        return locked_out(request, credentials)
    form = forms.OTPTokenForm(data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if two_factor.verify_is_throttled(user):
            form.add_error("otp_token", _("Too many wrong codes in a row. Wait a few seconds and try again."))
        else:
            device = two_factor.verify(user, form.cleaned_data["otp_token"])
            if device is not None:
                django_otp.login(request, device)
                return redirect("core:home")
            form.add_error("otp_token", _("That code is not valid. Check the app and try again."))
            _record_second_factor_failure(request, user)
            if getattr(request, "axes_locked_out", False):
                logout(request)
    return render(request, "accounts/two_factor_verify.html", {"form": form})


@require_POST
@login_required
def two_factor_disable(request: AuthenticatedRequest) -> HttpResponseBase:
    user = request.user
    if two_factor.has_device(user) and not user.is_verified():  # type: ignore[attr-defined]
        raise PermissionDenied
    services.two_factor_disable(user=user)
    messages.success(request, _("Two-factor authentication is off for your account."))
    return redirect("accounts:profile")


@require_POST
@login_required
@never_cache
def recovery_codes_regenerate(request: AuthenticatedRequest) -> HttpResponseBase:
    user = request.user
    if two_factor.confirmed_totp_device(user) is None or not user.is_verified():  # type: ignore[attr-defined]
        raise PermissionDenied
    codes = two_factor.recovery_codes_regenerate(user=user)
    messages.success(request, _("New recovery codes were created; the old ones no longer work."))
    return render(request, "accounts/recovery_codes.html", {"codes": codes})


# --- Passwords --------------------------------------------------------------------------------

class PasswordResetView(auth_views.PasswordResetView):
    form_class = forms.PasswordResetForm
    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        # Links are built from the configured address, never from the request's Host header.
        self.extra_email_context = {"site_root": settings.SITE_ROOT.rstrip("/")}
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = forms.SetPasswordForm
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        audit_log(actor=form.user, action="auth.password_reset", obj=form.user, changed_fields=["password"])
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = forms.PasswordChangeForm
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:profile")

    def form_valid(self, form):
        response = super().form_valid(form)
        audit_log(actor=form.user, action="auth.password_change", obj=form.user, changed_fields=["password"])
        messages.success(self.request, _("Your password was changed."))
        return response


# --- Profile and personal API tokens ----------------------------------------------------------

def _profile_page(
    request: AuthenticatedRequest,
    *,
    form: forms.ProfileForm | None = None,
    token_form: forms.ApiTokenForm | None = None,
) -> HttpResponse:
    user = request.user
    return render(
        request,
        "accounts/profile.html",
        {
            "form": form or forms.ProfileForm.for_user(user),
            "token_form": token_form or forms.ApiTokenForm(),
            "tokens": ApiToken.objects.filter(user=user),
            "may_use_api": policy.can(user, "accounts.use_api"),
            "totp_device": two_factor.confirmed_totp_device(user),
            "recovery_codes_left": two_factor.recovery_codes_left(user),
            "may_disable_two_factor": policy.can(user, "accounts.disable_two_factor", user),
            "organisation": user.organisation,
            "country": user.country,
        },
    )


@login_required
def profile(request: AuthenticatedRequest) -> HttpResponseBase:
    if request.method != "POST":
        return _profile_page(request)
    form = forms.ProfileForm(data=request.POST)
    if form.is_valid():
        try:
            changed = services.profile_update(user=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            # The language first: the confirmation below is then already in the chosen one.
            response = _set_language(redirect("accounts:profile"), form.cleaned_data["preferred_language"])
            if changed:
                messages.success(request, _("Your profile was saved."))
            return response
    return _profile_page(request, form=form)


@require_POST
@login_required
@never_cache
def api_token_create(request: AuthenticatedRequest) -> HttpResponseBase:
    policy.authorize(request.user, "accounts.use_api")
    form = forms.ApiTokenForm(data=request.POST)
    if form.is_valid():
        try:
            token, raw = services.api_token_create(user=request.user, name=form.cleaned_data["name"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return render(request, "accounts/api_token_created.html", {"token": token, "raw": raw})
    return _profile_page(request, token_form=form)


@require_POST
@login_required
def api_token_revoke(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    # Scoped to the requester's own tokens: another user's token is not found, not forbidden.
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    services.api_token_revoke(actor=request.user, token=token)
    messages.success(request, _("The token “%(name)s” was revoked.") % {"name": token.name})
    return redirect("accounts:profile")


# --- User management (platform administrators) ------------------------------------------------

USERS_PER_PAGE = 25


def _get_user_for_admin(request: AuthenticatedRequest, pk: int) -> User:
    """The account ``pk``, if the requester may manage users (403 otherwise, 404 if unknown)."""
    policy.authorize(request.user, "accounts.manage_users")
    user = get_object_or_404(User.objects.select_related("organisation__country"), pk=pk)
    policy.authorize(request.user, "accounts.manage_users", user)
    return user


@login_required
def user_list(request: AuthenticatedRequest) -> HttpResponse:
    policy.authorize(request.user, "accounts.manage_users")
    filters = forms.UserFilterForm(data=request.GET or None)
    users = filters.filter(
        User.objects.select_related("organisation__country")
        .prefetch_related(Prefetch("role_assignments", queryset=RoleAssignment.objects.order_by("role")))
        .annotate(
            has_two_factor=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True))
        )
        .order_by("username")
    )
    page = Paginator(users, USERS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "accounts/user_list.html",
        {"filters": filters, "page": page, "query": query.urlencode()},
    )


@login_required
def user_create(request: AuthenticatedRequest) -> HttpResponseBase:
    policy.authorize(request.user, "accounts.manage_users")
    form = forms.UserForm(data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_create(actor=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("The account %(username)s was created; an e-mail invites them to choose a password.")
                % {"username": user.username},
            )
            return redirect("accounts:user_edit", pk=user.pk)
    return render(
        request,
        "accounts/user_form.html",
        {"form": form, "account": None},
    )


@login_required
def user_edit(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    account = _get_user_for_admin(request, pk)
    form = forms.UserForm.for_user(account, data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_update(actor=request.user, user=account, data=form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The account %(username)s was saved.") % {"username": account.username})
            return redirect("accounts:user_edit", pk=account.pk)
        account.refresh_from_db()
    return render(
        request,
        "accounts/user_form.html",
        {
            "form": form,
            "account": account,
            "account_totp": two_factor.confirmed_totp_device(account),
            "account_tokens": ApiToken.objects.active().filter(user=account).count(),
        },
    )


@require_POST
@login_required
def user_reset_two_factor(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    account = _get_user_for_admin(request, pk)
    services.user_two_factor_reset(actor=request.user, user=account)
    messages.success(
        request,
        _("Two-factor authentication of %(username)s was reset; they will enrol again at their next sign-in.")
        % {"username": account.username},
    )
    return redirect(reverse("accounts:user_edit", args=[account.pk]))
