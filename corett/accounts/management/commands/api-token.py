"""`corett api-token USERNAME [--name NAME]`: create a personal API token and print it.

Only the raw token goes to stdout, so that scripts can capture it
(``TOKEN=$(corett api-token focal-gt)``); it is shown this once and stored as a digest.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from corett.accounts import services
from corett.accounts.models import User


class Command(BaseCommand):
    help = "Create a personal API token for USERNAME and print it (and nothing else) on stdout."

    def add_arguments(self, parser) -> None:
        parser.add_argument("username", help="The user the token acts as.")
        parser.add_argument(
            "--name", default="Command line", help="What the token is for (default: %(default)s)."
        )

    def handle(self, *args, username: str, name: str, **options) -> None:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(_("There is no user with the username '%(username)s'.") % {"username": username})
        if not user.is_active:
            raise CommandError(
                _("The user '%(username)s' is inactive; activate the account first.") % {"username": username}
            )
        try:
            _token, raw = services.api_token_create(user=user, name=name, actor=None)
        except PermissionDenied as exc:
            raise CommandError(
                _("The user '%(username)s' has no role that may use the API; give them a role first.")
                % {"username": username}
            ) from exc
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(raw)
