"""Website forms: they check input shapes; the services validate the records and save them."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from corett.core.forms import StyledFormMixin
from corett.directory.models import Country
from corett.website import services
from corett.website.models import (
    Article,
    HelpLine,
    MediaFile,
    MediaKind,
    Publication,
    PublicationKind,
    Topic,
)

MARKDOWN_HELP = _("Markdown: **bold**, *italics*, ## headings, - lists, [link](https://…), "
                  "![description of the image](address of an uploaded image).")


class CountriesField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.name


class ArticleForm(StyledFormMixin, forms.ModelForm):
    countries = CountriesField(
        label=_("Countries"), queryset=Country.objects.members(), required=False,
        widget=forms.CheckboxSelectMultiple, help_text=_("The countries the article is about (tags)."),
    )
    cover = forms.ModelChoiceField(
        label=_("Cover image"), queryset=MediaFile.objects.filter(kind=MediaKind.IMAGE), required=False,
    )

    class Meta:
        model = Article
        fields = ["slug", "title_es", "title_en", "summary_es", "summary_en", "body_es", "body_en", "cover"]
        widgets = {
            "body_es": forms.Textarea(attrs={"rows": 16, "lang": "es", "data-preview": "preview-es"}),
            "body_en": forms.Textarea(attrs={"rows": 16, "lang": "en", "data-preview": "preview-en"}),
            "title_es": forms.TextInput(attrs={"lang": "es"}),
            "title_en": forms.TextInput(attrs={"lang": "en"}),
            "summary_es": forms.Textarea(attrs={"rows": 2, "lang": "es"}),
            "summary_en": forms.Textarea(attrs={"rows": 2, "lang": "en"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body_es"].help_text = MARKDOWN_HELP
        self.fields["body_en"].help_text = MARKDOWN_HELP
        if self.instance.pk:
            self.fields["countries"].initial = list(self.instance.countries.all())

    def service_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in [*self.Meta.fields, "countries"]}


class PublishForm(StyledFormMixin, forms.Form):
    publish_at = forms.DateTimeField(
        label=_("Publish at"), required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Leave empty to publish now; a later moment schedules the publication."),
    )


class ReturnForm(StyledFormMixin, forms.Form):
    note = forms.CharField(label=_("What needs changing"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))


class UnpublishForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label=_("Reason for unpublishing"), max_length=300,
                             widget=forms.Textarea(attrs={"rows": 2}))


def check_upload(upload: Any, kind: str) -> Any:
    """An upload judged by its reported size first (a file over the limit was never kept), then
    by its content."""
    try:
        services.check_size(upload.size)
        head = upload.read(services.SNIFF_BYTES)
        upload.seek(0)
        services.media_type_of(head, kind)
    except ValidationError as error:
        raise ValidationError(error.message_dict["file"]) from error
    return upload


class MediaForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=MediaKind.choices)
    file = forms.FileField(label=_("File"))
    alt_es = forms.CharField(label=_("Text alternative (Spanish)"), max_length=250, required=False,
                             help_text=_("Required for images: what the image shows, for people who cannot see it."))
    alt_en = forms.CharField(label=_("Text alternative (English)"), max_length=250, required=False,
                             help_text=_("Required for images: what the image shows, for people who cannot see it."))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("file") is not None and data.get("kind"):
            try:
                check_upload(data["file"], data["kind"])
            except ValidationError as error:
                self.add_error("file", error)
        if data.get("kind") == MediaKind.IMAGE:
            for name in ("alt_es", "alt_en"):
                if not (data.get(name) or "").strip():
                    self.add_error(name, _("Describe the image for people who cannot see it."))
        return data


class PublicationForm(StyledFormMixin, forms.ModelForm):
    upload = forms.FileField(label=_("File"), required=False,
                             help_text=_("PDF, Word, Excel, PowerPoint, OpenDocument or an image."))
    country = forms.ModelChoiceField(label=_("Country"), queryset=Country.objects.members(), required=False,
                                     empty_label=_("The whole region"))

    class Meta:
        model = Publication
        fields = ["slug", "title_es", "title_en", "description_es", "description_en", "kind", "topic",
                  "country", "language", "year", "is_published"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            self.fields["upload"].required = True
        self.fields["year"].initial = timezone.localdate().year

    def clean_upload(self) -> Any:
        upload = self.cleaned_data.get("upload")
        return check_upload(upload, MediaKind.ATTACHMENT) if upload is not None else None


class HelpLineForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = HelpLine
        fields = ["country", "name_es", "name_en", "phone", "hours_es", "hours_en", "description_es",
                  "description_en", "is_demo", "order"]

    def __init__(self, *args: Any, countries: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if countries is not None:
            self.fields["country"].queryset = countries  # type: ignore[attr-defined]


class ContactForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=120)
    email = forms.EmailField(label=_("Your e-mail"), max_length=254)
    subject = forms.CharField(label=_("Subject"), max_length=150)
    message = forms.CharField(label=_("Message"), max_length=5000, widget=forms.Textarea(attrs={"rows": 6}))
    # The spam trap: hidden from people (and from screen readers), filled in by robots.
    website = forms.CharField(label=_("Leave this field empty"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["name"].widget.attrs["autocomplete"] = "name"

    @property
    def is_spam(self) -> bool:
        return bool(self.data.get("website"))

    def service_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in ("name", "email", "subject", "message")}


class PublicationFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type"), required=False, choices=[("", _("All types")), *PublicationKind.choices])
    country = forms.ChoiceField(label=_("Country"), required=False)
    topic = forms.ChoiceField(label=_("Topic"), required=False, choices=[("", _("All topics")), *Topic.choices])
    language = forms.ChoiceField(label=_("Language"), required=False,
                                 choices=[("", _("All languages")), ("es", _("Spanish")), ("en", _("English"))])
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1990, max_value=2100)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        countries = [(c.iso2, c.name) for c in Country.objects.members()]
        self.fields["country"].choices = [  # type: ignore[attr-defined]
            ("", _("All countries")), ("region", _("The whole region")), *countries,
        ]
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = css


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=100, required=False)
