"""Who reaches each statistics page and endpoint. The world is one Guatemalan finding ("own") in an
import batch; the figures are public to every role; imports and reviews are the Secretariat's."""

from __future__ import annotations

import pytest

from corett.accounts.roles import Role
from corett.statistics.models import Batch, Finding, Source
from corett.testing import factories
from corett.testing.matrix import ALL, REGIONAL, STAFF, Entry, check_access

FP = frozenset({Role.FOCAL_POINT})
FINDING_READERS = REGIONAL | FP
# The repatriation caseload (counts only): governance, focal points and the case roles; not
# partners, trainers or website editors.
CASELOAD = REGIONAL | FP | {Role.OBSERVER, Role.CASE_WORKER, Role.CASE_SUPERVISOR}

MATRIX = {
    "statistics:index": Entry(ALL),
    "statistics:caseload": Entry(CASELOAD),
    "statistics:caseload_csv": Entry(CASELOAD),
    "statistics:import_upload": Entry(STAFF),
    "statistics:import_detail": Entry(STAFF, kwargs=lambda w: {"pk": w.batch.pk}),
    "statistics:import_progress": Entry(STAFF, kwargs=lambda w: {"pk": w.batch.pk}),
    "statistics:findings": Entry(FINDING_READERS),
    "statistics:finding_detail": Entry(FINDING_READERS, REGIONAL, kwargs=lambda w: {"pk": w.finding.pk}),
    "statistics:finding_review": Entry(STAFF, method="post", kwargs=lambda w: {"pk": w.finding.pk},
                                       data=lambda w: {"status": "noted", "comment": "Seen"}),
    "api:statistics-value-list": Entry(ALL),
    "api:statistics-finding-list": Entry(FINDING_READERS),
    "api:statistics-repatriation-caseload-list": Entry(CASELOAD),
    "api:statistics-finding-detail": Entry(FINDING_READERS, REGIONAL, kwargs=lambda w: {"pk": w.finding.pk}),
}


class World:
    def __init__(self) -> None:
        self.batch = Batch.objects.create(kind=Batch.BatchKind.IMPORT, source=Source.GLOTIP, release="test",
                                          state=Batch.State.DONE)
        self.finding = Finding.objects.create(batch=self.batch, kind=Finding.FindingKind.EQUALS_YEAR,
                                              country_iso3="GTM", year=2020, key="test:gtm", cell="L9",
                                              involved=[{"value": 2020}])


@pytest.fixture
def world(db):
    factories.country("GT")
    factories.country("HN")
    return World()


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_access(name, world, client, login):
    check_access(name, MATRIX[name], world, client, login)
