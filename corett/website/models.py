"""The public website's content: news, publications, media files, help lines and contact messages.

Everything a visitor reads exists in Spanish and English side by side (``*_es`` / ``*_en``).
Articles go draft → in review → published (possibly scheduled) → unpublished, each change kept
as a version; the services in ``corett.website.services`` are the only writers.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from corett.directory.models import Country, Organisation


def in_language(obj: Any, field: str, language: str | None = None) -> str:
    """``obj.<field>_en`` when reading English (falling back to Spanish), else ``_es``."""
    language = language or get_language() or "es"
    if language.startswith("en"):
        return getattr(obj, f"{field}_en") or getattr(obj, f"{field}_es")
    return getattr(obj, f"{field}_es") or getattr(obj, f"{field}_en")


SEARCH_VECTORS = ("search_es", "search_en")


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    PUBLISHED = "published", _("Published")
    UNPUBLISHED = "unpublished", _("Unpublished")


class ArticleQuerySet(models.QuerySet["Article"]):
    def published(self, now: Any = None) -> ArticleQuerySet:
        """What visitors see: published, and whose scheduled time has come (without the search
        vectors, which only the search's own conditions read)."""
        return self.filter(status=ArticleStatus.PUBLISHED, published_at__lte=now or timezone.now()).defer(
            *SEARCH_VECTORS
        )

    def visible_to(self, user: Any) -> ArticleQuerySet:
        from corett import policy

        return policy.scope(user, "website.edit", self)


class Article(models.Model):
    slug = models.SlugField(_("address"), max_length=120, unique=True,
                            help_text=_("Part of the article's permanent address; letters, digits and hyphens."))
    title_es = models.CharField(_("title (Spanish)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    summary_es = models.CharField(_("summary (Spanish)"), max_length=300,
                                  help_text=_("Shown in lists, search engines and shared links."))
    summary_en = models.CharField(_("summary (English)"), max_length=300,
                                  help_text=_("Shown in lists, search engines and shared links."))
    body_es = models.TextField(_("text (Spanish)"), help_text=_("Markdown."))
    body_en = models.TextField(_("text (English)"), help_text=_("Markdown."))
    countries = models.ManyToManyField(Country, verbose_name=_("countries"), blank=True, related_name="articles")
    cover = models.ForeignKey(
        "MediaFile", verbose_name=_("cover image"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    status = models.CharField(_("status"), max_length=16, choices=ArticleStatus.choices,
                              default=ArticleStatus.DRAFT)
    # The moment visitors may see it: a future moment is a scheduled publication.
    published_at = models.DateTimeField(_("publication date"), null=True, blank=True)
    unpublished_reason = models.CharField(_("reason for unpublishing"), max_length=300, blank=True)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+",
        null=True, blank=True,
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # PostgreSQL's full-text vector of each language's text, GIN-indexed (migration 0002). Only
    # ``corett.website.search`` writes them, from the saved row: a full ``save()`` writes back the
    # vector it loaded, so the services re-index after every save of the text. Always empty on
    # SQLite, which searches the text itself.
    search_es = SearchVectorField(null=True, editable=False)
    search_en = SearchVectorField(null=True, editable=False)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["-published_at", "-pk"]
        indexes = [models.Index(fields=["status", "-published_at"], name="article_public_idx")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("website:article", args=[self.slug])

    @property
    def title(self) -> str:
        return in_language(self, "title")

    @property
    def summary(self) -> str:
        return in_language(self, "summary")

    @property
    def body(self) -> str:
        return in_language(self, "body")

    def is_public(self, now: Any = None) -> bool:
        return (
            self.status == ArticleStatus.PUBLISHED
            and self.published_at is not None
            and self.published_at <= (now or timezone.now())
        )

    @property
    def is_scheduled(self) -> bool:
        return self.status == ArticleStatus.PUBLISHED and not self.is_public()


class ArticleVersion(models.Model):
    """A snapshot of an article after each change: what it said, who changed it, in what state."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=16, choices=ArticleStatus.choices)
    content = models.JSONField(_("content"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("article version")
        verbose_name_plural = _("article versions")
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["article", "number"], name="article_version_unique")]

    def __str__(self) -> str:
        return f"{self.article_id} v{self.number}"


class MediaKind(models.TextChoices):
    IMAGE = "image", _("Image")
    ATTACHMENT = "attachment", _("Attachment")


class MediaFile(models.Model):
    """An uploaded image or attachment. Its address carries a random key: a draft's files cannot
    be found by counting."""

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=16, choices=MediaKind.choices)
    file = models.FileField(_("file"), upload_to="website/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    alt_es = models.CharField(_("text alternative (Spanish)"), max_length=250, blank=True)
    alt_en = models.CharField(_("text alternative (English)"), max_length=250, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("media file")
        verbose_name_plural = _("media files")
        ordering = ["-created_at"]
        constraints = [
            # An image without a text alternative in both languages cannot exist (WCAG 1.1.1).
            models.CheckConstraint(
                condition=~Q(kind="image") | (~Q(alt_es="") & ~Q(alt_en="")), name="website_image_has_alt"
            )
        ]

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("website:media", args=[self.key, self.original_name])

    @property
    def alt(self) -> str:
        return in_language(self, "alt")



class PublicationKind(models.TextChoices):
    PROTOCOL = "protocol", _("Protocol")
    REPORT = "report", _("Report")
    BROCHURE = "brochure", _("Brochure")
    INFOGRAPHIC = "infographic", _("Infographic")
    GUIDE = "guide", _("Guide")


class Topic(models.TextChoices):
    PREVENTION = "prevention", _("Prevention")
    VICTIM_CARE = "victim_care", _("Victim care")
    REPATRIATION = "repatriation", _("Repatriation")
    PROSECUTION = "prosecution", _("Prosecution")
    COMMUNICATION = "communication", _("Communication and media")
    DATA = "data", _("Data and statistics")


class PublicationQuerySet(models.QuerySet["Publication"]):
    def published(self) -> PublicationQuerySet:
        return self.filter(is_published=True).defer(*SEARCH_VECTORS)


class Publication(models.Model):
    slug = models.SlugField(_("address"), max_length=120, unique=True,
                            help_text=_("Part of the publication's permanent address."))
    title_es = models.CharField(_("title (Spanish)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    description_es = models.CharField(_("description (Spanish)"), max_length=500)
    description_en = models.CharField(_("description (English)"), max_length=500)
    kind = models.CharField(_("type"), max_length=16, choices=PublicationKind.choices)
    topic = models.CharField(_("topic"), max_length=16, choices=Topic.choices)
    country = models.ForeignKey(Country, verbose_name=_("country"), on_delete=models.PROTECT, null=True,
                                blank=True, related_name="+", help_text=_("Empty: the whole region."))
    language = models.CharField(_("language of the document"), max_length=2,
                                choices=[("es", _("Spanish")), ("en", _("English"))])
    year = models.PositiveSmallIntegerField(_("year"))
    file = models.ForeignKey(MediaFile, verbose_name=_("file"), on_delete=models.PROTECT, related_name="+")
    is_published = models.BooleanField(_("published"), default=False)
    downloads = models.PositiveIntegerField(_("downloads"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # As the article's (``corett.website.search``).
    search_es = SearchVectorField(null=True, editable=False)
    search_en = SearchVectorField(null=True, editable=False)

    objects = PublicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("publication")
        verbose_name_plural = _("publications")
        ordering = ["-year", "title_es"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("website:publication", args=[self.slug])

    @property
    def title(self) -> str:
        return in_language(self, "title")

    @property
    def description(self) -> str:
        return in_language(self, "description")


    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        this_year = timezone.localdate().year
        if self.year and not 1990 <= self.year <= this_year + 1:
            raise ValidationError({"year": _("Enter a year between 1990 and next year.")})


class HelpLine(models.Model):
    """A hotline or service for victims in one country, kept by that country's focal point."""

    country = models.ForeignKey(Country, verbose_name=_("country"), on_delete=models.PROTECT,
                                related_name="help_lines")
    name_es = models.CharField(_("name (Spanish)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    phone = models.CharField(_("phone"), max_length=40)
    hours_es = models.CharField(_("hours (Spanish)"), max_length=120, blank=True)
    hours_en = models.CharField(_("hours (English)"), max_length=120, blank=True)
    description_es = models.CharField(_("description (Spanish)"), max_length=300, blank=True)
    description_en = models.CharField(_("description (English)"), max_length=300, blank=True)
    # Demo data must never pass for a real number: visitors see it marked.
    is_demo = models.BooleanField(_("demonstration number"), default=False)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("help line")
        verbose_name_plural = _("help lines")
        ordering = ["country__name_es", "order", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return in_language(self, "name")

    @property
    def hours(self) -> str:
        return in_language(self, "hours")

    @property
    def description(self) -> str:
        return in_language(self, "description")

    @property
    def tel(self) -> str:
        return "".join(ch for ch in self.phone if ch.isdigit() or ch == "+")

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if len([ch for ch in self.phone if ch.isdigit()]) < 3:
            raise ValidationError({"phone": _("Enter a phone number (at least three digits).")})


class ContactMessage(models.Model):
    """A message sent through the public contact form; read by the Secretariat in the platform."""

    name = models.CharField(_("name"), max_length=120)
    email = models.EmailField(_("e-mail"))
    subject = models.CharField(_("subject"), max_length=150)
    message = models.TextField(_("message"), max_length=5000)
    language = models.CharField(_("language"), max_length=2)
    created_at = models.DateTimeField(_("received"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("contact message")
        verbose_name_plural = _("contact messages")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"W-{self.pk:06d}"
