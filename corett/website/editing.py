"""The editors' pages (/website/…, signed in): articles, media, publications, help lines, messages.

Each object view fetches through a ``_get_<thing>_for_user`` helper: looked up in what the policy
lets the user reach (another organisation's draft is a 404), then authorised for the action
(403, audited). Writes go through ``corett.website.services``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST

from corett import policy
from corett.accounts.models import User
from corett.core.forms import add_service_error, submitted
from corett.directory.models import Country
from corett.website import content, services
from corett.website.forms import (
    ArticleForm,
    HelpLineForm,
    MediaForm,
    PublicationForm,
    PublishForm,
    ReturnForm,
    UnpublishForm,
)
from corett.website.models import (
    Article,
    ArticleStatus,
    ContactMessage,
    HelpLine,
    MediaFile,
    MediaKind,
    Publication,
)


class AuthenticatedRequest(HttpRequest):
    user: User


def _bounded_uploads(request: HttpRequest) -> None:
    """Hold uploads in memory up to the limit and drop the bytes of a larger file as they arrive
    (a 100 MB upload is refused by its size, never stored)."""
    from corett.cases.documents import BoundedMemoryUploadHandler

    request.upload_handlers = [BoundedMemoryUploadHandler(request, limit=services.upload_max_bytes() + 1)]


# --- Fetch and authorise -------------------------------------------------------------------------


def _get_article_for_user(user: Any, pk: int, action: str = "website.edit") -> Article:
    article = get_object_or_404(Article.objects.visible_to(user).select_related("cover"), pk=pk)
    policy.authorize(user, action, article)
    return article


def _get_helpline_for_user(user: Any, pk: int) -> HelpLine:
    line = get_object_or_404(policy.scope(user, "website.manage_help", HelpLine.objects.select_related("country")),
                             pk=pk)
    policy.authorize(user, "website.manage_help", line.country)
    return line


# --- Articles ------------------------------------------------------------------------------------


@login_required
def dashboard(request: AuthenticatedRequest) -> HttpResponse:
    policy.authorize(request.user, "website.edit")
    articles = Article.objects.visible_to(request.user).order_by("-updated_at")
    status = request.GET.get("status", "")
    if status in ArticleStatus.values:
        articles = articles.filter(status=status)
    page = Paginator(articles, 25).get_page(request.GET.get("page"))
    return render(request, "website/edit/dashboard.html", {
        "page": page, "status": status, "statuses": ArticleStatus.choices,
        "can_publish": policy.can(request.user, "website.publish"),
        "can_publications": policy.can(request.user, "website.manage_publications"),
        "can_messages": policy.can(request.user, "website.read_messages"),
    })


@login_required
@require_http_methods(["GET", "POST"])
def article_create(request: AuthenticatedRequest) -> HttpResponse:
    policy.authorize(request.user, "website.edit")
    form = ArticleForm(request.POST or None)
    created = submitted(request, form, lambda data: services.article_create(actor=request.user, data=data))
    if created is not None:
        messages.success(request, _("Draft saved."))
        return redirect("website_edit:article", pk=created.pk)
    return render(request, "website/edit/article_form.html", {"form": form, "article": None})


@login_required
@require_http_methods(["GET", "POST"])
def article_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    article = _get_article_for_user(request.user, pk)
    form = ArticleForm(request.POST or None, instance=Article.objects.get(pk=article.pk))
    saved = submitted(request, form,
                      lambda data: services.article_update(actor=request.user, article=article, data=data))
    if saved is not None:
        messages.success(request, _("Changes saved."))
        return redirect("website_edit:article", pk=article.pk)
    return render(request, "website/edit/article_form.html", {"form": form, "article": article})


@login_required
def article_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    article = _get_article_for_user(request.user, pk)
    return _article_page(request, article)


def _article_page(request: AuthenticatedRequest, article: Article, status: int = 200, **forms: Any) -> HttpResponse:
    user = request.user
    return render(request, "website/edit/article_detail.html", {
        "article": article,
        "body_es": content.to_html(article.body_es),
        "body_en": content.to_html(article.body_en),
        "versions": article.versions.select_related("created_by")[:20],
        "can_publish": policy.can(user, "website.publish", article),
        "publish_form": forms.get("publish_form") or PublishForm(),
        "return_form": forms.get("return_form") or ReturnForm(),
        "unpublish_form": forms.get("unpublish_form") or UnpublishForm(),
    }, status=status)


@login_required
@require_POST
def article_submit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    article = _get_article_for_user(request.user, pk)
    try:
        services.article_submit(actor=request.user, article=article)
        messages.success(request, _("Sent for review."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("website_edit:article", pk=article.pk)


@login_required
@require_POST
def article_publish(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    article = _get_article_for_user(request.user, pk)
    policy.authorize(request.user, "website.publish", article)
    form = PublishForm(request.POST)
    done = submitted(request, form, lambda data: services.article_publish(
        actor=request.user, article=article, at=data.get("publish_at")))
    if done is None:
        return _article_page(request, article, status=400, publish_form=form)
    messages.success(request, _("Published.") if article.is_public() else _("Publication scheduled."))
    return redirect("website_edit:article", pk=article.pk)


@login_required
@require_POST
def article_return(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    article = _get_article_for_user(request.user, pk)
    policy.authorize(request.user, "website.publish", article)
    form = ReturnForm(request.POST)
    done = submitted(request, form, lambda data: services.article_return(
        actor=request.user, article=article, note=data["note"]))
    if done is None:
        return _article_page(request, article, status=400, return_form=form)
    messages.success(request, _("Sent back to the authors."))
    return redirect("website_edit:article", pk=article.pk)


@login_required
@require_POST
def article_unpublish(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    article = _get_article_for_user(request.user, pk)
    policy.authorize(request.user, "website.publish", None)
    form = UnpublishForm(request.POST)
    done = submitted(request, form, lambda data: services.article_unpublish(
        actor=request.user, article=article, reason=data["reason"]))
    if done is None:
        return _article_page(request, article, status=400, unpublish_form=form)
    messages.success(request, _("Unpublished."))
    return redirect("website_edit:article", pk=article.pk)


@login_required
@require_POST
def preview(request: AuthenticatedRequest) -> HttpResponse:
    """The Markdown of one body as the public page will show it (htmx), with its problems."""
    policy.authorize(request.user, "website.edit")
    text = request.POST.get("text", "")[:100_000]
    return render(request, "website/edit/_preview.html", {
        "html": content.to_html(text), "problems": content.problems(text),
    })


# --- Media ---------------------------------------------------------------------------------------


@csrf_exempt  # checked by _media, once the bounded upload handler is in place
@login_required
def media(request: AuthenticatedRequest) -> HttpResponse:
    _bounded_uploads(request)
    return _media(request)


@csrf_protect
@require_http_methods(["GET", "POST"])
def _media(request: AuthenticatedRequest) -> HttpResponse:
    policy.authorize(request.user, "website.edit")
    form = MediaForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            upload = data["file"]
            try:
                item = services.media_upload(
                    actor=request.user, filename=upload.name, data=upload.read(), kind=data["kind"],
                    alt_es=data["alt_es"], alt_en=data["alt_en"],
                )
            except ValidationError as error:
                add_service_error(form, error)
                status = 400
            else:
                messages.success(request, _("Uploaded. Its address: %(url)s") % {"url": item.get_absolute_url()})
                return redirect("website_edit:media")
        else:
            status = 400
    items = Paginator(MediaFile.objects.order_by("-created_at"), 30).get_page(request.GET.get("page"))
    return render(request, "website/edit/media.html", {"form": form, "page": items,
                                                       "limit_mb": services.upload_max_bytes() // (1024 * 1024)},
                  status=status)


# --- Publications --------------------------------------------------------------------------------


@login_required
def publication_list(request: AuthenticatedRequest) -> HttpResponse:
    policy.authorize(request.user, "website.manage_publications")
    items = Publication.objects.select_related("country").order_by("-updated_at")
    return render(request, "website/edit/publications.html", {
        "page": Paginator(items, 30).get_page(request.GET.get("page")),
    })


def _publication_data(request: AuthenticatedRequest, form: PublicationForm) -> dict[str, Any]:
    data = {name: form.cleaned_data[name] for name in form.Meta.fields}
    upload = form.cleaned_data.get("upload")
    if upload is not None:
        data["file"] = services.media_upload(actor=request.user, filename=upload.name, data=upload.read(),
                                             kind=MediaKind.ATTACHMENT)
    return data


@csrf_exempt  # checked by _publication_form, once the bounded upload handler is in place
@login_required
def publication_create(request: AuthenticatedRequest) -> HttpResponse:
    _bounded_uploads(request)
    return _publication_form(request, None)


@csrf_exempt  # checked by _publication_form, once the bounded upload handler is in place
@login_required
def publication_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    _bounded_uploads(request)
    return _publication_form(request, pk)


@csrf_protect
@require_http_methods(["GET", "POST"])
def _publication_form(request: AuthenticatedRequest, pk: int | None) -> HttpResponse:
    user = request.user
    policy.authorize(user, "website.manage_publications")
    instance = get_object_or_404(Publication, pk=pk) if pk is not None else None
    form = PublicationForm(request.POST or None, request.FILES or None,
                           instance=Publication.objects.get(pk=pk) if pk is not None else None)

    def save(data: dict[str, Any]) -> Publication:
        from django.db import transaction

        with transaction.atomic():
            values = _publication_data(request, form)
            if instance is None:
                return services.publication_create(actor=user, data=values)
            return services.publication_update(actor=user, publication=instance, data=values)

    done = submitted(request, form, lambda _data: save(_data))
    if done is not None:
        messages.success(request, _("Publication saved."))
        return redirect("website_edit:publications")
    status = 400 if request.method == "POST" else 200
    return render(request, "website/edit/publication_form.html", {"form": form, "publication": instance},
                  status=status)


# --- Help lines ----------------------------------------------------------------------------------


@login_required
def helpline_list(request: AuthenticatedRequest) -> HttpResponse:
    policy.authorize(request.user, "website.manage_help")
    lines = policy.scope(request.user, "website.manage_help", HelpLine.objects.select_related("country"))
    return render(request, "website/edit/helplines.html", {"lines": lines})


def _help_countries(user: Any) -> Any:
    return Country.objects.members().filter(
        pk__in=[c.pk for c in Country.objects.members() if policy.can(user, "website.manage_help", c)]
    )


@login_required
@require_http_methods(["GET", "POST"])
def helpline_create(request: AuthenticatedRequest) -> HttpResponse:
    policy.authorize(request.user, "website.manage_help")
    form = HelpLineForm(request.POST or None, countries=_help_countries(request.user))
    if submitted(request, form, lambda data: services.helpline_save(actor=request.user, line=None, data=data)):
        messages.success(request, _("Help line saved."))
        return redirect("website_edit:helplines")
    return render(request, "website/edit/helpline_form.html", {"form": form, "line": None})


@login_required
@require_http_methods(["GET", "POST"])
def helpline_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    line = _get_helpline_for_user(request.user, pk)
    form = HelpLineForm(request.POST or None, instance=HelpLine.objects.get(pk=pk),
                        countries=_help_countries(request.user))
    if submitted(request, form, lambda data: services.helpline_save(actor=request.user, line=line, data=data)):
        messages.success(request, _("Help line saved."))
        return redirect("website_edit:helplines")
    return render(request, "website/edit/helpline_form.html", {"form": form, "line": line})


@login_required
@require_POST
def helpline_delete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    line = _get_helpline_for_user(request.user, pk)
    # The button says what it does; a POST that does not confirm removes nothing.
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Confirm the removal of the help line."))
        return redirect("website_edit:helpline_edit", pk=line.pk)
    services.helpline_delete(actor=request.user, line=line)
    messages.success(request, _("Help line removed."))
    return redirect("website_edit:helplines")


# --- Contact messages ----------------------------------------------------------------------------


@login_required
def message_list(request: AuthenticatedRequest) -> HttpResponse:
    policy.authorize(request.user, "website.read_messages")
    page = Paginator(ContactMessage.objects.all(), 30).get_page(request.GET.get("page"))
    return render(request, "website/edit/messages.html", {"page": page})


@login_required
def message_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    policy.authorize(request.user, "website.read_messages")
    message = get_object_or_404(ContactMessage, pk=pk)
    services.message_mark_read(actor=request.user, message=message)
    return render(request, "website/edit/message_detail.html", {"message": message})
