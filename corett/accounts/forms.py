from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import forms as auth_forms
from django.db import models
from django.db.models import Q, QuerySet
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from corett.accounts import two_factor
from corett.accounts.models import ApiToken, User
from corett.accounts.roles import Role
from corett.core.forms import StyledFormMixin
from corett.directory.models import Country, Organisation


def _model_field(name: str, **kwargs: Any) -> forms.Field:
    """The form field Django derives from the model field (label, length, validators, choices)."""
    model_field = User._meta.get_field(name)
    assert isinstance(model_field, models.Field)
    field = model_field.formfield(**kwargs)
    assert field is not None
    return field


class LoginForm(StyledFormMixin, auth_forms.AuthenticationForm):
    """Username and password; authenticates through the backends (so django-axes sees it)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs["data-testid"] = "login-username"
        self.fields["password"].widget.attrs["data-testid"] = "login-password"


class OTPTokenForm(StyledFormMixin, forms.Form):
    """The second step: a code from the authenticator app, or a one-time recovery code."""

    otp_token = forms.CharField(
        label=_("Authentication code"),
        max_length=32,
        help_text=_(
            "The 6-digit code your authenticator app shows, or one of your recovery codes."
        ),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autocapitalize": "off",
                "spellcheck": "false",
                "autofocus": True,
                "data-testid": "otp-token",
            }
        ),
    )

    def clean_otp_token(self) -> str:
        return two_factor.normalise_token(self.cleaned_data["otp_token"])


class TOTPConfirmForm(StyledFormMixin, forms.Form):
    """Enrolment: the first code the new authenticator shows."""

    otp_token = forms.RegexField(
        label=_("Code from the app"),
        regex=r"^\s*\d{3}\s?\d{3}\s*$",
        error_messages={"invalid": _("Enter the 6 digits the app shows.")},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "data-testid": "otp-token",
            }
        ),
    )

    def clean_otp_token(self) -> str:
        return two_factor.normalise_token(self.cleaned_data["otp_token"])


class ProfileForm(StyledFormMixin, forms.Form):
    first_name = _model_field("first_name")
    last_name = _model_field("last_name")
    email = _model_field("email", required=True)
    preferred_language = _model_field("preferred_language")

    @classmethod
    def for_user(cls, user: User, data: Any = None) -> ProfileForm:
        initial = {name: getattr(user, name) for name in cls.base_fields}
        return cls(data=data, initial=initial)


class ApiTokenForm(StyledFormMixin, forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=ApiToken._meta.get_field("name").max_length,
        help_text=_("What the token is for, e.g. “Monthly statistics script”."),
        widget=forms.TextInput(attrs={"data-testid": "api-token-name"}),
    )


class PasswordResetForm(StyledFormMixin, auth_forms.PasswordResetForm):
    def get_users(self, email: str):
        # Django skips accounts without a usable password; ours are created without one (their
        # holder sets it through an e-mailed link), and that link may have expired unused.
        return User.objects.filter(email__iexact=email, is_active=True)

    def send_mail(self, subject_template_name, email_template_name, context, *args, **kwargs):
        # The e-mail speaks the recipient's language, not the language of whoever asked.
        with translation.override(context["user"].preferred_language):
            super().send_mail(subject_template_name, email_template_name, context, *args, **kwargs)


class SetPasswordForm(StyledFormMixin, auth_forms.SetPasswordForm):
    pass


class PasswordChangeForm(StyledFormMixin, auth_forms.PasswordChangeForm):
    pass


class OrganisationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj} · {obj.country.name}" if obj.country is not None else str(obj)


class UserForm(StyledFormMixin, forms.Form):
    """An administrator's view of an account. Validation of the whole record is the service's."""

    username = _model_field("username")
    first_name = _model_field("first_name")
    last_name = _model_field("last_name")
    email = _model_field("email", required=True)
    organisation = OrganisationChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.select_related("country").order_by("name")
    )
    roles = forms.MultipleChoiceField(
        label=_("Roles"), choices=Role.choices, widget=forms.CheckboxSelectMultiple
    )
    preferred_language = _model_field("preferred_language")
    is_active = forms.BooleanField(
        label=_("Active"),
        required=False,
        initial=True,
        help_text=_("An inactive user cannot sign in, and their API tokens stop working."),
    )

    @classmethod
    def for_user(cls, user: User, data: Any = None) -> UserForm:
        initial = {name: getattr(user, name) for name in cls.base_fields if name != "roles"}
        initial["roles"] = sorted(user.role_assignments.values_list("role", flat=True))
        return cls(data=data, initial=initial)


class UserFilterForm(StyledFormMixin, forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    role = forms.ChoiceField(
        label=_("Role"), required=False, choices=[("", _("All roles")), *Role.choices]
    )
    country = forms.ModelChoiceField(
        label=_("Country"), required=False, queryset=Country.objects.all(), empty_label=_("All countries")
    )

    def filter(self, qs: QuerySet[User]) -> QuerySet[User]:
        if not self.is_valid():
            return qs
        data = self.cleaned_data
        if text := data.get("q", "").strip():
            qs = qs.filter(
                Q(username__icontains=text)
                | Q(first_name__icontains=text)
                | Q(last_name__icontains=text)
                | Q(email__icontains=text)
            )
        if data.get("role"):
            qs = qs.filter(role_assignments__role=data["role"])
        if data.get("country"):
            qs = qs.filter(organisation__country=data["country"])
        return qs
