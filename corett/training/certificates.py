"""Certificates: issuing (one or a whole session at once), revoking, verifying, the PDF.

What a certificate states (holder, programme, date, issuer, partners) is copied onto it when it
is issued, so that the public verification page answers from the certificate alone and confirms
exactly that and nothing more.

Issuing a session's certificates in one batch decides eligibility with one query, writes every
certificate with one insert and one audit entry: the cost of the batch is nearly independent of
the per-certificate overheads that 500 single issues pay 500 times (bench/training_certificates.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import segno
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from corett import policy
from corett.audit.services import audit_log
from corett.directory.models import SecretariatTerm
from corett.training import codes
from corett.training.models import (
    FINISHED_STATES,
    Certificate,
    Language,
    Registration,
    RegistrationStatus,
    Session,
)


def _issuer() -> str:
    today = timezone.localdate()
    term = (
        SecretariatTerm.objects.select_related("organisation")
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=today), started_on__lte=today)
        .order_by("-started_on")
        .first()
    )
    return term.organisation.name if term else "CORETT"


def _check_language(language: str) -> None:
    if language not in Language.values:
        raise ValidationError({"language": _("Certificates are issued in Spanish or English.")})


def _new_certificate(registration: Registration, session: Session, *, language: str, issuer: str,
                     partners: list[str], actor: Any, now: Any) -> Certificate:
    with translation.override(language):
        title = session.programme.title
    return Certificate(
        registration=registration, code=codes.new_verification_code(), language=language,
        holder_name=registration.participant.full_name, programme_title=title,
        completed_on=session.ends_on, issuer=issuer, partners=partners, issued_at=now, issued_by=actor,
    )


def _partners(session: Session) -> list[str]:
    return [org.name for org in session.programme.partners.order_by("name")]


def certificate_issue(*, actor: Any, registration: Registration, language: str) -> Certificate:
    session = registration.session
    policy.authorize(actor, "training.manage_session", session)
    _check_language(language)
    registration.refresh_from_db(fields=["status", "completed"])
    session.refresh_from_db(fields=["state"])
    if Certificate.objects.filter(registration=registration).exists():
        raise ValidationError(_("A certificate was already issued for this participant."))
    if session.state not in FINISHED_STATES:
        raise ValidationError(_("Certificates are issued once the session is completed."))
    if registration.status != RegistrationStatus.CONFIRMED or not registration.completed:
        raise ValidationError(_("This participant did not complete the session by the programme's rules."))
    with transaction.atomic():
        certificate = _new_certificate(
            registration, session, language=language, issuer=_issuer(), partners=_partners(session),
            actor=actor, now=timezone.now(),
        )
        certificate.full_clean(exclude=["registration"])
        certificate.save()
        audit_log(actor=actor, action="training.certificate.issue", obj=session, extra={"certificate": certificate.pk})
    return certificate


def certificates_issue_batch(*, actor: Any, session: Session, language: str) -> list[Certificate]:
    """A certificate for everyone who completed ``session`` and has none yet."""
    policy.authorize(actor, "training.manage_session", session)
    _check_language(language)
    session.refresh_from_db(fields=["state"])
    if session.state not in FINISHED_STATES:
        raise ValidationError(_("Certificates are issued once the session is completed."))
    with transaction.atomic():
        eligible = list(
            session.registrations.filter(status=RegistrationStatus.CONFIRMED, completed=True, certificate__isnull=True)
            .select_related("participant")
            .select_for_update(of=("self",))
        )
        if not eligible:
            raise ValidationError(_("Nobody is waiting for a certificate: everyone who completed the session has one."))
        issuer, partners, now = _issuer(), _partners(session), timezone.now()
        certificates = [
            _new_certificate(r, session, language=language, issuer=issuer, partners=partners, actor=actor, now=now)
            for r in eligible
        ]
        Certificate.objects.bulk_create(certificates)
        audit_log(actor=actor, action="training.certificate.issue_batch", obj=session, extra={"count": len(certificates)})
    return certificates


def certificate_revoke(*, actor: Any, certificate: Certificate, reason: str) -> Certificate:
    policy.authorize(actor, "training.manage_session", certificate.registration.session)
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": _("Give the reason for revoking the certificate.")})
    if len(reason) > 300:
        raise ValidationError({"reason": _("Keep the reason under 300 characters.")})
    with transaction.atomic():
        locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if locked.revoked_at is not None:
            raise ValidationError({"reason": _("This certificate is already revoked.")})
        certificate.revoked_at, certificate.revoked_by, certificate.revocation_reason = timezone.now(), actor, reason
        certificate.save(update_fields=["revoked_at", "revoked_by", "revocation_reason"])
        audit_log(actor=actor, action="training.certificate.revoke", obj=certificate.registration.session,
                  extra={"certificate": certificate.pk})
    return certificate


class CodeError(ValidationError):
    pass


def find_certificate(typed: str) -> Certificate:
    """The certificate a typed code names; CodeError when mistyped or when no certificate has it."""
    code = codes.normalise(typed)
    if code is None:
        raise CodeError(_("This is not a valid verification code: check each character (12 letters and digits, "
                          "e.g. 7KQ2-M9XA-4TBC)."), code="mistyped")
    certificate = Certificate.objects.filter(code=code).first()
    if certificate is None:
        raise CodeError(_("No certificate has this verification code. It may have been mistyped, or the "
                          "certificate is not genuine."), code="unknown")
    return certificate


def public_facts(certificate: Certificate) -> dict[str, Any]:
    """What the verification page confirms, and nothing more."""
    return {
        "code": certificate.display_code,
        "status": "revoked" if certificate.is_revoked else "valid",
        "holder": certificate.holder_name,
        "programme": certificate.programme_title,
        "date": certificate.completed_on.isoformat(),
        "issuer": certificate.issuer,
        "revoked_on": timezone.localdate(certificate.revoked_at).isoformat() if certificate.revoked_at else None,
    }


# --- The PDF ------------------------------------------------------------------------------------


def _refuse_fetch(url: str, *args: Any, **kwargs: Any) -> dict:
    """Certificates load nothing from anywhere: no text of a certificate can make the server
    fetch a URL (the QR code is inline SVG)."""
    raise ValueError("Certificates load no external resources.")


def _page_context(certificate: Certificate) -> dict[str, Any]:
    url = certificate.verification_url()
    return {
        "certificate": certificate,
        "verification_url": url,
        "qr_svg": segno.make(url, error="m").svg_inline(scale=3, border=0),
    }


def render_certificates(certificates: Sequence[Certificate]) -> bytes:
    """One PDF, one A4 landscape page per certificate, each in its own language."""
    from weasyprint import CSS, HTML

    pages = []
    for certificate in certificates:
        with translation.override(certificate.language):
            pages.append(render_to_string("training/certificate_page.html", _page_context(certificate)))
    html = render_to_string("training/certificate.html", {"pages": pages})
    css = render_to_string("training/certificate.css")
    document = HTML(string=html, url_fetcher=_refuse_fetch, base_url="about:blank")
    return document.write_pdf(stylesheets=[CSS(string=css, url_fetcher=_refuse_fetch)])
