"""The lists' pagination and sortable headings, written in Python.

Through the template engine the pagination of a long list cost ~0.4 ms (ten links, each a
``{% querystring %}``, three ``{% if %}`` and a localised number) and the two sortable headings
of the organisation list ~0.2 ms: together more than the rows. These tags write the markup
``_pagination.html`` and the headings wrote, with the same links (``{% querystring %}``'s: the
request's query string with the page or the sort changed), every value escaped as
autoescaping escapes it, the labels translated; ``test_list_markup.py`` holds them to the
templates' output in both languages.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import template
from django.conf import settings
from django.core.paginator import Page
from django.http import QueryDict
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

register = template.Library()


def _link(params: Any) -> str:
    return conditional_escape(f"?{params.urlencode()}")


# A page number's stand-in: urlencoded and escaped as it is, then replaced by each number.
_PAGE = "Zq9page9qZ"


def _page_links(query: QueryDict) -> Callable[[int], str]:
    """``number -> {% querystring page=number %}``: the request's query with the page set.

    The query is encoded and escaped once, with a stand-in for the number (a page's number
    is digits: nothing to encode or escape); each link puts its number in its place.
    """
    params = query.copy()
    params["page"] = _PAGE
    parts = _link(params).split(_PAGE)
    if len(parts) == 2:
        before, after = parts
        return lambda number: f"{before}{number}{after}"

    def href(number: int) -> str:  # the stand-in was in the query already
        params["page"] = str(number)
        return _link(params)

    return href


def _number(number: int) -> str:
    """``{{ number }}`` of an int: localised, which groups thousands only if the settings say so."""
    return str(number) if not settings.USE_THOUSAND_SEPARATOR else conditional_escape(localize(number))


def _edge(number: int | None, label: str, href: Callable[[int], str]) -> str:
    """"Previous" or "Next": a link to the page ``number``, or a disabled label past an end."""
    if number is None:
        return f'\n      <li class="page-item disabled"><span class="page-link">{label}</span></li>\n    '
    return f'\n      <li class="page-item"><a class="page-link" href="{href(number)}">{label}</a></li>\n    '


@register.simple_tag(takes_context=True)
def pagination(context: template.Context, page: Page) -> SafeString:
    """The page links of ``page`` (nothing when there is one page)."""
    paginator = page.paginator
    if not paginator.num_pages > 1:
        return mark_safe("\n")
    href = _page_links(context.request.GET)  # type: ignore[attr-defined]

    # Translated outside the f-strings: makemessages does not read calls inside them.
    previous, following = conditional_escape(_("Previous")), conditional_escape(_("Next"))
    pages = conditional_escape(_("Pages of results"))
    parts = [
        f'\n<nav aria-label="{pages}">\n'
        '  <ul class="pagination flex-wrap">\n    '
    ]
    parts.append(_edge(page.previous_page_number() if page.has_previous() else None, previous, href))
    parts.append("\n    ")
    # The pages around the current one (the template, which could not pass the number, always
    # showed page 1's neighbours).
    for number in paginator.get_elided_page_range(page.number):
        if not isinstance(number, int):  # the ellipsis (comparing a number with it translates it)
            item = f'<li class="page-item disabled"><span class="page-link">{conditional_escape(number)}</span></li>'
        elif number == page.number:
            item = (
                f'<li class="page-item active"><a class="page-link" href="{href(number)}" aria-current="page">'
                f"{_number(number)}</a></li>"
            )
        else:
            item = (
                f'<li class="page-item"><a class="page-link" href="{href(number)}">'
                f"{_number(number)}</a></li>"
            )
        parts.append(f"\n      \n        {item}\n      \n    ")
    parts.append("\n    ")
    parts.append(_edge(page.next_page_number() if page.has_next() else None, following, href))
    parts.append("\n  </ul>\n</nav>\n\n")
    return mark_safe("".join(parts))  # noqa: S308  every value above is escaped


@register.simple_tag(takes_context=True)
def sort_heading(context: template.Context, header: dict[str, str], label: Any) -> SafeString:
    """A sortable column's heading: a link to the list sorted by it (``header["next"]``, back
    to the first page) and its state for screen readers (``header["aria"]``)."""
    params = context.request.GET.copy()  # type: ignore[attr-defined]
    params["sort"] = header["next"]
    params.pop("page", None)
    aria = header["aria"]
    if aria == "ascending":
        state = _("sorted ascending; sort descending")
    elif aria == "descending":
        state = _("sorted descending; sort ascending")
    else:
        state = _("sort")
    sorted_by = f' aria-sort="{conditional_escape(aria)}"' if aria else ""
    return mark_safe(  # noqa: S308  every value is escaped
        f'<th scope="col"{sorted_by}><a href="{_link(params)}">{conditional_escape(label)}'
        f'<span class="visually-hidden"> ({conditional_escape(state)})</span></a></th>\n'
    )
