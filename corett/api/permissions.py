from rest_framework.permissions import BasePermission

from corett import policy


class PolicyPermission(BasePermission):
    """DRF's door to the one policy module.

    A view declares ``policy_actions`` (a dict from DRF action, e.g. "list", "retrieve",
    "update", to a policy action); a view or action without one is refused. Object-level checks
    ask the same rule with the object.
    """

    def _action(self, view) -> str | None:
        actions = getattr(view, "policy_actions", None) or {}
        return actions.get(getattr(view, "action", None) or "")

    def has_permission(self, request, view) -> bool:
        action = self._action(view)
        if action is None:
            return False
        if not policy.can(request.user, "accounts.use_api"):
            return False
        # Object actions are decided per object; collection actions need the plain permission.
        if getattr(view, "action", None) in {"retrieve", "update", "partial_update", "destroy"}:
            return True
        create_target = getattr(view, "policy_create_target", None)
        if getattr(view, "action", None) == "create" and create_target is not None:
            return policy.can(request.user, action, create_target(request))
        return policy.can(request.user, action)

    def has_object_permission(self, request, view, obj) -> bool:
        action = self._action(view)
        return action is not None and policy.can(request.user, action, obj)
