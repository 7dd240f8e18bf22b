"""Django's ``i18n`` template library, with the output of ``{% translate "a constant" %}`` kept
per language once it has been rendered (``{% load i18n %}`` loads this library: see
``TEMPLATES`` in the settings).

Django's ``TranslateNode`` resolves its literal on every render: the active language (an
asgiref ``Local``), the catalogue's chain of fallbacks, localisation, escaping, the doubled
percent signs; about 8 µs. A page of the platform renders 100 to 130 of them (headings,
labels, buttons, captions), about a millisecond. The catalogues are loaded once a process and
do not change while it runs, so what a constant message renders to depends only on the
language and on whether the template escapes. Everything else (a variable, a filter, a
``context``, ``noop``, ``as``) goes to Django's node, unchanged.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.templatetags import i18n as django_i18n
from django.utils import autoreload, translation

register = template.Library()
register.tags.update(django_i18n.register.tags)
register.filters.update(django_i18n.register.filters)

# (message, language, autoescape) -> what Django's node rendered. Bounded by the templates'
# constant messages times the languages: a few thousand strings.
_KEPT: dict[tuple[str, str | None, bool], str] = {}


class KeptTranslateNode(django_i18n.TranslateNode):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        expression = self.filter_expression
        variable = expression.var
        self.message = (
            variable.literal
            if not (self.noop or self.asvar or self.message_context or expression.filters)
            and isinstance(variable, template.Variable) and variable.lookups is None
            and isinstance(variable.literal, str)
            else None
        )

    def render(self, context: template.Context) -> str:
        if self.message is None:
            return super().render(context)
        key = (self.message, translation.get_language(), context.autoescape)
        try:
            return _KEPT[key]
        except KeyError:
            value = _KEPT[key] = super().render(context)
            return value


@register.tag("translate")
@register.tag("trans")
def do_translate(parser: template.base.Parser, token: template.base.Token) -> template.Node:
    node = django_i18n.do_translate(parser, token)
    return KeptTranslateNode(node.filter_expression, node.noop, node.asvar, node.message_context)


def _forget_on_new_catalogue(sender: Any, file_path: Any, **kwargs: Any) -> None:
    """The development server reloads a recompiled catalogue without restarting: so do we."""
    if str(file_path).endswith(".mo"):
        _KEPT.clear()


autoreload.file_changed.connect(_forget_on_new_catalogue)
