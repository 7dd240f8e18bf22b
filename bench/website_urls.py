"""The platform's URLs plus one hello-world view, for bench/website_home.py.

The platform's URL conf holds ``i18n_patterns`` (the public site's /es/ and /en/), which Django
does not allow inside an ``include()``: the patterns are added to, not included in, this list.
"""

from django.http import HttpResponse
from django.urls import path

from corett import urls as platform


def hello(request):
    return HttpResponse("Hello, world", content_type="text/plain")


urlpatterns = [path("bench/hello", hello), *platform.urlpatterns]
