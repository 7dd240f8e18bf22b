"""One case with the relations its pages show, and the lists its page shows (consents,
approvals, people, steps, tasks…), read with SQL compiled once a process.

``prefetch_related`` builds, compiles and reads each list anew on every request: for the case
page's nine lists, compiling their SQL and looking up each column's converters cost about
two thirds of reading the case (more than the database did). The statements depend on nothing
but the model and the database: the case is read by its code alone (the policy then decides
whether the user may see it), its lists by the case's id alone. So each is compiled once per
thread and database connection, with the code or the id as its only parameter; each request runs it,
converts every column as the ORM does (sealed values are opened by their field, as always) and
caches the rows on the case as ``prefetch_related`` would, each row knowing its case.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db.models import Model, QuerySet

from corett.cases.models import (
    Approval,
    Case,
    Consent,
    ConsentOverride,
    Flag,
    FollowUp,
    FundingRequest,
    RelatedPerson,
    StageChange,
    Task,
)
from corett.directory.models import Person
from corett.lib.compiled import CompiledQuery

# What the pages show of the people who requested, decided or moved a case on: their names.
NAME_COLUMNS = ("username", "first_name", "last_name")


def _naming(model: type[Model], *people: str, unread: tuple[str, ...] = ()) -> QuerySet[Any]:
    """The model's rows with the names of the users in ``people`` joined (and no other column
    of theirs: a password hash has no business on a page), without the columns ``unread``."""
    own = [f.name for f in model._meta.concrete_fields if f.name not in unread]
    return model._default_manager.select_related(*people).only(
        *own, *(f"{person}__{column}" for person in people for column in NAME_COLUMNS)
    )


# The case's lists as the page reads them: each ordered by its model's default ordering.
LISTS: dict[str, Callable[[], QuerySet[Any]]] = {
    "consents": lambda: Consent._default_manager.all(),
    "approvals": lambda: _naming(Approval, "requested_by", "decided_by"),
    # The page never shows a family assessment or a step's reason: they stay sealed, and are
    # not even read.
    "related_people": lambda: RelatedPerson._default_manager.select_related("organisation").defer("assessment"),
    "funding_requests": lambda: FundingRequest._default_manager.select_related("partner", "mou_commitment__mou"),
    "stage_changes": lambda: _naming(StageChange, "by", unread=("reason",)),
    "consent_overrides": lambda: _naming(ConsentOverride, "by"),
    "tasks": lambda: Task._default_manager.all(),
    "follow_ups": lambda: FollowUp._default_manager.all(),
    "flags": lambda: Flag._default_manager.all(),
}

# The case itself with the relations its pages name: its countries and the organisation that
# identified the person. (Compiling the select list of these joins cost more than the rest of
# reading the case: 0.9 of 1.4 ms.) The contacts in the country of origin and their
# organisations are read apart, and only when the case has them: in one statement with the case,
# their four more joins cost PostgreSQL 1.2 ms of planning on every request (0.1 ms to run).
CASE_RELATIONS = ("destination_country", "origin_country", "identifying_organisation")
CONTACTS = ("origin_contact", "origin_alternate")

_PLACEHOLDER = -7_654_321  # the case's id while compiling: found among the parameters, then replaced

_CASE = CompiledQuery(
    lambda code: Case._default_manager.select_related(*CASE_RELATIONS).filter(code=code), code="\x00the case's code"
)


def _list_query(name: str) -> CompiledQuery:
    return CompiledQuery(lambda case_id: LISTS[name]().filter(case_id=case_id), case_id=_PLACEHOLDER)


_LISTS = {name: _list_query(name) for name in LISTS}


_CONTACT_PEOPLE = CompiledQuery(
    lambda first, second: Person._default_manager.select_related("organisation").filter(pk__in=[first, second]),
    first=_PLACEHOLDER, second=_PLACEHOLDER - 1,
)


def read_case(code: str, db: str = "default") -> Case | None:
    """The case with this code, with its relations (whoever asks: the caller asks the policy)."""
    found = _CASE.instances(db, code=code)
    if not found:
        return None
    case = found[0]
    ids = [getattr(case, f"{name}_id") for name in CONTACTS]
    named = [person_id for person_id in ids if person_id is not None]
    if named:
        people = {p.pk: p for p in _CONTACT_PEOPLE.instances(db, first=named[0], second=named[-1])}
        for name, person_id in zip(CONTACTS, ids, strict=True):
            if person_id is not None:
                getattr(Case, name).field.set_cached_value(case, people.get(person_id))
    return case


def load(case: Case, names: Iterable[str] | None = None) -> None:
    """Read the case's lists (``names``, or all of them) into its prefetch cache
    (``case.consents.all()`` and so on)."""
    db = case._state.db or "default"
    cache = case.__dict__.setdefault("_prefetched_objects_cache", {})
    for name in LISTS if names is None else names:
        objects = _LISTS[name].instances(db, case_id=case.pk)
        case_field = objects[0]._meta.get_field("case") if objects else None
        for obj in objects:
            case_field.set_cached_value(obj, case)  # type: ignore[union-attr]
        # What prefetch_related leaves: the related manager's own queryset, already read.
        queryset = getattr(case, name).get_queryset()
        queryset._result_cache = objects
        queryset._prefetch_done = True
        cache[name] = queryset
