"""Infographics render in Spanish and English, in every format, from released figures only."""

from __future__ import annotations

import io
import re

import pypdf
import pytest
from django.utils import translation
from PIL import Image

from corett.infographics import public
from corett.infographics import render as rendering
from corett.infographics.amounts import Amount
from corett.infographics.tests.conftest import DRAFT_FIGURE, store
from corett.statistics.services import ValueInput

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def spec(scope="GTM", language="en", fmt="pdf", year_from=2021, year_to=2022):
    return rendering.Request(scope, language, fmt, year_from, year_to)


def test_the_pdf_is_one_a4_page_with_the_figures_in_english(figures):
    content = rendering.render_bytes(spec())
    reader = pypdf.PdfReader(io.BytesIO(content))
    box = reader.pages[0].mediabox
    assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == (210, 297)
    text = pdf_text(content)
    assert "Trafficking in persons: Guatemala, 2021–2022" in text  # noqa: RUF001
    assert "286" in text  # detected victims 132 + 154
    assert "Detected victims" in text and "Persons prosecuted" in text
    assert "Sexual exploitation" in text and "Forced labour" in text
    assert "Honduras" in text  # citizenship and repatriation
    assert "Natural Earth" in text
    assert "National reporting (2022 annual)" in text


def test_the_pdf_speaks_spanish(figures):
    text = pdf_text(rendering.render_bytes(spec(language="es")))
    assert "Trata de personas: Guatemala, 2021–2022" in text  # noqa: RUF001
    assert "Víctimas detectadas" in text and "Personas procesadas" in text
    assert "Explotación sexual" in text and "Trabajo forzoso" in text
    assert "Fuentes" in text and "Notas" in text
    assert "Trafficking" not in text and "Detected victims" not in text


def test_the_region_adds_up_the_members(figures):
    text = pdf_text(rendering.render_bytes(spec(scope="REGION", year_from=2022, year_to=2022)))
    assert "the region, 2022" in text
    assert "237" in text  # 154 + 83


def test_small_counts_are_shown_suppressed_never_exact(figures):
    html = rendering.render_html(spec(fmt="html", year_from=2022, year_to=2022))
    # Three male victims: below the threshold, so by sex the page shows bounds, not 3 and 151.
    assert "151" not in html
    assert "Male" in html


def svg_text(content: bytes) -> str:
    """The words of an SVG (its text elements), not its path coordinates."""
    from xml.etree import ElementTree

    root = ElementTree.fromstring(content)  # noqa: S314  (our own rendering)
    return " ".join(t for element in root.iter("{http://www.w3.org/2000/svg}text")
                    for t in element.itertext())


def test_drafts_and_submissions_never_reach_an_infographic(figures):
    draft = re.compile(r"9[,\u00a0]?876")
    html = rendering.render_html(spec(fmt="html", year_from=2019, year_to=2022))
    svg = rendering.render_bytes(spec(fmt="svg", year_from=2019, year_to=2022))
    pdf = rendering.render_bytes(spec(year_from=2019, year_to=2022))
    assert "Trafficking in persons" in svg_text(svg)  # the check below reads real words
    for words in (html, svg_text(svg), pdf_text(pdf)):
        assert not draft.search(words)
    assert DRAFT_FIGURE == 9876


def test_svg_and_png_are_the_whole_a4_sheet(figures):
    png = rendering.render_bytes(spec(fmt="png"))
    image = Image.open(io.BytesIO(png))
    width, height = image.size
    assert abs(height / width - 297 / 210) < 0.01
    svg = rendering.render_bytes(spec(fmt="svg", language="es"))
    assert svg.startswith(b"<?xml") and b"<svg" in svg
    assert "Víctimas detectadas".encode() in svg  # text stays text


def test_renderings_are_cached_until_figures_are_approved(figures, django_assert_max_num_queries):
    first = rendering.render_html(spec(fmt="html", year_from=2022, year_to=2022))
    with django_assert_max_num_queries(2):  # only the data version is read
        assert rendering.render_html(spec(fmt="html", year_from=2022, year_to=2022)) == first
    store(figures.actor, [ValueInput("persons_convicted", "HND", "2022", 4321, cell="new")])
    again = rendering.render_html(spec(scope="REGION", fmt="html", year_from=2022, year_to=2022))
    assert "4,333" in again  # 12 + 4,321: the new approval shows at once


def test_a_period_without_figures_says_so(figures):
    html = rendering.render_html(spec(fmt="html", year_from=2010, year_to=2010))
    assert "No approved figures have been released for this period yet." in html


def test_public_interface(figures):
    with translation.override("es"):
        scopes = public.available()
    assert scopes[0] == ("REGION", "La región", [2020, 2021, 2022])
    assert ("GTM", "Guatemala", [2020, 2021, 2022]) in scopes
    assert [s[0] for s in scopes] == ["REGION", "GTM", "HND"]  # countries without figures left out
    fragment = public.render("gtm", language="en", fmt="html")
    assert isinstance(fragment, str) and "Guatemala, 2022" in fragment
    png = public.render("REGION", language="es", fmt="png")
    assert isinstance(png, bytes) and png.startswith(b"\x89PNG")
    with pytest.raises(public.UnknownInfographic):
        public.render("USA", language="es", fmt="png")
    with pytest.raises(public.UnknownInfographic):
        public.render("GTM", language="fr", fmt="png")
    with pytest.raises(public.UnknownInfographic):
        public.render("GTM", language="es", fmt="pdf", year_from=2030, year_to=2031)
    figures_es = public.headline_figures("es")
    assert [f.indicator for f in figures_es][:2] == ["detected_victims", "persons_prosecuted"]
    assert figures_es[0].value == "237" and figures_es[0].year == 2022
    assert figures_es[0].label == "Víctimas detectadas" and "2022" in figures_es[0].note


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (Amount.exact(312), "312"),
        (Amount.exact(12345), "12,345"),
        (Amount.hidden(1, 4), "<5"),
        (Amount(lower=312, upper=320), "312–320"),  # noqa: RUF001
        (Amount(lower=312, upper=None), "at least 312"),
        (Amount.missing(), "no data"),
        (Amount.exact(300) + Amount.hidden(1, 4), "301–304"),  # noqa: RUF001
        (Amount.exact(300) + Amount(lower=2, upper=None), "at least 302"),
        (Amount.exact(300) + Amount.missing(), "300"),
    ],
)
def test_amounts_are_written_with_their_bounds(amount, text):
    assert amount.text() == text


def test_spanish_groups_thousands_with_a_space_from_five_digits():
    with translation.override("es"):
        assert Amount.exact(1234).text() == "1234"
        assert Amount.exact(12345).text() == "12\u00a0345"
        assert Amount(lower=312, upper=None).text() == "al menos 312"


def test_render_infographics_fills_the_cache(figures, django_assert_max_num_queries):
    from django.core.management import call_command

    out = io.StringIO()
    call_command("render-infographics", "--scope", "gtm", "--scope", "BLZ", stdout=out)
    assert "GTM: 16 renderings" in out.getvalue()
    assert "BLZ: no released figures" in out.getvalue()
    with django_assert_max_num_queries(2):  # the data version only: the file comes from the cache
        rendering.render_bytes(spec(year_from=2020, year_to=2022, language="es"))
