"""Website workflows: every write to the public site goes through here, validated and audited.

Articles move draft → in review → published (now or at a scheduled moment) → unpublished (with
a reason), and may be sent back from review to draft. Every change keeps a version and an audit
entry, and every change visitors would see empties the public pages' cache.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from corett import policy
from corett.audit.services import audit_log
from corett.website import cache, content, search
from corett.website.models import (
    Article,
    ArticleStatus,
    ArticleVersion,
    ContactMessage,
    HelpLine,
    MediaFile,
    MediaKind,
    Publication,
)

ARTICLE_FIELDS = ("slug", "title_es", "title_en", "summary_es", "summary_en", "body_es", "body_en", "cover")
# What an upload may be, judged by its content (never by its name or the browser's word).
IMAGE_TYPES = {"image/jpeg", "image/png", "image/webp", "image/gif"}
ATTACHMENT_TYPES = IMAGE_TYPES | {
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
}
SNIFF_BYTES = 8192


def upload_max_bytes() -> int:
    return int(getattr(settings, "WEBSITE_UPLOAD_MAX_MB", 20)) * 1024 * 1024


# --- Articles -----------------------------------------------------------------------------------


def _check_bodies(article: Article) -> None:
    errors: dict[str, list[str]] = {}
    for field in ("body_es", "body_en"):
        found = content.problems(getattr(article, field))
        if found:
            errors[field] = found
    if errors:
        raise ValidationError(errors)


def _snapshot(article: Article) -> dict[str, Any]:
    data = {name: getattr(article, name) for name in ARTICLE_FIELDS if name != "cover"}
    data["cover"] = article.cover_id
    data["countries"] = sorted(c.iso2 for c in article.countries.all())
    data["published_at"] = article.published_at.isoformat() if article.published_at else None
    return data


def _keep_version(article: Article, *, actor: Any, note: str = "") -> ArticleVersion:
    last = article.versions.order_by("-number").values_list("number", flat=True).first() or 0
    return ArticleVersion.objects.create(
        article=article, number=last + 1, status=article.status, content=_snapshot(article),
        note=note, created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )


def _record(article: Article, *, actor: Any, action: str, changed: list[str], note: str = "") -> None:
    _keep_version(article, actor=actor, note=note)
    audit_log(actor=actor, action=action, obj=article, changed_fields=changed,
              extra={"status": article.status})
    if article.status == ArticleStatus.PUBLISHED or "status" in changed:
        transaction.on_commit(cache.invalidate)


def article_create(*, actor: Any, data: Mapping[str, Any]) -> Article:
    policy.authorize(actor, "website.edit")
    fields = dict(data)
    countries = fields.pop("countries", [])
    article = Article(
        **fields, status=ArticleStatus.DRAFT, created_by=actor, organisation=actor.organisation,
    )
    with transaction.atomic():
        article.full_clean()
        _check_bodies(article)
        article.save()
        article.countries.set(countries)
        search.index_article(article)
        _record(article, actor=actor, action="website.article.create",
                changed=[*ARTICLE_FIELDS, "countries"])
    return article


def article_update(*, actor: Any, article: Article, data: Mapping[str, Any]) -> Article:
    policy.authorize(actor, "website.edit", article)
    if article.status == ArticleStatus.PUBLISHED and not policy.can(actor, "website.publish", None):
        raise ValidationError(_("A published article is changed by a reviewer; ask the Secretariat."))
    fields = dict(data)
    countries = fields.pop("countries", None)
    before = {name: getattr(article, name) for name in fields}
    changed = [name for name, value in fields.items() if getattr(article, name) != value]
    for name in changed:
        setattr(article, name, fields[name])
    old_countries = set(article.countries.values_list("pk", flat=True))
    new_countries = {c.pk for c in countries} if countries is not None else old_countries
    if new_countries != old_countries:
        changed.append("countries")
    if not changed:
        return article
    try:
        with transaction.atomic():
            article.full_clean()
            _check_bodies(article)
            article.save()
            if countries is not None:
                article.countries.set(countries)
            search.index_article(article)
            _record(article, actor=actor, action="website.article.update", changed=changed)
    except ValidationError:
        for name, value in before.items():
            setattr(article, name, value)
        raise
    return article


def _transition(article: Article, *, allowed_from: set[str], message: str) -> None:
    if article.status not in allowed_from:
        raise ValidationError(message)


def article_submit(*, actor: Any, article: Article) -> Article:
    """An editor sends a draft (or an unpublished article) for review."""
    policy.authorize(actor, "website.edit", article)
    _transition(article, allowed_from={ArticleStatus.DRAFT, ArticleStatus.UNPUBLISHED},
                message=_("Only a draft or an unpublished article can be sent for review."))
    with transaction.atomic():
        article.status = ArticleStatus.IN_REVIEW
        article.submitted_by = actor
        article.save(update_fields=["status", "submitted_by", "updated_at"])
        _record(article, actor=actor, action="website.article.submit", changed=["status"])
    return article


def article_return(*, actor: Any, article: Article, note: str) -> Article:
    """A reviewer sends an article back to its authors, saying why."""
    policy.authorize(actor, "website.publish", article)
    _transition(article, allowed_from={ArticleStatus.IN_REVIEW},
                message=_("Only an article in review can be sent back."))
    if not note.strip():
        raise ValidationError({"note": _("Say what needs changing.")})
    with transaction.atomic():
        article.status = ArticleStatus.DRAFT
        article.save(update_fields=["status", "updated_at"])
        _record(article, actor=actor, action="website.article.return", changed=["status"], note=note.strip())
    return article


def article_publish(*, actor: Any, article: Article, at: dt.datetime | None = None) -> Article:
    """A reviewer publishes an article now, or at ``at`` (a scheduled publication)."""
    policy.authorize(actor, "website.publish", article)
    _transition(article, allowed_from={ArticleStatus.IN_REVIEW},
                message=_("Only an article in review can be published."))
    now = timezone.now()
    if at is not None and at < now - dt.timedelta(minutes=1):
        raise ValidationError({"publish_at": _("A scheduled publication must be in the future.")})
    _check_bodies(article)
    with transaction.atomic():
        article.status = ArticleStatus.PUBLISHED
        article.published_at = at or now
        article.unpublished_reason = ""
        article.save(update_fields=["status", "published_at", "unpublished_reason", "updated_at"])
        search.index_article(article)
        _record(article, actor=actor, action="website.article.publish", changed=["status", "published_at"])
    return article


def article_unpublish(*, actor: Any, article: Article, reason: str) -> Article:
    policy.authorize(actor, "website.publish", None)
    policy.authorize(actor, "website.edit", article)
    _transition(article, allowed_from={ArticleStatus.PUBLISHED},
                message=_("Only a published article can be unpublished."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for unpublishing.")})
    with transaction.atomic():
        article.status = ArticleStatus.UNPUBLISHED
        article.unpublished_reason = reason[:300]
        article.save(update_fields=["status", "unpublished_reason", "updated_at"])
        _record(article, actor=actor, action="website.article.unpublish", changed=["status", "unpublished_reason"],
                note=reason[:300])
    return article


# --- Media --------------------------------------------------------------------------------------


def media_type_of(head: bytes, kind: str) -> str:
    """The MIME type of an upload by its first bytes, or ValidationError when not allowed."""
    guess = filetype.guess(head)
    mime = guess.mime if guess else ""
    # filetype reads OpenDocument and OOXML containers as zip; their first entry names them.
    if mime == "application/zip":
        if b"mimetypeapplication/vnd.oasis.opendocument.text" in head:
            mime = "application/vnd.oasis.opendocument.text"
        elif b"mimetypeapplication/vnd.oasis.opendocument.spreadsheet" in head:
            mime = "application/vnd.oasis.opendocument.spreadsheet"
    allowed = IMAGE_TYPES if kind == MediaKind.IMAGE else ATTACHMENT_TYPES
    if mime not in allowed:
        if kind == MediaKind.IMAGE:
            raise ValidationError({"file": _("This file is not an image the website accepts "
                                             "(JPEG, PNG, WebP or GIF).")})
        raise ValidationError({"file": _("This type of file is not accepted: PDF, Word, Excel, PowerPoint, "
                                         "OpenDocument or an image.")})
    return mime


def check_size(size: int) -> None:
    limit = upload_max_bytes()
    if size > limit:
        raise ValidationError(
            {"file": _("The file is %(size)s; the limit is %(limit)s MB.")
             % {"size": filesizeformat(size), "limit": limit // (1024 * 1024)}}
        )


def media_upload(
    *, actor: Any, filename: str, data: bytes, kind: str, alt_es: str = "", alt_en: str = ""
) -> MediaFile:
    if not (policy.can(actor, "website.edit") or policy.can(actor, "website.manage_publications")):
        policy.authorize(actor, "website.edit")
    check_size(len(data))
    mime = media_type_of(data[:SNIFF_BYTES], kind)
    if kind == MediaKind.IMAGE:
        alts = {"alt_es": alt_es, "alt_en": alt_en}
        missing = {f: _("Describe the image for people who cannot see it.")
                   for f, text in alts.items() if not (text or "").strip()}
        if missing:
            raise ValidationError(missing)
    name = get_valid_filename(filename or "file")[:150] or "file"
    media = MediaFile(kind=kind, original_name=name, content_type=mime, size=len(data),
                      alt_es=alt_es.strip(), alt_en=alt_en.strip(), uploaded_by=actor)
    media.file.save(name, ContentFile(data), save=False)
    with transaction.atomic():
        media.full_clean()
        media.save()
        audit_log(actor=actor, action="website.media.upload", obj=media,
                  extra={"kind": kind, "type": mime, "size": len(data)})
    return media


# --- Publications -------------------------------------------------------------------------------


def publication_create(*, actor: Any, data: Mapping[str, Any]) -> Publication:
    policy.authorize(actor, "website.manage_publications")
    publication = Publication(**data, created_by=actor)
    with transaction.atomic():
        publication.full_clean()
        publication.save()
        search.index_publication(publication)
        audit_log(actor=actor, action="website.publication.create", obj=publication,
                  changed_fields=list(data))
        if publication.is_published:
            transaction.on_commit(cache.invalidate)
    return publication


def publication_update(*, actor: Any, publication: Publication, data: Mapping[str, Any]) -> Publication:
    policy.authorize(actor, "website.manage_publications", publication)
    changed = [name for name, value in data.items() if getattr(publication, name) != value]
    if not changed:
        return publication
    before = {name: getattr(publication, name) for name in changed}
    for name in changed:
        setattr(publication, name, data[name])
    try:
        with transaction.atomic():
            publication.full_clean()
            publication.save()
            search.index_publication(publication)
            audit_log(actor=actor, action="website.publication.update", obj=publication, changed_fields=changed)
            transaction.on_commit(cache.invalidate)
    except ValidationError:
        for name, value in before.items():
            setattr(publication, name, value)
        raise
    return publication


def publication_count_download(*, publication: Publication) -> None:
    # One UPDATE, no read-modify-write: concurrent downloads all count.
    Publication.objects.filter(pk=publication.pk).update(downloads=F("downloads") + 1)


# --- Help lines ---------------------------------------------------------------------------------


def helpline_save(*, actor: Any, line: HelpLine | None, data: Mapping[str, Any]) -> HelpLine:
    target = line if line is not None else HelpLine(**data)
    if line is not None:
        policy.authorize(actor, "website.manage_help", line.country)
    policy.authorize(actor, "website.manage_help", data.get("country", target.country))
    changed = list(data)
    if line is not None:
        changed = [name for name, value in data.items() if getattr(line, name) != value]
        for name in changed:
            setattr(line, name, data[name])
    with transaction.atomic():
        target.full_clean()
        target.save()
        audit_log(actor=actor, action="website.helpline." + ("update" if line else "create"), obj=target,
                  changed_fields=changed)
        transaction.on_commit(cache.invalidate)
    return target


def helpline_delete(*, actor: Any, line: HelpLine) -> None:
    policy.authorize(actor, "website.manage_help", line.country)
    with transaction.atomic():
        audit_log(actor=actor, action="website.helpline.delete", obj=line)
        line.delete()
        transaction.on_commit(cache.invalidate)


# --- Contact ------------------------------------------------------------------------------------


def contact_submit(*, data: Mapping[str, Any], language: str) -> ContactMessage:
    """Keep a visitor's message for the Secretariat and tell its staff (the notice names no one)."""
    from corett.accounts.models import User
    from corett.accounts.roles import Role
    from corett.notifications.services import notify

    message = ContactMessage(**data, language=language[:2])
    with transaction.atomic():
        message.full_clean()
        message.save()
        audit_log(actor=None, username="website", action="website.contact.receive", obj=message)
        staff = User.objects.filter(is_active=True, role_assignments__role=Role.SECRETARIAT).distinct()
        from django.urls import reverse

        notify(recipients=list(staff), kind="website.contact_message", params={"reference": message.reference},
               link=reverse("website_edit:message", args=[message.pk]))
    return message


def message_mark_read(*, actor: Any, message: ContactMessage) -> None:
    policy.authorize(actor, "website.read_messages", message)
    if message.read_at is None:
        message.read_at = timezone.now()
        message.save(update_fields=["read_at"])
        audit_log(actor=actor, action="website.contact.read", obj=message)
