"""The public pages' cache: anonymous visitors are answered before the session, authentication and
CSRF middleware run, with the headers the whole stack gave the first answer; signed-in users
always go through it; nothing a visitor reads writes a session or sets a cookie."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from typing import cast

import pytest
from django.conf import settings
from django.contrib import messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.contrib.sessions.models import Session
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware, get_token
from django.test import RequestFactory
from django.utils import timezone

from corett.website import services
from corett.website.cache import PublicPageMiddleware, public_page
from corett.website.tests.helpers import make_article, make_publication

PUBLIC_PAGES = ["/es/", "/en/", "/es/about/", "/es/news/", "/en/news/?country=GT", "/es/news/noticia/",
                "/es/publications/", "/es/publications/protocolo/", "/es/statistics/", "/es/events/",
                "/es/help/", "/es/contact/sent/", "/es/search/?q=plenaria", "/en/news/feed/rss/"]


@pytest.fixture
def published(author, reviewer):
    make_article(author, reviewer, publish=True)
    make_publication(author)
    return author


def test_an_anonymous_visitor_is_answered_before_the_session_and_the_view(client, published,
                                                                          django_assert_num_queries):
    first = client.get("/en/")
    with django_assert_num_queries(0):
        again = client.get("/en/")
    assert again.content == first.content
    # The session and authentication middleware never saw the second request.
    assert hasattr(first.wsgi_request, "session") and not hasattr(again.wsgi_request, "session")
    assert not hasattr(again.wsgi_request, "user")
    for header in ("Content-Security-Policy", "X-Frame-Options", "Content-Language", "Content-Type",
                   "X-Content-Type-Options", "Referrer-Policy"):
        assert again[header] == first[header], header


def test_every_public_page_is_cached_per_address_and_language(client, published):
    first = {url: client.get(url) for url in PUBLIC_PAGES}
    for url, response in first.items():
        assert response.status_code == 200, url
        again = client.get(url)
        assert not hasattr(again.wsgi_request, "session"), url
        assert again.content == response.content, url
    assert first["/es/"]["Content-Language"] == "es" and first["/en/"]["Content-Language"] == "en"
    assert client.get("/es/news/").content != client.get("/en/news/?country=GT").content


def test_the_host_is_part_of_the_address(client, published):
    here = client.get("/en/news/feed/rss/", headers={"host": "localhost"}).content.decode()
    there = client.get("/en/news/feed/rss/", headers={"host": "127.0.0.1"}).content.decode()
    assert "http://localhost/en/" in here and "http://127.0.0.1/en/" in there


def test_a_disallowed_host_is_refused_even_when_the_page_is_cached(client, published):
    client.get("/en/")
    assert client.get("/en/", headers={"host": "evil.example"}).status_code == 400


def test_anonymous_visits_write_no_session_and_set_no_cookie(client, published):
    for url in PUBLIC_PAGES:
        for _ in range(2):
            response = client.get(url)
            assert not response.cookies, url
    assert not Session.objects.exists()


def test_a_signed_in_user_goes_through_the_whole_stack(client, login, published):
    client.get("/en/")
    login(client, published)
    response = client.get("/en/")
    # The session was read and saved again: the idle timer restarts on public pages too.
    assert response.wsgi_request.user == published
    assert response.cookies["sessionid"].value


def test_pages_that_are_not_public_pages_are_never_stored(client, published):
    client.get("/es/contact/")
    again = client.get("/es/contact/")
    assert hasattr(again.wsgi_request, "session") and "csrfmiddlewaretoken" in again.content.decode()


def test_a_public_page_that_sets_a_cookie_is_not_stored(db):
    calls = []

    @public_page
    def view(request):
        calls.append(request)
        response = HttpResponse("mine")
        response.set_cookie("token", "someone's")
        return response

    middleware = PublicPageMiddleware(view)
    for _ in range(2):
        middleware(RequestFactory().get("/es/"))
    assert len(calls) == 2


def test_a_head_request_is_answered_from_a_stored_page_but_never_stores_one(client, published):
    head = client.head("/en/about/")
    assert head.status_code == 200 and hasattr(head.wsgi_request, "session")
    assert hasattr(client.get("/en/about/").wsgi_request, "session")  # the HEAD stored nothing
    again = client.head("/en/about/")
    assert again.status_code == 200 and not hasattr(again.wsgi_request, "session")
    assert again["Content-Type"] == head["Content-Type"] and again.content == b""


def test_a_visitor_with_a_pending_message_goes_through_the_whole_stack(client, published):
    storage, carrier = CookieStorage(RequestFactory().get("/")), HttpResponse()
    storage.add(messages.INFO, "Your message was sent.")
    storage.update(carrier)
    client.get("/en/")
    client.cookies["messages"] = carrier.cookies["messages"].value
    response = client.get("/en/")
    assert hasattr(response.wsgi_request, "session")
    assert [m.message for m in messages.get_messages(response.wsgi_request)] == ["Your message was sent."]


def test_a_publication_replaces_every_stored_page(client, author, reviewer, django_capture_on_commit_callbacks):
    make_article(author, reviewer, slug="primera", publish=True)
    article = make_article(author, reviewer, slug="segunda")
    services.article_submit(actor=author, article=article)
    pages = ["/es/", "/en/", "/en/news/", "/en/search/?q=segunda"]
    for url in pages:
        assert "Plenary segunda" not in client.get(url).content.decode(), url
    with django_capture_on_commit_callbacks(execute=True):
        services.article_publish(actor=reviewer, article=article)
    for url in pages[1:]:
        response = client.get(url)
        assert hasattr(response.wsgi_request, "session"), url  # rendered anew, not the stored page
        assert "Plenary segunda" in response.content.decode(), url


def test_each_language_has_its_own_stored_page(client, published):
    client.get("/es/about/"), client.get("/en/about/")
    spanish, english = client.get("/es/about/"), client.get("/en/about/")
    assert not hasattr(spanish.wsgi_request, "session") and not hasattr(english.wsgi_request, "session")
    assert '<html lang="es">' in spanish.content.decode() and spanish["Content-Language"] == "es"
    assert '<html lang="en">' in english.content.decode() and english["Content-Language"] == "en"


def test_the_stored_page_keeps_the_content_security_policy_it_was_sent_with(client, published):
    first = client.get("/en/")
    again = client.get("/en/")
    assert again["Content-Security-Policy"] == first["Content-Security-Policy"]
    assert "script-src 'self'" in again["Content-Security-Policy"] and "nonce" not in again["Content-Security-Policy"]


def test_a_page_whose_policy_has_a_nonce_is_never_stored(db):
    calls = []

    @public_page
    def view(request):
        calls.append(request)
        response = HttpResponse("<script nonce='abc'></script>")
        response["Content-Security-Policy"] = "script-src 'self' 'nonce-abc'"
        return response

    middleware = PublicPageMiddleware(view)
    for _ in range(2):
        middleware(RequestFactory().get("/es/"))
    assert len(calls) == 2


def test_a_page_with_a_csrf_token_is_not_stored_even_for_a_visitor_who_has_the_cookie(db):
    calls = []

    @public_page
    def view(request):
        calls.append(request)
        return HttpResponse(get_token(request))

    middleware = PublicPageMiddleware(cast(Callable[[HttpRequest], HttpResponse], CsrfViewMiddleware(view)))
    request = RequestFactory().get("/es/")
    request.COOKIES[settings.CSRF_COOKIE_NAME] = "a" * 32
    first = middleware(request)
    assert first.cookies[settings.CSRF_COOKIE_NAME]
    middleware(RequestFactory().get("/es/"))
    assert len(calls) == 2


def test_no_page_is_stored_past_the_next_scheduled_publication(client, author, reviewer):
    article = make_article(author, reviewer, slug="programada")
    services.article_submit(actor=author, article=article)
    services.article_publish(actor=reviewer, article=article, at=timezone.now() + dt.timedelta(seconds=1))
    client.get("/en/")  # stored for at most a second
    time.sleep(1.1)
    response = client.get("/en/")
    assert hasattr(response.wsgi_request, "session") and "Plenary programada" in response.content.decode()
