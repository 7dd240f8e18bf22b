"""`corett notify-reporting-deadlines [--dry-run]`: remind the focal points of each country whose
national report is due within a week, or overdue, and not yet submitted.

Meant for a daily cron. Idempotent: each country is reminded once before the deadline and once
after it, per data set, however often the command runs. It prints periods and country codes only.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from corett.reporting.services import notify_deadlines


class Command(BaseCommand):
    help = "Remind focal points of national reports due within a week or overdue (once each)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="List the reminders; notify nobody.")

    def handle(self, *args, dry_run: bool, **options) -> None:
        reminders = notify_deadlines(dry_run=dry_run)
        for reminder in reminders:
            late = reminder.kind == "reporting.overdue"
            self.stdout.write(
                (_("%(period)s %(country)s: overdue") if late else _("%(period)s %(country)s: due soon"))
                % {"period": reminder.data_set, "country": reminder.country}
            )
        self.stdout.write(_("%(count)s reports not yet submitted.") % {"count": len(reminders)})
