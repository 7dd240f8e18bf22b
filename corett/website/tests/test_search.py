"""Search on both databases: PostgreSQL's stored, indexed vectors (ranking, accents, stemming per
language, snippets, kept up to date by the services) and SQLite's every-word fallback."""

from __future__ import annotations

import pytest
from django.db import connection

from corett.website import search, services
from corett.website.models import Article
from corett.website.tests.helpers import make_article, make_publication

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="full-text search is PostgreSQL's")
on_sqlite = pytest.mark.skipif(connection.vendor != "sqlite", reason="the fallback serves SQLite")


def _slugs(items: list) -> list[str]:
    return [item.slug for item in items]


# --- Both databases -------------------------------------------------------------------------------


def test_only_published_articles_and_publications_are_found(author, reviewer):
    make_article(author, reviewer, slug="publicada", publish=True, body_es="Retorno seguro de víctimas")
    make_article(author, reviewer, slug="borrador", body_es="Retorno seguro de víctimas")
    make_publication(author, slug="visible", description_es="Retorno seguro")
    make_publication(author, slug="oculta", description_es="Retorno seguro", published=False)
    assert _slugs(search.articles("retorno seguro", language="es")) == ["publicada"]
    assert _slugs(search.publications("retorno seguro", language="es")) == ["visible"]
    assert search.articles("inexistente", language="es") == []


def test_a_visitor_finds_the_other_languages_words_too(author, reviewer):
    make_article(author, reviewer, slug="acuerdo", publish=True, body_en="The plenary adopted the safe return guide")
    assert _slugs(search.articles("return guide", language="es")) == ["acuerdo"]


def test_what_is_found_follows_every_publication_unpublication_and_edit(client, author, reviewer,
                                                                     django_capture_on_commit_callbacks):
    article = make_article(author, reviewer, slug="ciclo", publish=True, body_es="Capacitación de fiscales")
    assert _slugs(search.articles("fiscales", language="es")) == ["ciclo"]
    assert "Plenaria ciclo" in client.get("/es/search/?q=fiscales").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.article_unpublish(actor=reviewer, article=article, reason="Fecha errónea")
    assert search.articles("fiscales", language="es") == []
    assert "Plenaria ciclo" not in client.get("/es/search/?q=fiscales").content.decode()
    services.article_update(actor=author, article=article, data={"body_es": "Capacitación de jueces"})
    services.article_submit(actor=author, article=article)
    assert search.articles("jueces", language="es") == []  # in review: not public yet
    with django_capture_on_commit_callbacks(execute=True):
        services.article_publish(actor=reviewer, article=article)
    assert _slugs(search.articles("jueces", language="es")) == ["ciclo"]
    assert search.articles("fiscales", language="es") == []
    assert "Plenaria ciclo" in client.get("/es/search/?q=jueces").content.decode()


def test_a_publication_is_found_while_published(author):
    publication = make_publication(author, slug="guia", description_en="Screening checklist")
    assert _slugs(search.publications("screening checklist", language="en")) == ["guia"]
    services.publication_update(actor=author, publication=publication, data={"is_published": False})
    assert search.publications("screening checklist", language="en") == []
    services.publication_update(actor=author, publication=publication,
                                data={"is_published": True, "description_en": "Referral checklist"})
    assert _slugs(search.publications("referral", language="en")) == ["guia"]
    assert search.publications("screening", language="en") == []


# --- PostgreSQL -----------------------------------------------------------------------------------


@on_postgresql
def test_the_vectors_are_stored_and_indexed(author, reviewer):
    article = make_article(author, reviewer, slug="indexada", publish=True)
    spanish, english = Article.objects.values_list("search_es", "search_en").get(pk=article.pk)
    assert spanish and english and "acord" in spanish and "adopt" in english
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE indexname LIKE 'website_%%_gin'")
        indexes = dict(cursor.fetchall())
    assert set(indexes) == {f"website_{table}_search_{code}_gin" for table in ("article", "publication")
                            for code in ("es", "en")}
    assert all("USING gin" in definition for definition in indexes.values())


@on_postgresql
def test_the_search_can_use_the_gin_index(author, reviewer):
    make_article(author, reviewer, slug="indexada", publish=True)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = search._ranked(Article.objects.all(), "plenaria", "es", lambda code: f"summary_{code}").explain()
    assert "website_article_search_es_gin" in plan and "website_article_search_en_gin" in plan


@on_postgresql
def test_a_title_match_ranks_above_a_newer_text_match(author, reviewer):
    make_article(author, reviewer, slug="titulo", publish=True, title_es="Trata de personas en la región")
    make_article(author, reviewer, slug="texto", publish=True, body_es="Un informe sobre la trata de personas.")
    assert _slugs(search.articles("trata", language="es")) == ["titulo", "texto"]


@on_postgresql
def test_matches_in_the_visitors_language_rank_first(author, reviewer):
    make_article(author, reviewer, slug="espanol", publish=True, title_es="Acuerdo de Panamá", title_en="An agreement")
    make_article(author, reviewer, slug="ingles", publish=True, title_es="Un acuerdo", title_en="Panama agreement")
    assert _slugs(search.articles("panama", language="es")) == ["espanol", "ingles"]
    assert _slugs(search.articles("panama", language="en")) == ["ingles", "espanol"]


@on_postgresql
def test_words_are_stemmed_as_their_language_stems_them(author, reviewer):
    make_article(author, reviewer, slug="plenarias", publish=True, body_es="Las plenarias adoptaron acuerdos",
                 body_en="Victims trafficked across borders")
    assert _slugs(search.articles("plenaria", language="es")) == ["plenarias"]
    assert _slugs(search.articles("trafficking victim", language="en")) == ["plenarias"]
    assert _slugs(search.articles("repatriaciones", language="es")) == []


@on_postgresql
def test_accents_do_not_matter(author, reviewer):
    if not search.accents_folded():
        pytest.skip("this PostgreSQL could not install unaccent")
    make_article(author, reviewer, slug="retorno", publish=True,
                 body_es="La repatriación de niñas hacia Panamá y su información")
    for text in ("repatriación", "repatriacion", "repatriaciones", "ninas", "Panama", "informacion"):
        assert _slugs(search.articles(text, language="es")) == ["retorno"], text
    make_publication(author, slug="guia", description_es="Guía de atención")
    assert _slugs(search.publications("guia atencion", language="es")) == ["guia"]


@on_postgresql
def test_the_snippet_highlights_the_words_found_and_escapes_the_rest(client, author, reviewer):
    make_article(author, reviewer, slug="snippet", publish=True,
                 body_es="Cuando 5 < 6, la **repatriación** es [segura](https://example.org/x) <b>hoy</b>.")
    (found,) = search.articles("repatriación", language="es")
    snippet = found.snippet  # type: ignore[attr-defined]
    assert "<mark>repatriación</mark>" in snippet
    assert "5 &lt; 6" in snippet and "**" not in snippet and "example.org" not in snippet and "<b>" not in snippet
    page = client.get("/es/search/?q=repatriación").content.decode()
    assert "<mark>repatriación</mark>" in page


@on_postgresql
def test_the_vectors_follow_the_text_the_services_save(author, reviewer):
    article = make_article(author, reviewer, slug="cambiante", publish=True, body_es="Texto sobre capacitación")
    services.article_update(actor=reviewer, article=article, data={"body_es": "Texto sobre prevención"})
    assert _slugs(search.articles("prevención", language="es")) == ["cambiante"]
    assert search.articles("capacitación", language="es") == []
    publication = make_publication(author, slug="protocolo")
    services.publication_update(actor=author, publication=publication, data={"title_en": "Screening checklist"})
    assert _slugs(search.publications("checklist", language="en")) == ["protocolo"]
    assert search.publications("repatriation", language="en") == []


# --- SQLite ---------------------------------------------------------------------------------------


@on_sqlite
def test_sqlite_finds_articles_holding_every_word_newest_first(author, reviewer):
    make_article(author, reviewer, slug="antigua", publish=True, body_es="Un plan común de prevención")
    make_article(author, reviewer, slug="reciente", publish=True, body_en="A common plan; plan común en español")
    make_article(author, reviewer, slug="parcial", publish=True, body_es="Un plan de trabajo")
    assert _slugs(search.articles("plan común", language="es")) == ["reciente", "antigua"]
    assert not hasattr(search.articles("plan común", language="es")[0], "snippet")


@on_sqlite
def test_sqlite_keeps_no_vector(author, reviewer):
    article = make_article(author, reviewer, slug="sin-vector", publish=True)
    assert Article.objects.values_list("search_es", "search_en").get(pk=article.pk) == (None, None)
    assert not search.accents_folded()


@on_postgresql
def test_reindexing_restores_vectors_written_around_the_services(author, reviewer):
    from io import StringIO

    from django.core.management import call_command

    make_article(author, reviewer, slug="restaurada", publish=True, body_es="Protocolo de repatriación")
    make_publication(author, slug="guia-restaurada", description_es="Protocolo de repatriación")
    Article.objects.update(search_es=None, search_en=None)  # as a bulk load would leave them
    assert search.articles("protocolo", language="es") == []
    out = StringIO()
    call_command("reindex-website-search", stdout=out)
    assert "2" in out.getvalue()
    assert _slugs(search.articles("protocolo", language="es")) == ["restaurada"]
    assert _slugs(search.publications("protocolo", language="es")) == ["guia-restaurada"]


@on_sqlite
def test_reindexing_on_sqlite_says_there_is_nothing_to_do():
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("reindex-website-search", stdout=out)
    assert "nothing to reindex" in out.getvalue()
