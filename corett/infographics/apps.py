from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InfographicsConfig(AppConfig):
    name = "corett.infographics"
    label = "infographics"
    verbose_name = _("Infographics")
