"""`corett import-glotip PATH`: import UNODC's GLOTIP release (data_glotip.xlsx) exactly as published.

Prints progress and a summary (rows read, values stored, suppressed, duplicates, conflicts,
findings). All or nothing: a file with errors stores nothing and lists every problem by cell.
Importing the same file again changes nothing.
"""

from corett.statistics.importers.command import ImportCommand
from corett.statistics.importers.glotip import read_glotip
from corett.statistics.models import Source


class Command(ImportCommand):
    help = "Import the UNODC GLOTIP release (data_glotip.xlsx) as published."
    source = Source.GLOTIP
    reader = staticmethod(read_glotip)
