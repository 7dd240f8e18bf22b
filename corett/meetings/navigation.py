from django.utils.translation import gettext_lazy as _

from corett.core.navigation import NavItem

SECTION = _("Meetings and agreements")
ITEMS = [
    NavItem(_("Meetings"), "meetings:index", "meetings.view", SECTION),
    NavItem(_("Agreements"), "meetings:agreement_list", "meetings.view_agreement", SECTION),
    NavItem(_("Follow-up dashboard"), "meetings:dashboard", "meetings.view_dashboard", SECTION),
    NavItem(_("What my country owes"), "meetings:owed", "meetings.view_owed", SECTION),
    NavItem(_("Memoranda of understanding"), "meetings:mou_list", "meetings.view_mou", SECTION),
]
