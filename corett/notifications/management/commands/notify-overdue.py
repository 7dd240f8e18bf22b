"""`corett notify-overdue [--dry-run]`: remind the destination country's case workers of every
open task of a case past its due date.

Meant for a daily cron. Idempotent within a day: each case worker is told of each overdue task
at most once per day, however often the command runs. It prints case codes only.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from corett.notifications.services import notify_overdue_tasks


class Command(BaseCommand):
    help = "Notify the destination country's case workers of every open task past its due date (once a day)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="List the overdue tasks; notify nobody.")

    def handle(self, *args, dry_run: bool, **options) -> None:
        report = notify_overdue_tasks(dry_run=dry_run)
        for code in report.codes:
            self.stdout.write(_("%(code)s: a task is overdue") % {"code": code})
        if dry_run:
            self.stdout.write(
                _("%(count)s overdue tasks; nobody was notified (dry run).") % {"count": report.tasks}
            )
        else:
            self.stdout.write(
                _("%(count)s overdue tasks; %(notified)s notifications sent.")
                % {"count": report.tasks, "notified": report.notified}
            )
