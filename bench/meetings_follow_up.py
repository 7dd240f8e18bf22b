"""Meetings at a size far beyond the coalition's (three plenaries a year for decades): the pages a
Secretariat user and a focal point load most, against a bare read of the same rows.

Seeds, in a fresh database in a temporary data dir, nine member countries and ``--meetings``
plenaries, each with eight agreements (a lead country, two supporting countries, due dates spread
so that some are overdue) and, for the earlier half, accepted follow-up updates. Then, alternating
over ``--rounds`` in the same process (Django test client, signed in):

- bare: the agreements with their actors read into Python (two queries);
- agreement list, follow-up dashboard, "what my country owes", the latest plenary's page (with
  its follow-up item over every open agreement), the iCalendar feed.

Prints the medians, each page's ratio to bare, and the query count of each page at two sizes (the
second seed adds as many meetings again): a count that grows with the data is an N+1.

    .venv/bin/python bench/meetings_follow_up.py [--meetings 150] [--rounds 7]

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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COUNTRIES = [("BZ", "BLZ"), ("CR", "CRI"), ("SV", "SLV"), ("GT", "GTM"), ("HN", "HND"), ("MX", "MEX"),
             ("NI", "NIC"), ("PA", "PAN"), ("DO", "DOM")]


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


def people():
    from corett.accounts.models import RoleAssignment, User
    from corett.directory.models import Country, Membership, Organisation, OrganisationKind

    countries = [Country.objects.create(iso2=a, iso3=b, name_es=a, name_en=a, official_language="es",
                                        membership=Membership.MEMBER) for a, b in COUNTRIES]
    office = Organisation.objects.create(name="ST", kind=OrganisationKind.COALITION_OFFICE)
    staff = User.objects.create(username="bench-st", organisation=office)
    RoleAssignment.objects.create(user=staff, role="secretariat")
    commission = Organisation.objects.create(name="Comisión GT", kind=OrganisationKind.NATIONAL_COMMISSION,
                                             country=countries[3])
    focal = User.objects.create(username="bench-focal-gt", organisation=commission)
    RoleAssignment.objects.create(user=focal, role="focal_point")
    return countries, staff, focal


def seed(n_meetings: int, countries, staff, focal, first_year: int) -> None:
    """Rows written directly (the services' checks are not what is measured here)."""
    from corett.meetings.models import (
        ActorKind,
        Agreement,
        FollowUpUpdate,
        Meeting,
        ResponsibleActor,
        UpdateState,
    )

    for n in range(n_meetings):
        year, number = first_year + n // 3, n % 3 + 1
        start = dt.date(year, 3 + number * 3, 10)
        meeting = Meeting(kind="ordinary", year=year, number=number, title_es=f"Plenaria {n}", title_en=f"Plenary {n}",
                          modality="virtual", starts_on=start, ends_on=start, state="closed", is_public=True)
        meeting.code = meeting.make_code()
        meeting.save()
        for i, letter in enumerate("ABCDEFGH"):
            agreement = Agreement.objects.create(
                meeting=meeting, letter=letter, code=f"{meeting.code}/{letter}", title_es=f"Acuerdo {letter}",
                title_en=f"Agreement {letter}", text_es="Texto.", text_en="Text.", adoption_state="adopted",
                implementation_state=("pending", "in_progress", "overdue", "fulfilled")[i % 4])
            for j, country in enumerate((countries[(n + i) % 9], countries[(n + i + 1) % 9], countries[3])):
                actor, _ = ResponsibleActor.objects.get_or_create(
                    agreement=agreement, kind=ActorKind.COUNTRY, country=country,
                    defaults={"role": "lead" if j == 0 else "support", "due_on": start + dt.timedelta(days=365)})
            if n < n_meetings // 2:
                FollowUpUpdate.objects.create(agreement=agreement, actor=actor, narrative="Avance.", percent_done=50,
                                              state=UpdateState.ACCEPTED, author=focal, reviewed_by=staff,
                                              reviewed_at=dt.datetime(year + 1, 1, 1, tzinfo=dt.UTC))


def median_ms(fn, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def pages(staff, focal) -> dict:
    from django.core import signing
    from django.test import Client

    from corett.meetings.exports import CALENDAR_SALT
    from corett.meetings.models import Meeting

    st, fp = Client(), Client()
    st.force_login(staff)
    fp.force_login(focal)
    latest = Meeting.objects.order_by("-starts_on").first()
    assert latest is not None
    token = signing.dumps(staff.pk, salt=CALENDAR_SALT)
    return {
        "agreement list": (st, "/meetings/agreements/"),
        "dashboard": (st, "/meetings/dashboard/"),
        "my country": (fp, "/meetings/my-country/"),
        "latest plenary": (st, f"/meetings/{latest.pk}/"),
        "calendar": (st, f"/meetings/calendar/{token}.ics"),
    }


def queries(targets: dict) -> dict[str, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = {}
    for name, (client, url) in targets.items():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200, url
        counts[name] = len(captured)
    return counts


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--meetings", type=int, default=150)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data_dir:
        setup_django(data_dir)
        from django.db.models import Prefetch

        from corett.meetings.models import Agreement, ResponsibleActor

        countries, staff, focal = people()
        seed(args.meetings, countries, staff, focal, first_year=2000)
        targets = pages(staff, focal)
        small = queries(targets)
        seed(args.meetings, countries, staff, focal, first_year=2000 + args.meetings // 3 + 1)
        targets = pages(staff, focal)
        large = queries(targets)

        def bare() -> None:
            list(Agreement.objects.select_related("meeting").prefetch_related(
                Prefetch("actors", queryset=ResponsibleActor.objects.select_related("country"))))

        print(f"{2 * args.meetings} meetings, {16 * args.meetings} agreements, {48 * args.meetings} actors")
        base = median_ms(bare, args.rounds)
        print(f"{'bare':>16}: {base:9.1f} ms")
        for name, (client, url) in targets.items():
            ms = median_ms(lambda c=client, u=url: c.get(u), args.rounds)
            print(f"{name:>16}: {ms:9.1f} ms  ratio {ms / base:5.2f}  queries {small[name]} -> {large[name]}")
        grew = [name for name in targets if large[name] > small[name]]
        if grew:
            raise SystemExit(f"query counts grew with the data: {grew}")


if __name__ == "__main__":
    main()
