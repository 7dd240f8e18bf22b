"""`corett purge-closed --older-than YEARS [--dry-run]`: erase the identifying data of cases that
ended (closed, cancelled, or resolved by an alternative solution) more than YEARS ago.

The retention period is the deployment's policy, so it is an argument, never a default. A
case is erased, not deleted: its row, stages, approvals, funding and statistics stay, its
identity (and its related people's, and the follow-up reports) is set to nothing, and the
record is deactivated. Each erased case is audited with the names of the fields erased. Meant
for cron: idempotent, and it prints what it did (case codes only).
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.db.models import DateTimeField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from corett.cases.models import FINAL_STAGES, Case, StageChange
from corett.cases.services import case_purge_identity


def years_before(moment: dt.datetime, years: int) -> dt.datetime:
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:  # 29 February in a year without one
        return moment.replace(year=moment.year - years, day=28)


def ended_before(cutoff: dt.datetime) -> QuerySet[Case]:
    """Finished cases whose identity is still held and that ended before ``cutoff``.

    A case ended when it last entered its present (final) stage; ``closed_at`` is the fallback
    for a case without that history. A case whose end is unknown is never erased.
    """
    entered = StageChange.objects.filter(case=OuterRef("pk"), to_stage=OuterRef("stage")).order_by("-at")
    return (
        Case.objects.filter(stage__in=FINAL_STAGES, identity_purged_at__isnull=True)
        .annotate(ended_at=Coalesce(Subquery(entered.values("at")[:1]), "closed_at", output_field=DateTimeField()))
        .filter(ended_at__lt=cutoff)
        .order_by("ended_at", "pk")
    )


class Command(BaseCommand):
    help = (
        "Erase the identifying data of cases closed, cancelled or resolved by an alternative "
        "solution more than YEARS ago; the records stay, deactivated."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--older-than", dest="years", type=int, required=True, metavar="YEARS",
            help="Retention period in whole years (at least 1).",
        )
        parser.add_argument("--dry-run", action="store_true", help="List the cases; erase nothing.")

    def handle(self, *args, years: int, dry_run: bool, **options) -> None:
        if years < 1:
            raise CommandError(_("The retention period must be at least 1 year."))
        cutoff = years_before(timezone.now(), years)
        due = list(ended_before(cutoff).values_list("pk", "code"))
        erased = 0
        for pk, code in due:
            if dry_run:
                self.stdout.write(_("%(code)s: identity would be erased") % {"code": code})
                continue
            fields = case_purge_identity(case=Case(pk=pk))
            erased += 1
            self.stdout.write(
                _("%(code)s: identity erased (%(count)s fields)") % {"code": code, "count": len(fields)}
            )
        if dry_run:
            self.stdout.write(
                _("%(count)s cases ended before %(cutoff)s; nothing was erased (dry run).")
                % {"count": len(due), "cutoff": cutoff.date().isoformat()}
            )
        else:
            self.stdout.write(
                _("%(count)s cases ended before %(cutoff)s: identity erased.")
                % {"count": erased, "cutoff": cutoff.date().isoformat()}
            )
