from django.conf import settings

from corett.core.navigation import navigation_for


def platform(request):
    user = getattr(request, "user", None)
    return {
        "DEMO": settings.DEMO,
        "navigation": navigation_for(user) if user is not None else [],
    }
