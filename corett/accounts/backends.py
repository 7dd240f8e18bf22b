from django.contrib.auth.backends import ModelBackend


class AccountBackend(ModelBackend):
    """Django's password backend, loading a session's user with their organisation.

    Almost every page asks the policy about the user's country (``user.country_id`` goes through
    the organisation): one join here instead of one more query on each page.
    """

    def get_user(self, user_id):
        user = self._default_manager_with_organisation().filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None

    @staticmethod
    def _default_manager_with_organisation():
        from corett.accounts.models import User

        return User._default_manager.select_related("organisation")
