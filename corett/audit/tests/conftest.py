import pytest
from django.db import connection


@pytest.fixture
def tamper(db):
    """Run raw SQL past the application, as an intruder with database access would.

    On PostgreSQL the append-only trigger is lifted for the statement, inside the test's
    transaction, so it is back in place for the next test.
    """

    def _tamper(sql: str, params: list) -> None:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_entry_append_only")
            cursor.execute(sql, params)
            if connection.vendor == "postgresql":
                cursor.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER audit_entry_append_only")

    return _tamper
