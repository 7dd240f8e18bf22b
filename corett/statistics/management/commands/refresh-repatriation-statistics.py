"""`corett refresh-repatriation-statistics`: count the victims repatriated and assisted from the
repatriation cases (completed years), as values of the statistics module awaiting approval.

Idempotent: when the cases have not changed, nothing is written. A daily job. Counts only, never
a case: see :mod:`corett.statistics.repatriation` for what is counted and how it is released.
"""

from typing import Any

from django.core.management.base import BaseCommand

from corett.statistics import repatriation


class Command(BaseCommand):
    help = "Count the victims repatriated and assisted from the repatriation cases (statistics awaiting approval)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(repatriation.refresh().describe())
