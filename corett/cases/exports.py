"""A case's documents as files: the case file (PDF from an HTML template through WeasyPrint),
the pseudonymised CSV for analysis, and the password protection of exports (AES-256 inside
the PDF with pypdf, an AES-256 zip with pyzipper).

Nothing here decides who may have what: ``corett.cases.services`` authorises through the policy,
then calls these functions with what the user may see, and audits the result.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

import pyzipper
from django.conf import settings
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pypdf import PdfReader, PdfWriter

from corett.cases import protocol
from corett.cases import vocabularies as vocab
from corett.cases.forms import DOCUMENT_KINDS, LANGUAGES
from corett.cases.models import Attachment, Case
from corett.lib import crypto
from corett.lib.exports import Cell, Exporter, ExportFile

PDF = "application/pdf"
ZIP = "application/zip"

# A password that protects a file leaving the platform: long enough to resist guessing offline,
# where no lockout helps.
EXPORT_PASSWORD_MIN_LENGTH = 12


# --- The case file -------------------------------------------------------------------------------


def _refuse_fetch(url: str, *args: Any, **kwargs: Any) -> dict:
    """WeasyPrint's URL fetcher: the case file loads nothing from anywhere (no images or fonts
    from the network, no local files), so no value in a case can make the server fetch a URL."""
    raise ValueError("The case file loads no external resources.")


def _who(user: Any) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.username


def _label(choices: Any, code: str) -> str:
    try:
        return str(choices(code).label)
    except ValueError:
        return code


def _amount(value: Any) -> Decimal | str:
    """An item's amount as a number (shown in the reader's number format), as typed otherwise."""
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value or "")


def _step(name: str) -> str:
    if name == "open":
        return _("Opened the case")
    transition = protocol.TRANSITIONS.get(name)
    return str(transition.label) if transition else name


def _page_parts() -> tuple[str, str, str]:
    """"Page 2 of 5" in the active language, cut around the two numbers, which the PDF's page
    margin fills in (CSS counters): one message for translators, not three fragments."""
    text = _("Page %(page)s of %(pages)s") % {"page": "\x00", "pages": "\x01"}
    before, _sep, rest = text.partition("\x00")
    between, sep, after = rest.partition("\x01")
    if not sep:  # a translation that puts the total first: fall back to "2 / 5"
        return "", "/", ""
    # The margin takes the strings without their edge spaces; its CSS puts spaces back.
    return before.strip(), between.strip(), after.strip()


def case_file_context(case: Case, *, user: Any, identity: bool, attachments: Sequence[Attachment]) -> dict[str, Any]:
    """What the case file shows. ``case`` comes with its related rows preloaded; its sealed
    values are read only when ``identity`` is True."""
    languages = dict(LANGUAGES)
    context: dict[str, Any] = {
        "case": case,
        "identity": identity,
        "generated_at": timezone.localtime(),
        "generated_by": _who(user),
        "language": translation.get_language() or settings.LANGUAGE_CODE,
        "page_parts": _page_parts(),
        "is_child": case.is_child,
        "language_labels": [str(languages.get(code, code)) for code in case.languages or []],
        "exploitation": [_label(vocab.FormOfExploitation, c) for c in case.forms_of_exploitation or []],
        "control": [_label(vocab.MethodOfControl, c) for c in case.methods_of_control or []],
        "history": [
            {
                "at": change.at, "step": _step(change.transition), "by": _who(change.by),
                "from": change.get_from_stage_display(), "to": change.get_to_stage_display(),
            }
            for change in case.stage_changes.all()
        ],
        "consents": case.consents.all(),
        "related_people": case.related_people.all(),
        "approvals": case.approvals.all(),
        "funding_requests": [
            {"request": funding, "items": [
                {"description": item.get("description", ""), "amount": _amount(item.get("amount"))}
                for item in funding.items or [] if isinstance(item, dict)
            ]}
            for funding in case.funding_requests.all()
        ],
        "follow_ups": case.follow_ups.all(),
        "flags": case.flags.all(),
        "attachments": attachments,
    }
    if identity:
        kinds = dict(DOCUMENT_KINDS)
        context["gender_label"] = _label(vocab.Gender, case.gender) if case.gender else ""
        context["documents"] = [
            {
                "label": str(kinds.get(str(d.get("type", "")), d.get("type", ""))),
                "number": d.get("number", ""),
                "issuer": d.get("issuer") or d.get("issued_by") or "",
            }
            for d in case.documents or []
            if isinstance(d, dict)
        ]
    return context


def render_case_file(case: Case, *, user: Any, identity: bool, attachments: Sequence[Attachment]) -> bytes:
    """The case file as a PDF (A4), in the active language."""
    from weasyprint import CSS, HTML

    context = case_file_context(case, user=user, identity=identity, attachments=attachments)
    html = render_to_string("cases/documents/case_file.html", context)
    css = render_to_string("cases/documents/case_file.css")
    document = HTML(string=html, url_fetcher=_refuse_fetch, base_url="about:blank")
    return document.write_pdf(stylesheets=[CSS(string=css, url_fetcher=_refuse_fetch)])


def case_file_name(case: Case, extension: str = "pdf") -> str:
    # The code, never the name: file names end up in download folders and e-mails.
    return f"corett-{case.code}-{timezone.localdate():%Y-%m-%d}.{extension}"


# --- The pseudonymised CSV -------------------------------------------------------------------------

# Ages at identification, in bands wide enough that the band does not single anyone out.
AGE_BANDS: tuple[tuple[int, int | None, str], ...] = (
    (0, 11, "0-11"),
    (12, 17, "12-17"),
    (18, 24, "18-24"),
    (25, 34, "25-34"),
    (35, 49, "35-49"),
    (50, None, "50+"),
)

PSEUDONYM_PURPOSE = "cases.export.pseudonym"


def age_band(age: int | None) -> str:
    if age is None:
        return ""
    for low, high, label in AGE_BANDS:
        if age >= low and (high is None or age <= high):
            return label
    return ""


def pseudonym(code: str) -> str:
    """A keyed pseudonym of the case code: the same case has the same pseudonym in every export
    (analyses can follow it over time), and without the platform's key nobody can go back from
    it to the code."""
    return crypto.blind_index(code, PSEUDONYM_PURPOSE)


# The only columns the export reads: the sealed ones never leave the database.
PSEUDONYMISED_COLUMNS = (
    "code", "identified_on", "stage", "destination_country__iso3", "origin_country__iso3", "sex",
    "estimated_age", "age_verified", "forms_of_exploitation", "risk_level",
)


class PseudonymisedCaseExporter(Exporter):
    """One row per case, for statistical analysis: no name, date of birth, document, contact,
    narrative or case code; the values are the platform's codes (HTCDS 2.0 for the forms of
    exploitation), the same in every language."""

    name = "cases-pseudonymised"
    title = gettext_lazy("Cases (pseudonymised)")
    columns = (
        gettext_lazy("Pseudonym"),
        gettext_lazy("Year of identification"),
        gettext_lazy("Stage"),
        gettext_lazy("Destination country (ISO3)"),
        gettext_lazy("Country of origin (ISO3)"),
        gettext_lazy("Sex"),
        gettext_lazy("Child"),
        gettext_lazy("Age band at identification"),
        gettext_lazy("Forms of exploitation"),
        gettext_lazy("Risk level"),
    )

    def __init__(self, cases: QuerySet[Case]) -> None:
        self.cases = cases

    def rows(self) -> Iterable[Sequence[Cell]]:
        cases = (
            self.cases.select_related("destination_country", "origin_country")
            .only(*PSEUDONYMISED_COLUMNS)
            .order_by("identified_on", "pk")
        )
        for case in cases.iterator(chunk_size=2000):
            yield (
                pseudonym(case.code),
                case.identified_on.year,
                case.stage,
                case.destination_country.iso3,
                case.origin_country.iso3,
                case.sex,
                case.is_child,
                age_band(case.estimated_age),
                ";".join(case.forms_of_exploitation or []),
                case.risk_level,
            )


# --- Password protection -------------------------------------------------------------------------


def protect_pdf(content: bytes, password: str) -> bytes:
    """The PDF encrypted with AES-256: no reader opens it without the password."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(content)))
    writer.encrypt(user_password=password, owner_password=password, algorithm="AES-256")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def protect_zip(filename: str, content: bytes, password: str) -> bytes:
    """A zip holding one file, encrypted with WinZip's AES-256 (7-Zip, WinZip, Keka or The
    Unarchiver open it; the extractor built into Windows cannot)."""
    buffer = io.BytesIO()
    with pyzipper.AESZipFile(
        buffer, "w", compression=pyzipper.ZIP_DEFLATED, encryption=pyzipper.WZ_AES
    ) as archive:
        archive.setpassword(password.encode())
        archive.setencryption(pyzipper.WZ_AES, nbits=256)
        archive.writestr(filename, content)
    return buffer.getvalue()


def protected_case_file(pdf: bytes, case: Case, password: str) -> ExportFile:
    return ExportFile(
        content=protect_pdf(pdf, password), filename=case_file_name(case), content_type=PDF, rows=1
    )


def protected_pseudonymised_csv(cases: QuerySet[Case], password: str) -> ExportFile:
    exported = PseudonymisedCaseExporter(cases).export("csv")
    stem = exported.filename.rsplit(".", 1)[0]
    return ExportFile(
        content=protect_zip(exported.filename, exported.content, password),
        filename=f"{stem}.zip",
        content_type=ZIP,
        rows=exported.rows,
    )
