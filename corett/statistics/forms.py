from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from corett.core.forms import StyledFormMixin
from corett.statistics.importers.common import max_import_bytes
from corett.statistics.models import Finding, IndicatorCode, Source

IMPORT_SOURCES = [(Source.GLOTIP.value, _("UNODC GLOTIP (data_glotip.xlsx)")),
                  (Source.CTDC.value, _("IOM CTDC case-level data (CSV)"))]


class ImportForm(StyledFormMixin, forms.Form):
    source = forms.ChoiceField(label=_("Standard"), choices=IMPORT_SOURCES)
    file = forms.FileField(label=_("File"), help_text=_("The file as the source publishes it."))

    def clean(self):
        data = super().clean() or {}
        upload = data.get("file")
        source = data.get("source")
        if upload is None or source is None:
            return data
        if upload.size > max_import_bytes():
            self.add_error("file", _("The file is %(size)s MB; the limit is %(limit)s MB.") % {
                "size": round(upload.size / 1048576, 1), "limit": round(max_import_bytes() / 1048576, 1)})
            return data
        head = upload.read(4)
        upload.seek(0)
        is_zip = head.startswith(b"PK\x03\x04")
        if source == Source.GLOTIP and not is_zip:
            self.add_error("file", _("This is not an Excel workbook (.xlsx). Choose the GLOTIP file data_glotip.xlsx."))
        if source == Source.CTDC and is_zip:
            self.add_error("file", _("CTDC data is imported as a CSV file, not as a workbook."))
        return data


class ReviewForm(StyledFormMixin, forms.Form):
    status = forms.ChoiceField(
        label=_("Decision"),
        choices=[(s.value, s.label) for s in Finding.FindingStatus if s != Finding.FindingStatus.OPEN
                 and s != Finding.FindingStatus.CORRECTED],
    )
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                              max_length=2000)


class FindingFilterForm(StyledFormMixin, forms.Form):
    country = forms.RegexField(label=_("Country (ISO alpha-3)"), regex=r"^[A-Za-z]{3}$", required=False)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1900, max_value=2999)
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("Any")), *Finding.FindingStatus.choices])
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("Any")), *Finding.FindingKind.choices])


class FiguresFilterForm(StyledFormMixin, forms.Form):
    indicator = forms.ChoiceField(label=_("Indicator"), choices=IndicatorCode.choices, required=False)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1900, max_value=2999)
