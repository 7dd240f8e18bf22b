from django.http import HttpResponse
from django.urls import path

from corett import urls as platform


def hello(request):
    return HttpResponse("Hello, world", content_type="text/plain")


# The platform's own patterns, not include()d: its public website's i18n_patterns must stay in
# the root URL conf.
urlpatterns = [path("bench/hello", hello), *platform.urlpatterns]
