from django.http import HttpResponse
from django.urls import include, path


def hello(request):
    return HttpResponse("Hello, world", content_type="text/plain")


urlpatterns = [
    path("bench/hello", hello),
    path("", include("corett.urls")),
]
