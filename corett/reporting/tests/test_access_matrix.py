"""Who reaches each page and endpoint of national reporting: Guatemala's report ("own") and a
Honduran user of every role ("other"). Reports are their country's and the Secretariat's only."""

from __future__ import annotations

import pytest

from corett.accounts.roles import Role
from corett.reporting.models import SubmissionState
from corett.reporting.tests import helpers
from corett.testing import factories
from corett.testing.matrix import NONE, REGIONAL, STAFF, Entry, check_access

FP = frozenset({Role.FOCAL_POINT})
SECRETARIAT = frozenset({Role.SECRETARIAT})
READERS = REGIONAL | FP
REPORT = STAFF | FP


def report(w):
    return {"code": w.data_set.code, "iso2": "GT"}


MATRIX = {
    "reporting:index": Entry(READERS),
    "reporting:dashboard": Entry(READERS),
    "reporting:data_set_create": Entry(STAFF),
    "reporting:data_set_detail": Entry(READERS, kwargs=lambda w: {"code": w.data_set.code}),
    "reporting:data_set_edit": Entry(STAFF, kwargs=lambda w: {"code": w.data_set.code}),
    "reporting:submission_detail": Entry(REPORT, STAFF, kwargs=report),
    "reporting:template": Entry(REPORT, STAFF, kwargs=report),
    "reporting:upload": Entry(FP, NONE, kwargs=report),
    "reporting:entry": Entry(FP, NONE, kwargs=report),
    "reporting:submit": Entry(FP, NONE, method="post", kwargs=report),
    "reporting:return": Entry(SECRETARIAT, method="post", kwargs=report, data=lambda w: {"comment": "Corrija"}),
    "reporting:approve": Entry(SECRETARIAT, method="post", kwargs=report, data=lambda w: {"comment": ""}),
    "reporting:reopen": Entry(SECRETARIAT, method="post", kwargs=report, data=lambda w: {"reason": "Revisión"}),
    "api:reporting-data-set-list": Entry(READERS),
    "api:reporting-data-set-detail": Entry(READERS, kwargs=lambda w: {"pk": w.data_set.pk}),
    "api:reporting-submission-list": Entry(REPORT),
    "api:reporting-submission-detail": Entry(REPORT, STAFF, kwargs=lambda w: {"pk": w.submission.pk}),
    # Guatemala's figures: only Guatemala's focal point may send them (another's is refused).
    "api:reporting-submission-entry": Entry(FP, NONE, method="post", data=lambda w: {
        "data_set": w.data_set.code, "country": "GT", "values": [{"element": "offences.total.total", "value": 3}],
    }),
    # The review over the API: the Secretariat's, on any country's report (the report is
    # submitted: the first reviewer approves, the next ones meet a 409, still an answer).
    "api:reporting-submission-submit": Entry(FP, NONE, method="post", kwargs=lambda w: {"pk": w.submission.pk}),
    "api:reporting-submission-return": Entry(SECRETARIAT, method="post", kwargs=lambda w: {"pk": w.submission.pk},
                                             data=lambda w: {"comment": "Corrija el total"}),
    "api:reporting-submission-approve": Entry(SECRETARIAT, method="post", kwargs=lambda w: {"pk": w.submission.pk},
                                              data=lambda w: {"comment": ""}),
    "api:reporting-submission-reopen": Entry(SECRETARIAT, method="post", kwargs=lambda w: {"pk": w.submission.pk},
                                             data=lambda w: {"reason": "Revisión del total"}),
}


class World:
    def __init__(self) -> None:
        self.data_set = helpers.data_set()
        self.submission = helpers.submission(self.data_set, factories.country("GT"), SubmissionState.SUBMITTED)


@pytest.fixture
def world(db):
    factories.country("HN")
    return World()


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_access(name, world, client, login):
    check_access(name, MATRIX[name], world, client, login)
