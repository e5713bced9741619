"""The JSON writer: json.dumps(indent=2), with a ranking's items one to a line."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from evalengine.report.json import json_text

scalars = st.none() | st.booleans() | st.integers() | st.text(max_size=8)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=12,
)
documents = st.dictionaries(st.text(max_size=6), values, max_size=5)


@given(data=documents, rows=st.lists(st.text(max_size=6), max_size=2))
def test_it_reads_back_as_the_same_document(data, rows):
    assert json.loads(json_text(data, rows=tuple(rows))) == data


@given(data=documents)
def test_without_rows_it_is_json_dumps_indented(data):
    assert json_text(data) == json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def test_each_ranked_item_is_one_line():
    data = {"schema": "x", "groups": [{"group": "Dinas Pendidikan", "value": "70.30"}, {"g": 2}]}
    lines = json_text(data, rows=("groups",)).splitlines()
    assert lines[2:6] == [
        '  "groups": [',
        '    {"group": "Dinas Pendidikan", "value": "70.30"},',
        '    {"g": 2}',
        "  ]",
    ]
