"""The training figures' tables are protected as the statistics module protects its tables."""

from corett.training.figures import SECONDARY, SUPPRESSED, Table


def test_a_small_group_cannot_be_worked_out_from_the_total_and_the_other_group():
    table = Table("country", "People trained by country", "Country", [("Guatemala", 12), ("Honduras", 3)], total=15)
    assert table.shown() == [("Guatemala", SECONDARY), ("Honduras", SUPPRESSED)]


def test_groups_that_hide_nothing_are_shown_as_they_are():
    table = Table("sex", "People trained by sex", "Sex", [("Female", 12), ("Male", 9), ("Other", 0)], total=21)
    assert table.shown() == [("Female", 12), ("Male", 9), ("Other", 0)]


def test_overlapping_groups_are_suppressed_cell_by_cell():
    """A person trained on two topics counts under both: the topics do not add up to a total."""
    table = Table("topic", "People trained by topic", "Topic", [("Prevention", 12), ("Victim care", 3)])
    assert table.shown() == [("Prevention", 12), ("Victim care", SUPPRESSED)]
