from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from corett.demo.seed import DEMO_PASSWORD, NotDemoMode, seed_demo


class Command(BaseCommand):
    help = "Loads the real coalition and the demo accounts (demo mode only; idempotent)."

    def handle(self, *args, **options):
        try:
            # The demo's cases notify their case workers as they are built; those e-mails would
            # flood the console at every first start, so they are not sent while seeding (the
            # in-app notifications are kept).
            with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
                accounts = seed_demo()
        except NotDemoMode as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS("CORETT Hub demo: http://127.0.0.1:8000"))
        self.stdout.write(f"Demo password for every account: {DEMO_PASSWORD}")
        self.stdout.write("Accounts: " + ", ".join(a.username for a in accounts))
        self.stdout.write("Two-factor secrets (add them to any authenticator app, TOTP, 30 s):")
        for account in accounts:
            if account.totp_secret:
                self.stdout.write(f"  {account.username:<18} {account.totp_secret}")
