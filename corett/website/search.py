"""Search across the public news and publications.

PostgreSQL (production): each article and publication keeps one stored ``tsvector`` per language
(``search_es``, ``search_en``), GIN-indexed, that the services refresh (``index_article``,
``index_publication``) in the transaction that saves the text, so a vector never lags behind
it. Each vector holds every word twice: stemmed as PostgreSQL's Spanish (or English) stems it,
and stemmed after folding its accents (the configurations ``corett_es`` / ``corett_en`` of
migration 0002, when the ``unaccent`` extension could be installed). Both are needed: the
Spanish stemmer reads "repatriación" and "repatriaciones" as one word only with the accent, while
a visitor typing "repatriacion" or "informacion" finds the accented text only once accents are
folded. A search matches either language, ranks matches in the visitor's language first (title
over summary over text) and returns a highlighted snippet of each.

SQLite (the demo's database): no stored vector and no stemming; every word of the query must
appear in one of the texts of either language, newest first, without snippets.
"""

from __future__ import annotations

import re
from typing import Any, TypeVar

from django.db import connection
from django.db.models import F, FloatField, Model, Q, QuerySet, TextField, Value
from django.db.models.functions import Coalesce, Concat
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from corett.website.models import Article, Publication

# Per language of the site: PostgreSQL's own configuration, and migration 0002's copy of it that
# folds accents before stemming (the same as the first when ``unaccent`` was not available).
CONFIGS = {"es": ("spanish", "corett_es"), "en": ("english", "corett_en")}
# What each vector holds, with its weight: a word in the title counts most (A), then the
# summary or description (B), then the text (C).
ARTICLE_TEXTS = (("title", "A"), ("summary", "B"), ("body", "C"))
PUBLICATION_TEXTS = (("title", "A"), ("description", "B"))
# A match in the other language still counts, for half as much.
OTHER_LANGUAGE_WEIGHT = 0.5
RESULTS = 20
# Private-use characters mark the highlighted words in PostgreSQL's snippet: the snippet is
# escaped whole, then only these become <mark> (whatever the text holds stays text).
_START, _STOP = "\ue000", "\ue001"
_MARKDOWN_LINK_TARGET = re.compile(r"\]\([^)\s]*\)?")  # also a target the snippet cut short
_MARKDOWN_MARKS = re.compile(r"!?\[|\]|[*`#]+|(?<!\w)_+|_+(?!\w)|<[^>\ue000\ue001]*>")

_M = TypeVar("_M", bound=Model)


def is_full_text() -> bool:
    """Whether this database searches its stored vectors (PostgreSQL) or the text (SQLite)."""
    return connection.vendor == "postgresql"


def accents_folded() -> bool:
    """Whether a search for ``accion`` finds ``acción`` (``unaccent`` was available)."""
    if not is_full_text():
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT to_tsvector(%s::regconfig, 'acción') @@ to_tsquery(%s::regconfig, 'accion')",
            [CONFIGS["es"][1], CONFIGS["es"][1]],
        )
        return bool(cursor.fetchone()[0])


def _vector(texts: tuple[tuple[str, str], ...], language: str) -> Any:
    from django.contrib.postgres.search import SearchVector

    parts = [
        SearchVector(f"{name}_{language}", config=config, weight=weight)
        for config in CONFIGS[language]
        for name, weight in texts
    ]
    vector: Any = parts[0]
    for part in parts[1:]:
        vector = vector + part
    return vector


def _index(model: type[_M], pk: Any, texts: tuple[tuple[str, str], ...]) -> None:
    if is_full_text():
        # One UPDATE computed by the database from the row as just saved.
        model._default_manager.filter(pk=pk).update(
            **{f"search_{language}": _vector(texts, language) for language in CONFIGS}
        )


def index_article(article: Article) -> None:
    """Refresh an article's stored vectors (call inside the transaction that saved its text)."""
    _index(Article, article.pk, ARTICLE_TEXTS)


def index_publication(publication: Publication) -> None:
    _index(Publication, publication.pk, PUBLICATION_TEXTS)


def reindex_all() -> int:
    """Recompute every article's and publication's stored vectors from their text, one UPDATE a
    table (``corett reindex-website-search``): for rows written outside the services (a bulk load,
    a restore from another system's dump). Returns how many rows were refreshed (none on SQLite,
    which searches the text itself)."""
    if not is_full_text():
        return 0
    return sum(
        model._default_manager.update(**{f"search_{language}": _vector(texts, language) for language in CONFIGS})
        for model, texts in ((Article, ARTICLE_TEXTS), (Publication, PUBLICATION_TEXTS))
    )


def _languages(language: str | None) -> tuple[str, str]:
    own = "en" if (language or "").startswith("en") else "es"
    return own, "es" if own == "en" else "en"


def _ranked(items: QuerySet[_M], text: str, language: str | None, snippet_of: Any) -> QuerySet[_M]:
    from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank

    own, other = _languages(language)
    queries = {
        code: SearchQuery(text, config=exact, search_type="websearch")
        | SearchQuery(text, config=folded, search_type="websearch")
        for code, (exact, folded) in CONFIGS.items()
    }

    def rank(code: str) -> Any:
        return Coalesce(
            SearchRank(F(f"search_{code}"), queries[code]), Value(0.0), output_field=FloatField()
        )

    return items.filter(
        Q(**{f"search_{own}": queries[own]}) | Q(**{f"search_{other}": queries[other]})
    ).annotate(
        rank=rank(own) + Value(OTHER_LANGUAGE_WEIGHT) * rank(other),
        # PostgreSQL computes this only for the rows the LIMIT keeps (ts_headline is costly).
        snippet_marked=SearchHeadline(
            snippet_of(own),
            queries[own],
            config=CONFIGS[own][1],
            start_sel=_START,
            stop_sel=_STOP,
            max_words=30,
            min_words=12,
            max_fragments=2,
            fragment_delimiter=" … ",
        ),
    )


def highlighted(marked: str) -> SafeString:
    """PostgreSQL's snippet as HTML: the text escaped, Markdown's marks gone, matches in <mark>."""
    text = _MARKDOWN_MARKS.sub("", _MARKDOWN_LINK_TARGET.sub("", marked or ""))
    text = escape(re.sub(r"\s+", " ", text).strip())
    return mark_safe(text.replace(_START, "<mark>").replace(_STOP, "</mark>"))  # noqa: S308  (escaped above)


def _with_snippets(items: list[_M]) -> list[_M]:
    for item in items:
        item.snippet = highlighted(item.snippet_marked)  # type: ignore[attr-defined]
    return items


def _every_word(text: str, fields: tuple[str, ...]) -> Q:
    """The SQLite search: every word of the query appears in one of the fields."""
    condition = Q()
    for word in text.split()[:8]:
        any_field = Q()
        for field in fields:
            any_field |= Q(**{f"{field}__icontains": word})
        condition &= any_field
    return condition


def _fields(texts: tuple[tuple[str, str], ...]) -> tuple[str, ...]:
    return tuple(f"{name}_{code}" for name, _weight in texts for code in CONFIGS)


def articles(text: str, *, language: str | None) -> list[Article]:
    """The published articles matching ``text``, best first (at most ``RESULTS``)."""
    base = Article.objects.published().prefetch_related("countries").select_related("cover")
    if not is_full_text():
        return list(base.filter(_every_word(text, _fields(ARTICLE_TEXTS)))[:RESULTS])
    found = _ranked(
        base,
        text,
        language,
        lambda code: Concat(
            f"summary_{code}", Value(" "), f"body_{code}", output_field=TextField()
        ),
    )
    return _with_snippets(list(found.order_by("-rank", "-published_at", "-pk")[:RESULTS]))


def publications(text: str, *, language: str | None) -> list[Publication]:
    """The published publications matching ``text``, best first (at most ``RESULTS``)."""
    base = Publication.objects.published().select_related("country")
    if not is_full_text():
        return list(base.filter(_every_word(text, _fields(PUBLICATION_TEXTS)))[:RESULTS])
    found = _ranked(base, text, language, lambda code: F(f"description_{code}"))
    return _with_snippets(list(found.order_by("-rank", "-year", "-pk")[:RESULTS]))
