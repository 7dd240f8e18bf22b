"""What the website tells the platform's users: a visitor's message has arrived (its reference
only; the visitor's name, address and words stay in the message)."""

from django.utils.translation import gettext_lazy as _

from corett.notifications.kinds import Kind, Reference

KINDS = (
    Kind(
        "website.contact_message",
        {"reference": Reference()},
        _("A visitor wrote to the coalition through the website: message %(reference)s."),
        subject=_("CORETT Hub: a message from the website"),
    ),
)
