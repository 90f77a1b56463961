"""default_library() is read once per process and cannot be changed by a caller."""

import copy
import pickle

import pytest

from burden.materials import Material, default_library


def test_default_library_is_read_once_and_shared_immutably():
    a = default_library()
    b = default_library()
    assert a is not b  # a fresh dict each call ...
    assert list(a) == list(b)
    assert all(a[k] is b[k] for k in a)  # ... over the same Material objects: the CSV was read once


def test_mutating_the_returned_dict_does_not_change_the_next_call():
    a = default_library()
    sinter = a["sinter"]
    del a["sinter"]
    a["pellets"] = sinter
    a["my_ore"] = sinter
    b = default_library()
    assert "sinter" in b and "my_ore" not in b
    assert b["pellets"].name == "pellets"


def test_library_materials_are_immutable():
    m = default_library()["sinter"]
    with pytest.raises(AttributeError):  # frozen dataclass
        m.price_per_t = 1.0
    for d in (m.analysis, m.reported):
        with pytest.raises(TypeError, match="read-only"):
            d["SiO2"] = 1.0
        with pytest.raises(TypeError):
            d.update(SiO2=1.0)
        with pytest.raises(TypeError):
            d.pop("SiO2")
    assert default_library()["sinter"].analysis["SiO2"] == m.analysis["SiO2"]
    # changes go through with_changes, which makes a new (equally immutable) material
    m2 = m.with_changes(analysis={**m.analysis, "SiO2": 1.0})
    assert m2.analysis["SiO2"] == 1.0 and m.analysis["SiO2"] != 1.0
    with pytest.raises(TypeError):
        m2.analysis["SiO2"] = 2.0


def test_materials_pickle_and_copy():
    m = default_library()["coke"]
    for m2 in (pickle.loads(pickle.dumps(m)), copy.deepcopy(m), copy.copy(m)):
        assert isinstance(m2, Material) and m2 == m
        with pytest.raises(TypeError):
            m2.analysis["C_fix"] = 0.0
