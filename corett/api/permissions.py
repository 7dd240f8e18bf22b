from rest_framework.permissions import BasePermission

from corett import policy

OBJECT_ACTIONS = frozenset({"retrieve", "update", "partial_update", "destroy"})


class PolicyPermission(BasePermission):
    """DRF's door to the one policy module.

    A view declares ``policy_actions`` (a dict from DRF action, e.g. "list", "retrieve",
    "update", to a policy action); a view or action without one is refused (OPTIONS included).
    Object actions are decided per object, with the same rule; the object is fetched from the
    view's scoped queryset first, so a record the user may not see is a 404, not a 403.

    For "create", a view may declare ``policy_create_target(request)``: the record the new one
    will belong to (a country, an organisation), read from the payload, so the rule can answer
    before validation. The service called by ``perform_create`` decides again with the
    validated data; this check only spares a pointless validation round for a clear refusal.
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
        if view.action in OBJECT_ACTIONS:
            return True
        create_target = getattr(view, "policy_create_target", None)
        if view.action == "create" and create_target is not None:
            return policy.can(request.user, action, create_target(request))
        return policy.can(request.user, action)

    def has_object_permission(self, request, view, obj) -> bool:
        action = self._action(view)
        return action is not None and policy.can(request.user, action, obj)
