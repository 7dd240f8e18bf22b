"""``{% url %}`` (a builtin of the platform's templates) reverses each pattern once: every form
of the tag must render exactly what Django's renders, in each language and under any prefix."""

from __future__ import annotations

import pytest
from django.template import Context, Engine, Template, engines
from django.urls import NoReverseMatch, reverse, set_script_prefix
from django.utils import translation

from corett.core.templatetags import kept_url
from corett.lib.urls import kept_reverse

FORMS = [
    ("{% url 'cases:list' %}", {}),
    ("{% url 'cases:consent_withdraw' code pk %}", {"code": "RP-3968-Y2K4J", "pk": 17}),
    ("{% url 'cases:consent_withdraw' code=code pk=pk %}", {"code": "RP-3968-Y2K4J", "pk": 0}),
    ("{% url 'directory:export' kind='people' fmt='csv' %}", {}),
    ("{% url 'directory:organisation_detail' pk %}", {"pk": 123456789}),
    ("{% url 'website:article' slug %}", {"slug": "encuentro-regional-2026"}),
    ("{% url 'website:home' %}", {}),
    # Converters of the platform's own whose pattern the sentinel does not fit: reverse() decides.
    ("{% url 'reporting:submission_detail' code iso2 %}", {"code": "2025-Q3", "iso2": "gt"}),
    # Values that need quoting, or that no sentinel stands for: reverse() decides.
    ("{% url 'directory:country_detail' key %}", {"key": "a b"}),
    ("{% url 'directory:country_detail' key %}", {"key": "ñandú"}),
    ("{% url 'directory:country_detail' key %}", {"key": "a.b"}),
    ("{% url 'cases:detail' code %}", {"code": 12}),
    ("{% url 'cases:list' as target %}[{{ target }}]", {}),
    ("{% url 'cases:no_such_page' as target %}[{{ target }}]", {}),
    ("{% url 'directory:organisation_detail' 'GT' as target %}[{{ target }}]", {}),
    ("{% autoescape off %}{% url 'directory:country_detail' key %}{% endautoescape %}", {"key": "x&y"}),
    ("{% url 'directory:country_detail' key %}", {"key": "x&y"}),
]

DJANGO = Engine()
OURS = Engine(builtins=["corett.core.templatetags.kept_url"])


def _render(engine: Engine, source: str, context: dict) -> str:
    return Template(source, engine=engine).render(Context(context))


@pytest.mark.parametrize(("source", "context"), FORMS)
@pytest.mark.parametrize("language", ["es", "en"])
def test_every_form_of_the_tag_renders_what_djangos_renders(source, context, language):
    with translation.override(language):
        expected = _render(DJANGO, source, context)
        assert _render(OURS, source, context) == expected
        assert _render(OURS, source, context) == expected  # and again, from its memory


def test_a_url_under_i18n_patterns_follows_the_language():
    with translation.override("es"):
        assert kept_reverse("website:article", ["noticia"]) == "/es/news/noticia/"
    with translation.override("en"):
        assert kept_reverse("website:article", ["noticia"]) == "/en/news/noticia/"


def test_it_follows_the_script_prefix():
    set_script_prefix("/hub/")
    try:
        assert kept_reverse("cases:approval_decide", ["RP-AAAA-BBBBB", 3]) == "/hub/cases/RP-AAAA-BBBBB/approvals/3/decide/"
    finally:
        set_script_prefix("/")
    assert kept_reverse("cases:approval_decide", ["RP-AAAA-BBBBB", 3]) == reverse(
        "cases:approval_decide", args=["RP-AAAA-BBBBB", 3]
    )


def test_what_reverse_refuses_is_refused():
    with pytest.raises(NoReverseMatch):
        _render(OURS, "{% url 'cases:no_such_page' %}", {})
    with pytest.raises(NoReverseMatch):
        kept_reverse("directory:organisation_detail", ["GT"])
    with pytest.raises(NoReverseMatch):
        kept_reverse("directory:organisation_detail", [-1])
    with pytest.raises(NoReverseMatch):
        kept_reverse("cases:consent_withdraw", ["RP-AAAA-BBBBB"])  # an argument missing


def test_the_platforms_templates_use_it():
    template = engines["django"].from_string("{% url 'cases:list' %}")
    assert isinstance(template.template.nodelist[0], kept_url.KeptURLNode)  # type: ignore[attr-defined]


def test_plain_arguments_are_put_into_the_kept_shape_and_others_go_to_reverse():
    from corett.lib import urls

    kept_reverse("cases:consent_withdraw", ["RP-3968-Y2K4J", 17])
    with pytest.raises(NoReverseMatch):
        kept_reverse("cases:consent_withdraw", ["RP-3968-Y2K4J"])
    kept_reverse("reporting:submission_detail", ["2025-Q3", "gt"])
    shapes = {key[:3]: shape for key, shape in urls._shapes.items()}
    assert shapes["cases:consent_withdraw", ("s", "i"), ()] == ("/cases/", 0, "/consents/", 1, "/withdraw/")
    assert shapes["cases:consent_withdraw", ("s",), ()] == urls._FALLBACK  # an argument missing
    # Its converters refuse a sentinel.
    assert shapes["reporting:submission_detail", ("s", "s"), ()] == urls._FALLBACK


def test_links_give_what_reverse_gives_for_each_row():
    from corett.lib.urls import links

    organisation, country, case = (
        links("directory:organisation_detail"), links("directory:country_detail"), links("cases:detail")
    )
    for pk in (0, 7, 123456789):
        assert organisation(pk) == reverse("directory:organisation_detail", args=[pk])
    for key in ("GT", "a b", "ñandú"):  # the last two need quoting: reverse() decides
        assert country(key) == reverse("directory:country_detail", args=[key])
    assert case("RP-3968-Y2K4J") == reverse("cases:detail", args=["RP-3968-Y2K4J"])
    with pytest.raises(NoReverseMatch):
        organisation("GT")
    with translation.override("en"):
        assert links("website:article")("noticia") == "/en/news/noticia/"
    with translation.override("es"):
        assert links("website:article")("noticia") == "/es/news/noticia/"
