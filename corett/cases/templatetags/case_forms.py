"""``{% unbound_form form %}…{% end_unbound_form %}``: the fields of an empty form, rendered once per
process for each form that would render the same markup.

Django renders a form field through three or four templates (the field group, the widget, its
attributes, each option of a select): the case page's empty forms (the protocol's next steps,
a consent, a document, a flag's resolution, a follow-up's report) cost a few milliseconds a
view, for markup that is the same for everyone. What that markup depends on is the key: the
reader's language, the form's class, its ``auto_id``, ``prefix`` and ``initial`` values, each
field's kind, widget, label, help text, attributes and choices, and where the block stands in
which template.

What may never be shared, and how the tag keeps it out:

- A submission shown again (a bound form: its values and errors) is always rendered.
- A field whose choices come from the database (a ``queryset``: people, organisations), or
  whose initial value is computed when the form is shown (a callable), makes the form rendered
  every time.
- The block may hold only the form's own fields and plain text: a CSRF token, a URL, any other
  variable or tag inside it is refused when the template is compiled.
- At most ``MOST`` markups are kept; the store is emptied when full.
"""

from __future__ import annotations

from typing import Any, cast

from django import template
from django.template.base import FilterExpression, TextNode, Variable, VariableNode
from django.template.defaulttags import ForNode
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

register = template.Library()

MOST = 512  # a few per step, flag and follow-up
_RENDERED: dict[tuple[Any, ...], SafeString] = {}


def form_key(form: Any) -> tuple[Any, ...] | None:
    """What an unbound form's markup depends on besides the language; None if it must not be
    shared (bound, or with choices read from the database)."""
    if getattr(form, "is_bound", True):
        return None
    fields = []
    for name, field in form.fields.items():
        # Choices from the database, or an initial value computed when the form is shown (today):
        # not the same markup from one request to the next.
        if hasattr(field, "queryset") or callable(field.initial):
            return None
        choices = getattr(field, "choices", None)
        fields.append((
            name, type(field).__qualname__, type(field.widget).__qualname__, field.required, field.disabled,
            str(field.label), str(field.help_text), repr(field.initial), repr(sorted(field.widget.attrs.items())),
            tuple((str(value), str(label)) for value, label in choices) if choices is not None else None,
        ))
    if any(callable(value) for value in form.initial.values()):
        return None
    initial = tuple(sorted((name, repr(value)) for name, value in form.initial.items()))
    return (
        type(form).__module__, type(form).__qualname__, form.auto_id, form.prefix, form.label_suffix,
        tuple(fields), initial,
    )


class UnboundFormNode(template.Node):
    def __init__(self, nodelist: template.NodeList, form: FilterExpression, where: tuple[Any, ...]) -> None:
        self.nodelist = nodelist
        self.form = form
        self.where = where

    def render(self, context: template.Context) -> str:
        key = form_key(self.form.resolve(context))
        if key is None:
            return self.nodelist.render(context)
        key = (*self.where, get_language(), *key)
        html = _RENDERED.get(key)
        if html is None:
            html = mark_safe(self.nodelist.render(context))  # noqa: S308  (the template's own escaped output)
            if len(_RENDERED) >= MOST:
                _RENDERED.clear()
            _RENDERED[key] = html
        return html


def _only_the_form(nodelist: template.NodeList, roots: tuple[str, ...]) -> None:
    """Refuse anything in the block but text, the form's own attributes (no filters) and loops
    over the form (its fields)."""
    def rooted(expression: Any) -> bool:
        var = getattr(expression, "var", None)
        name = var.var if isinstance(var, Variable) else None
        return (
            isinstance(name, str) and not expression.filters
            and any(name == root or name.startswith(f"{root}.") for root in roots)
        )

    for node in nodelist:
        if isinstance(node, TextNode):
            continue
        if isinstance(node, VariableNode) and rooted(node.filter_expression):
            continue
        if isinstance(node, ForNode) and rooted(node.sequence) and not node.is_reversed:
            _only_the_form(cast(template.NodeList, node.nodelist_loop), (*roots, *node.loopvars))
            _only_the_form(cast(template.NodeList, node.nodelist_empty), roots)
            continue
        raise template.TemplateSyntaxError(
            f"{{% unbound_form %}} may hold only the form's fields and text, not {node!r}"
        )


@register.tag
def unbound_form(parser: template.base.Parser, token: template.base.Token) -> UnboundFormNode:
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("{% unbound_form form %} takes the form, and only it")
    nodelist = parser.parse(("end_unbound_form",))
    parser.delete_first_token()
    _only_the_form(nodelist, (bits[1],))
    where = (parser.origin.name if parser.origin else "", token.position)
    return UnboundFormNode(nodelist, parser.compile_filter(bits[1]), where)
