"""`corett reindex-website-search`: recompute the public search's stored vectors of every article
and publication from their text.

The services keep the vectors current on every save; this is for rows written some other way
(a bulk load, a database restored from elsewhere). Safe to run at any time: one UPDATE a table,
inside a transaction. On SQLite, which searches the text itself, it has nothing to do.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.translation import gettext as _

from corett.website import search


class Command(BaseCommand):
    help = "Recompute the public search's stored vectors of every article and publication."

    def handle(self, *args, **options) -> None:
        if not search.is_full_text():
            self.stdout.write(_("This database searches the text itself: there is nothing to reindex."))
            return
        with transaction.atomic():
            count = search.reindex_all()
        self.stdout.write(_("%(count)s articles and publications reindexed.") % {"count": count})
