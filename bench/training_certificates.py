"""Issuing the 500 certificates of a large session in one batch against 500 single issues.

Seeds, in a fresh database in a temporary data dir, sessions of 500 participants who all
completed them, then issues the certificates of one session with
``certificates_issue_batch`` and those of an identical session one by one with
``certificate_issue`` (as 500 clicks of "issue" would), in the same run and process, alternating
over ``--rounds`` pairs so that a change in the machine's load touches both. Prints the median
times, the ratio batch / singles (target: at most 0.5), the SQL queries and audit entries of each.

    .venv/bin/python bench/training_certificates.py [--participants 500] [--rounds 3]

Set DATABASE_URL to run on PostgreSQL (the database is emptied first).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_django(data_dir: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ["CORETT_DATA_DIR"] = data_dir
    os.environ["CORETT_DEMO"] = "1"
    os.environ.pop("CORETT_TESTING", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    call_command("flush", verbosity=0, interactive=False)


def seed_world():
    from corett.accounts.models import RoleAssignment, User
    from corett.accounts.roles import Role
    from corett.directory.models import Country, Membership, Organisation, OrganisationKind
    from corett.training.models import Programme, Topic

    country = Country.objects.create(iso2="GT", iso3="GTM", name_es="Guatemala", name_en="Guatemala",
                                     official_language="es", membership=Membership.MEMBER)
    secretariat = Organisation.objects.create(name="Secretaría Técnica", kind=OrganisationKind.COALITION_OFFICE)
    partner = Organisation.objects.create(name="Organización Internacional para las Migraciones",
                                          kind=OrganisationKind.INTERGOVERNMENTAL)
    actor = User.objects.create(username="bench-secretariat", organisation=secretariat)
    RoleAssignment.objects.create(user=actor, role=Role.SECRETARIAT)
    actor = User.objects.get(pk=actor.pk)
    programme = Programme.objects.create(
        title_es="Protocolo regional de repatriación", title_en="Regional repatriation protocol",
        topic=Topic.objects.get_or_create(  # the flush emptied the migration's topics
            code="repatriation_protocol", defaults={"name_es": "Protocolo de repatriación", "name_en": "Repatriation protocol"}
        )[0],
    )
    programme.partners.add(partner)
    return actor, country, programme


def completed_session(country, programme, participants: int, tag: str):
    """A completed session whose ``participants`` all met the rules and await a certificate."""
    from corett.training.models import (
        InstitutionType,
        Participant,
        Registration,
        RegistrationSource,
        RegistrationStatus,
        Session,
        SessionState,
        Sex,
    )

    start = dt.date(2026, 3, 2)
    session = Session.objects.create(programme=programme, country=country, venue="Ciudad de Guatemala",
                                     starts_on=start, ends_on=start + dt.timedelta(days=2), capacity=participants,
                                     state=SessionState.COMPLETED)
    people = Participant.objects.bulk_create(
        Participant(full_name=f"Participante {tag}-{n:04d}", email=f"p{tag}{n:04d}@bench.invalid",
                    institution="Comisión nacional", institution_type=InstitutionType.NATIONAL_COMMISSION,
                    country=country, sex=Sex.FEMALE if n % 2 else Sex.MALE)
        for n in range(participants)
    )
    Registration.objects.bulk_create(
        Registration(session=session, participant=p, status=RegistrationStatus.CONFIRMED,
                     source=RegistrationSource.ORGANISER, completed=True)
        for p in people
    )
    return session


# 500 single issues run more queries than Django's query log keeps; the count is still right.
warnings.filterwarnings("ignore", message="Limit for query logging exceeded")


def timed(fn):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from corett.audit.models import AuditEntry

    audits = AuditEntry.objects.count()
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        count = fn()
        elapsed = time.perf_counter() - started
    return elapsed, len(queries), AuditEntry.objects.count() - audits, count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="corett-bench-training-") as data_dir:
        setup_django(data_dir)
        from django.db import connection

        from corett.training import certificates
        from corett.training.models import Certificate

        actor, country, programme = seed_world()
        print(f"database: {connection.vendor}; {args.participants} participants per session, {args.rounds} rounds")

        def batch(session):
            return lambda: len(certificates.certificates_issue_batch(actor=actor, session=session, language="es"))

        def singles(session):
            def issue_each() -> int:
                # What 500 "issue" clicks do: each fetches its registration (with the session,
                # as the view's access helper does) and issues one certificate.
                for registration in session.registrations.select_related("session", "session__programme", "participant"):
                    certificates.certificate_issue(actor=actor, registration=registration, language="es")
                return session.registrations.count()
            return issue_each

        results: dict[str, list[tuple[float, int, int, int]]] = {"batch": [], "singles": []}
        for round_number in range(args.rounds):
            pair = [("batch", batch), ("singles", singles)]
            if round_number % 2:
                pair.reverse()  # alternate which goes first
            for name, make in pair:
                session = completed_session(country, programme, args.participants, f"{round_number}{name[0]}")
                results[name].append(timed(make(session)))
                issued = Certificate.objects.filter(registration__session=session).count()
                if issued != args.participants:
                    raise SystemExit(f"{name}: {issued} certificates issued, expected {args.participants}")

        for name, rows in results.items():
            times = [r[0] for r in rows]
            print(f"{name:8s} median {statistics.median(times):7.3f} s  (runs: {', '.join(f'{t:.3f}' for t in times)})"
                  f"  queries {rows[0][1]:5d}  audit entries {rows[0][2]:4d}  certificates {rows[0][3]}")
        ratio = statistics.median(r[0] for r in results["batch"]) / statistics.median(r[0] for r in results["singles"])
        print(f"ratio batch / singles: {ratio:.3f} (target <= 0.5: {'met' if ratio <= 0.5 else 'NOT met'})")


if __name__ == "__main__":
    main()
