"""The order of ranking tables: equal values share a rank, failures come last."""

from decimal import Decimal

from evalengine.bulk.grouped import rank_groups
from evalengine.cli.batch import Item, rank
from evalengine.ranking import competition_rank


class Entry:
    def __init__(self, name, value):
        self.name, self.value, self.rank = name, value, None


def ranked(entries):
    out = competition_rank(entries, lambda e: e.value, lambda e: e.name)
    return [(e.name, e.rank) for e in out]


def test_equal_values_share_a_rank_and_the_next_rank_counts_them_all():
    entries = [Entry("d", Decimal(60)), Entry("b", Decimal(80)), Entry("c", Decimal(80)),
               Entry("a", Decimal(90))]  # fmt: skip
    assert ranked(entries) == [("a", 1), ("b", 2), ("c", 2), ("d", 4)]


def test_items_without_a_value_come_last_by_name_and_unranked():
    entries = [Entry("z", None), Entry("m", Decimal(1)), Entry("b", None)]
    assert ranked(entries) == [("m", 1), ("b", None), ("z", None)]


def test_a_value_written_with_more_places_is_the_same_value():
    entries = [Entry("x", Decimal("70.30")), Entry("y", Decimal("70.3"))]
    assert ranked(entries) == [("x", 1), ("y", 1)]


def test_batch_ranks_documents_by_their_exact_decimal_text():
    items = [Item("b.toml", value="70.3"), Item("a.toml", value="70.30"),
             Item("c.toml", value="9.5"), Item("bad.toml", error="invalid TOML")]  # fmt: skip
    assert [(i.path, i.rank) for i in rank(items)] == [
        ("a.toml", 1), ("b.toml", 1), ("c.toml", 3), ("bad.toml", None)]  # fmt: skip


def test_groups_rank_by_headline_value_then_key():
    class Group:  # what rank_groups reads of a GroupResult
        def __init__(self, key, value):
            self.key, self.value, self.rank = key, value, None

    groups = [Group("Dinas B", Decimal(71)), Group("Dinas A", Decimal(71)),
              Group("Dinas C", None), Group("Dinas D", Decimal(80))]  # fmt: skip
    assert [(g.key, g.rank) for g in rank_groups(groups)] == [
        ("Dinas D", 1), ("Dinas A", 2), ("Dinas B", 2), ("Dinas C", None)]  # fmt: skip
