"""Article text: Markdown in, sanitised HTML out, and the checks an article body must pass.

Bodies are stored as the editor wrote them (Markdown) and rendered at display time through
``markdown`` and then ``nh3``, so whatever slips past the checks at saving is still never shown
as code. The checks refuse, with a clear message, what would otherwise be silently dropped:
scripts and event handlers, and images without a text alternative or from other sites.
"""

from __future__ import annotations

import re

import markdown
import nh3
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

ALLOWED_TAGS = {
    "a", "abbr", "blockquote", "br", "code", "em", "figcaption", "figure", "h2", "h3", "h4", "hr", "img",
    "li", "ol", "p", "pre", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "hreflang"},
    "img": {"src", "alt", "title", "width", "height"},
    "abbr": {"title"},
    "th": {"scope"},
}
_MARKDOWN_EXTENSIONS = ["extra", "sane_lists"]

_CODE = re.compile(r"<\s*(script|iframe|object|embed|style|form)\b|\son\w+\s*=|javascript\s*:", re.IGNORECASE)
_IMG_TAG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_ALT = re.compile(r'\balt="([^"]*)"', re.IGNORECASE)
_SRC = re.compile(r'\bsrc="([^"]*)"', re.IGNORECASE)


def to_html(text: str) -> SafeString:
    """The Markdown ``text`` as HTML that holds nothing but the allowed tags and attributes."""
    raw = markdown.markdown(text or "", extensions=_MARKDOWN_EXTENSIONS, output_format="html")
    clean = nh3.clean(
        raw,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer",
    )
    return mark_safe(clean)  # noqa: S308  (nh3 has just removed everything not allowed)


def problems(text: str) -> list[str]:
    """What is wrong with an article body, in words for its editor (empty: nothing)."""
    found: list[str] = []
    if _CODE.search(text or ""):
        found.append(_("The text contains code (a script, an embedded object or an event handler). "
                       "Remove it: the website shows text, images and links only."))
    html = markdown.markdown(text or "", extensions=_MARKDOWN_EXTENSIONS, output_format="html")
    for tag in _IMG_TAG.findall(html):
        alt = _ALT.search(tag)
        if alt is None or not alt.group(1).strip():
            found.append(_("Every image needs a text alternative: write it between the brackets, "
                           "![like this](address)."))
            break
    for tag in _IMG_TAG.findall(html):
        src = _SRC.search(tag)
        if src is None or not src.group(1).startswith("/"):
            found.append(_("Images must be uploaded to the website first; use the address it gives you."))
            break
    return found


def plain_text(text: str, limit: int = 0) -> str:
    """The words of a Markdown text without markup (for search and descriptions)."""
    words = re.sub(r"<[^>]+>", " ", str(to_html(text)))
    words = re.sub(r"\s+", " ", words).strip()
    if limit and len(words) > limit:
        words = words[: limit - 1].rsplit(" ", 1)[0] + "…"
    return words
