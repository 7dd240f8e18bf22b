"""``{% load i18n %}`` is Django's library with constant translations kept per language: every
form of the tag must render exactly what Django's renders, in each language."""

import pytest
from django.template import Context, Engine, Template
from django.utils import translation

from corett.core.templatetags import kept_i18n

FORMS = [
    '{% translate "Cases" %}',
    "{% translate 'Cases' %}",
    '{% trans "Cases" %}',
    '{% translate "Cases" noop %}',
    '{% translate "Cases"|upper %}',
    '{% translate "Cases" as word %}[{{ word }}]',
    '{% translate "May" context "month name" %}',
    '{% translate "100%% <b>done</b> & more" %}',
    '{% translate message %}',
    '{% autoescape off %}{% translate "<b>x</b> & y" %}{% endautoescape %}',
    '{% blocktranslate %}Cases{% endblocktranslate %}',
    '{% get_current_language as lang %}{{ lang }}',
]


def _render(source: str, library: str) -> str:
    engine = Engine(libraries={"i18n": library})
    return Template("{% load i18n %}" + source, engine=engine).render(Context({"message": "Cases <i>"}))


@pytest.mark.parametrize("source", FORMS)
@pytest.mark.parametrize("language", ["es", "en"])
def test_every_form_of_the_tags_renders_what_djangos_renders(source, language):
    with translation.override(language):
        expected = _render(source, "django.templatetags.i18n")
        first = _render(source, "corett.core.templatetags.kept_i18n")
        kept = _render(source, "corett.core.templatetags.kept_i18n")
    assert first == kept == expected


def test_a_kept_translation_follows_the_language_of_each_render():
    template = Template('{% load i18n %}{% translate "Cases" %}', engine=Engine(libraries={"i18n": "corett.core.templatetags.kept_i18n"}))
    outputs = []
    for language in ["es", "en", "es"]:
        with translation.override(language):
            outputs.append(template.render(Context()))
    assert outputs == ["Casos", "Cases", "Casos"]


def test_only_constant_messages_are_kept():
    engine = Engine(libraries={"i18n": "corett.core.templatetags.kept_i18n"})
    template = Template(
        '{% load i18n %}{% translate "Cases" %}{% translate message %}{% translate "Cases"|upper %}'
        '{% translate "Cases" as x %}{% translate "May" context "month name" %}{% translate "Cases" noop %}',
        engine=engine,
    )
    nodes = [n for n in template.nodelist if isinstance(n, kept_i18n.KeptTranslateNode)]
    assert [n.message for n in nodes] == ["Cases", None, None, None, None, None]


def test_a_recompiled_catalogue_is_read_again_by_the_development_server():
    kept_i18n._KEPT[("Cases", "es", True)] = "stale"
    kept_i18n._forget_on_new_catalogue(sender=None, file_path="corett/cases/locale/es/LC_MESSAGES/django.mo")
    assert ("Cases", "es", True) not in kept_i18n._KEPT


def test_the_platforms_templates_load_this_library_as_i18n():
    from django.template import engines

    assert engines["django"].engine.template_libraries["i18n"] is kept_i18n.register  # type: ignore[attr-defined]


def test_i18n_is_the_only_template_library_name_given_twice():
    """The check that names two modules for one library name is silenced for i18n alone."""
    from django.template import engines

    warnings = [w for w in engines["django"].check() if w.id == "templates.W003"]
    assert len(warnings) == 1
    assert "'i18n' is used for multiple template tag modules" in warnings[0].msg
