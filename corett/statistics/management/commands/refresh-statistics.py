"""`corett refresh-statistics`: recompute every published (disclosure-controlled) figure.

Approvals, imports and reopenings refresh what they touch; run this after changing
STATISTICS_SUPPRESSION_THRESHOLD, STATISTICS_K_ANONYMITY or STATISTICS_DP_EPSILON. It first
brings the figures computed from the repatriation cases up to date (what
``corett refresh-repatriation-statistics`` does), so that everything is recomputed from current
values.
"""

from django.core.management.base import BaseCommand

from corett.statistics import repatriation
from corett.statistics.release import k_anonymity, refresh_published, suppression_threshold


class Command(BaseCommand):
    help = "Recompute the published statistics after a change of the disclosure settings."

    def handle(self, *args, **options) -> None:
        self.stdout.write(repatriation.refresh().describe())
        cells = refresh_published()
        self.stdout.write(f"{cells:,} published cells (threshold {suppression_threshold()}, k {k_anonymity()})")
