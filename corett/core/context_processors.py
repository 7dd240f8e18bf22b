from django.conf import settings
from django.utils.functional import SimpleLazyObject

from corett.core.navigation import menus, navigation_bar, navigation_for


def platform(request):
    user = getattr(request, "user", None)
    return {
        "DEMO": settings.DEMO,
        # Lazy: error pages and partials that show no navigation do not pay for it.
        "navigation": SimpleLazyObject(
            lambda: navigation_for(user, request.path) if user is not None else []
        ),
        # The bar as base.html shows it: its markup is rendered once per set of entries.
        "navigation_bar": SimpleLazyObject(
            lambda: navigation_bar(user, request.path) if user is not None else ""
        ),
        "navigation_menus": SimpleLazyObject(
            lambda: menus(navigation_for(user, request.path)) if user is not None else []
        ),
    }
