from django.utils.translation import gettext_lazy as _

from corett.core.navigation import NavItem

ITEMS = [
    NavItem(_("Action plan"), "plans:list", "plans.view"),
    NavItem(_("My plan actions"), "plans:mine", "plans.report"),
]
