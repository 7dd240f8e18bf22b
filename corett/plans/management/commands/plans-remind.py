"""`corett plans-remind [--dry-run] [--today YYYY-MM-DD]`: remind the actors of the action plan of
their progress reports, a week and a day before the deadline and weekly after it.

Meant for a daily cron; idempotent within a day. Prints periods and counts only.
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from corett.plans.reminders import send_reminders


class Command(BaseCommand):
    help = "Remind the action plan's actors of progress reports due soon or overdue (once a day)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Count the reminders; notify nobody.")
        parser.add_argument("--today", help="Run as if today were this date (YYYY-MM-DD).")

    def handle(self, *args, dry_run: bool, today: str | None, **options) -> None:
        try:
            day = dt.date.fromisoformat(today) if today else None
        except ValueError:
            raise CommandError(_("--today must be a date as YYYY-MM-DD.")) from None
        report = send_reminders(today=day, dry_run=dry_run)
        message = _("%(periods)s period(s) due or overdue; %(actors)s actor(s) still to report; "
                    "%(count)s notification(s) %(verb)s.")
        self.stdout.write(message % {
            "periods": report.periods, "actors": report.actors, "count": report.notifications,
            "verb": _("would be sent (dry run)") if dry_run else _("sent"),
        })
