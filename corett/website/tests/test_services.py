"""The website's workflows: review and publication, versions and audit, and the bad input the
issue names (a script in a body, an image without alt text, oversized and disguised uploads)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from corett.accounts.roles import Role
from corett.audit.models import AuditEntry
from corett.testing import factories
from corett.website import content, services
from corett.website.models import Article, ArticleStatus, MediaFile, MediaKind
from corett.website.tests.helpers import PDF, article_data, make_article, png


def test_an_article_goes_from_draft_through_review_to_published(author, reviewer):
    article = make_article(author, reviewer)
    assert article.status == ArticleStatus.DRAFT and not Article.objects.published().exists()
    services.article_submit(actor=author, article=article)
    assert article.status == ArticleStatus.IN_REVIEW
    services.article_publish(actor=reviewer, article=article)
    assert list(Article.objects.published()) == [article]
    assert [v.status for v in article.versions.order_by("number")] == ["draft", "in_review", "published"]
    actions = set(AuditEntry.objects.filter(object_id=str(article.pk)).values_list("action", flat=True))
    assert {"website.article.create", "website.article.submit", "website.article.publish"} <= actions


def test_the_author_of_a_submission_cannot_publish_it(db, reviewer):
    writer = factories.user_with(Role.SECRETARIAT, None, username="writer")
    article = make_article(writer, reviewer)
    services.article_submit(actor=writer, article=article)
    with pytest.raises(PermissionDenied):
        services.article_publish(actor=writer, article=article)


def test_an_editor_of_a_national_commission_cannot_publish(author, reviewer):
    article = make_article(author, reviewer)
    services.article_submit(actor=author, article=article)
    other_editor = factories.user_with(Role.EDITOR, "GT", username="other-editor")
    with pytest.raises(PermissionDenied):
        services.article_publish(actor=other_editor, article=article)


def test_a_scheduled_article_appears_only_when_its_time_comes(author, reviewer):
    article = make_article(author, reviewer)
    services.article_submit(actor=author, article=article)
    later = timezone.now() + dt.timedelta(hours=2)
    services.article_publish(actor=reviewer, article=article, at=later)
    assert article.is_scheduled
    assert not Article.objects.published().exists()
    assert list(Article.objects.published(now=later + dt.timedelta(seconds=1))) == [article]


def test_a_scheduled_publication_in_the_past_is_refused(author, reviewer):
    article = make_article(author, reviewer)
    services.article_submit(actor=author, article=article)
    with pytest.raises(ValidationError) as error:
        services.article_publish(actor=reviewer, article=article, at=timezone.now() - dt.timedelta(days=1))
    assert "publish_at" in error.value.message_dict


def test_unpublishing_needs_a_reason_and_keeps_it(author, reviewer):
    article = make_article(author, reviewer, publish=True)
    with pytest.raises(ValidationError) as error:
        services.article_unpublish(actor=reviewer, article=article, reason="  ")
    assert "reason" in error.value.message_dict
    services.article_unpublish(actor=reviewer, article=article, reason="Datos por corregir")
    article.refresh_from_db()
    assert article.status == ArticleStatus.UNPUBLISHED and article.unpublished_reason == "Datos por corregir"
    assert not Article.objects.published().exists()


def test_every_change_keeps_a_version_with_what_it_said(author, reviewer):
    article = make_article(author, reviewer)
    services.article_update(actor=author, article=article, data={"title_es": "Nuevo título"})
    first, second = article.versions.order_by("number")
    assert first.content["title_es"] == "Plenaria noticia" and second.content["title_es"] == "Nuevo título"


def test_a_script_in_a_body_is_refused_at_the_field_and_nothing_is_saved(author):
    bad = article_data(body_en="Hello <script>alert('x')</script>")
    with pytest.raises(ValidationError) as error:
        services.article_create(actor=author, data=bad)
    assert "body_en" in error.value.message_dict
    assert "script" in error.value.message_dict["body_en"][0]
    assert not Article.objects.exists()


@pytest.mark.parametrize("body", [
    '<img src="/x.png" onerror="alert(1)" alt="x">',
    "[click](javascript:alert(1))",
    "<iframe src='https://example.org'></iframe>",
])
def test_other_code_is_refused_too(author, body):
    with pytest.raises(ValidationError):
        services.article_create(actor=author, data=article_data(body_es=body))


def test_whatever_is_stored_is_shown_without_code():
    html = str(content.to_html("Hola <script>alert(1)</script> <a href=\"javascript:alert(1)\">x</a> "
                               "<img src=\"/a.png\" alt=\"a\" onerror=\"alert(1)\">"))
    assert "<script" not in html and "javascript:" not in html and "onerror" not in html


def test_an_image_without_a_text_alternative_is_refused(author):
    with pytest.raises(ValidationError) as error:
        services.article_create(actor=author, data=article_data(body_es="![](/es/media/x/foto.png)"))
    assert "text alternative" in error.value.message_dict["body_es"][0]
    with pytest.raises(ValidationError) as upload_error:
        services.media_upload(actor=author, filename="foto.png", data=png(), kind=MediaKind.IMAGE, alt_es="Foto")
    assert set(upload_error.value.message_dict) == {"alt_en"}
    assert not MediaFile.objects.exists()


def test_an_image_from_another_site_is_refused(author):
    with pytest.raises(ValidationError):
        services.article_create(actor=author, data=article_data(body_es="![Foto](https://tracker.example/p.png)"))


def test_an_upload_over_the_limit_is_refused_by_its_size(author, settings):
    settings.WEBSITE_UPLOAD_MAX_MB = 1
    with pytest.raises(ValidationError) as error:
        services.media_upload(actor=author, filename="big.pdf", data=PDF + b"0" * (2 * 1024 * 1024),
                              kind=MediaKind.ATTACHMENT)
    assert "limit is 1 MB" in error.value.message_dict["file"][0]


def test_a_file_is_judged_by_its_content_not_its_name(author):
    with pytest.raises(ValidationError):
        services.media_upload(actor=author, filename="foto.png", data=b"<html><script>x</script></html>",
                              kind=MediaKind.IMAGE, alt_es="a", alt_en="a")
    with pytest.raises(ValidationError):
        services.media_upload(actor=author, filename="informe.pdf", data=b"MZ\x90\x00 an executable",
                              kind=MediaKind.ATTACHMENT)
    media = services.media_upload(actor=author, filename="informe.pdf", data=PDF, kind=MediaKind.ATTACHMENT)
    assert media.content_type == "application/pdf"


def test_a_partner_editor_sees_only_its_organisations_articles(author, reviewer):
    make_article(author, reviewer, slug="de-guatemala")
    from corett.directory.models import OrganisationKind

    ngo = factories.OrganisationFactory.create(name="El Pozo de Vida", kind=OrganisationKind.NGO_OBSERVER, country=None)
    pozo = factories.UserFactory.create(organisation=ngo, roles=[Role.EDITOR], username="editor-pozo")
    assert not Article.objects.visible_to(pozo).exists()
    assert Article.objects.visible_to(reviewer).count() == 1


def test_a_focal_point_keeps_only_their_countrys_help_lines(db):
    gt, hn = factories.country("GT"), factories.country("HN")
    focal = factories.user_with(Role.FOCAL_POINT, "GT", username="focal")
    data = {"name_es": "Línea", "name_en": "Line", "phone": "+502 1234 5678", "is_demo": True}
    line = services.helpline_save(actor=focal, line=None, data={"country": gt, **data})
    with pytest.raises(PermissionDenied):
        services.helpline_save(actor=focal, line=None, data={"country": hn, **data})
    with pytest.raises(PermissionDenied):
        services.helpline_save(actor=focal, line=line, data={"country": hn})
    with pytest.raises(ValidationError):
        services.helpline_save(actor=focal, line=None, data={"country": gt, **data, "phone": "call us"})
