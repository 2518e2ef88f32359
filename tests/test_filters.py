from __future__ import annotations

from datetime import date

import pytest

from ceasefire.read.filters import Filters


def test_params_round_trip_and_description():
    filters = Filters.from_params({"start": "2025-07-01", "end": "2025-08-31", "location": ["Cairo,Doha"], "outcome": "ongoing"})
    assert filters == Filters(start=date(2025, 7, 1), end=date(2025, 8, 31), locations=("Cairo", "Doha"), outcomes=("ongoing",))
    assert Filters.from_params(filters.to_params()) == filters
    assert filters.describe("rounds") == "rounds from 1 Jul 2025 to 31 Aug 2025 at Cairo or Doha with outcome ongoing"
    assert Filters().describe("articles") == "all articles"


def test_sql_is_parameterised():
    where, params = Filters(start=date(2025, 1, 1), locations=("x'; DROP TABLE articles; --",)).records_where("r")
    assert "DROP" not in where and params.count("x'; DROP TABLE articles; --") == 2


@pytest.mark.parametrize(("params", "message"), [
    ({"start": "2025-09-01", "end": "2025-08-01"}, "start date 2025-09-01 is after end date 2025-08-01"),
    ({"start": "soon"}, "start must be a date like 2025-08-12, got 'soon'"),
    ({"outcome": "victory"}, "unknown outcome(s) victory"),
])
def test_invalid_params_are_explained(params, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        Filters.from_params(params)


def test_facet_bits_make_masks_for_places_countries_and_actors():
    from ceasefire.read.rollup import FacetBits

    bits = FacetBits({"Cairo": ("Egypt", 0), "Sharm el-Sheikh": ("Egypt", 3), "Doha": ("Qatar", 1), "Lusail": ("Qatar", None)},
                     {"Hamas": 0, "Qatar": 5})
    assert bits.location_mask(["Cairo"]) == 0b1
    assert bits.location_mask(["Egypt"]) == 0b1001  # every place in the country
    assert bits.location_mask(["Atlantis"]) == 0  # names nothing: selects nothing
    assert bits.location_mask(["Qatar"]) is None  # Lusail has no bit: the filter needs the semi-join
    assert bits.actor_mask(["Hamas", "Qatar"]) == 0b100001
    assert bits.actor_mask(["Nobody"]) is None
    where, params = Filters(locations=("Egypt",), actors=("Hamas",)).articles_where("aa", bits)
    assert where == "(aa.place_bits & ?) <> 0 AND (aa.actor_bits & ?) <> 0" and params == [0b1001, 0b1]
