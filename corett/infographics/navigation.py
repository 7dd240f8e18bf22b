from django.utils.translation import gettext_lazy as _

from corett.core.navigation import NavItem

ITEMS = [
    NavItem(_("Infographics"), "infographics:index", "infographics.view"),
    NavItem(_("Data explorer"), "infographics:explorer", "infographics.explore"),
]
