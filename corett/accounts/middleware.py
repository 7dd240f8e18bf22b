from django.shortcuts import redirect
from django.urls import reverse


class RequireTwoFactorMiddleware:
    """A user whose role requires 2FA reaches nothing until enrolled and verified this session.

    The login view verifies the second factor before it logs a user in; this guard covers users
    who have no device yet (they are sent to enrol) and any session that lost its verification.
    """

    ALLOWED_PREFIXES = ("/accounts/two-factor/", "/accounts/logout/", "/i18n/", "/static/", "/healthz")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and user.requires_two_factor
            and not user.is_verified()
            and not request.path.startswith(self.ALLOWED_PREFIXES)
        ):
            return redirect(reverse("accounts:two_factor_setup"))
        return self.get_response(request)
