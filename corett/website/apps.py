from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebsiteConfig(AppConfig):
    name = "corett.website"
    label = "website"
    verbose_name = _("Public website")

    def ready(self) -> None:
        # A new release may render the public pages differently: pages cached by the previous
        # one (in a cache the processes share) must not outlive it.
        from corett.website import cache

        try:
            cache.invalidate()
        except OSError:  # a read-only data dir (a one-off command): the pages expire on their own
            pass
