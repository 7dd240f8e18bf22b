"""Demo data: UNODC's real GLOTIP figures for the coalition's nine countries.

Imports ``demo_data/glotip_coalition.xlsx`` (the nine countries' rows of the 14/04/2025 release,
with attribution in ``demo_data/SOURCE.md``) through the same importer as ``corett import-glotip``,
so the demo shows real figures, real "<5" cells and real findings to review (Mexico's 2015 total
equal to the year, the Dominican Republic's 2019-2022 values, garbled labels). Idempotent: the
importer recognises a file it has already imported.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings

from corett.statistics.importers.common import run_import
from corett.statistics.importers.glotip import read_glotip
from corett.statistics.models import Source

COALITION_EXCERPT = Path(__file__).parent / "demo_data" / "glotip_coalition.xlsx"


def seed(accounts: dict[str, Any]) -> None:
    if not settings.DEMO:
        return
    from corett.accounts.models import User

    secretariat = User.objects.filter(username="secretariat").first()
    run_import(reader=read_glotip, source=Source.GLOTIP, path=COALITION_EXCERPT, actor=secretariat,
               file_name="data_glotip.xlsx (coalition excerpt)")
