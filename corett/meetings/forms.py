"""Meetings forms: they check the input's shape; the services validate the records and save them."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from corett.core.forms import StyledFormMixin
from corett.directory.forms import ServiceModelForm
from corett.directory.models import (
    Country,
    Membership,
    Organisation,
    OrganisationKind,
    Person,
    PresidencyTerm,
)
from corett.meetings.models import (
    AdoptionMethod,
    AdoptionState,
    AgendaItem,
    Agreement,
    Attendance,
    CommitmentStatus,
    Delegation,
    FollowUpUpdate,
    ImplementationState,
    ItemOutcome,
    Meeting,
    MeetingState,
    Minutes,
    Mou,
    MouCommitment,
    MouParty,
    Participant,
    ResponsibleActor,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _limit(form: forms.BaseForm, name: str, queryset: Any) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)
    field.queryset = queryset


class MeetingForm(ServiceModelForm):
    class Meta:
        model = Meeting
        fields = ["kind", "number", "title_es", "title_en", "modality", "host_country", "city", "venue",
                  "starts_on", "ends_on", "presidency", "external_body", "is_public"]
        widgets = {"starts_on": DATE, "ends_on": DATE}
        help_texts = {"number": _("Leave empty for the next number of the year.")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["number"].required = False
        _limit(self, "host_country", Country.objects.all())
        _limit(self, "presidency", PresidencyTerm.objects.select_related("country"))
        _limit(self, "external_body", Organisation.objects.filter(
            kind__in=[OrganisationKind.INTERGOVERNMENTAL, OrganisationKind.PARTNER_NGO,
                      OrganisationKind.NGO_OBSERVER, OrganisationKind.DONOR]))

    def service_data(self) -> dict[str, Any]:
        data = super().service_data()
        if data.get("starts_on"):
            data["year"] = data["starts_on"].year
        if not data.get("number"):
            data.pop("number", None)
        return data


class DelegationForm(ServiceModelForm):
    class Meta:
        model = Delegation
        fields = ["organisation", "capacity"]

    def __init__(self, *args: Any, meeting: Meeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        taken = meeting.delegations.values_list("organisation_id", flat=True)
        _limit(self, "organisation", Organisation.objects.exclude(pk__in=list(taken)).select_related("country"))


class ParticipantForm(ServiceModelForm):
    class Meta:
        model = Participant
        fields = ["full_name", "position", "email", "is_head", "attendance"]


class AttendanceForm(StyledFormMixin, forms.Form):
    attendance = forms.ChoiceField(label=_("Attendance"), choices=Attendance.choices)


class RegistrationForm(StyledFormMixin, forms.Form):
    attendance = forms.ChoiceField(
        label=_("Will you attend?"), widget=forms.RadioSelect,
        choices=[(Attendance.REGISTERED, _("Yes, I will attend")), (Attendance.EXCUSED, _("No, I am excused"))],
    )


class AgendaItemForm(ServiceModelForm):
    class Meta:
        model = AgendaItem
        fields = ["parent", "title_es", "title_en", "is_public", "presenter", "duration_minutes"]

    def __init__(self, *args: Any, meeting: Meeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _limit(self, "parent", meeting.agenda_items.all())
        self.fields["parent"].label_from_instance = lambda item: f"{item.number}. {item.title}"  # type: ignore[attr-defined]


class OutcomeForm(StyledFormMixin, forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=ItemOutcome.choices)


class DocumentForm(StyledFormMixin, forms.Form):
    file = forms.FileField(label=_("File"), help_text=_(
        "A PDF, a JPEG or PNG image, or a Word, Excel, PowerPoint or OpenDocument file (no macros)."
    ))


class AgreementForm(ServiceModelForm):
    class Meta:
        model = Agreement
        fields = ["agenda_item", "letter", "title_es", "title_en", "text_es", "text_en", "project"]
        widgets = {"text_es": forms.Textarea(attrs={"rows": 4}), "text_en": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, meeting: Meeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _limit(self, "agenda_item", meeting.agenda_items.all())
        self.fields["agenda_item"].label_from_instance = lambda item: f"{item.number}. {item.title}"  # type: ignore[attr-defined]


class DecisionForm(StyledFormMixin, forms.Form):
    adoption_state = forms.ChoiceField(
        label=_("Decision"), choices=[c for c in AdoptionState.choices if c[0] != AdoptionState.PROPOSED]
    )
    method = forms.ChoiceField(label=_("Adopted by"), choices=AdoptionMethod.choices, initial=AdoptionMethod.CONSENSUS)
    votes_for = forms.IntegerField(label=_("Votes for"), min_value=0, required=False)
    votes_against = forms.IntegerField(label=_("Votes against"), min_value=0, required=False)
    abstentions = forms.IntegerField(label=_("Abstentions"), min_value=0, required=False)


class ActorForm(ServiceModelForm):
    class Meta:
        model = ResponsibleActor
        fields = ["kind", "country", "organisation", "role", "due_on", "reporting"]
        widgets = {"due_on": DATE}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _limit(self, "country", Country.objects.filter(membership=Membership.MEMBER))
        _limit(self, "organisation", Organisation.objects.exclude(
            kind__in=[OrganisationKind.NATIONAL_COMMISSION, OrganisationKind.GOVERNMENT_INSTITUTION,
                      OrganisationKind.CONSULATE, OrganisationKind.LOCAL_COMMITTEE]))


class ImplementationForm(StyledFormMixin, forms.Form):
    to_state = forms.ChoiceField(label=_("New implementation state"), choices=ImplementationState.choices)
    superseded_by = forms.ModelChoiceField(
        label=_("Superseded by"), queryset=Agreement.objects.none(), required=False,
        help_text=_("Only when the new state is superseded."),
    )

    def __init__(self, *args: Any, agreement: Agreement, steps: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_state"].choices = [c for c in ImplementationState.choices if c[0] in steps]  # type: ignore[attr-defined]
        _limit(self, "superseded_by", Agreement.objects.exclude(pk=agreement.pk).select_related("meeting"))


class UpdateForm(ServiceModelForm):
    class Meta:
        model = FollowUpUpdate
        fields = ["actor", "narrative", "percent_done"]
        widgets = {"narrative": forms.Textarea(attrs={"rows": 6}),
                   "percent_done": forms.NumberInput(attrs={"min": 0, "max": 100})}

    def __init__(self, *args: Any, agreement: Agreement, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Every responsible actor is offered; the service refuses, at this field, one the user
        # does not speak for (a clear error rather than a choice that silently is not there).
        actors = agreement.actors.select_related("country", "organisation")
        _limit(self, "actor", actors)
        mine = [a for a in actors if a.represented_by(user)]
        if len(mine) == 1 and not self.is_bound:
            self.initial["actor"] = mine[0].pk

    def clean_percent_done(self) -> int:
        value = self.cleaned_data["percent_done"]
        if value is None or not 0 <= value <= 100:
            raise ValidationError(_("The percentage is between 0 and 100."))
        return value


class UpdateEditForm(UpdateForm):
    class Meta(UpdateForm.Meta):
        fields = ["narrative", "percent_done"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.pop("agreement", None)
        kwargs.pop("user", None)
        ServiceModelForm.__init__(self, *args, **kwargs)


class ReviewForm(StyledFormMixin, forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), widget=forms.RadioSelect, choices=[
        ("accept", _("Accept the update")), ("return", _("Return it for revision")),
    ])
    comment = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}), required=False,
                              max_length=2000)


class MinutesForm(ServiceModelForm):
    class Meta:
        model = Minutes
        fields = ["body_es", "body_en"]
        widgets = {"body_es": forms.Textarea(attrs={"rows": 18}), "body_en": forms.Textarea(attrs={"rows": 18})}


class MinutesCommentForm(StyledFormMixin, forms.Form):
    text = forms.CharField(label=_("Your comment"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)


class MinutesApprovalForm(StyledFormMixin, forms.Form):
    approved_at_meeting = forms.ModelChoiceField(label=_("Approved at meeting"), queryset=Meeting.objects.none())

    def __init__(self, *args: Any, meeting: Meeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _limit(self, "approved_at_meeting", Meeting.objects.filter(
            starts_on__gt=meeting.ends_on, state__in=[MeetingState.HELD, MeetingState.CLOSED]))


class MouForm(ServiceModelForm):
    class Meta:
        model = Mou
        fields = ["code", "title_es", "title_en", "purpose", "themes", "authorised_by", "signed_on", "valid_from",
                  "valid_until", "renewal_terms", "notice_days", "alert_days"]
        widgets = {"signed_on": DATE, "valid_from": DATE, "valid_until": DATE,
                   "purpose": forms.Textarea(attrs={"rows": 3}), "renewal_terms": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _limit(self, "authorised_by", Agreement.objects.filter(adoption_state=AdoptionState.ADOPTED).select_related("meeting"))


class MouPartyForm(ServiceModelForm):
    class Meta:
        model = MouParty
        fields = ["organisation", "signatory", "signatory_position", "focal_point"]

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _limit(self, "organisation", Organisation.objects.all())
        _limit(self, "focal_point", Person.objects.visible_to(user).select_related("organisation"))


class MouVersionForm(StyledFormMixin, forms.Form):
    text = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 12}))
    reason = forms.CharField(label=_("Reason for the change"), max_length=300)


class CommitmentForm(ServiceModelForm):
    class Meta:
        model = MouCommitment
        fields = ["party", "kind", "description", "due_on", "amount", "currency"]
        widgets = {"due_on": DATE}

    def __init__(self, *args: Any, mou: Mou, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _limit(self, "party", mou.parties.select_related("organisation"))


class CommitmentStatusForm(StyledFormMixin, forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=CommitmentStatus.choices)


class StateForm(StyledFormMixin, forms.Form):
    to_state = forms.CharField(max_length=20)


def transition_choices() -> list[tuple[str, str]]:
    return [
        (f"{a}>{b}", f"{la} → {lb}")
        for a, la in ImplementationState.choices for b, lb in ImplementationState.choices
        if a != b and b != ImplementationState.OVERDUE
    ]


class WorkflowForm(StyledFormMixin, forms.Form):
    transitions = forms.MultipleChoiceField(
        label=_("Allowed steps"), widget=forms.CheckboxSelectMultiple, choices=transition_choices, required=False,
    )

    def pairs(self) -> set[tuple[str, str]]:
        return {(v.split(">", 1)[0], v.split(">", 1)[-1]) for v in self.cleaned_data["transitions"]}
