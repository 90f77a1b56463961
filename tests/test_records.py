"""Result tables as records (burden.results.records): the CSV text, JSON records and rows that
``burden solve`` forms without pandas are those pandas forms from the DataFrames, byte for byte."""

import math
import numpy as np
import pandas as pd
import pytest
import yaml

import burden
from burden.output import json_value
from burden.results.records import Records, csv_text
from burden.results.result import _column_sum, _group_sum

from conftest import SCENARIOS

EXAMPLES = sorted(SCENARIOS.glob("*.yaml")) + sorted((SCENARIOS / "validation").glob("*.yaml"))


def _pandas_records(df: pd.DataFrame) -> list[dict]:
    """The JSON records as Result.to_dict formed them from a DataFrame (before records)."""
    idx = df.index.name or "index"
    out = []
    for k, row in df.iterrows():
        rec = {idx: k}
        rec.update({c: json_value(v) for c, v in row.items()})
        out.append(rec)
    return out


def _same(a, b) -> bool:
    """Equal values of the same Python type (NaN equal to NaN)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return a == b


def _check(t: Records) -> None:
    df = t.frame()
    assert t.to_csv("%.10g") == df.to_csv(float_format="%.10g", lineterminator="\n")
    assert csv_text(t) == csv_text(df)
    ours, theirs = t.json_records(json_value), _pandas_records(df)
    assert ours == theirs
    assert [[type(v) for v in r.values()] for r in ours] == [[type(v) for v in r.values()] for r in theirs]
    for (k1, r1), (k2, r2) in zip(t.items(), df.iterrows(), strict=True):
        assert k1 == k2
        assert list(r1) == list(r2.index)
        for c in r1:  # the same value of the same type (numpy scalars as their Python values)
            v1, v2 = (v.item() if isinstance(v, np.generic) else v for v in (r1[c], r2[c]))
            assert _same(v1, v2), (c, r1[c], r2[c])


def _results():
    out = [(f.name, burden.solve(burden.load_scenario(f))) for f in EXAMPLES]
    d = yaml.safe_load((SCENARIOS / "base.yaml").read_text())  # the plant's correction factors in the LP
    d["charge"]["coke"] = {}
    d["charge"]["pci"] = {"min_kg_per_thm": 100, "max_kg_per_thm": 200}
    d["fuels"] = {"correction": {"coke": "coke", "coke_reference_kg_per_thm": 340, "factors": {
        "slag_kg_per_thm": {"per_unit": 0.16, "reference": 300},
        "pci_kg_per_thm": {"per_unit": -0.85, "reference": 160},
        "blast_temperature_c": {"per_unit": -0.14, "reference": 1150, "value": 1180}}}}
    out.append(("correction factors", burden.solve(burden.Scenario.from_dict(d, base_dir=SCENARIOS))))
    return out


@pytest.fixture(scope="module")
def results():
    return _results()


def test_every_table_of_every_example_is_the_same_as_from_pandas(results):
    n = 0
    for name, res in results:
        if not res.ok:
            assert res.output_tables() == {} and res.tables == {}
            continue
        recs, frames = res.output_tables(), res.tables
        assert list(recs) == list(frames), name
        for k, t in recs.items():
            if isinstance(t, Records):
                _check(t)
                pd.testing.assert_frame_equal(t.frame(), frames[k])
                assert t.frame().attrs == frames[k].attrs
                n += 1
    assert n >= 9 * 7  # the nine tables of each optimal LP result at least


def test_costs_are_the_sums_pandas_forms(results):
    """The cost table's group and column sums: the groupby and Series sums of the earlier code."""
    for name, res in results:
        if not res.ok:
            continue
        b = res.burden
        g = b.groupby("class", sort=False)["cost_per_thm"].sum()
        df = pd.DataFrame({"cost_per_thm": g})
        if res.nonlinear is not None:
            df.loc["technical_oxygen"] = res.nonlinear.nlp.o2_price * res.nonlinear.oxygen_nm3
        if res.output.objective_terms.get("co2"):
            df.loc["carbon_price"] = res.output.objective_terms["co2"]
        df.loc["total"] = df["cost_per_thm"].sum()
        df["share_pct"] = 100.0 * df["cost_per_thm"] / res.objective if res.objective else math.nan
        df.index.name = "class"
        pd.testing.assert_frame_equal(res.costs, df, check_exact=True)


def test_group_and_column_sums_match_pandas_bit_for_bit():
    rng = np.random.default_rng(7)
    for n in (1, 2, 3, 7, 8, 9, 15, 16, 17, 40, 129, 300):
        for scale in (1.0, 1e-9, 1e9):
            v = (rng.standard_normal(n) * scale * 10.0 ** rng.integers(-6, 6, n)).tolist()
            if n > 3:
                v[1] = math.nan
            s = pd.Series(v)
            assert _group_sum(v) == s.groupby(np.zeros(n)).sum().iloc[0]
            assert _column_sum(v) == s.sum()
    for v in ([1.0, math.inf, 2.0], [math.inf, -1.0], [-math.inf, 3.0, 1e300, 1e300]):
        assert _group_sum(v) == pd.Series(v).groupby(np.zeros(len(v))).sum().iloc[0]


def test_records_of_every_column_make_match_pandas():
    """Ints, floats, their mix, None and NaN in number and text columns, bools, infinities, text
    that needs quoting, all-int rows (int64) and all-number rows (float64), a key missing in a row,
    and columns left to pandas (text mixed with numbers)."""
    cases = [
        [{"k": "a", "i": 1, "f": 0.1, "m": 2, "b": True, "s": "x"},
         {"k": "b", "i": 2, "f": math.nan, "m": 2.5, "b": False, "s": None},
         {"k": "c", "i": 3, "f": math.inf, "m": None, "b": True, "s": 'say "hi", then\nleave'}],
        [{"k": "a", "i": 1, "f": 2.0}, {"k": "b", "i": 2**60 + 1, "f": -math.inf}],     # float64 rows
        [{"k": "a", "i": 1, "j": 2}, {"k": "b", "i": 3, "j": 4}],                       # int64 rows
        [{"k": "a", "f": 1.5}, {"k": "b", "f": 2.5, "extra": "late"}],                  # a key missing
        [{"k": "a", "o": "text"}, {"k": "b", "o": 1.5}],                                # left to pandas
        [{"k": "a", "f": np.float64(1e-300), "b": np.bool_(True), "i": np.int64(5)}],
        [{"k": "x,y", "f": 123456789012.0, "g": 1e-12}],
        [{"k": 1, "f": 1.0}, {"k": 2, "f": 2.0}],                                       # an int index
    ]
    for rows in cases:
        _check(Records("k", rows, {"note": 1}))
    assert Records("k", cases[0]).frame().attrs == {}
