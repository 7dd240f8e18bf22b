from django.core.management.base import BaseCommand, CommandError

from corett.demo.seed import DEMO_PASSWORD, NotDemoMode, seed_demo


class Command(BaseCommand):
    help = "Loads the real coalition and the demo accounts (demo mode only; idempotent)."

    def handle(self, *args, **options):
        try:
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
