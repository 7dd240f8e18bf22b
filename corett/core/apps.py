from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "corett.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from corett.core import checks  # noqa: F401  (registers the key-ring check)
