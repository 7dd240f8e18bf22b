"""corett.lib.compiled: a query compiled once a thread gives what the ORM gives, for any values."""

from __future__ import annotations

import functools
import threading

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from corett.directory.models import Organisation
from corett.lib.compiled import CompiledQuery
from corett.testing.factories import OrganisationFactory, country

pytestmark = pytest.mark.django_db

BY_COUNTRY = CompiledQuery(
    lambda country_id: Organisation.objects.filter(country_id=country_id)
    .order_by("name")
    .values_list("name", "languages", "created_at"),
    country_id=-1,
)
WITH_COUNTRY = CompiledQuery(
    lambda pk: Organisation.objects.select_related("country").defer("address").filter(pk=pk), pk=-1
)


@pytest.fixture(name="organisations")
def organisations_fixture():
    gt, hn = country("GT"), country("HN")
    return [
        OrganisationFactory(country=gt, name="Beta", languages=["es", "en"]),
        OrganisationFactory(country=gt, name="Alfa", languages=[]),
        OrganisationFactory(country=hn, name="Gamma", languages=["es"]),
    ]


def test_rows_are_the_querysets_rows_for_each_value(organisations):
    for org in organisations:
        expected = list(BY_COUNTRY.build(country_id=org.country_id))
        assert BY_COUNTRY.rows(country_id=org.country_id) == expected
        assert isinstance(expected[0][1], list)  # the JSON column converted, as the ORM does
    assert BY_COUNTRY.rows(country_id=987654) == []


def test_instances_are_the_querysets_instances_with_their_relations(organisations):
    org = organisations[0]
    [found] = WITH_COUNTRY.instances(pk=org.pk)
    assert (found.pk, found.name, found.languages, found.created_at) == (org.pk, org.name, org.languages, org.created_at)
    assert found.get_deferred_fields() == {"address"}
    with CaptureQueriesContext(connection) as queries:
        assert found.country.iso2 == "GT"
    assert len(queries) == 0
    assert WITH_COUNTRY.instances(pk=987654) == []


def test_the_statement_is_compiled_once_a_thread(organisations):
    first = BY_COUNTRY.statement()
    BY_COUNTRY.rows(country_id=organisations[2].country_id)
    assert BY_COUNTRY.statement() is first
    elsewhere = []
    thread = threading.Thread(target=lambda: elsewhere.append(BY_COUNTRY.statement()))
    thread.start()
    thread.join()
    assert elsewhere[0] is not first
    with CaptureQueriesContext(connection) as queries:
        BY_COUNTRY.rows(country_id=organisations[0].country_id)
    assert len(queries) == 1


def test_a_placeholder_must_be_exactly_one_parameter(organisations):
    twice = CompiledQuery(lambda v: Organisation.objects.filter(country_id=v, parent_id=v), v=-1)
    missing = CompiledQuery(lambda v: Organisation.objects.filter(country_id=5), v=-1)
    for query in (twice, missing):
        with pytest.raises(AssertionError, match="exactly one"):
            query.rows(v=1)


def test_count_is_the_querysets_count_for_each_value(organisations):
    for org in organisations:
        assert BY_COUNTRY.count(country_id=org.country_id) == BY_COUNTRY.build(country_id=org.country_id).count()
    assert BY_COUNTRY.count(country_id=987654) == 0


def test_a_thread_keeps_a_bounded_number_of_statements(organisations, monkeypatch):
    from corett.lib import compiled

    monkeypatch.setattr(compiled, "KEPT_MAX", 3)
    made: list[int] = []

    def make(key: int) -> int:
        made.append(key)
        return key

    for key in range(5):
        compiled.kept_statement(("test", key), "default", functools.partial(make, key))
    assert compiled.kept_statement(("test", 4), "default", lambda: "again") == 4  # still kept
    assert compiled.kept_statement(("test", 0), "default", lambda: "again") == "again"  # let go
    assert made == [0, 1, 2, 3, 4]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("prepared", [True, False])
def test_on_postgresql_the_statements_are_prepared_once_a_connection_and_still_logged(
    organisations, settings, prepared
):
    settings.DB_PREPARED_STATEMENTS = prepared
    connection.close()  # a new connection: nothing prepared on it yet

    def ours() -> list[str]:
        with connection.cursor() as cursor:  # Django's own cursor: nothing of it is prepared
            cursor.execute("SELECT statement FROM pg_prepared_statements")
            return [sql for (sql,) in cursor.fetchall() if '"directory_organisation"' in sql]

    assert ours() == []
    gt = organisations[0].country_id
    with CaptureQueriesContext(connection) as captured:
        for _ in range(3):
            assert BY_COUNTRY.rows(country_id=gt) == list(
                Organisation.objects.filter(country_id=gt).order_by("name").values_list("name", "languages", "created_at")
            )
            assert WITH_COUNTRY.count(pk=organisations[2].pk) == 1
    # Every run is in the query log, as any other query's (the pages' query counts hold), with
    # its statement.
    assert len(captured.captured_queries) == 9
    assert all('"directory_organisation"' in query["sql"] for query in captured.captured_queries)
    # The list and the count: each prepared once, then executed again by name.
    assert len(ours()) == (2 if prepared else 0)
