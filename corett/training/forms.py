"""Training forms: shapes and types only; the rules are the services' (their errors land here)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from corett.accounts.models import User
from corett.accounts.roles import Role
from corett.core.forms import StyledFormMixin
from corett.directory.models import Country, Membership, Organisation, OrganisationKind
from corett.training.models import (
    Audience,
    CommitteeMember,
    CommitteeProfile,
    Language,
    Material,
    Participant,
    Programme,
    Question,
    Registration,
    Session,
    SessionState,
    SurveyResponse,
    TestKind,
    Topic,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def member_countries() -> Any:
    return Country.objects.filter(membership=Membership.MEMBER).order_by("name_es")


class TopicForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Topic
        fields = ["code", "name_es", "name_en"]


class ProgrammeForm(StyledFormMixin, forms.ModelForm):
    audiences = forms.MultipleChoiceField(
        label=_("Target audiences"), choices=Audience.choices, widget=forms.CheckboxSelectMultiple, required=False,
    )
    partners = forms.ModelMultipleChoiceField(
        label=_("Partner organisations"), required=False,
        queryset=Organisation.objects.exclude(kind=OrganisationKind.LOCAL_COMMITTEE).order_by("name"),
        help_text=_("Organisations delivering or funding the programme; their names appear on the certificates."),
    )

    class Meta:
        model = Programme
        fields = [
            "title_es", "title_en", "topic", "audiences", "objectives", "partners", "min_attendance_percent",
            "requires_post_test", "pass_mark_percent",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["partners"] = list(self.instance.partners.values_list("pk", flat=True))


MATERIAL_MAX_MB = 20
# What trainers hand out: documents, slides, spreadsheets, pictures (recognised by content).
MATERIAL_TYPES = {
    "application/pdf", "image/png", "image/jpeg",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.oasis.opendocument.text", "application/zip",
}


class MaterialForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Material
        fields = ["title", "url", "file", "language"]
        help_texts = {
            "url": _("A link to the publication (e.g. in the publications library), or upload a file below."),
            "file": _("PDF, Word, PowerPoint, Excel, OpenDocument or an image; at most 20 MB."),
        }

    def clean_file(self) -> Any:
        import filetype

        upload = self.cleaned_data.get("file")
        if not upload:
            return upload
        if upload.size > MATERIAL_MAX_MB * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        head = upload.read(8192)
        upload.seek(0)
        kind = filetype.guess(head)
        if kind is None or kind.mime not in MATERIAL_TYPES:
            raise forms.ValidationError(_("This kind of file is not accepted: send a PDF, an office document or an image."))
        return upload


class QuestionForm(StyledFormMixin, forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    text = forms.CharField(label=_("Question"), widget=forms.Textarea(attrs={"rows": 2}), max_length=1000)
    choices = forms.CharField(
        label=_("Answers"), widget=forms.Textarea(attrs={"rows": 4}), max_length=3000,
        help_text=_("One answer per line, two to six answers."),
    )
    correct = forms.IntegerField(label=_("Number of the correct answer"), min_value=1, max_value=6)

    def clean_choices(self) -> list[str]:
        lines = [line.strip() for line in self.cleaned_data["choices"].splitlines() if line.strip()]
        if not 2 <= len(lines) <= 6:
            raise forms.ValidationError(_("Give two to six answers, one per line."))
        return lines

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"language": data["language"], "text": data["text"], "choices": data["choices"],
                "correct_choice": data["correct"] - 1}


class SessionForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Session
        fields = [
            "programme", "country", "venue", "modality", "starts_on", "ends_on", "language", "capacity",
            "waiting_list", "trainers", "target_committees",
        ]
        widgets = {"starts_on": DATE, "ends_on": DATE, "trainers": forms.SelectMultiple(attrs={"size": 4}),
                   "target_committees": forms.SelectMultiple(attrs={"size": 4})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["country"].queryset = member_countries()  # type: ignore[attr-defined]
        self.fields["trainers"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            is_active=True, role_assignments__role=Role.TRAINER
        ).distinct().order_by("last_name", "first_name")
        self.fields["trainers"].label_from_instance = lambda u: u.get_full_name() or u.username  # type: ignore[attr-defined]
        self.fields["target_committees"].queryset = Organisation.objects.filter(  # type: ignore[attr-defined]
            kind=OrganisationKind.LOCAL_COMMITTEE
        ).select_related("country").order_by("country__name_es", "name")


class TransitionForm(StyledFormMixin, forms.Form):
    state = forms.ChoiceField(choices=SessionState.choices, widget=forms.HiddenInput)
    note = forms.CharField(label=_("Report or reason"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=10000)


class ParticipantForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Participant
        fields = ["full_name", "email", "institution", "institution_type", "organisation", "country", "position", "sex",
                  "consent_to_contact"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["country"].queryset = member_countries()  # type: ignore[attr-defined]
        self.fields["organisation"].queryset = Organisation.objects.filter(  # type: ignore[attr-defined]
            kind__in=[OrganisationKind.LOCAL_COMMITTEE, OrganisationKind.NATIONAL_COMMISSION]
        ).order_by("name")
        self.fields["email"].help_text = _("Used to recognise the same person in several sessions.")

    def _get_validation_exclusions(self) -> set[str]:
        # An e-mail already on file is the same person: the service reuses that record, so the
        # model's one-participant-per-e-mail constraint must not refuse the form.
        return super()._get_validation_exclusions() | {"email"}  # type: ignore[misc]


class PublicRegistrationForm(StyledFormMixin, forms.ModelForm):
    consent_to_processing = forms.BooleanField(
        label=_("I agree that the coalition keeps these details to run this training, issue my certificate and "
                "count, without my name, the people trained."),
    )
    # A field people never see (hidden by CSS): bots that fill every field give themselves away.
    website = forms.CharField(required=False, label=_("Leave this field empty"))

    class Meta:
        model = Participant
        fields = ["full_name", "email", "institution", "institution_type", "country", "position", "sex",
                  "consent_to_contact"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True
        self.fields["country"].queryset = member_countries()  # type: ignore[attr-defined]
        self.fields["website"].widget.attrs.update({"autocomplete": "off", "tabindex": "-1"})

    def _get_validation_exclusions(self) -> set[str]:
        return super()._get_validation_exclusions() | {"email"}  # type: ignore[misc]  # as ParticipantForm

    def clean_website(self) -> str:
        if self.cleaned_data.get("website"):
            raise forms.ValidationError(_("Leave this field empty."))
        return ""

    def service_data(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k not in ("consent_to_processing", "website")}


class PresentField(forms.TypedMultipleChoiceField):
    """The ticked registrations; an id that is not on the list is left for the service to refuse
    with its own message (the person is not registered) instead of a generic "invalid choice"."""

    def valid_value(self, value: Any) -> bool:
        return True


class AttendanceForm(StyledFormMixin, forms.Form):
    day = forms.TypedChoiceField(label=_("Day"), coerce=dt.date.fromisoformat)
    present = PresentField(label=_("Present"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, session: Session, registrations: list[Registration], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["day"].choices = [  # type: ignore[attr-defined]
            (d.isoformat(), formats.date_format(d, "DATE_FORMAT")) for d in session.days
        ]
        self.fields["present"].choices = [(r.pk, r.participant.full_name) for r in registrations]  # type: ignore[attr-defined]


class CheckInForm(StyledFormMixin, forms.Form):
    code = forms.RegexField(label=_("Today's check-in code"), regex=r"^\s*\d{6}\s*$", max_length=12,
                            error_messages={"invalid": _("The code has six digits.")})


class TestForm(forms.Form):
    """One radio group per question of the bank."""

    def __init__(self, *args: Any, questions: list[Question], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        for number, question in enumerate(questions, start=1):
            self.fields[f"q{question.pk}"] = forms.TypedChoiceField(
                label=f"{number}. {question.text}", coerce=int, widget=forms.RadioSelect,
                choices=list(enumerate(question.choices)),
                error_messages={"required": _("Answer this question.")},
            )

    def answers(self) -> dict[int, int]:
        return {q.pk: self.cleaned_data[f"q{q.pk}"] for q in self.questions}


class TestLanguageForm(forms.Form):
    language = forms.ChoiceField(choices=Language.choices, required=False)


RATINGS = [(n, str(n)) for n in range(1, 6)]


class SurveyForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = SurveyResponse
        fields = ["overall", "relevance", "trainers", "comments"]
        widgets = {
            "overall": forms.RadioSelect(choices=RATINGS),
            "relevance": forms.RadioSelect(choices=RATINGS),
            "trainers": forms.RadioSelect(choices=RATINGS),
            "comments": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {"overall": _("1: very poor, 5: excellent")}


class CertificateLanguageForm(StyledFormMixin, forms.Form):
    language = forms.ChoiceField(label=_("Language of the certificates"), choices=Language.choices)


class RevokeForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label=_("Reason for revoking"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))


class MergeForm(StyledFormMixin, forms.Form):
    duplicate = forms.ModelChoiceField(label=_("The same person's other record"), queryset=Participant.objects.none())

    def __init__(self, *args: Any, candidates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["duplicate"].queryset = candidates  # type: ignore[attr-defined]


class CommitteeProfileForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = CommitteeProfile
        fields = ["municipality", "department"]


class CommitteeMemberForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = CommitteeMember
        fields = ["full_name", "institution", "position"]


class DashboardFilterForm(StyledFormMixin, forms.Form):
    start = forms.DateField(label=_("From"), required=False, widget=DATE)
    end = forms.DateField(label=_("To"), required=False, widget=DATE)
    country = forms.ModelChoiceField(label=_("Country of the participants"), required=False, queryset=Country.objects.none())
    topic = forms.ModelChoiceField(label=_("Topic"), required=False, queryset=Topic.objects.all())
    programme = forms.ModelChoiceField(label=_("Programme"), required=False, queryset=Programme.objects.all())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["country"].queryset = member_countries()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("The end date cannot be before the start date."))
        return data


class SessionFilterForm(StyledFormMixin, forms.Form):
    state = forms.ChoiceField(label=_("State"), required=False, choices=[("", _("All")), *SessionState.choices])
    country = forms.ModelChoiceField(label=_("Country"), required=False, queryset=Country.objects.none())
    programme = forms.ModelChoiceField(label=_("Programme"), required=False, queryset=Programme.objects.all())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["country"].queryset = member_countries()  # type: ignore[attr-defined]


TEST_KINDS = dict(TestKind.choices)
