"""corett.lib.urls.cached_reverse: the same URLs as reverse(), without its cost per link."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import NoReverseMatch, include, path, reverse, set_script_prefix

from corett.lib.urls import cached_reverse


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("directory:organisation_list", None),
        ("directory:organisation_detail", 0),
        ("directory:organisation_detail", 7),
        ("directory:organisation_detail", 123456789),
        ("directory:person_detail", 42),
        ("directory:country_detail", "GT"),
        ("directory:country_detail", "hn"),
    ],
)
def test_it_gives_what_reverse_gives(name, key):
    args = [] if key is None else [key]
    assert cached_reverse(name, key) == reverse(name, args=args)
    assert cached_reverse(name, key) == reverse(name, args=args)  # and again, from its memory


def test_keys_that_would_need_quoting_go_through_reverse():
    assert cached_reverse("directory:country_detail", "a b") == reverse("directory:country_detail", args=["a b"])
    assert cached_reverse("directory:country_detail", "ñ") == reverse("directory:country_detail", args=["ñ"])


def test_a_key_the_route_refuses_is_refused_as_reverse_refuses_it():
    with pytest.raises(NoReverseMatch):
        cached_reverse("directory:organisation_detail", "GT")
    with pytest.raises(NoReverseMatch):
        cached_reverse("directory:organisation_detail", -1)
    with pytest.raises(NoReverseMatch):
        cached_reverse("directory:no_such_page", 1)


def test_it_follows_the_script_prefix():
    set_script_prefix("/hub/")
    try:
        assert cached_reverse("directory:organisation_detail", 5) == "/hub/directory/organisations/5/"
    finally:
        set_script_prefix("/")
    assert cached_reverse("directory:organisation_detail", 5) == "/directory/organisations/5/"


# A URL conf that mounts the directory elsewhere (used by the test below).
urlpatterns = [path("elsewhere/", include("corett.directory.urls"))]


def test_it_follows_the_url_conf():
    assert cached_reverse("directory:organisation_detail", 5) == "/directory/organisations/5/"
    with override_settings(ROOT_URLCONF=__name__):
        assert cached_reverse("directory:organisation_detail", 5) == "/elsewhere/organisations/5/"
    assert cached_reverse("directory:organisation_detail", 5) == "/directory/organisations/5/"
