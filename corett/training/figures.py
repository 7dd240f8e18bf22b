"""The figures of the training effort: who was trained, on what, with what effect.

"Trained" means completed a session (the programme's rules, decided when the session was
completed); a person is counted once per group however many sessions they completed.

Small counts are suppressed wherever figures leave the platform's own records (the dashboard
and its CSV/XLSX): a group of 1 to 4 people is shown as "<5", so that a figure cannot point at
one official of a small municipality. Zero is shown as it is (nobody to identify). Totals are
suppressed by the same rule, and where groups add up to the total (country, sex, type of
institution) a second group is hidden too ("≥5"), so the small one cannot be worked out by
subtraction: the statistics module's disclosure control, applied to these tables.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Avg, Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext_lazy as _

from corett.directory.models import Country, Organisation
from corett.lib.exports import Cell, Exporter
from corett.training.models import (
    FINISHED_STATES,
    InstitutionType,
    Programme,
    Registration,
    RegistrationStatus,
    Session,
    Sex,
    TestAttempt,
    TestKind,
    Topic,
)

SMALL_COUNT_THRESHOLD = 5
SUPPRESSED = "<5"


def suppress(count: int) -> int | str:
    return SUPPRESSED if 0 < count < SMALL_COUNT_THRESHOLD else count


def completed_registrations(start: dt.date | None = None, end: dt.date | None = None) -> QuerySet[Registration]:
    qs = Registration.objects.filter(
        completed=True, status=RegistrationStatus.CONFIRMED, session__state__in=FINISHED_STATES
    )
    if start:
        qs = qs.filter(session__ends_on__gte=start)
    if end:
        qs = qs.filter(session__ends_on__lte=end)
    return qs


@dataclass
class Filters:
    start: dt.date | None = None
    end: dt.date | None = None
    country: Country | None = None  # the participant's
    topic: Topic | None = None
    programme: Programme | None = None

    def sessions(self) -> QuerySet[Session]:
        qs = Session.objects.filter(state__in=FINISHED_STATES)
        if self.start:
            qs = qs.filter(ends_on__gte=self.start)
        if self.end:
            qs = qs.filter(ends_on__lte=self.end)
        if self.topic:
            qs = qs.filter(programme__topic=self.topic)
        if self.programme:
            qs = qs.filter(programme=self.programme)
        return qs

    def registrations(self) -> QuerySet[Registration]:
        qs = completed_registrations(self.start, self.end).filter(session__in=self.sessions())
        if self.country:
            qs = qs.filter(participant__country=self.country)
        return qs


SECONDARY = "≥5"


@dataclass
class Table:
    key: str
    title: Any
    heading: Any
    rows: list[tuple[str, int]] = field(default_factory=list)
    # Where each person falls in exactly one group (country, sex, type of institution), the groups
    # add up to the published total of people: one small group could then be worked out from the
    # total and the others. ``total`` makes the table protected as the statistics module protects
    # its tables (secondary suppression); a table whose groups overlap (topics, years) has none.
    total: int | None = None

    def shown(self) -> list[tuple[str, int | str]]:
        if self.total is None or not self.rows:
            return [(label, suppress(n)) for label, n in self.rows]
        from corett.statistics.disclosure import Cell, Equation, protect

        keys = [f"row-{i}" for i in range(len(self.rows))]
        cells = {k: Cell(n) for k, (_, n) in zip(keys, self.rows, strict=True)}
        cells["total"] = Cell(self.total)
        outcome = protect(cells, [Equation("total", tuple(keys))], threshold=SMALL_COUNT_THRESHOLD)
        return [
            (label, n if not outcome[k].suppressed else (SUPPRESSED if 0 < n < SMALL_COUNT_THRESHOLD else SECONDARY))
            for k, (label, n) in zip(keys, self.rows, strict=True)
        ]


def _people_by(registrations: QuerySet[Registration], path: str) -> list[tuple[Any, int]]:
    rows = registrations.values(path).annotate(n=Count("participant", distinct=True)).order_by(path)
    return [(row[path], row["n"]) for row in rows]


def dashboard(filters: Filters) -> dict[str, Any]:
    registrations = filters.registrations()
    countries = {c.pk: c.name for c in Country.objects.all()}
    topics = {t.pk: t.name for t in Topic.objects.all()}
    institution_types = dict(InstitutionType.choices)
    sexes = dict(Sex.choices)
    by_year = registrations.annotate(year=ExtractYear("session__ends_on"))
    people = registrations.values("participant").distinct().count()
    tables = [
        Table("country", _("People trained by country"), _("Country"),
              [(countries.get(pk, "?"), n) for pk, n in _people_by(registrations, "participant__country")],
              total=people),
        Table("institution_type", _("People trained by type of institution"), _("Type of institution"),
              [(str(institution_types.get(k, k)), n) for k, n in _people_by(registrations, "participant__institution_type")],
              total=people),
        Table("topic", _("People trained by topic"), _("Topic"),
              [(topics.get(pk, "?"), n) for pk, n in _people_by(registrations, "session__programme__topic")]),
        Table("sex", _("People trained by sex"), _("Sex"),
              [(str(sexes.get(k, k)), n) for k, n in _people_by(registrations, "participant__sex")], total=people),
        Table("year", _("People trained by year"), _("Year"),
              [(str(year), n) for year, n in _people_by(by_year, "year")]),
    ]
    sessions = filters.sessions()
    if filters.country:
        sessions = sessions.filter(country=filters.country)
    partners = (
        Organisation.objects.filter(training_programmes__sessions__in=sessions)
        .annotate(n=Count("training_programmes__sessions", distinct=True))
        .order_by("name")
    )
    # Sessions are not people: their counts are shown as they are.
    sessions_per_partner = [(org.name, org.n) for org in partners]  # type: ignore[attr-defined]
    from corett.training.services import committees_reached

    committees = committees_reached(sessions.filter(registrations__in=registrations).distinct())
    gain_rows = knowledge_gain_by_programme(filters)
    return {
        "people": suppress(people),
        "tables": tables,
        "sessions_per_partner": sessions_per_partner,
        "committees_reached": committees.count(),
        "sessions_completed": sessions.count(),
        "knowledge_gain": [(title, {**g, "people": suppress(int(g["people"] or 0))}) for title, g in gain_rows],
    }


def knowledge_gain_by_programme(filters: Filters) -> list[tuple[str, dict[str, Any]]]:
    """Mean pre- and post-test scores of those who took both, per programme, in one query."""
    registrations = Registration.objects.filter(session__in=filters.sessions())
    if filters.country:
        registrations = registrations.filter(participant__country=filters.country)
    pre = TestAttempt.objects.filter(registration=OuterRef("registration"), kind=TestKind.PRE).values("percent")[:1]
    rows = (
        TestAttempt.objects.filter(registration__in=registrations, kind=TestKind.POST)
        .annotate(pre_percent=Subquery(pre))
        .filter(pre_percent__isnull=False)
        .values("registration__session__programme")
        .annotate(people=Count("pk"), pre=Avg("pre_percent"), post=Avg("percent"))
    )
    by_programme = {row["registration__session__programme"]: row for row in rows}
    result = []
    for programme in Programme.objects.filter(pk__in=by_programme).order_by("title_es"):
        row = by_programme[programme.pk]
        people = int(row["people"])
        if people < SMALL_COUNT_THRESHOLD:
            # A mean of a handful of scores says too much about each of them.
            gain: dict[str, Any] = {"people": people, "pre": None, "post": None, "gain": None}
        else:
            pre_mean, post_mean = float(row["pre"]), float(row["post"])
            gain = {"people": people, "pre": round(pre_mean, 1), "post": round(post_mean, 1),
                    "gain": round(post_mean - pre_mean, 1)}
        result.append((programme.title, gain))
    return result


class DashboardExporter(Exporter):
    """One row per figure: the table, the group, the count (small counts suppressed)."""

    name = "training-figures"
    title = _("Training figures")
    columns = [_("Figure"), _("Group"), _("Count")]

    def __init__(self, figures: dict[str, Any]):
        self.figures = figures

    def rows(self) -> Iterator[Sequence[Cell]]:
        yield [str(_("People trained")), str(_("All")), self.figures["people"]]
        for table in self.figures["tables"]:
            for label, shown in table.shown():
                yield [str(table.title), label, shown]
        for name, n in self.figures["sessions_per_partner"]:
            yield [str(_("Sessions per partner")), name, n]
        yield [str(_("Local committees reached")), str(_("All")), self.figures["committees_reached"]]
        for title, gain in self.figures["knowledge_gain"]:
            if gain["gain"] is not None:
                yield [str(_("Knowledge gain (points)")), title, gain["gain"]]
                yield [str(_("People with both tests")), title, gain["people"]]
