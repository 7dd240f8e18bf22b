"""`corett import-ctdc PATH`: aggregate an IOM CTDC case-level CSV (any published variant) to the
coalition's indicators. Prints progress and a summary; all or nothing; the same file twice changes
nothing. The CSV itself is not kept (CTDC's terms forbid redistributing it): only the aggregates,
released under k-anonymity (STATISTICS_K_ANONYMITY, default 10).
"""

from corett.statistics.importers.command import ImportCommand
from corett.statistics.importers.ctdc import read_ctdc
from corett.statistics.models import Source


class Command(ImportCommand):
    help = "Aggregate an IOM CTDC case-level CSV file (2017-2020, k-anonymised 2021, synthetic 2024)."
    source = Source.CTDC
    reader = staticmethod(read_ctdc)
