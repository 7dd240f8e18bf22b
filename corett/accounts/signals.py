"""Logins, logouts, failures and lockouts go to the audit trail."""

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from corett.audit.services import audit_log


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    audit_log(actor=user, action="auth.login", obj=user)


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit_log(actor=user, action="auth.logout", obj=user)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    # The attempted username is recorded (it is what an investigator needs); never the password.
    username = str(credentials.get("username", ""))[:150]
    known = get_user_model().objects.filter(username=username).values_list("pk", flat=True).first()
    audit_log(
        actor=None,
        username=username,
        action="auth.login_failed",
        object_type="accounts.user" if known else "",
        object_id=known or "",
    )


@receiver(user_locked_out)
def _locked_out(sender, request, username, ip_address, **kwargs):
    audit_log(actor=None, username=str(username or "")[:150], action="auth.locked_out")
