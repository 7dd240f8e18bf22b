from django.utils.translation import gettext_lazy as _

from corett.core.navigation import NavItem

ITEMS = [
    NavItem(_("Data sets"), "reporting:index", "reporting.view"),
    NavItem(_("Completeness and timeliness"), "reporting:dashboard", "reporting.view_dashboard"),
]
