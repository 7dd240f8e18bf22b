"""`corett refresh-statistics`: recompute every published (disclosure-controlled) figure.

Approvals, imports and reopenings refresh what they touch; run this after changing
STATISTICS_SUPPRESSION_THRESHOLD, STATISTICS_K_ANONYMITY or STATISTICS_DP_EPSILON.
"""

from django.core.management.base import BaseCommand

from corett.statistics.release import k_anonymity, refresh_published, suppression_threshold


class Command(BaseCommand):
    help = "Recompute the published statistics after a change of the disclosure settings."

    def handle(self, *args, **options) -> None:
        cells = refresh_published()
        self.stdout.write(f"{cells:,} published cells (threshold {suppression_threshold()}, k {k_anonymity()})")
