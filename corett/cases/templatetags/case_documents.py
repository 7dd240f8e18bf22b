"""The documents section of the case page, which the case page's view knows nothing about:
``{% case_documents case as documents %}`` gives the attachments and what the user may do."""

from __future__ import annotations

from typing import Any

from django import template

from corett import policy
from corett.cases.models import Attachment, Case
from corett.lib.compiled import CompiledQuery

register = template.Library()

# The case's documents as a list shows them (compiled once: see corett.lib.compiled).
_LISTED = CompiledQuery(lambda case_id: Attachment.objects.listed().filter(case_id=case_id), case_id=-7_654_321)


@register.simple_tag(takes_context=True)
def case_documents(context: template.Context, case: Case) -> dict[str, Any]:
    from corett.cases.documents import AttachmentForm

    user = context["request"].user
    # Attachments are identity: listed (names included) only to those who may see it.
    may_download = policy.can(user, "cases.view_identity", case)
    may_change = policy.can(user, "cases.change", case)
    return {
        "attachments": _LISTED.instances(case._state.db or "default", case_id=case.pk) if may_download else [],
        "may_download": may_download,
        "may_remove": may_change,
        "form": AttachmentForm(auto_id="id_attachment_%s") if may_change else None,
        "may_case_file": policy.can(user, "cases.case_file", case),
        "may_export": policy.can(user, "cases.export", case),
    }
