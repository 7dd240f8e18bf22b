"""The documents of a case: attachments (upload, download, removal), the case file (PDF) and the
password-protected exports.

Case URLs fetch through the case pages' ``_get_case_for_user`` (a tampered code or a case of
another country is a 404), authorise with the policy (403, audited) and leave writes, reads of
sealed files and exports to ``corett.cases.services``, which authorise again and audit.

Uploads stay in memory, never in a temporary file on disk (a scanned passport is a victim's
identity, in clear until it is sealed), and only up to the attachment limit: the upload view
installs ``BoundedMemoryUploadHandler`` before anything reads the request body.
"""

from __future__ import annotations

import io
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from corett import policy
from corett.accounts.models import User
from corett.cases import exports, services
from corett.cases.models import Attachment, Case, is_valid_case_code
from corett.cases.views import _get_case_for_user, section_url
from corett.core.forms import StyledFormMixin, add_service_error


class AuthenticatedRequest(HttpRequest):
    # Every view here is behind @login_required.
    user: User


# --- Uploads -------------------------------------------------------------------------------------


class BoundedMemoryUploadHandler(FileUploadHandler):
    """Keeps the request's files in memory, up to ``limit`` bytes in all; never on disk.

    A file that goes past the limit is still read off the connection (the client is sending it),
    but its bytes are dropped as they arrive: the view receives an empty file that reports its
    true size, and refuses it by that size without ever having held it.
    """

    def __init__(self, request: HttpRequest, *, limit: int) -> None:
        super().__init__(request)
        self.limit = limit
        self.kept = 0  # bytes held for the whole request, across files
        self.buffer = io.BytesIO()
        self.dropped = False

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.buffer = io.BytesIO()
        self.dropped = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        if not self.dropped and self.kept + len(raw_data) <= self.limit:
            self.buffer.write(raw_data)
            self.kept += len(raw_data)
        elif not self.dropped:
            self.kept -= self.buffer.tell()
            self.buffer = io.BytesIO()
            self.dropped = True
        return None  # consumed: no other handler sees the bytes

    def file_complete(self, file_size: int) -> InMemoryUploadedFile:
        self.buffer.seek(0)
        return InMemoryUploadedFile(
            file=self.buffer, field_name=self.field_name, name=self.file_name,
            content_type=self.content_type, size=file_size, charset=self.charset,
            content_type_extra=self.content_type_extra,
        )


class AttachmentForm(StyledFormMixin, forms.Form):
    file = forms.FileField(label=gettext_lazy("File"))
    description = forms.CharField(
        label=gettext_lazy("Description"), max_length=120, required=False,
        help_text=Attachment._meta.get_field("description").help_text,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "A PDF document, a JPEG, PNG or WebP image, or a Word (DOCX) or OpenDocument (ODT) text, "
            "of at most %(limit)s MB. It is encrypted, and only the case's two countries can open it."
        ) % {"limit": services.attachment_max_bytes() // (1024 * 1024)}

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        limit = services.attachment_max_bytes()
        # By the size the upload reports, before reading it: a file over the limit was never kept.
        if upload.size > limit:
            raise ValidationError(
                _("The file is %(size)s; the limit is %(limit)s MB."),
                code="too_large",
                params={"size": filesizeformat(upload.size), "limit": limit // (1024 * 1024)},
            )
        head = upload.read(services.TYPE_SNIFF_BYTES)
        upload.seek(0)
        try:
            services.attachment_type_of(head)
        except ValidationError as error:
            raise ValidationError(error.message_dict["file"]) from error
        return upload


@csrf_exempt  # checked by _attachment_add, once the bounded handler is in place
@login_required
def attachment_add(request: AuthenticatedRequest, code: str) -> HttpResponse:
    # Before anything reads the body (the CSRF check reads the form): see the handler.
    request.upload_handlers = [BoundedMemoryUploadHandler(request, limit=services.attachment_max_bytes())]
    return _attachment_add(request, code)


@csrf_protect
@require_http_methods(["GET", "POST"])
def _attachment_add(request: AuthenticatedRequest, code: str) -> HttpResponse:
    user = request.user
    case = _get_case_for_user(user, code)
    policy.authorize(user, "cases.change", case)
    if request.method != "POST":
        return _attachment_page(request, case, AttachmentForm(auto_id="id_attachment_%s"))
    form = AttachmentForm(request.POST, request.FILES, auto_id="id_attachment_%s")
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            services.attachment_add(
                actor=user, case=case, filename=upload.name or "", content=upload.read(),
                description=form.cleaned_data["description"],
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The document has been added to the case, encrypted."))
            return redirect(section_url(case, "documents"))
    return _attachment_page(request, case, form, status=400)


def _attachment_page(request: AuthenticatedRequest, case: Case, form: AttachmentForm, status: int = 200) -> HttpResponse:
    return render(
        request, "cases/documents/attachment_form.html",
        {"case": case, "form": form, "title": _("Add a document")}, status=status,
    )


@login_required
@require_GET
@never_cache
def attachment_download(request: AuthenticatedRequest, code: str, pk: int) -> HttpResponseBase:
    user = request.user
    case = _get_case_for_user(user, code)
    attachment = get_object_or_404(case.attachments.active(), pk=pk)
    attachment.case = case
    filename, content = services.attachment_read(actor=user, attachment=attachment)
    response = FileResponse(
        io.BytesIO(content), as_attachment=True, filename=filename, content_type=attachment.content_type
    )
    # Saved, never shown by the browser as something else than what it is.
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def attachment_remove(request: AuthenticatedRequest, code: str, pk: int) -> HttpResponse:
    user = request.user
    case = _get_case_for_user(user, code)
    policy.authorize(user, "cases.change", case)
    attachment = get_object_or_404(case.attachments.defer("content"), pk=pk)
    attachment.case = case
    if attachment.deactivated_at is not None:
        messages.info(request, _("This document had already been removed."))
    else:
        services.attachment_remove(actor=user, attachment=attachment)
        messages.success(request, _("The document has been removed from the case."))
    return redirect(section_url(case, "documents"))


# --- The case file -------------------------------------------------------------------------------


def _file_response(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = str(content_disposition_header(as_attachment=True, filename=filename))
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_GET
@never_cache
def case_file(request: AuthenticatedRequest, code: str) -> HttpResponse:
    user = request.user
    case = _get_case_for_user(user, code, full=True)
    pdf = services.case_file_render(actor=user, case=case)
    return _file_response(pdf, exports.case_file_name(case), exports.PDF)


# --- Password-protected exports ------------------------------------------------------------------


class ExportForm(StyledFormMixin, forms.Form):
    CASE_FILE, PSEUDONYMISED = "pdf", "csv"

    format = forms.ChoiceField(
        label=gettext_lazy("What to export"),
        choices=[
            (CASE_FILE, gettext_lazy("The case file of one case (PDF, with the person's identity)")),
            (PSEUDONYMISED, gettext_lazy(
                "Your country's cases, pseudonymised for analysis (CSV in a zip; no names, dates of "
                "birth, documents or narratives)"
            )),
        ],
        widget=forms.RadioSelect,
    )
    case = forms.CharField(
        label=gettext_lazy("Case code"), required=False, max_length=20,
        help_text=gettext_lazy("For the case file: the code of the case, e.g. RP-ABCD-EFGHJ."),
    )
    password = forms.CharField(
        label=gettext_lazy("Password for the file"),
        min_length=exports.EXPORT_PASSWORD_MIN_LENGTH, max_length=128, strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"min_length": gettext_lazy("The password must have at least %(limit_value)d characters.")},
        help_text=gettext_lazy(
            "At least 12 characters. The file cannot be opened without it: give it to the recipient "
            "another way (by phone, for example), never in the same message as the file."
        ),
    )

    def clean_case(self) -> str:
        code = self.cleaned_data["case"].strip().upper()
        if code and not is_valid_case_code(code):
            raise ValidationError(_("This is not a valid case code."), code="invalid")
        return code

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("format") == self.CASE_FILE and "case" in data and not data["case"]:
            self.add_error("case", _("Give the code of the case whose file you export."))
        return data


@sensitive_post_parameters("password")
@login_required
@require_http_methods(["GET", "POST"])
@never_cache
def export(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    policy.authorize(user, "cases.export")
    if request.method != "POST":
        code = request.GET.get("case", "").strip().upper()
        initial = {"case": code, "format": ExportForm.CASE_FILE} if is_valid_case_code(code) else {}
        return _export_page(request, ExportForm(initial=initial))
    form = ExportForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["format"] == ExportForm.CASE_FILE:
                # A case the user may not see is a 404 (its existence does not leak); one they see
                # but do not own (the origin's side) is refused by the service (403, audited).
                case = _get_case_for_user(user, data["case"], full=True)
                result = services.case_file_export(actor=user, case=case, password=data["password"])
            else:
                result = services.cases_pseudonymised_export(actor=user, password=data["password"])
        except ValidationError as error:
            add_service_error(form, error)
        else:
            response = result.as_response()
            response["X-Content-Type-Options"] = "nosniff"
            return response
    return _export_page(request, form, status=400)


def _export_page(request: AuthenticatedRequest, form: ExportForm, status: int = 200) -> HttpResponse:
    return render(request, "cases/documents/export.html", {"form": form}, status=status)
