"""A user's own notifications: the list, opening one (which marks it read), marking all read.

Everyone with a role has an inbox; nobody reaches another's. A notification of someone else is
a 404, like one that does not exist.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from corett import policy
from corett.accounts.models import User
from corett.notifications.models import Notification

PAGE_SIZE = 25


class AuthenticatedRequest(HttpRequest):
    # Every view here is behind @login_required.
    user: User


def _get_notification_for_user(user: User, pk: int) -> Notification:
    """The user's own notification, or 404 (someone else's is not there for them)."""
    return get_object_or_404(Notification.objects.visible_to(user), pk=pk)


@login_required
@require_GET
def notification_list(request: AuthenticatedRequest) -> HttpResponse:
    policy.authorize(request.user, "notifications.view")
    notifications = Notification.objects.visible_to(request.user).only(
        "kind", "params", "link", "created_at", "read_at"
    )
    page = Paginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/notification_list.html",
        {"page": page},
    )


@login_required
@require_POST
def notification_read(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    policy.authorize(request.user, "notifications.view")
    notification = _get_notification_for_user(request.user, pk)
    notification.mark_read()
    # Links are checked to be platform paths when made; checked again before following one.
    if url_has_allowed_host_and_scheme(notification.link, allowed_hosts=None, require_https=False):
        return redirect(notification.link)
    return redirect("notifications:list")


@login_required
@require_POST
def notification_read_all(request: AuthenticatedRequest) -> HttpResponse:
    policy.authorize(request.user, "notifications.view")
    count = Notification.objects.visible_to(request.user).mark_read()
    if count:
        messages.success(request, _("All your notifications are marked as read."))
    return redirect("notifications:list")
