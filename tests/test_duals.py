"""Shadow prices against finite differences of the optimal cost.

For every binding limit of the example scenarios, the limit is moved in the scenario data
(as a user would edit the file), the scenario is solved again from scratch, and the change
of the optimal cost per unit of the limit is compared with the reported shadow price
(tolerance 1 %, or 1e-6 currency/tHM per unit for shadow prices that are zero).
"""

import copy

import pytest
import yaml

import burden
from conftest import SCENARIOS


def _perturbed(data: dict, name: str, delta: float, production: float) -> dict:
    d = copy.deepcopy(data)
    parts = name.split(".")
    if parts[0] == "slag" or parts[0] == "loads":
        key, end = parts[1], parts[2]
        d[parts[0]][key][end] += delta
    elif parts[0] == "hot_metal":
        d["hot_metal"][parts[1]][parts[2]] += delta
    elif parts[0] == "shares":
        d["shares"][parts[1]][parts[2] + "_pct"] += delta
    elif parts[0] == "fuels":
        d["fuels"]["replacement"]["coke_reference_kg_per_thm"] += delta
    elif parts[0] == "charge":
        entry = d["charge"][parts[1]]
        if parts[2] == "fixed":
            entry["fixed_kg_per_thm"] += delta
        elif f"{parts[2]}_kg_per_thm" in entry:
            entry[f"{parts[2]}_kg_per_thm"] += delta
        else:  # a t/day limit: delta kg/tHM = delta·P/1000 t/day
            entry[f"{parts[2]}_t_per_day"] += delta * production / 1000.0
    else:
        raise KeyError(name)
    return d


@pytest.mark.parametrize("file", ["base.yaml", "high_pellet.yaml"])
def test_shadow_prices_match_finite_differences(file):
    path = SCENARIOS / file
    data = yaml.safe_load(path.read_text())
    res = burden.solve(path).raise_for_status()
    binding = res.binding
    binding = binding[binding["kind"] != "balance"]
    assert len(binding) >= 4
    P = data["production_t_per_day"]
    checked = 0
    for name, row in binding.iterrows():
        theta = row["limit"]
        h = max(abs(theta), 1.0) * 1e-5
        costs = []
        for sign in (+1, -1):
            d = _perturbed(data, name, sign * h, P)
            r = burden.solve(burden.Scenario.from_dict(d, base_dir=SCENARIOS, source=file)).raise_for_status()
            costs.append(r.objective)
        fd = (costs[0] - costs[1]) / (2 * h)
        sp = row["shadow_price_per_unit"]
        assert fd == pytest.approx(sp, rel=0.01, abs=1e-6), f"{file}: {name}: finite difference {fd} vs dual {sp}"
        checked += 1
    assert checked == len(binding)
