"""`corett meetings-overdue [--dry-run]`: turn agreements past a due date overdue and tell their
responsible actors and the Secretariat; warn the Secretariat of memoranda close to expiry.

Meant for a daily cron. Idempotent within a day: each person is told of each overdue agreement
at most once per day, and of each memorandum's expiry once. It prints codes only.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from corett.meetings.services import sweep


class Command(BaseCommand):
    help = "Mark agreements past their due date overdue, notify their actors, and warn of memoranda about to expire."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="List what is overdue or expiring; change nothing.")

    def handle(self, *args, dry_run: bool, **options) -> None:
        report = sweep(dry_run=dry_run)
        for code in report.overdue:
            self.stdout.write(_("%(code)s: overdue") % {"code": code})
        for code in report.expiring:
            self.stdout.write(_("%(code)s: expires soon") % {"code": code})
        if dry_run:
            self.stdout.write(_("%(count)s overdue agreements; nothing was changed (dry run).") % {"count": len(report.overdue)})
        else:
            self.stdout.write(
                _("%(count)s overdue agreements, %(mous)s memoranda expiring; %(notified)s notifications sent.")
                % {"count": len(report.overdue), "mous": len(report.expiring), "notified": report.notified}
            )
