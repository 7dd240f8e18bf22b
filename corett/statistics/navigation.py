from django.utils.translation import gettext_lazy as _

from corett.core.navigation import NavItem

ITEMS = [
    NavItem(_("Figures"), "statistics:index", "statistics.view"),
    NavItem(_("Repatriation in progress"), "statistics:caseload", "statistics.view_caseload"),
    NavItem(_("Validation findings"), "statistics:findings", "statistics.view_findings"),
    NavItem(_("Import public data"), "statistics:import_upload", "statistics.import"),
]
