"""The one e-mail training sends: a participant's personal link, to their own address.

Participants have no account: the link is how they reach their tests, the survey and their
certificate. It goes only to the address they gave, in the session's language, after the
registration is committed; a failing mail server does not undo the registration (the page they
land on shows the same link), and nothing about the person is logged.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from corett.training.models import Registration


def send_personal_link(registration: Registration) -> None:
    email = registration.participant.email
    if not email:
        return
    session = registration.session
    with translation.override(session.language):
        subject = _("Your registration: %(programme)s") % {"programme": session.programme.title}
        body = render_to_string("training/email/personal_link.txt", {
            "registration": registration, "session": session,
            "url": settings.SITE_ROOT.rstrip("/") + registration.get_personal_url(),
        })
    transaction.on_commit(lambda: send_mail(subject, body, None, [email], fail_silently=True))
