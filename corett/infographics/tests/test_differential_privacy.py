"""Infographics with the differentially private release: noisy counts, and "ε = …" on every
figure that shows one, in the web page, the PDF, the SVG and the PNG, in Spanish and English."""

from __future__ import annotations

import base64
import io
import re

import pypdf
import pytest
from django.utils import translation
from matplotlib.text import Text

from corett.infographics import charts, content, poster, public
from corett.infographics import render as rendering
from corett.infographics.amounts import Amount, epsilon_of
from corett.infographics.tests.test_render import svg_text
from corett.statistics import privacy
from corett.statistics.models import PublishedValue
from corett.statistics.release import refresh_published

pytestmark = pytest.mark.django_db
needs_opendp = pytest.mark.skipif(not privacy.opendp_available(), reason="OpenDP (the dp extra) is not installed")

EN = "Differential privacy: ε = 0.5"
ES = "Privacidad diferencial: ε = 0,5"


@pytest.fixture
def noisy(figures, settings):
    settings.STATISTICS_DP_EPSILON = 0.5
    refresh_published()
    return figures


def spec(fmt="html", language="en", scope="GTM", year_from=2021, year_to=2022, private=None):
    return rendering.Request(scope, language, fmt, year_from, year_to, private)


def _panels(html: str) -> dict[str, str]:
    """The text of each chart embedded in the page (data: URLs of SVGs)."""
    found = re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', html)
    return {str(i): svg_text(base64.b64decode(data)) for i, data in enumerate(found)}


@needs_opendp
def test_the_counts_are_the_differentially_private_ones(noisy):
    noisy_total = PublishedValue.objects.totals().get(
        indicator__code="detected_victims", country_iso3="GTM", period="2022")
    assert noisy_total.dp_epsilon == 0.5 and noisy_total.dp_value is not None
    with translation.override("en"):
        private = rendering.build("GTM", 2022, 2022, private=True)
        exact = rendering.build("GTM", 2022, 2022, private=False)
    assert private.headline[0].amount == Amount(noisy_total.dp_value, noisy_total.dp_value, epsilon=0.5)
    assert exact.headline[0].amount == Amount.exact(154)
    assert private.epsilon == 0.5 and exact.epsilon is None
    # Suppressed cells carry no noise (their bounds are what is known): by sex, Guatemala's
    # three men and, with them, the women are bounds; the age bars carry noise.
    assert all(b.amount.epsilon is None for b in private.sex)
    assert all(b.amount.epsilon == 0.5 for b in private.age)


@needs_opendp
def test_every_figure_of_the_page_states_its_epsilon(noisy):
    assert spec().dp
    html = rendering.render_html(spec())
    page = re.sub(r'(src|alt)="[^"]+"', "", html)
    # The four headline figures and the repatriations table (and the note, in its own words).
    assert page.count(EN) == 5
    assert "Counts carry differentially private noise (ε = 0.5)." in page
    charts_text = _panels(html)
    assert len(charts_text) == len(charts.PANELS)
    assert all(EN in text for text in charts_text.values())
    # The text alternatives say it too.
    assert len(re.findall(r'alt="[^"]*ε = 0\.5"', html)) == len(charts.PANELS)


@needs_opendp
def test_the_page_says_it_in_spanish(noisy):
    html = rendering.render_html(spec(language="es"))
    assert re.sub(r'(src|alt)="[^"]+"', "", html).count(ES) == 5
    assert "ε = 0.5" not in html
    assert all(ES in text for text in _panels(html).values())


@needs_opendp
@pytest.mark.parametrize(("language", "said"), [("en", EN), ("es", ES)])
def test_the_svg_poster_states_it_on_every_figure(noisy, language, said):
    text = svg_text(rendering.render_bytes(spec(fmt="svg", language=language)))
    # Four headline figures, six charts (trend, sex and age, map, forms, citizenship, repatriations).
    assert text.count(said) == 10


@needs_opendp
def test_the_png_poster_is_drawn_with_the_marks(noisy):
    with translation.override("en"):
        info = rendering.build("GTM", 2021, 2022, private=True)
        figure = poster.draw(info)
    marks = [a for a in figure.findobj(lambda a: a.get_gid() == charts.EPSILON) if isinstance(a, Text)]
    assert len(marks) == 10 and all(m.get_text() == EN for m in marks)
    private = rendering.render_bytes(spec(fmt="png", private=True))
    exact = rendering.render_bytes(spec(fmt="png", private=False))
    assert private.startswith(b"\x89PNG") and private != exact


@needs_opendp
def test_the_pdf_states_it(noisy):
    content_ = rendering.render_bytes(spec(fmt="pdf"))
    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content_)).pages)
    assert text.count("ε = 0.5") >= 5 + len(charts.PANELS)


@needs_opendp
def test_the_website_headline_figures_state_it(noisy):
    figures = public.headline_figures("es")
    assert figures and all(f.epsilon == 0.5 and ES in f.note for f in figures)


@needs_opendp
def test_exact_renderings_can_still_be_asked_for_and_say_nothing_of_noise(noisy):
    html = rendering.render_html(spec(private=False))
    assert "ε" not in re.sub(r'src="data:[^"]+"', "", html)
    assert all("ε" not in text for text in _panels(html).values())


def test_without_the_setting_nothing_carries_noise_or_an_epsilon(figures, settings):
    settings.STATISTICS_DP_EPSILON = None
    assert not spec().dp
    html = rendering.render_html(spec())
    assert "ε" not in html and "ε" not in svg_text(rendering.render_bytes(spec(fmt="svg")))
    assert all(f.epsilon is None for f in public.headline_figures("en"))


def test_without_opendp_no_figure_pretends_to_an_epsilon(figures, settings, monkeypatch):
    settings.STATISTICS_DP_EPSILON = 0.5
    monkeypatch.setattr(privacy, "opendp_available", lambda: False)
    refresh_published()
    assert not spec().dp
    assert "ε" not in svg_text(rendering.render_bytes(spec(fmt="svg")))


def test_a_sum_states_the_largest_epsilon_of_its_parts():
    noisy, other = Amount(10, 10, epsilon=0.5), Amount(3, 3, epsilon=1.0)
    assert (noisy + other).epsilon == 1.0
    assert (noisy + Amount.hidden()).epsilon == 0.5
    assert (Amount.exact(4) + Amount.hidden()).epsilon is None
    assert epsilon_of([Amount.missing(), Amount.exact(2)]) is None
    with translation.override("es"):
        info = content.Infographic("GTM", "Guatemala", 2022, 2022, [], {}, [], [], [], [], [], {}, [], [])
        info.forms = [content.Bar("forced_labour", "Trabajo forzoso", noisy)]
        assert info.epsilon_label("forms") == ES and info.epsilon_label("trend") == ""
