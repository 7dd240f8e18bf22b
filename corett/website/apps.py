import contextlib

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebsiteConfig(AppConfig):
    name = "corett.website"
    label = "website"
    verbose_name = _("Public website")

    def ready(self) -> None:
        # A new release may render the public pages differently: pages cached by the previous
        # one (in a cache the processes share) must not outlive it. A read-only data dir (a
        # one-off command) skips this: the pages then expire on their own.
        from corett.website import cache

        with contextlib.suppress(OSError):
            cache.invalidate()
