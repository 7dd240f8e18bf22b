"""The public website in a real browser: an editor drafts an article in both languages, a
reviewer of the Secretariat publishes it, a visitor finds it on the home page, through search and
in the feed; the quick exit leaves the site (button, keyboard, Esc twice); axe-core finds no
serious or critical violation on any public page template; the home page is light and reading
works without JavaScript.
"""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe

from corett.accounts.roles import Role
from corett.testing import factories
from corett.website import services
from corett.website.models import Article, ArticleStatus, HelpLine
from corett.website.tests.helpers import make_publication

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEUTRAL = "https://www.google.com/"


def _serious(axe: Axe, page) -> list[str]:
    results = axe.run(page)
    return [
        f"{page.url} {v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def _sign_in(page, username: str) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", factories.TEST_PASSWORD)
    with page.expect_navigation():
        page.click("[data-testid=login-submit]")


def _sign_out(page) -> None:
    with page.expect_navigation():
        page.click("form[action='/accounts/logout/'] button[type=submit]")


@pytest.fixture
def people(db):
    for iso2 in ("GT", "HN"):
        factories.country(iso2)
    editor = factories.user_with(Role.EDITOR, None, username="editor")
    reviewer = factories.user_with(Role.SECRETARIAT, None, username="revisora")
    return editor, reviewer


def test_an_article_goes_from_the_editor_to_the_visitor(page, browser, live_server, people):
    assert people  # the editor and the reviewer sign in by name below
    axe = Axe()

    # The editor drafts the article in both languages, previews it and sends it for review.
    _sign_in(page, "editor")
    page.goto("/website/articles/new/")
    page.fill("#id_slug", "encuentro-regional")
    page.fill("#id_title_es", "Encuentro regional de comisiones")
    page.fill("#id_title_en", "Regional meeting of commissions")
    page.fill("#id_summary_es", "Las comisiones acordaron un plan común.")
    page.fill("#id_summary_en", "The commissions agreed on a common plan.")
    page.fill("#id_body_es", "Las comisiones acordaron **un plan común** de prevención.")
    page.fill("#id_body_en", "The commissions agreed on **a common plan** for prevention.")
    page.click("[data-preview-source=id_body_es]")
    page.locator("#preview-es strong").wait_for()
    assert page.locator("#preview-es strong").inner_text() == "un plan común"
    with page.expect_navigation():
        page.click("[data-testid=save-article]")
    with page.expect_navigation():
        page.click("[data-testid=submit-article]")
    assert Article.objects.get(slug="encuentro-regional").status == ArticleStatus.IN_REVIEW
    _sign_out(page)

    # A reviewer of the Secretariat publishes it.
    _sign_in(page, "revisora")
    article = Article.objects.get(slug="encuentro-regional")
    page.goto(f"/website/articles/{article.pk}/")
    with page.expect_navigation():
        page.click("[data-testid=publish-article]")
    assert page.locator("[data-testid=article-status]").inner_text() in ("Publicado", "Published")
    _sign_out(page)

    # A visitor, without an account, finds it on the home page, through search and in the feed.
    visitor = browser.new_context(base_url=live_server.url, locale="es-GT").new_page()
    visitor.goto("/")
    visitor.wait_for_url(re.compile(r"/es/$"))
    assert visitor.locator("main").get_by_text("Encuentro regional de comisiones").is_visible()
    visitor.fill("#footer-search", "plan común")
    with visitor.expect_navigation():
        visitor.press("#footer-search", "Enter")
    assert visitor.locator("main a", has_text="Encuentro regional de comisiones").count() == 1
    feed = visitor.request.get("/es/news/feed/rss/").text()
    assert "Encuentro regional de comisiones" in feed
    visitor.goto("/en/")
    assert visitor.locator("main").get_by_text("Regional meeting of commissions").is_visible()
    visitor.context.close()
    assert _serious(axe, page) == []


def _public_pages(article_slug: str, publication_slug: str) -> list[str]:
    return [
        "/es/", "/en/", "/es/about/", "/es/news/", "/es/news/?country=GT", f"/es/news/{article_slug}/",
        f"/en/news/{article_slug}/", "/es/publications/", f"/es/publications/{publication_slug}/",
        "/es/statistics/", "/es/events/", "/es/help/", "/es/contact/", "/es/contact/sent/",
        "/es/search/?q=plenaria", "/en/search/?q=nothing-matches",
    ]


@pytest.fixture
def published(people):
    editor, reviewer = people
    article = services.article_create(actor=editor, data={
        "slug": "plenaria", "title_es": "Plenaria III-2022", "title_en": "Plenary III-2022",
        "summary_es": "Acuerdos A a G.", "summary_en": "Agreements A to G.",
        "body_es": "## Acuerdos\n\n- A\n- B\n\n[Más](https://example.org)", "body_en": "## Agreements\n\n- A\n- B",
        "countries": [factories.country("GT")],
    })
    services.article_submit(actor=editor, article=article)
    services.article_publish(actor=reviewer, article=article)
    HelpLine.objects.create(country=factories.country("GT"), name_es="Línea", name_en="Line",
                            phone="+502 0000 0000", is_demo=True)
    return article, make_publication(editor)


def test_every_public_page_template_passes_axe(page, published):
    article, publication = published
    axe = Axe()
    problems: list[str] = []
    for url in _public_pages(article.slug, publication.slug):
        page.goto(url)
        problems += _serious(axe, page)
    # The contact form with its errors shown.
    page.goto("/es/contact/")
    with page.expect_navigation():
        page.click("main button[type=submit]")
    assert page.locator(".errorlist").count() >= 3
    problems += _serious(axe, page)
    assert problems == []


def test_the_quick_exit_leaves_at_once_with_the_mouse_the_keyboard_or_escape(page, published):
    page.route(f"{NEUTRAL}**", lambda route: route.fulfill(status=200, body="<title>Google</title>",
                                                           content_type="text/html"))
    page.goto("/es/help/")
    page.click("[data-testid=quick-exit]")
    page.wait_for_url(NEUTRAL)

    page.goto("/es/news/")
    page.keyboard.press("Tab")  # the skip link first
    page.keyboard.press("Tab")  # then the quick exit
    assert page.evaluate("document.activeElement.id") == "quick-exit"
    page.keyboard.press("Enter")
    page.wait_for_url(NEUTRAL)

    page.goto("/es/about/")
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    page.wait_for_url(NEUTRAL)
    # The page it left was replaced in the history: Back does not show it again.
    page.go_back()
    assert "/es/about/" not in page.url


def test_the_skip_link_and_the_focus_are_visible(page, published):
    page.goto("/es/")
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    assert skip.evaluate("e => e === document.activeElement") and skip.is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("", "none")


def test_the_home_page_is_light(page, published):
    page.goto("/es/")
    page.wait_for_load_state("load")
    transferred = page.evaluate(
        """() => {
            const nav = performance.getEntriesByType('navigation')[0];
            const resources = performance.getEntriesByType('resource')
                .filter(r => r.initiatorType !== 'img');
            const size = e => e.transferSize || e.encodedBodySize || 0;
            return size(nav) + resources.reduce((sum, r) => sum + size(r), 0);
        }"""
    )
    assert 0 < transferred < 300 * 1024, transferred
    scripts = page.evaluate("[...document.scripts].map(s => s.src)")
    assert not any("bootstrap.bundle" in s or "htmx" in s for s in scripts)


def test_reading_works_without_javascript(browser, live_server, published):
    article, _ = published
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    reader = context.new_page()
    reader.goto("/es/")
    with reader.expect_navigation():
        reader.click(f"main a[href='/es/news/{article.slug}/']")
    assert reader.locator("h1").inner_text() == "Plenaria III-2022"
    assert reader.locator(".article-body h2").inner_text() == "Acuerdos"
    reader.goto("/en/publications/")
    assert reader.locator("main h2 a").count() == 1
    context.close()
