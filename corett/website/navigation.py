"""The website's entries in the platform's navigation (editors, the Secretariat, focal points)."""

from django.utils.translation import gettext_lazy as _

from corett.core.navigation import NavItem

ITEMS = [
    NavItem(_("Website"), "website_edit:dashboard", "website.edit"),
    NavItem(_("Help lines"), "website_edit:helplines", "website.manage_help"),
]
