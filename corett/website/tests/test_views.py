"""The public site over HTTP: pages in both languages, what is not published stays hidden, the
cache follows publications, feeds, calendar, search, contact form (flood and spam trap),
uploads over the limit, the API, and the editors' pages."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import icalendar
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from corett.accounts.roles import Role
from corett.notifications.models import Notification
from corett.testing import factories
from corett.website import services
from corett.website.models import Article, ArticleStatus, ContactMessage, MediaFile, Publication
from corett.website.tests.helpers import PDF, make_article, make_publication


def test_an_anonymous_visitor_at_the_root_lands_on_the_public_home(client, db):
    response = client.get("/", headers={"accept-language": "es"})
    assert response.status_code == 302 and response["Location"] == "/es/"
    assert client.get("/es/").status_code == 200


def test_a_signed_in_user_keeps_the_dashboard(client_as, focal_gt):
    response = client_as(focal_gt).get("/")
    assert response.status_code == 200 and b"quick-exit" not in response.content


def test_the_home_page_speaks_the_language_of_its_address(client, author, reviewer):
    make_article(author, reviewer, publish=True)
    spanish = client.get("/es/").content.decode()
    english = client.get("/en/").content.decode()
    assert 'lang="es"' in spanish and "Plenaria noticia" in spanish and "Quick exit" not in spanish
    assert 'lang="en"' in english and "Plenary noticia" in english and "Quick exit" in english
    assert '<link rel="canonical" href="http://127.0.0.1:8000/en/">' in english
    assert 'hreflang="es" href="http://127.0.0.1:8000/es/"' in english


def test_every_public_page_has_the_quick_exit_and_the_skip_link(client, author, reviewer):
    article = make_article(author, reviewer, publish=True)
    publication = make_publication(author)
    for name, args in [("home", []), ("about", []), ("news", []), ("article", [article.slug]),
                       ("publications", []), ("publication", [publication.slug]), ("statistics", []),
                       ("events", []), ("help", []), ("contact", []), ("contact_sent", []), ("search", [])]:
        page = client.get(reverse(f"website:{name}", args=args)).content.decode()
        assert 'id="quick-exit"' in page and 'href="#main"' in page, name
        assert "<script>" not in page and "bootstrap.bundle" not in page, name


def test_drafts_and_articles_in_review_are_not_found(client, author, reviewer):
    article = make_article(author, reviewer)
    assert client.get(article.get_absolute_url()).status_code == 404
    services.article_submit(actor=author, article=article)
    assert client.get(article.get_absolute_url()).status_code == 404
    assert client.get(reverse("api:news-detail", args=[article.pk])).status_code == 404


def test_the_cached_home_page_changes_on_publication(client, author, reviewer,
                                                     django_capture_on_commit_callbacks):
    article = make_article(author, reviewer)
    services.article_submit(actor=author, article=article)
    assert "Plenary noticia" not in client.get("/en/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.article_publish(actor=reviewer, article=article)
    assert "Plenary noticia" in client.get("/en/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.article_unpublish(actor=reviewer, article=article, reason="Error")
    assert "Plenary noticia" not in client.get("/en/").content.decode()


def test_a_cached_page_is_served_without_the_database(client, author, reviewer, django_assert_num_queries):
    make_article(author, reviewer, publish=True)
    client.get("/en/")
    with django_assert_num_queries(0):
        assert client.get("/en/").status_code == 200


def test_the_home_page_has_few_queries(client, author, reviewer, django_assert_max_num_queries):
    for n in range(5):
        make_article(author, reviewer, slug=f"n{n}", publish=True)
    # 7 of the website's own; the infographics module's headline figures take the rest (it caches them).
    with django_assert_max_num_queries(20):
        client.get("/en/")


def test_news_filtered_by_country(client, author, reviewer):
    gt = factories.country("GT")
    make_article(author, reviewer, slug="en-guatemala", publish=True, countries=[gt])
    make_article(author, reviewer, slug="regional", publish=True)
    page = client.get("/en/news/?country=GT").content.decode()
    assert "Plenary en-guatemala" in page and "Plenary regional" not in page


def test_the_feeds_list_published_articles(client, author, reviewer):
    make_article(author, reviewer, slug="publicada", publish=True)
    make_article(author, reviewer, slug="borrador")
    rss = ET.fromstring(client.get("/en/news/feed/rss/").content)  # noqa: S314  (our own response)  # noqa: S314  (our own response)
    assert [i.findtext("title") for i in rss.iter("item")] == ["Plenary publicada"]
    atom = client.get("/es/news/feed/atom/").content.decode()
    assert "Plenaria publicada" in atom and "borrador" not in atom


def test_publications_filters_and_counted_downloads(client, author):
    make_publication(author, slug="protocolo")
    make_publication(author, slug="informe", kind="report", year=2023, language="en")
    make_publication(author, slug="oculta", published=False)
    page = client.get("/en/publications/?kind=report").content.decode()
    assert "/en/publications/informe/" in page and "/en/publications/protocolo/" not in page
    assert "oculta" not in client.get("/en/publications/").content.decode()
    response = client.get("/en/publications/informe/download/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    client.get("/es/publications/informe/download/")
    assert Publication.objects.get(slug="informe").downloads == 2
    assert client.get("/en/publications/oculta/download/").status_code == 404


def test_search_finds_news_and_publications(client, author, reviewer):
    make_article(author, reviewer, slug="repatriacion", publish=True, body_es="Protocolo de repatriación infantil")
    make_article(author, reviewer, slug="borrador", body_es="repatriación secreta")
    make_publication(author)
    page = client.get("/es/search/?q=repatriación").content.decode()
    assert "Plenaria repatriacion" in page and "Protocolo de repatriación" in page
    assert "borrador" not in page


def test_the_events_calendar_is_valid_icalendar(client, db, monkeypatch):
    from corett.website import sources

    monkeypatch.setattr(sources, "_seam", lambda name: _FakeEvents if name.endswith("meetings.public") else None)
    response = client.get("/en/events/calendar.ics")
    calendar = icalendar.Calendar.from_ical(response.content)
    (event,) = calendar.walk("VEVENT")
    assert str(event["summary"]) == "Plenary IV-2026" and event.decoded("dtend") == dt.date(2099, 3, 4)
    assert "Plenary IV-2026" in client.get("/en/events/").content.decode()


class _FakeEvents:
    @staticmethod
    def public_events(start=None, end=None):
        return [{"uid": "meeting-1", "title_es": "Plenaria IV-2026", "title_en": "Plenary IV-2026",
                 "starts_on": dt.date(2099, 3, 2), "ends_on": dt.date(2099, 3, 3), "place": "Panamá",
                 "kind": "meeting"}]


def test_without_released_figures_the_statistics_page_says_so(client, db):
    assert "None is available yet" in client.get("/en/statistics/").content.decode()
    assert client.get("/en/statistics/REGION.png").status_code == 404


class _FakeInfographics:
    @staticmethod
    def available():
        return [("REGION", "The region", [2024]), ("GTM", "Guatemala", [2024])]

    @staticmethod
    def render(scope, *, language, fmt, year_from=None, year_to=None):
        if scope not in ("REGION", "GTM"):
            raise LookupError(scope)
        return b"\x89PNG fake " + scope.encode() + language.encode()

    @staticmethod
    def headline_figures(language):
        from types import SimpleNamespace

        return [SimpleNamespace(label="Victims identified", value="1,234", note="2024, approved figures.")]


def test_the_statistics_page_shows_the_published_infographics(client, db, monkeypatch):
    from corett.website import sources

    monkeypatch.setattr(sources, "_seam", lambda name: _FakeInfographics if "infographics" in name else None)
    page = client.get("/en/statistics/").content.decode()
    assert "/en/statistics/GTM.png" in page and "/en/statistics/REGION.pdf" in page and "1,234" in page
    assert "1,234" in client.get("/en/").content.decode()
    image = client.get("/es/statistics/GTM.png")
    assert image["Content-Type"] == "image/png" and image.content.endswith(b"GTMes")
    assert client.get("/en/statistics/HND.png").status_code == 404


def test_help_page_marks_demo_numbers(client, db):
    gt = factories.country("GT")
    services.helpline_save(actor=factories.user_with(Role.SECRETARIAT, None), line=None, data={
        "country": gt, "name_es": "Línea", "name_en": "Line", "phone": "+502 0000 0000", "is_demo": True})
    page = client.get("/en/help/").content.decode()
    assert "DEMO" in page and "not real services" in page and 'href="tel:+50200000000"' in page


CONTACT = {"name": "Ana", "email": "ana@example.org", "subject": "Consulta", "message": "¿Cómo colaborar?"}


def test_a_contact_message_reaches_the_secretariat_inside_the_platform(client, reviewer):
    response = client.post("/es/contact/", CONTACT)
    assert response.status_code == 302 and response["Location"] == "/es/contact/sent/"
    message = ContactMessage.objects.get()
    (notice,) = Notification.objects.filter(recipient=reviewer)
    assert notice.params == {"reference": message.reference} and "Ana" not in str(notice.params)


def test_the_contact_form_says_what_is_wrong_at_the_field(client, db):
    response = client.post("/en/contact/", {**CONTACT, "email": "not-an-address"})
    assert response.status_code == 400 and "Enter a valid email address." in response.content.decode()
    assert not ContactMessage.objects.exists()


def test_the_spam_trap_keeps_nothing_and_tells_the_robot_nothing(client, db):
    response = client.post("/en/contact/", {**CONTACT, "website": "http://spam.example"})
    assert response.status_code == 302
    assert not ContactMessage.objects.exists()


def test_a_contact_form_flood_is_stopped(client, db):
    answers = [client.post("/en/contact/", CONTACT).status_code for _ in range(8)]
    assert answers[:5] == [302] * 5 and answers[5:] == [429] * 3
    assert ContactMessage.objects.count() == 5
    assert "Too many messages" in client.post("/en/contact/", CONTACT).content.decode()


def test_a_100_mb_upload_is_refused_by_its_size_and_never_stored(client_as, author, settings):
    client = client_as(author)
    big = SimpleUploadedFile("huge.pdf", PDF + b"0" * (100 * 1024 * 1024), content_type="application/pdf")
    response = client.post(reverse("website_edit:media"), {"kind": "attachment", "file": big})
    assert response.status_code == 400
    assert "20 MB" in response.content.decode() and "id_file_error" in response.content.decode()
    assert not MediaFile.objects.exists()


def test_an_image_upload_without_alt_text_is_refused_at_the_field(client_as, author):
    from corett.website.tests.helpers import png

    client = client_as(author)
    response = client.post(reverse("website_edit:media"), {
        "kind": "image", "file": SimpleUploadedFile("a.png", png(), content_type="image/png"), "alt_es": "Foto"})
    page = response.content.decode()
    assert response.status_code == 400 and 'id="id_alt_en_error"' in page and 'id="id_alt_es_error"' not in page
    assert not MediaFile.objects.exists()


def test_an_editor_writes_and_a_reviewer_publishes_through_the_pages(client, login, author, reviewer):
    login(client, author)
    data = {"slug": "nueva", "title_es": "Nueva", "title_en": "New", "summary_es": "r", "summary_en": "s",
            "body_es": "Texto", "body_en": "Text"}
    response = client.post(reverse("website_edit:article_create"), data)
    article = Article.objects.get(slug="nueva")
    assert response.status_code == 302
    client.post(reverse("website_edit:article_submit", args=[article.pk]))
    client.logout()
    login(client, reviewer)
    client.post(reverse("website_edit:article_publish", args=[article.pk]), {"publish_at": ""})
    article.refresh_from_db()
    assert article.status == ArticleStatus.PUBLISHED
    assert client.get("/en/news/nueva/").status_code == 200


def test_a_script_in_the_article_form_is_refused_at_the_field(client_as, author):
    client = client_as(author)
    response = client.post(reverse("website_edit:article_create"), {
        "slug": "mala", "title_es": "a", "title_en": "a", "summary_es": "a", "summary_en": "a",
        "body_es": "<script>alert(1)</script>", "body_en": "ok"})
    assert response.status_code == 200
    assert 'id="id_body_es_error"' in response.content.decode()


def test_the_preview_shows_sanitised_html_and_problems(client_as, author):
    response = client_as(author).post(reverse("website_edit:preview"), {"text": "**hola** <script>x</script>"})
    page = response.content.decode()
    assert "<strong>hola</strong>" in page and "<script>" not in page and "contiene código" in page


def test_the_api_reads_publicly_and_writes_for_editors(client, login, author, reviewer):
    make_article(author, reviewer, slug="publica", publish=True)
    make_article(author, reviewer, slug="privada")
    listing = client.get("/api/v1/news/").json()
    assert [a["slug"] for a in listing["results"]] == ["publica"]
    assert client.get("/api/v1/publications/").status_code == 200
    payload = {"slug": "por-api", "title_es": "a", "title_en": "b", "summary_es": "c", "summary_en": "d",
               "body_es": "e", "body_en": "f"}
    assert client.post("/api/v1/news/", payload, content_type="application/json").status_code in (401, 403)
    login(client, author)
    created = client.post("/api/v1/news/", payload, content_type="application/json")
    assert created.status_code == 201 and created.json()["status"] == "draft"
    bad = client.post("/api/v1/news/", {**payload, "slug": "mala", "body_es": "<script>x</script>"},
                      content_type="application/json")
    assert bad.status_code == 400 and "body_es" in bad.json()


def test_the_sitemap_lists_both_languages(client, author, reviewer):
    make_article(author, reviewer, slug="publica", publish=True)
    tree = ET.fromstring(client.get("/sitemap.xml").content)  # noqa: S314  (our own response)  # noqa: S314  (our own response)
    locations = {e.text for e in tree.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")}
    assert {"http://testserver/es/news/publica/", "http://testserver/en/news/publica/"} <= locations


def test_open_graph_and_description_per_language(client, author, reviewer):
    make_article(author, reviewer, slug="og", publish=True)
    with translation.override("en"):
        page = client.get("/en/news/og/").content.decode()
    assert '<meta property="og:title" content="Plenary og">' in page
    assert '<meta name="description" content="Summary in English">' in page


def test_editors_add_publications_through_the_api(client, login, author):
    from django.core.files.uploadedfile import SimpleUploadedFile as Upload

    fields = {"slug": "por-api", "title_es": "Guía", "title_en": "Guide", "description_es": "d",
              "description_en": "d", "kind": "guide", "topic": "prevention", "language": "es", "year": 2024,
              "is_published": "true"}
    assert client.post("/api/v1/publications/", {**fields, "upload": Upload("g.pdf", PDF)}).status_code in (401, 403)
    login(client, author)
    disguised = client.post("/api/v1/publications/", {**fields, "upload": Upload("g.pdf", b"MZ executable")})
    assert disguised.status_code == 400 and "file" in disguised.json()
    created = client.post("/api/v1/publications/", {**fields, "upload": Upload("g.pdf", PDF)})
    assert created.status_code == 201
    client.logout()
    assert client.get("/api/v1/publications/?kind=guide").json()["results"][0]["slug"] == "por-api"
    assert client.get("/api/v1/publications/?kind=nonsense").status_code == 400


def test_public_pages_answer_head_but_a_head_counts_no_download(client, author):
    publication = make_publication(author)
    assert client.head("/en/about/").status_code == 200
    assert client.head(f"/en/publications/{publication.slug}/download/").status_code == 405
    publication.refresh_from_db()
    assert publication.downloads == 0
