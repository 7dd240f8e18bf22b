"""The public website's pages (no login; the language is in the address: /es/…, /en/…).

Every page here is the same for every visitor: none reads the session or the user, so whole
responses are cached (``corett.website.cache``) until a publication changes what is public.
Whether a visitor may read something is still the policy's decision (``website.view``, one of
its deliberately public actions); what is not published is a 404, never a hint that it exists.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.contrib.syndication.views import Feed
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_safe

from corett.directory.models import (
    CoalitionMembership,
    Country,
    Membership,
    Organisation,
    OrganisationKind,
    PresidencyTerm,
    SecretariatTerm,
)
from corett.lib import ratelimit
from corett.policy.website import can_public
from corett.website import content, services, sources
from corett.website import search as site_search
from corett.website.cache import public_page
from corett.website.forms import ContactForm, PublicationFilterForm, SearchForm
from corett.website.models import Article, HelpLine, MediaFile, Publication, PublicationKind

NEWS_PAGE_SIZE = 10
CONTACT_LIMIT = 5  # messages from one address
CONTACT_WINDOW = 3600  # per hour


def _authorize_public(obj: Any = None) -> None:
    if not can_public(None, "website.view", obj):
        raise Http404


def _published_articles() -> QuerySet[Article]:
    return Article.objects.published().prefetch_related("countries").select_related("cover")


# --- Home and about -------------------------------------------------------------------------------


@require_safe
@public_page
def home(request: HttpRequest) -> HttpResponse:
    _authorize_public()
    return render(request, "website/home.html", {
        "articles": list(_published_articles()[:3]),
        "figures": sources.headline_figures(get_language()),
        "coalition_figures": _coalition_figures(),
        "meta_description": _("The Regional Coalition against Trafficking in Persons and Smuggling of Migrants "
                              "of Central America, Mexico and the Dominican Republic."),
    })


def _coalition_figures() -> list[tuple[int, str]]:
    today = timezone.localdate()
    current = CoalitionMembership.objects.filter(Q(ended_on__isnull=True) | Q(ended_on__gte=today),
                                                 started_on__lte=today)
    return [
        (Country.objects.members().count(), _("member countries")),
        (current.filter(status=Membership.OBSERVER).values("organisation").distinct().count(), _("observers")),
        (current.filter(status=Membership.PARTNER).values("organisation").distinct().count(), _("partners")),
        (Publication.objects.published().count(), _("publications")),
    ]


# Approximate positions (longitude, latitude) of each member's capital, for the schematic map.
CAPITALS = {
    "MX": (-99.13, 19.43), "BZ": (-88.77, 17.25), "GT": (-90.51, 14.63), "SV": (-89.19, 13.69),
    "HN": (-87.19, 14.07), "NI": (-86.25, 12.13), "CR": (-84.09, 9.93), "PA": (-79.52, 8.98),
    "DO": (-69.93, 18.49),
}


def _map_points(countries: list[Country]) -> list[dict[str, Any]]:
    """Capitals placed on a 600 by 300 drawing (an equirectangular projection of the region)."""
    west, east, south, north = -106.0, -66.0, 6.0, 24.0
    points = []
    for country in countries:
        lon, lat = CAPITALS.get(country.iso2, (None, None))
        if lon is None or lat is None:
            continue
        x = round((lon - west) / (east - west) * 600)
        y = round((north - lat) / (north - south) * 300)
        points.append({"country": country, "x": x, "y": y, "label_x": x + 8, "label_y": y + 4})
    return points


@require_safe
@public_page
def about(request: HttpRequest) -> HttpResponse:
    _authorize_public()
    members = list(Country.objects.members())
    commissions = {
        org.country_id: org for org in Organisation.objects.filter(kind=OrganisationKind.NATIONAL_COMMISSION)
        .order_by("pk")
    }
    today = timezone.localdate()
    current = CoalitionMembership.objects.filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=today), started_on__lte=today
    ).select_related("organisation", "organisation__country")
    return render(request, "website/about.html", {
        "members": [(country, commissions.get(country.pk)) for country in members],
        "map_points": _map_points(members),
        "observers": sorted({m.organisation for m in current if m.status == Membership.OBSERVER}, key=str),
        "partners": sorted({m.organisation for m in current if m.status == Membership.PARTNER}, key=str),
        "presidency": PresidencyTerm.current(),
        "secretariat": SecretariatTerm.current(),
        "meta_description": _("Mission, members, observers and partners of the coalition."),
    })


# --- News --------------------------------------------------------------------------------------------


@require_safe
@public_page
def news_list(request: HttpRequest) -> HttpResponse:
    _authorize_public()
    articles = _published_articles()
    iso2 = (request.GET.get("country") or "").upper()
    country = Country.objects.filter(iso2=iso2).first() if iso2 else None
    if country is not None:
        articles = articles.filter(countries=country)
    page = Paginator(articles, NEWS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "website/news_list.html", {
        "page": page, "country": country, "countries": Country.objects.members(),
        "meta_description": _("News of the coalition and its member countries."),
    })


@require_safe
@public_page
def article(request: HttpRequest, slug: str) -> HttpResponse:
    item = get_object_or_404(_published_articles(), slug=slug)
    _authorize_public(item)
    return render(request, "website/article.html", {
        "article": item, "body": content.to_html(item.body), "meta_description": item.summary,
        "og_type": "article", "og_image": item.cover,
    })


class LatestNewsFeed(Feed):
    """RSS 2.0 of the latest published articles, in the language of the address."""

    def title(self) -> str:
        return _("CORETT: news")

    def link(self) -> str:
        return reverse("website:news")

    def description(self) -> str:
        return _("News of the Regional Coalition against Trafficking in Persons.")

    def items(self) -> list[Article]:
        return list(_published_articles()[:20])

    def item_title(self, item: Article) -> str:
        return item.title

    def item_description(self, item: Article) -> str:
        return item.summary

    def item_link(self, item: Article) -> str:
        return item.get_absolute_url()

    def item_pubdate(self, item: Article) -> dt.datetime | None:
        return item.published_at

    def item_updateddate(self, item: Article) -> dt.datetime | None:
        return item.updated_at

    def item_categories(self, item: Article) -> list[str]:
        return [c.name for c in item.countries.all()]


class LatestNewsAtomFeed(LatestNewsFeed):
    feed_type = Atom1Feed

    def subtitle(self) -> str:
        return self.description()


rss_feed = public_page(LatestNewsFeed())
atom_feed = public_page(LatestNewsAtomFeed())


# --- Publications ---------------------------------------------------------------------------------


@require_safe
@public_page
def publications(request: HttpRequest) -> HttpResponse:
    _authorize_public()
    form = PublicationFilterForm(request.GET or None)
    items = Publication.objects.published().select_related("country", "file")
    if form.is_valid():
        data = form.cleaned_data
        if data["kind"]:
            items = items.filter(kind=data["kind"])
        if data["topic"]:
            items = items.filter(topic=data["topic"])
        if data["language"]:
            items = items.filter(language=data["language"])
        if data["year"]:
            items = items.filter(year=data["year"])
        if data["country"] == "region":
            items = items.filter(country__isnull=True)
        elif data["country"]:
            items = items.filter(country__iso2=data["country"])
    page = Paginator(items, 20).get_page(request.GET.get("page"))
    return render(request, "website/publications.html", {
        "form": form, "page": page, "kinds": PublicationKind,
        "meta_description": _("Protocols, reports, brochures and infographics of the coalition."),
    })


@require_safe
@public_page
def publication(request: HttpRequest, slug: str) -> HttpResponse:
    item = get_object_or_404(Publication.objects.published().select_related("country", "file"), slug=slug)
    _authorize_public(item)
    return render(request, "website/publication.html", {"publication": item, "meta_description": item.description})


@require_GET  # not HEAD: each answer counts a download
def publication_download(request: HttpRequest, slug: str) -> FileResponse:
    """The file, counted (never cached: each download is one count)."""
    item = get_object_or_404(Publication.objects.published().select_related("file"), slug=slug)
    _authorize_public(item)
    services.publication_count_download(publication=item)
    return _file_response(item.file, attachment=True)


def _file_response(media: MediaFile, *, attachment: bool) -> FileResponse:
    try:
        handle = media.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=media.content_type, as_attachment=attachment,
                            filename=media.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_safe
def media(request: HttpRequest, key: Any, name: str) -> FileResponse:
    item = get_object_or_404(MediaFile, key=key)
    response = _file_response(item, attachment=not item.content_type.startswith("image/"))
    response["Cache-Control"] = "public, max-age=86400"
    return response


# --- Statistics and events ------------------------------------------------------------------------


INFOGRAPHIC_FORMATS = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf"}


@require_safe
@public_page
def statistics(request: HttpRequest) -> HttpResponse:
    _authorize_public()
    found = sources.infographics()
    return render(request, "website/statistics.html", {
        "available": sources.infographics_available(),
        "infographics": [{"scope": scope, "title": title, "years": years} for scope, title, years in found],
        "figures": sources.headline_figures(get_language()) if found else None,
        "meta_description": _("Approved infographics on trafficking in persons, per country and for the region."),
    })


@require_safe
@public_page
def infographic(request: HttpRequest, scope: str, fmt: str) -> HttpResponse:
    _authorize_public()
    if fmt not in INFOGRAPHIC_FORMATS or not re.fullmatch(r"[A-Za-z]{3,6}", scope):
        raise Http404
    rendered = sources.infographic(scope.upper(), language=get_language() or "es", fmt=fmt)
    if rendered is None:
        raise Http404
    data = rendered.encode() if isinstance(rendered, str) else bytes(rendered)
    response = HttpResponse(data, content_type=INFOGRAPHIC_FORMATS[fmt])
    if fmt != "png":
        response["Content-Disposition"] = f'attachment; filename="corett-{scope.lower()}.{fmt}"'
    return response


@require_safe
@public_page
def events(request: HttpRequest) -> HttpResponse:
    _authorize_public()
    today = timezone.localdate()
    upcoming = sources.public_events(start=today)
    return render(request, "website/events.html", {
        "available": sources.events_available(), "events": upcoming,
        "meta_description": _("Public meetings and trainings of the coalition."),
    })


@require_safe
@public_page
def events_ical(request: HttpRequest) -> HttpResponse:
    import icalendar

    _authorize_public()
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//CORETT Hub//Public events//ES")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", _("CORETT public events"))
    stamp = timezone.now()
    start = timezone.localdate() - dt.timedelta(days=365)
    for event in sources.public_events(start=start):
        entry = icalendar.Event()
        entry.add("uid", f"{event.uid}@corett")
        entry.add("dtstamp", stamp)
        entry.add("summary", event.title)
        entry.add("dtstart", event.starts_on)
        if event.ends_on:
            ends = event.ends_on
            # iCalendar's end of an all-day event is exclusive: the day after the last day.
            if not isinstance(ends, dt.datetime):
                ends = ends + dt.timedelta(days=1)
            entry.add("dtend", ends)
        if event.place:
            entry.add("location", event.place)
        if event.kind:
            entry.add("categories", [event.kind])
        calendar.add_component(entry)
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="corett-events.ics"'
    return response


# --- Help --------------------------------------------------------------------------------------------


@require_safe
@public_page
def help_page(request: HttpRequest) -> HttpResponse:
    _authorize_public()
    lines = HelpLine.objects.select_related("country")
    by_country: dict[int, list[HelpLine]] = {}
    for line in lines:
        by_country.setdefault(line.country_id, []).append(line)
    countries = [(c, by_country.get(c.pk, [])) for c in Country.objects.members()]
    return render(request, "website/help.html", {
        "countries": countries, "any_demo": any(line.is_demo for line in lines),
        "meta_description": _("Where victims of trafficking find help, country by country."),
    })


# --- Contact -----------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def contact(request: HttpRequest) -> HttpResponse:
    _authorize_public()
    form = ContactForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not ratelimit.hit(request, "website.contact", limit=CONTACT_LIMIT, window=CONTACT_WINDOW):
            form.is_valid()
            form.add_error(None, _("Too many messages were sent from your connection. Please try again in an hour, "
                                   "or call a help line if you need help now."))
            status = 429
        elif form.is_valid():
            if not form.is_spam:
                services.contact_submit(data=form.service_data(), language=get_language() or "es")
            # A robot that filled the trap is told the same as a person: it learns nothing.
            return HttpResponseRedirect(reverse("website:contact_sent"))
        else:
            status = 400
    return render(request, "website/contact.html", {
        "form": form, "meta_description": _("Write to the coalition's Technical Secretariat."),
    }, status=status)


@require_safe
@public_page
def contact_sent(request: HttpRequest) -> HttpResponse:
    _authorize_public()
    return render(request, "website/contact_sent.html", {})


# --- Search ------------------------------------------------------------------------------------------


@require_safe
@public_page
def search(request: HttpRequest) -> HttpResponse:
    _authorize_public()
    form = SearchForm(request.GET or None)
    text = form.cleaned_data["q"].strip() if form.is_valid() else ""
    language = get_language()
    articles = site_search.articles(text, language=language) if text else []
    found_publications = site_search.publications(text, language=language) if text else []
    return render(request, "website/search.html", {
        "form": form, "text": text, "articles": articles, "publications": found_publications,
        "meta_description": _("Search the coalition's news and publications."),
    })


# --- Sitemap -----------------------------------------------------------------------------------------


@require_safe
def sitemap(request: HttpRequest) -> HttpResponse:
    """Every public address in both languages, each with its alternate."""
    from django.utils import translation

    pages = ["home", "about", "news", "publications", "statistics", "events", "help", "contact"]
    entries: list[dict[str, Any]] = []
    base = request.build_absolute_uri("/").rstrip("/")

    def add(name: str, args: list[str] | None = None, lastmod: Any = None) -> None:
        urls = {}
        for code in ("es", "en"):
            with translation.override(code):
                urls[code] = base + reverse(f"website:{name}", args=args or [])
        for code in ("es", "en"):
            entries.append({"loc": urls[code], "alternates": urls, "lastmod": lastmod})

    for name in pages:
        add(name)
    for item in Article.objects.published().only("slug", "updated_at"):
        add("article", [item.slug], item.updated_at)
    for pub in Publication.objects.published().only("slug", "updated_at"):
        add("publication", [pub.slug], pub.updated_at)
    return render(request, "website/sitemap.xml", {"entries": entries}, content_type="application/xml")
