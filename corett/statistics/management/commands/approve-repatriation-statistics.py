"""`corett approve-repatriation-statistics YEAR --by USERNAME [--country ISO3 ...]`: a reviewer
approves the figures computed from the repatriation cases for one year, which releases them
(after k-anonymity and secondary suppression). The reviewer must hold the right
(``statistics.approve_computed``: the Technical Secretariat); the approval is audited as theirs.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from corett.accounts.models import User
from corett.statistics import repatriation


class Command(BaseCommand):
    help = "Approve one year of the statistics computed from the repatriation cases."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("year", type=int)
        parser.add_argument("--by", required=True, help="the reviewer's username (the approval is theirs)")
        parser.add_argument("--country", action="append", help="ISO alpha-3 of a destination country (repeatable)")

    def handle(self, *args: Any, year: int, by: str, country: list[str] | None, **options: Any) -> None:
        actor = User.objects.filter(username=by, is_active=True).first()
        if actor is None:
            raise CommandError(f"No active user {by!r}.")
        try:
            approved = repatriation.approve(actor=actor, year=year, countries=country)
        except PermissionDenied as refused:
            raise CommandError(f"{by} may not approve computed statistics.") from refused
        self.stdout.write(f"{approved:,} values of {year} approved.")
