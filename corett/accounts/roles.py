"""The roles a user may hold. A user may hold several; what each allows is decided in corett/policy/."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Platform administrator")
    SECRETARIAT = "secretariat", _("Technical Secretariat staff")
    PRESIDENCY = "presidency", _("Presidency")
    FOCAL_POINT = "focal_point", _("National focal point")
    CASE_WORKER = "case_worker", _("Case worker")
    CASE_SUPERVISOR = "case_supervisor", _("Case supervisor")
    PARTNER = "partner", _("Partner or funder staff")
    OBSERVER = "observer", _("Observer")
    TRAINER = "trainer", _("Trainer")
    EDITOR = "editor", _("Website editor")


# Roles whose holders handle victims' data or the platform itself: they must use 2FA.
TWO_FACTOR_REQUIRED = frozenset({Role.ADMIN, Role.CASE_WORKER, Role.CASE_SUPERVISOR})

# Roles whose work spans the whole region rather than one country.
REGIONAL_ROLES = frozenset({Role.ADMIN, Role.SECRETARIAT, Role.PRESIDENCY})
