"""The public website, mounted under the language prefix (/es/…, /en/…) by ``i18n_patterns``."""

from django.urls import path

from corett.website import views

app_name = "website"

urlpatterns = [
    path("", views.home, name="home"),
    path("about/", views.about, name="about"),
    path("news/", views.news_list, name="news"),
    path("news/feed/rss/", views.rss_feed, name="feed_rss"),
    path("news/feed/atom/", views.atom_feed, name="feed_atom"),
    path("news/<slug:slug>/", views.article, name="article"),
    path("publications/", views.publications, name="publications"),
    path("publications/<slug:slug>/", views.publication, name="publication"),
    path("publications/<slug:slug>/download/", views.publication_download, name="publication_download"),
    path("statistics/", views.statistics, name="statistics"),
    path("statistics/<str:scope>.<str:fmt>", views.infographic, name="infographic"),
    path("events/", views.events, name="events"),
    path("events/calendar.ics", views.events_ical, name="events_ical"),
    path("help/", views.help_page, name="help"),
    path("contact/", views.contact, name="contact"),
    path("contact/sent/", views.contact_sent, name="contact_sent"),
    path("search/", views.search, name="search"),
    path("media/<uuid:key>/<str:name>", views.media, name="media"),
]
