"""Repatriation in progress: the cases' counts by pair, phase, stage and age, after disclosure
control; the same table for everyone allowed; never a case, a code or a name."""

from __future__ import annotations

import csv
import io
from fractions import Fraction

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from corett.audit.models import AuditEntry
from corett.cases.models import IDENTITY_FIELDS, Case, Stage, new_case_code
from corett.lib.fields import EncryptedField
from corett.statistics import caseload
from corett.statistics.caseload import ALL_PAIRS, TOTAL, Key
from corett.testing.cases import open_case

pytestmark = pytest.mark.django_db

CANARY = "Zzyzx Canario"
CLEAR_COLUMNS = [f.attname for f in Case._meta.concrete_fields
                 if not isinstance(f, EncryptedField) and f.name not in ("id", "uuid", "code", "created_at")]
K = 3


@pytest.fixture(autouse=True)
def _small_k(settings):
    """k = 3 keeps the seeded world small; the rule is the same at the default 10."""
    settings.STATISTICS_K_ANONYMITY = K
    settings.STATISTICS_SUPPRESSION_THRESHOLD = K


@pytest.fixture(autouse=True)
def _english_browser(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def seed(n: int, *, stage: str, destination: str = "GT", origin: str = "HN", child: bool = True,
         name: str | None = None) -> list[Case]:
    """``n`` cases alike, at ``stage``: one opened through the services, the others copies of its
    clear columns (as cases whose identity was erased: statistics count them all the same)."""
    first = open_case(destination=destination, origin=origin, child=child, data={"given_name": name} if name else None)
    Case.objects.filter(pk=first.pk).update(stage=stage)
    row = Case.objects.filter(pk=first.pk).values(*CLEAR_COLUMNS).get()
    return [first, *Case.objects.bulk_create([Case(**row, code=new_case_code()) for _ in range(n - 1)])]


@pytest.fixture
def cases(gt, hn):
    """35 cases: Guatemala → Honduras 22, Guatemala → El Salvador 12, and one Guatemalan adult
    whose case Honduras closed (a pair of one case, the canary's)."""
    made = seed(6, stage=Stage.IDENTIFIED)
    made += seed(4, stage=Stage.PROTECTED)
    made += seed(5, stage=Stage.REQUESTED_TO_ORIGIN, child=False)
    made += seed(4, stage=Stage.FUNDED)
    made += seed(3, stage=Stage.IN_TRANSIT, child=False)
    made += seed(4, stage=Stage.IDENTIFIED, origin="SV", child=False)
    made += seed(5, stage=Stage.RECEIVED, origin="SV")
    made += seed(3, stage=Stage.REINTEGRATION, origin="SV", child=False)
    made += seed(1, stage=Stage.CLOSED, destination="HN", origin="GT", child=False, name=CANARY)
    return made


def test_it_counts_the_cases_by_pair_phase_stage_and_age(cases):
    cells = caseload.table(caseload.case_counts())
    assert cells[Key(ALL_PAIRS, ALL_PAIRS, TOTAL, TOTAL, TOTAL)] == 35
    assert cells[Key("GTM", "HND", TOTAL, TOTAL, TOTAL)] == 22
    assert cells[Key("GTM", "HND", "identification", TOTAL, TOTAL)] == 10
    assert cells[Key("GTM", "HND", "request", TOTAL, TOTAL)] == 5
    assert cells[Key("GTM", "HND", "travel", TOTAL, TOTAL)] == 7
    assert cells[Key("GTM", "SLV", "identification", TOTAL, TOTAL)] == 4
    assert cells[Key("GTM", "SLV", "reintegration", TOTAL, TOTAL)] == 8
    assert cells[Key("HND", "GTM", "closed", TOTAL, TOTAL)] == 1
    assert cells[Key("GTM", "SLV", "closed", TOTAL, TOTAL)] == 0  # zeros are part of the table
    assert cells[Key(ALL_PAIRS, ALL_PAIRS, TOTAL, TOTAL, "child")] == 19
    assert cells[Key(ALL_PAIRS, ALL_PAIRS, TOTAL, TOTAL, "adult")] == 16
    assert cells[Key(ALL_PAIRS, ALL_PAIRS, "identification", TOTAL, "adult")] == 4
    assert cells[Key(ALL_PAIRS, ALL_PAIRS, "identification", "identified", TOTAL)] == 10
    assert cells[Key(ALL_PAIRS, ALL_PAIRS, "travel", "in_transit", TOTAL)] == 3
    # Pairs are those with a case; the stages are not crossed with the age.
    assert {(k.destination, k.origin) for k in cells if k.destination} == {
        ("GTM", "HND"), ("GTM", "SLV"), ("HND", "GTM")}
    assert not any(k.stage != TOTAL and k.age != TOTAL for k in cells)


def test_every_stage_of_the_protocol_belongs_to_exactly_one_phase():
    stages = [stage for phase in caseload.PHASES for stage in phase.stages]
    assert sorted(stages) == sorted(Stage) and len(stages) == len(set(stages))


def _determined(hidden: list[Key], equations) -> set[Key]:
    """Independently of the disclosure module: the hidden cells whose value the published cells
    (whatever they are) and the equations fix (the unit vector lies in the row space of the equations over the hidden
    cells). Gaussian elimination over the rationals."""
    column = {key: i for i, key in enumerate(hidden)}
    rows = []
    for eq in equations:
        row = [Fraction(0)] * len(hidden)
        for term, sign in ((eq.total, 1), *((p, -1) for p in eq.parts)):
            if term in column:
                row[column[term]] += sign
        if any(row):
            rows.append(row)

    def rank(matrix: list[list[Fraction]]) -> int:
        m = [r[:] for r in matrix]
        r = 0
        for c in range(len(hidden)):
            pivot = next((i for i in range(r, len(m)) if m[i][c]), None)
            if pivot is None:
                continue
            m[r], m[pivot] = m[pivot], m[r]
            for i in range(len(m)):
                if i != r and m[i][c]:
                    f = m[i][c] / m[r][c]
                    m[i] = [a - f * b for a, b in zip(m[i], m[r], strict=True)]
            r += 1
        return r

    base = rank(rows)
    found = set()
    for key, i in column.items():
        unit = [Fraction(int(j == i)) for j in range(len(hidden))]
        if rank([*rows, unit]) == base:
            found.add(key)
    return found


def test_small_cells_are_hidden_and_cannot_be_worked_out_from_the_totals(cases):
    counts = caseload.case_counts()
    true = caseload.table(counts)
    pairs, released = caseload.protect(counts, K)
    small = {key for key, n in true.items() if 0 < n < K}
    assert Key("HND", "GTM", TOTAL, TOTAL, TOTAL) in small
    for key in small:
        cell = released[key]
        assert cell.suppressed and cell.value is None
        assert cell.lower_bound <= true[key] <= (cell.upper_bound or 10**9)
        assert cell.upper_bound is None or cell.lower_bound < cell.upper_bound  # a range, not the count
    published = {k: c.value for k, c in released.items() if not c.suppressed}
    assert all(published[k] == true[k] for k in published)  # what is shown is true
    hidden = [k for k, c in released.items() if c.suppressed]
    assert _determined(hidden, caseload.equations(pairs)) == set()
    # The one-case pair is not the total minus the others: another of them is hidden too.
    pair_totals = [released[Key(d, o, TOTAL, TOTAL, TOTAL)] for d, o in pairs]
    assert sum(c.suppressed for c in [*pair_totals, released[Key(ALL_PAIRS, ALL_PAIRS, TOTAL, TOTAL, TOTAL)]]) >= 2


def test_nothing_is_hidden_when_every_count_reaches_k(gt, hn):
    seed(3, stage=Stage.IDENTIFIED)
    seed(3, stage=Stage.IDENTIFIED, child=False)
    released = caseload.released_caseload()
    assert released.total.value == 6 and released.cell(age="child").value == 3
    assert released.cell("GTM", "HND", "identification").value == 6
    assert released.cell("GTM", "HND", "closed").value == 0
    assert not any(c.suppressed for c in released.released())


def test_it_reads_no_sealed_field_and_no_case_code(cases):
    with CaptureQueriesContext(connection) as queries:
        caseload.released_caseload()
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    assert len(queries.captured_queries) == 1
    assert not any(f'"{name}"' in sql for name in IDENTITY_FIELDS)
    assert '"cases_case"."code"' not in sql


READERS = ["presidency_user", "observer_user", "focal_gt", "focal_hn", "caseworker_gt", "caseworker_hn",
           "supervisor_gt", "admin_user"]


def test_the_same_released_table_for_everyone_allowed(cases, request, client_as, secretariat_user):
    url = reverse("api:statistics-repatriation-caseload-list")
    reference = client_as(secretariat_user).get(url).json()["cells"]
    for who in READERS:
        client = client_as(request.getfixturevalue(who))
        response = client.get(url)
        assert (who, response.status_code) == (who, 200)
        assert response.json()["cells"] == reference, who
        assert client.get(reverse("statistics:caseload")).status_code == 200


def test_partners_trainers_and_editors_are_refused(cases, request, client_as):
    for who in ("partner_user", "trainer_gt", "editor_user"):
        client = client_as(request.getfixturevalue(who))
        assert client.get(reverse("statistics:caseload")).status_code == 403, who
        assert client.get(reverse("statistics:caseload_csv")).status_code == 403, who
        assert client.get(reverse("api:statistics-repatriation-caseload-list")).status_code == 403, who
        assert b"/statistics/repatriation/" not in client.get(reverse("statistics:index")).content, who


def test_an_anonymous_visitor_is_sent_to_the_login(cases, client):
    for name in ("statistics:caseload", "statistics:caseload_csv"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client.get(reverse("api:statistics-repatriation-caseload-list")).status_code in (401, 403)


def test_the_page_shows_ranges_and_never_a_case(cases, client_as, observer_user, django_assert_max_num_queries):
    client = client_as(observer_user)
    client.get(reverse("statistics:caseload"))  # the session and the navigation, once
    with django_assert_max_num_queries(9):
        page = client.get(reverse("statistics:caseload"))
    html = page.content.decode()
    assert "Repatriation in progress" in html
    assert "Guatemala → Honduras" in html and "Honduras → Guatemala" in html
    assert "Identification and protection" in html and "Children (and people of unverified age)" in html
    assert "Consular notification" in html  # the exact stage under its phase
    assert "1\N{EN DASH}2" in html  # the one-case pair, as a range
    assert "secondary suppression" in html
    assert CANARY not in html and "Canario" not in html
    assert not any(case.code in html for case in cases)
    # Linked from the statistics index and the navigation.
    index = client.get(reverse("statistics:index")).content.decode()
    assert index.count('href="/statistics/repatriation/"') >= 2


def test_the_page_in_spanish(cases, client_as, focal_gt):
    client = client_as(focal_gt)
    html = client.get(reverse("statistics:caseload"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Repatriación en curso" in html
    assert "Identificación y protección" in html and "Guatemala → Honduras" in html
    assert "Notificación consular" in html


def test_the_api_returns_the_released_cells(cases, client_as, focal_hn):
    response = client_as(focal_hn).get(reverse("api:statistics-repatriation-caseload-list"))
    body = response.json()
    assert body["threshold"] == K
    assert [p["code"] for p in body["phases"]] == list(caseload.PHASE_CODES)
    cells = {(c["destination"], c["origin"], c["phase"], c["stage"], c["age"]): c for c in body["cells"]}
    one = cells[("HND", "GTM", "total", "total", "total")]
    assert one["value"] is None and one["suppressed"] is True and one["lower_bound"] >= 0
    assert cells[(None, None, "identification", "identified", "total")]["value"] == 10
    assert cells[("GTM", "SLV", "closed", "total", "total")]["value"] == 0
    assert len(cells) == len(body["cells"]) == len(caseload.released_caseload().cells)
    text = response.content.decode()
    assert CANARY not in text and not any(case.code in text for case in cases)


def test_the_api_is_in_the_schema(db, client_as, observer_user):
    schema = client_as(observer_user).get(reverse("api-schema"), {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/statistics/repatriation-caseload/"]["get"]
    assert "disclosure" in operation["summary"]


def test_the_csv_holds_the_same_cells_and_is_audited(cases, client_as, secretariat_user):
    response = client_as(secretariat_user).get(reverse("statistics:caseload_csv"))
    assert response["Content-Type"].startswith("text/csv")
    assert "repatriation-caseload" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    released = caseload.released_caseload()
    assert rows[0][:3] == ["Destination (ISO alpha-3)", "Origin (ISO alpha-3)", "Phase"]
    assert len(rows) == 1 + len(released.cells)
    by_key = {tuple(r[:5]): r for r in rows[1:]}
    one = by_key[("HND", "GTM", "total", "total", "total")]
    assert one[5] == "" and one[6] == "Yes"
    assert by_key[("all", "all", "identification", "identified", "total")][5] == "10"
    assert CANARY not in response.content.decode()
    entry = AuditEntry.objects.filter(action="statistics.export_caseload").get()
    assert entry.extra == {"format": "csv", "rows": len(released.cells)}


def test_the_csv_headings_in_spanish(cases, client_as, focal_gt):
    with translation.override("es"):
        response = client_as(focal_gt).get(reverse("statistics:caseload_csv"), HTTP_ACCEPT_LANGUAGE="es")
    heading = response.content.decode("utf-8-sig").splitlines()[0]
    assert heading.startswith("Destino (ISO alfa-3)")
