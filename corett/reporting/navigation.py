from django.utils.translation import gettext_lazy as _

from corett.core.navigation import NavItem

# In the "Statistics" menu, with the statistics module's entries: one domain, one menu.
STATISTICS = _("Statistics")
ITEMS = [
    NavItem(_("Data sets"), "reporting:index", "reporting.view", STATISTICS),
    NavItem(_("Completeness and timeliness"), "reporting:dashboard", "reporting.view_dashboard", STATISTICS),
]
