"""The lists' pagination and sortable headings (``directory_lists``) write what their
templates wrote, kept here as they were, for every shape of page and query, in both languages
(but for the pagination's range of pages, which the template always took around page 1)."""

from __future__ import annotations

import itertools

import pytest
from django.core.paginator import Paginator
from django.template import engines
from django.test import RequestFactory
from django.utils import translation

# The templates the tags replace, as they were.
PAGINATION = """{% load i18n %}{% if page.paginator.num_pages > 1 %}
<nav aria-label="{% translate 'Pages of results' %}">
  <ul class="pagination flex-wrap">
    {% if page.has_previous %}
      <li class="page-item"><a class="page-link" href="{% querystring page=page.previous_page_number %}">{% translate "Previous" %}</a></li>
    {% else %}
      <li class="page-item disabled"><span class="page-link">{% translate "Previous" %}</span></li>
    {% endif %}
    {% for number in pages %}
      {% if number == page.number %}
        <li class="page-item active"><a class="page-link" href="{% querystring page=number %}" aria-current="page">{{ number }}</a></li>
      {% elif number == page.paginator.ELLIPSIS %}
        <li class="page-item disabled"><span class="page-link">{{ number }}</span></li>
      {% else %}
        <li class="page-item"><a class="page-link" href="{% querystring page=number %}">{{ number }}</a></li>
      {% endif %}
    {% endfor %}
    {% if page.has_next %}
      <li class="page-item"><a class="page-link" href="{% querystring page=page.next_page_number %}">{% translate "Next" %}</a></li>
    {% else %}
      <li class="page-item disabled"><span class="page-link">{% translate "Next" %}</span></li>
    {% endif %}
  </ul>
</nav>
{% endif %}
"""

SORT_HEADING = """{% load i18n %}<th scope="col"{% if header.aria %} aria-sort="{{ header.aria }}"{% endif %}><a href="{% querystring sort=header.next page=None %}">{{ label }}<span class="visually-hidden">{% if header.aria == "ascending" %} ({% translate "sorted ascending; sort descending" %}){% elif header.aria == "descending" %} ({% translate "sorted descending; sort ascending" %}){% else %} ({% translate "sort" %}){% endif %}</span></a></th>
"""

QUERIES = ["", "page=3", "q=Zq9page9qZ",  # the links' stand-in for the number, searched for
    "q=a%26b&page=2&kind=", "kind=ngo&q=caf%C3%A9+%3Cb%3E", "sort=-name&page=9&country=GT&country=HN"]


def _render(source: str, context: dict, query: str) -> str:
    request = RequestFactory().get(f"/directory/organisations/?{query}")
    return engines["django"].from_string(source).render(context, request)


@pytest.mark.parametrize("language", ["es", "en"])
def test_the_pagination_is_what_its_template_wrote(language):
    tag = "{% load directory_lists %}{% pagination page %}"
    shapes = [(10, 1), (30, 1), (30, 2), (60, 3)] + [(3000, n) for n in (1, 2, 4, 5, 6, 7, 60, 115, 116, 119, 120)]
    with translation.override(language):
        for (rows, number), query in itertools.product(shapes, QUERIES):
            page = Paginator(range(rows), 25).get_page(number)
            pages = page.paginator.get_elided_page_range(page.number)
            expected = _render(PAGINATION, {"page": page, "pages": pages}, query)
            assert _render(tag, {"page": page}, query) == expected, (rows, number, query)


def test_the_pagination_offers_the_pages_around_the_current_one():
    page = Paginator(range(3000), 25).get_page(60)
    html = _render("{% load directory_lists %}{% pagination page %}", {"page": page}, "")
    for number in (57, 58, 59, 61, 62, 63):
        assert f'href="?page={number}"' in html
    assert 'aria-current="page">60<' in html
    assert 'href="?page=1"' in html and 'href="?page=120"' in html


@pytest.mark.parametrize("language", ["es", "en"])
def test_a_sortable_heading_is_what_its_template_wrote(language):
    tag = "{% load directory_lists %}{% sort_heading header label %}"
    headers = [{"next": "-name", "aria": "ascending"}, {"next": "name", "aria": "descending"}, {"next": "country", "aria": ""}]
    with translation.override(language):
        for header, query, label in itertools.product(headers, QUERIES, ["Name", "País <&>"]):
            context = {"header": header, "label": label}
            assert _render(tag, context, query) == _render(SORT_HEADING, context, query), (header, query)
