"""Who may open each website address: the public pages for everyone (signed in or not), the
editing pages for editors and the Secretariat, the help lines for each country's focal point,
the contact messages for the Secretariat."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from corett.accounts.roles import Role
from corett.testing import factories
from corett.testing.matrix import ALL, NONE, STAFF, Entry, check_access
from corett.website import services
from corett.website.models import ContactMessage, HelpLine, MediaKind
from corett.website.tests.helpers import make_article, make_publication, png

EDITORS = STAFF | {Role.EDITOR}
HELP = STAFF | {Role.FOCAL_POINT}
PUBLIC = Entry(ALL, public=True)


@dataclass
class World:
    article: Any  # published, written by Guatemala's national commission
    draft: Any  # a draft of Guatemala's national commission
    publication: Any
    image: Any
    line: Any
    message: Any


def draft(w: World) -> dict:
    return {"pk": w.draft.pk}


MATRIX: dict[str, Entry] = {
    # The public site: everyone, with or without an account.
    "website:home": PUBLIC,
    "website:about": PUBLIC,
    "website:news": PUBLIC,
    "website:feed_rss": PUBLIC,
    "website:feed_atom": PUBLIC,
    "website:article": Entry(ALL, public=True, kwargs=lambda w: {"slug": w.article.slug}),
    "website:publications": PUBLIC,
    "website:publication": Entry(ALL, public=True, kwargs=lambda w: {"slug": w.publication.slug}),
    "website:publication_download": Entry(ALL, public=True, kwargs=lambda w: {"slug": w.publication.slug}),
    "website:statistics": PUBLIC,
    # The world has no released figures, so no infographic exists yet: 404 for everyone (the
    # page of one that exists: test_views).
    "website:infographic": Entry(NONE, kwargs=lambda w: {"scope": "REGION", "fmt": "png"}),
    "website:events": PUBLIC,
    "website:events_ical": PUBLIC,
    "website:help": PUBLIC,
    "website:contact": PUBLIC,
    "website:contact_sent": PUBLIC,
    "website:search": Entry(ALL, public=True, query="?q=plenaria"),
    "website:media": Entry(ALL, public=True, kwargs=lambda w: {"key": w.image.key, "name": w.image.original_name}),
    "sitemap": PUBLIC,
    "api:news-list": PUBLIC,
    "api:news-detail": Entry(ALL, public=True, kwargs=lambda w: {"pk": w.article.pk}),
    "api:publication-list": PUBLIC,
    "api:publication-detail": Entry(ALL, public=True, kwargs=lambda w: {"pk": w.publication.pk}),
    # Editing: editors and the Secretariat; another organisation's draft is a 404 to an editor.
    "website_edit:dashboard": Entry(EDITORS),
    "website_edit:article_create": Entry(EDITORS),
    "website_edit:preview": Entry(EDITORS, method="post", data=lambda w: {"text": "**hola**"}),
    "website_edit:article": Entry(EDITORS, STAFF, kwargs=draft),
    "website_edit:article_edit": Entry(EDITORS, STAFF, kwargs=draft),
    "website_edit:article_submit": Entry(EDITORS, STAFF, method="post", kwargs=draft),
    # Publishing is the Secretariat's review (the matrix's editors work for national commissions).
    "website_edit:article_publish": Entry(STAFF, method="post", kwargs=draft),
    "website_edit:article_return": Entry(STAFF, method="post", kwargs=draft, data=lambda w: {"note": "x"}),
    "website_edit:article_unpublish": Entry(STAFF, method="post", kwargs=lambda w: {"pk": w.article.pk}),
    "website_edit:media": Entry(EDITORS),
    "website_edit:publications": Entry(EDITORS),
    "website_edit:publication_create": Entry(EDITORS),
    "website_edit:publication_edit": Entry(EDITORS, kwargs=lambda w: {"pk": w.publication.pk}),
    # Help lines: each country's focal point keeps its own; the Secretariat all of them.
    "website_edit:helplines": Entry(HELP),
    "website_edit:helpline_create": Entry(HELP),
    "website_edit:helpline_edit": Entry(HELP, STAFF, kwargs=lambda w: {"pk": w.line.pk}),
    "website_edit:helpline_delete": Entry(HELP, STAFF, method="post", kwargs=lambda w: {"pk": w.line.pk}),
    # Visitors' messages: the Secretariat only.
    "website_edit:messages": Entry(STAFF),
    "website_edit:message": Entry(STAFF, kwargs=lambda w: {"pk": w.message.pk}),
}


@pytest.fixture
def world(db) -> World:
    gt = factories.country("GT")
    factories.country("HN")
    author = factories.user_with(Role.EDITOR, "GT", username="matrix-author")
    secretariat = factories.user_with(Role.SECRETARIAT, None, username="matrix-reviewer")
    image = services.media_upload(actor=author, filename="foto.png", data=png(), kind=MediaKind.IMAGE,
                                  alt_es="Una foto", alt_en="A photo")
    return World(
        article=make_article(author, secretariat, slug="plenaria", publish=True),
        draft=make_article(author, secretariat, slug="borrador"),
        publication=make_publication(author),
        image=image,
        line=HelpLine.objects.create(country=gt, name_es="Línea", name_en="Line", phone="+502 0000 0000",
                                     is_demo=True),
        message=ContactMessage.objects.create(name="Ana", email="ana@example.org", subject="Hola",
                                              message="Consulta", language="es"),
    )


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_access(name, world, client, login):
    check_access(name, MATRIX[name], world, client, login)
