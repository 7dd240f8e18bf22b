"""The website over the REST API: /api/v1/news/ and /api/v1/publications/.

Reading is public (what is published, to anyone, signed in or not): the read actions are the
policy's deliberately public ``website.view`` (``corett.policy.website.can_public``). Writing is
for editors, through the same services as the editing pages (validated, versioned, audited).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.permissions import BasePermission

from corett import policy
from corett.directory.models import Country
from corett.policy.website import can_public
from corett.website import content, services
from corett.website.models import Article, MediaKind, Publication, PublicationKind, Topic

READ_ACTIONS = frozenset({"list", "retrieve"})


class WebsitePermission(BasePermission):
    """Reads through the policy's public ``website.view``; writes through ``policy_actions``
    for signed-in API users, like every other endpoint."""

    def has_permission(self, request: Any, view: Any) -> bool:
        action = (getattr(view, "policy_actions", None) or {}).get(getattr(view, "action", None) or "")
        if action is None:
            return False
        if view.action in READ_ACTIONS:
            return can_public(request.user, action)
        return policy.can(request.user, "accounts.use_api") and policy.can(request.user, action)

    def has_object_permission(self, request: Any, view: Any, obj: Any) -> bool:
        action = (getattr(view, "policy_actions", None) or {}).get(getattr(view, "action", None) or "")
        if action is None:
            return False
        if view.action in READ_ACTIONS:
            return can_public(request.user, action, obj)
        return policy.can(request.user, action, obj)


class NewsSerializer(serializers.ModelSerializer):
    countries = serializers.SlugRelatedField(
        slug_field="iso2", queryset=Country.objects.members(), many=True, required=False,
        help_text="ISO alpha-2 codes of the countries the article is about.",
    )
    url_es = serializers.SerializerMethodField()
    url_en = serializers.SerializerMethodField()
    body_html_es = serializers.SerializerMethodField(help_text="The Spanish text as sanitised HTML.")
    body_html_en = serializers.SerializerMethodField(help_text="The English text as sanitised HTML.")

    class Meta:
        model = Article
        fields = ["id", "slug", "title_es", "title_en", "summary_es", "summary_en", "body_es", "body_en",
                  "body_html_es", "body_html_en", "countries", "status", "published_at", "url_es", "url_en",
                  "updated_at"]
        read_only_fields = ["id", "status", "published_at", "updated_at"]

    def _url(self, obj: Article, code: str) -> str:
        from django.utils import translation

        with translation.override(code):
            return obj.get_absolute_url()

    def get_url_es(self, obj: Article) -> str:
        return self._url(obj, "es")

    def get_url_en(self, obj: Article) -> str:
        return self._url(obj, "en")

    def get_body_html_es(self, obj: Article) -> str:
        return str(content.to_html(obj.body_es))

    def get_body_html_en(self, obj: Article) -> str:
        return str(content.to_html(obj.body_en))


class PublicationSerializer(serializers.ModelSerializer):
    country: serializers.SlugRelatedField[Country] = serializers.SlugRelatedField(
        slug_field="iso2", read_only=True, allow_null=True
    )
    download_url = serializers.SerializerMethodField()
    file_size = serializers.IntegerField(source="file.size", read_only=True)

    class Meta:
        model = Publication
        fields = ["id", "slug", "title_es", "title_en", "description_es", "description_en", "kind", "topic",
                  "country", "language", "year", "downloads", "file_size", "download_url"]
        read_only_fields = fields

    def get_download_url(self, obj: Publication) -> str:
        from django.urls import reverse

        return reverse("website:publication_download", args=[obj.slug])


class PublicationWriteSerializer(serializers.ModelSerializer):
    """Editors' input: the publication's description and, on creation, its file (multipart)."""

    country = serializers.SlugRelatedField(
        slug_field="iso2", queryset=Country.objects.members(), allow_null=True, required=False,
        help_text="ISO alpha-2 code; null for the whole region.",
    )
    upload = serializers.FileField(write_only=True, required=False,
                                   help_text="The document (PDF, Office, OpenDocument or an image).")

    class Meta:
        model = Publication
        fields = ["id", "slug", "title_es", "title_en", "description_es", "description_en", "kind", "topic",
                  "country", "language", "year", "is_published", "upload"]
        read_only_fields = ["id"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.instance is None and attrs.get("upload") is None:
            raise serializers.ValidationError({"upload": "A new publication needs its file."})
        return attrs


class PublicationFilterSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=PublicationKind.choices, required=False)
    topic = serializers.ChoiceField(choices=Topic.choices, required=False)
    country = serializers.RegexField(r"^[A-Za-z]{2}$", required=False)
    language = serializers.ChoiceField(choices=["es", "en"], required=False)
    year = serializers.IntegerField(required=False, min_value=1990, max_value=2100)


@extend_schema_view(
    list=extend_schema(summary="Published news (public)"),
    retrieve=extend_schema(summary="One published article (public)"),
    create=extend_schema(summary="Draft an article (editors)"),
    partial_update=extend_schema(summary="Change an article (editors)"),
)
class NewsViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                  mixins.UpdateModelMixin, viewsets.GenericViewSet):
    serializer_class = NewsSerializer
    permission_classes = [WebsitePermission]
    policy_actions = {"list": "website.view", "retrieve": "website.view", "create": "website.edit",
                      "update": "website.edit", "partial_update": "website.edit"}
    http_method_names = ["get", "post", "patch", "head"]

    def get_queryset(self) -> QuerySet[Article]:
        if self.action in READ_ACTIONS:
            return Article.objects.published().prefetch_related("countries")
        return Article.objects.visible_to(self.request.user).prefetch_related("countries")

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = services.article_create(actor=self.request.user, data=dict(serializer.validated_data))

    def perform_update(self, serializer: Any) -> None:
        serializer.instance = services.article_update(
            actor=self.request.user, article=serializer.instance, data=dict(serializer.validated_data)
        )


@extend_schema_view(
    list=extend_schema(summary="Published publications (public)", parameters=[PublicationFilterSerializer]),
    retrieve=extend_schema(summary="One published publication (public)"),
    create=extend_schema(summary="Add a publication with its file (editors; multipart)"),
    partial_update=extend_schema(summary="Change a publication's description (editors)"),
)
class PublicationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                         mixins.UpdateModelMixin, viewsets.GenericViewSet):
    permission_classes = [WebsitePermission]
    policy_actions = {"list": "website.view", "retrieve": "website.view", "create": "website.manage_publications",
                      "update": "website.manage_publications", "partial_update": "website.manage_publications"}
    http_method_names = ["get", "post", "patch", "head"]

    def get_serializer_class(self) -> type[serializers.Serializer]:
        return PublicationSerializer if self.action in READ_ACTIONS else PublicationWriteSerializer

    def get_queryset(self) -> QuerySet[Publication]:
        if self.action not in READ_ACTIONS:
            return Publication.objects.select_related("country", "file")
        items = Publication.objects.published().select_related("country", "file")
        if self.action != "list":
            return items
        filters = PublicationFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        for name in ("kind", "topic", "language", "year"):
            if name in data:
                items = items.filter(**{name: data[name]})
        if "country" in data:
            items = items.filter(country__iso2=data["country"].upper())
        return items

    def _with_file(self, data: dict[str, Any]) -> dict[str, Any]:
        upload = data.pop("upload", None)
        if upload is not None:
            services.check_size(upload.size)  # by the size it reports, before reading it
            data["file"] = services.media_upload(actor=self.request.user, filename=upload.name,
                                                 data=upload.read(), kind=MediaKind.ATTACHMENT)
        return data

    def perform_create(self, serializer: Any) -> None:
        with transaction.atomic():
            data = self._with_file(dict(serializer.validated_data))
            serializer.instance = services.publication_create(actor=self.request.user, data=data)

    def perform_update(self, serializer: Any) -> None:
        with transaction.atomic():
            data = self._with_file(dict(serializer.validated_data))
            serializer.instance = services.publication_update(
                actor=self.request.user, publication=serializer.instance, data=data)


def register(router: Any) -> None:
    router.register("news", NewsViewSet, basename="news")
    router.register("publications", PublicationViewSet, basename="publication")
