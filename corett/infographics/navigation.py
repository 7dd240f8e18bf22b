from django.utils.translation import gettext_lazy as _

from corett.core.navigation import NavItem

# In the "Statistics" menu, with the statistics module's entries: one domain, one menu.
STATISTICS = _("Statistics")
ITEMS = [
    NavItem(_("Infographics"), "infographics:index", "infographics.view", STATISTICS),
    NavItem(_("Data explorer"), "infographics:explorer", "infographics.explore", STATISTICS),
]
