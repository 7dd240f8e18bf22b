from django.utils.translation import gettext_lazy as _

from corett.core.navigation import NavItem

ITEMS = [
    NavItem(_("Training sessions"), "training:session_list", "training.view"),
    NavItem(_("Programmes"), "training:programme_list", "training.view"),
    NavItem(_("Participants"), "training:participant_list", "training.view_participant"),
    NavItem(_("Local committees"), "training:committee_list", "training.view"),
    NavItem(_("Training figures"), "training:dashboard", "training.view_dashboard"),
]
