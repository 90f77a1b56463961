"""A built burden problem: the formulation of a scenario and its live backend.

:func:`build` formulates a scenario from its components (burden, fuels, process) and
returns a :class:`Problem`.  The problem keeps one persistent backend: changes made
through its methods (:meth:`Problem.set_prices`, :meth:`Problem.set_bounds`,
:meth:`Problem.set_limit`, :meth:`Problem.set_analysis`, :meth:`Problem.update`) go
to the live solver as in-place changes of costs, column bounds, row bounds and
coefficients, and the next solve starts from the previous basis.  A plant hook's
Pyomo model (:attr:`Problem.model`) is compiled into the same formulation (hook
variables become columns with their domain, binaries included; hook constraints
become rows of kind ``hook``); a change to that model after a solve is detected and
the backend rebuilt, never answered from the stale solver.
"""

from __future__ import annotations

import functools
from pathlib import Path
import math
from typing import TYPE_CHECKING, Callable, Iterable, Mapping

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

from ..chemistry.analysis import CANONICAL, AnalysisError, direct_total, normalise_analysis
from ..materials import ALL_ANALYSIS_COLUMNS
from pydantic import ValidationError

from ..errors import InputError, InputProblem
from ..scenario import ENDS_CHECKED, _translate
from .components import burden as burden_c
from .components import emissions as emissions_c
from .components import fuels as fuels_c
from .components import process as process_c
from .formulation import Formulation, row_coefficients
from .rows import LIMITS_BY_KEY
from .space import LinExpr

Hook = Callable[[object, object], None]
_CANONICAL = frozenset(CANONICAL)
_TABLE_COLUMNS = frozenset(ALL_ANALYSIS_COLUMNS)
_SPECIES_INDEX = {s: i for i, s in enumerate(CANONICAL)}


class Problem:
    """A formulated burden problem.

    Parameters / attributes
    -----------------------
    scenario : Scenario
        The scenario as changed so far (persistent changes are recorded and the
        scenario object is formed when it is read).
    formulation : Formulation
        Columns, rows and objective terms.
    quantities : QuantityTable
        Name -> :class:`~burden.core.components.burden.Affine` (kg/tHM) of hot metal,
        slag, loads, gas and dust over the material block (a mapping backed by one matrix).
    hooks : tuple of callables
        Plant hooks, called as ``hook(model, scenario)`` on the Pyomo model.
    """

    def __init__(self, scenario, formulation: Formulation, quantities, hooks: tuple = ()):
        self._scn = scenario
        self._mat_changes: dict = {}     # material -> {field: value}, applied when .scenario is read
        self._limit_changes: dict = {}   # row name -> θ, likewise
        self.formulation = formulation
        self.quantities = quantities
        self.hooks = tuple(hooks)
        self._backend = None
        self._pyomo = None
        self._hook_signature = None
        self._shared = False  # a snapshot shares the arrays: copy them before the next change
        self._w: dict = {}    # material -> current analysis as kg/kg per species (after changes)

    def _mat_index(self) -> dict:
        """Material -> position in block x (kept; the material set never changes in place)."""
        d = self.__dict__.get("_mat_pos")
        if d is None or d[0] is not self.formulation.space.blocks.get("x"):
            x = self.x_block
            d = self._mat_pos = (x, {k: i for i, k in enumerate(x.labels)})
        return d[1]

    def _thaw(self) -> None:
        """Give this problem its own arrays before a change in place, if a snapshot (a Result)
        shares them.  Changes are then made in place, so a run of re-solves copies nothing."""
        if not self._shared:
            return
        import copy

        f = self.formulation
        sp = copy.copy(f.space)
        sp.lower, sp.upper, sp.soft = sp.lower.copy(), sp.upper.copy(), sp.soft.copy()
        f.space = sp
        f.blocks = [b.copy() for b in f.blocks]
        f.single = list(f.single)
        f.objective = dict(f.objective)
        f._changed()
        self.quantities = self.quantities.copy()
        self._mat_changes = {k: dict(v) for k, v in self._mat_changes.items()}
        self._limit_changes = dict(self._limit_changes)
        self._w = dict(self._w)
        self._shared = False

    @property
    def scenario(self):
        """The scenario with every persistent change applied (formed on first read)."""
        if self._mat_changes or self._limit_changes:
            self._scn = _apply_changes(self._scn, self._mat_changes, self._limit_changes)
            self._mat_changes, self._limit_changes = {}, {}
        return self._scn

    @scenario.setter
    def scenario(self, scn) -> None:
        self._scn = scn
        self._mat_changes, self._limit_changes, self._w = {}, {}, {}

    def _change_material(self, name: str, **changes) -> None:
        self._mat_changes.setdefault(name, {}).update(changes)

    # -- views of the formulation -------------------------------------------------
    @property
    def materials(self) -> list[str]:
        """Material names, in column order of block ``x``."""
        return list(self.formulation.space["x"].labels)

    @property
    def x_block(self):
        return self.formulation.space["x"]

    @property
    def rows(self) -> list:
        """Rows of the burden, fuel and process components (hook rows excluded)."""
        return [r for r in self.formulation.rows if r.kind != "hook"]

    def row(self, name: str):
        return self.formulation.row(name)

    @property
    def lower(self) -> np.ndarray:
        """Lower bounds of the material rates, dry kg/tHM, shape (n_materials,)."""
        b = self.x_block
        return self.formulation.space.lower[b.start:b.stop]

    @property
    def upper(self) -> np.ndarray:
        b = self.x_block
        return self.formulation.space.upper[b.start:b.stop]

    @property
    def bound_kind(self) -> list[str]:
        """``fixed``, ``availability`` or ``free`` per material."""
        return [burden_c.bound_kind(lo, hi) for lo, hi in zip(self.lower, self.upper)]

    @property
    def cost(self) -> np.ndarray:
        """Objective coefficients of the materials, currency per dry kg."""
        return self.formulation.objective["cost"].dense(self.formulation.space.n)[self.x_block.start:self.x_block.stop]

    @property
    def coefficients(self) -> pd.DataFrame:
        """The coefficient table: one row per quantity, one column per material
        (kg of quantity per kg of material) plus ``constant`` (kg/tHM)."""
        import pandas as pd  # here, not at the top: `burden solve` does not import pandas

        data = {k: list(v.coef) + [v.const] for k, v in self.quantities.items()}
        return pd.DataFrame.from_dict(data, orient="index", columns=self.materials + ["constant"])

    # -- plant hooks: the Pyomo view --------------------------------------------------
    @property
    def model(self):
        """The Pyomo model of the formulation (``model.x[material]``, ``model.q[quantity]``,
        ``model.rows[name]``, ``model.cost``), built on first use.  Constraints and variables
        added to it (binaries included) are compiled into the formulation at the next solve."""
        if self._pyomo is None:
            from ..backends.pyomo import to_pyomo

            self._pyomo = to_pyomo(self)
        return self._pyomo

    @model.setter
    def model(self, m) -> None:
        self._pyomo = m

    def _sync_hooks(self) -> bool:
        """Compile the Pyomo model's additions into the formulation; True if they changed."""
        if self._pyomo is None:
            return False
        from ..backends.pyomo import compile_additions

        add = compile_additions(self, self._pyomo)
        if add.signature == self._hook_signature:
            return False
        add.apply(self)
        self._hook_signature = add.signature
        return True

    # -- backend ------------------------------------------------------------------------
    def backend(self, *, time_limit_s: float | None = None, ranging: bool = False):
        """The live HiGHS backend (built on first use; rebuilt after a structural change).

        ``backend().solve()`` returns a :class:`~burden.results.solution.Solution` (status,
        primal, duals, reduced costs).  ``ranging=True`` adds the cost ranging of every column
        (about a fifth of a warm re-solve's time): :func:`burden.solve` asks for it because
        the Result's burden table shows each material's price range; sweeps of many re-solves
        usually do without.
        """
        changed = self._sync_hooks()
        be = self._backend
        if be is None or changed or be.time_limit_s != time_limit_s:
            from ..backends.highs import HighsBackend

            f = self.formulation
            be = HighsBackend(f.compile(), f.space.layout(), time_limit_s=time_limit_s, ranging=ranging)
            be.row_magnitude = self._row_magnitude
            be.source = lambda: self.formulation.compile()
            self._backend = be
        be.ranging = ranging
        return be

    def _row_magnitude(self, name: str, z) -> float | None:
        f = self.formulation
        if not f.has_row(name):
            return None
        r = f.row(name)
        return None if r.kind == "hook" else r.magnitude(z)

    @property
    def _solver_state(self) -> dict:
        """The live solver (``{"highs": highspy.Highs}``), for tests and diagnostics."""
        be = self._backend
        return {} if be is None else {"highs": be.highs, "compiled": be.comp, "backend": be}

    def rebuild(self) -> None:
        """Drop the live solver; the next solve builds it again from the formulation."""
        self._backend = None

    def export_model(self, path) -> None:
        """Write the LP/MILP as MPS (``.mps``) or CPLEX LP (``.lp``), by the file extension.

        The file is written all or nothing (a temporary file renamed into place).  Rows keep
        their names (``slag.B2.max``), columns are ``block.label`` (``x.pellets``,
        ``hook.use_lump``); integer and binary columns keep their integrality.  For a
        scenario with a ``process:`` section only the linear core is written (the process
        rows are nonlinear; the file's optimum is then that of the LP warm start).

        Raises
        ------
        InputError
            Another extension, or the folder does not exist.
        """
        from ..output import write_model_file

        be = self.backend()
        if self.scenario.config.process is None:
            write_model_file(path, be.write_model)
            return
        note = (f"burden: the linear core of the nonlinear scenario {self.scenario.name!r}: its process rows "
                "(carbon and heat balances, W point, RAFT, top gas) and blast columns are not linear and are "
                "not in this file; its optimum is the LP warm start, not the burden's")

        def write(tmp):   # the file says what it holds: a comment line first (LP: '\', MPS: '*')
            be.write_model(tmp)
            mark = "\\ " if str(tmp).lower().endswith(".lp") else "* "
            text = Path(tmp).read_text()
            Path(tmp).write_text(mark + note + "\n" + text)

        write_model_file(path, write)

    # -- persistent changes -------------------------------------------------------------
    # Each setter checks every entry first and changes nothing when one is wrong (all
    # problems are reported at once, like a scenario file's); then the formulation, the
    # live solver and the recorded scenario change together.

    def _mode(self, what: str) -> str:
        """How a change reaches the model: ``"persistent"`` (in place, the live solver keeps
        going) or ``"hooks"`` (the scenario changes and the model is formed again with its
        hooks, as a fresh build would be: hooks are code and must run on the new data).

        Raises RebuildRequired for a Pyomo model edited by hand (no hooks to repeat the
        edits) and for a problem whose hook rows came without their hooks (unpickled) when
        the change would need them again."""
        if self._pyomo is None:
            if what in ("an analysis change", "update") and not self.hooks and self.formulation.has_hook_rows:
                from ..backends.base import RebuildRequired

                raise RebuildRequired(f"{what} would change the plant hook rows, and the hooks that made them are "
                                      "not here (a pickled problem drops them): build the problem again with its "
                                      "hooks")
            return "persistent"
        if self.hooks:
            return "hooks"
        from ..backends.pyomo import compile_additions

        if not compile_additions(self, self._pyomo).has_edits(self):
            # only looked at: forget the view, it is formed again on the next read
            self._pyomo = self._hook_signature = None
            return "persistent"
        from ..backends.base import RebuildRequired

        raise RebuildRequired(f"the Pyomo model was changed by hand; {what} cannot be carried into it: build "
                              "the problem again and repeat the edits (or pass them as hooks)")

    def set_prices(self, prices: Mapping[str, float]) -> None:
        """Change material prices (currency per t on each material's own price basis) in place.

        The next solve re-uses the persistent solver and only changes the objective.

        Raises
        ------
        InputError
            A name that is not charged, or a price that is not a finite number >= 0.
        """
        prices = _entries(prices, "prices")
        problems = self._unknown(prices, "prices")
        vals = {}
        for name, p in prices.items():
            v = _number(p)
            if v is None or v < 0:
                problems.append(InputProblem("<python>", f"prices.{name}",
                                             f"{p!r} is not a price; give a finite number >= 0 (per t)"))
            vals[name] = v
        if problems:
            raise InputError(problems)
        if self._mode("a price change") == "hooks":
            for name, p in vals.items():
                self._change_material(name, price_per_t=p)
            return self._renew_pyomo()
        self._thaw()
        x = self.x_block
        cols, cost = [], []
        for name, p in vals.items():
            m = self._scn.materials[name]
            basis = self._mat_changes.get(name, {}).get("price_basis", m.price_basis)
            cols.append(x.col(name))
            cost.append(p * (m.wet_per_dry if basis == "wet" else 1.0) / 1000.0)
            self._change_material(name, price_per_t=p)
        cols = np.array(cols, dtype=np.int64)
        cost = np.array(cost)
        f = self.formulation
        dense = f.objective["cost"].dense(f.space.n)
        dense[cols] = cost
        f.set_objective("cost", LinExpr.from_dense(x.cols, dense[x.start:x.stop]))
        if self._backend is not None:
            self._backend.update_costs(cols, cost)

    def set_bounds(self, bounds: Mapping[str, tuple]) -> None:
        """Change material availability: name -> (min, max) dry kg/tHM (None = open end).

        Raises
        ------
        InputError
            A name that is not charged, a value that is not a pair, min > max, a negative
            or non-finite min, a NaN max.
        """
        bounds = _entries(bounds, "bounds")
        problems = self._unknown(bounds, "bounds")
        vals = {}
        for name, pair in bounds.items():
            where = f"bounds.{name}"
            if isinstance(pair, Mapping) and set(pair) <= {"min", "max"}:
                pair = (pair.get("min"), pair.get("max"))
            if isinstance(pair, (str, bytes, Mapping)) or not hasattr(pair, "__len__") or len(pair) != 2:
                problems.append(InputProblem("<python>", where, f"{pair!r} is not a pair (min, max); "
                                             "give two numbers in dry kg/tHM, None for an open end"))
                continue
            a = 0.0 if pair[0] is None else _number(pair[0])
            b = math.inf if pair[1] is None else _number(pair[1], allow_inf=True)
            if a is None or b is None or a < 0 or a > b:
                problems.append(InputProblem("<python>", where, f"{pair!r} is not a window of rates: give "
                                             "0 <= min <= max in dry kg/tHM (None for an open end)"))
                continue
            vals[name] = (a, b)
        if problems:
            raise InputError(problems)
        if self._mode("a bound change") == "hooks":
            for name, (a, b) in vals.items():
                self._change_material(name, min_kg_per_thm=a, max_kg_per_thm=None if math.isinf(b) else b,
                                      min_t_per_day=None, max_t_per_day=None)
            return self._renew_pyomo()
        self._thaw()
        x = self.x_block
        sp = self.formulation.space
        cols, lo, hi = [], [], []
        for name, (a, b) in vals.items():
            self._change_material(name, min_kg_per_thm=a, max_kg_per_thm=None if math.isinf(b) else b,
                                  min_t_per_day=None, max_t_per_day=None)
            j = x.col(name)
            cols.append(j)
            lo.append(a)
            hi.append(b)
            sp.lower[j], sp.upper[j] = a, b
            sp.soft[j] = a > 0 or math.isfinite(b)
        if self._backend is not None:
            self._backend.update_col_bounds(np.array(cols), np.array(lo), np.array(hi))
            self._backend._comp.col_soft = sp.soft.copy()

    def set_limit(self, name: str, value: float) -> None:
        """Change an operating limit θ (e.g. ``slag.B2.max``, ``shares.lump_in_ferrous.max``) in place.

        A ratio limit ``num − θ·den`` changes its coefficients; the live solver takes
        them with ``changeCoeff`` (no rebuild).  The scenario is changed to match.

        Raises
        ------
        InputError
            An unknown row or one that is not an operating limit (balances, fuel rules, hook
            rows; material bounds go through :meth:`set_bounds`), a value that is not a
            finite number, outside the limit's range (wt % in 0-100, rates and loads >= 0,
            basicities > 0), or beyond the other end of its window.
        """
        f = self.formulation
        v = _number(value)
        k, i, pos, r, side, o_name, o_i = self._limit_info(name)
        o_theta = None
        if o_name is not None:
            o_theta = float(f.blocks[k].theta[o_i]) if o_i is not None else f.row_meta(o_name)[1]
        where = f"limits.{name}"
        why = _limit_problem(r, v, side, o_name, o_theta)
        if why:
            raise InputError([InputProblem("<python>", where, f"{value!r}: {why}")])
        _check_in_scenario(self._scn.config, name, v, side, o_theta)   # the scenario file's own rules
        if self._mode("a limit change") == "hooks":
            self._limit_changes[name] = v
            return self._renew_pyomo()
        self._thaw()
        if k >= 0:
            b = f.blocks[k]
            b.set_theta(i, v)
            f.rows_changed()
            be = self._backend
            if be is not None:
                # num − θ·den: only the coefficients where den has a term change
                cols, vals, lo, hi = b.theta_update(i)
                be.change_coeffs(pos, cols, vals)
                be.update_row_bounds(pos, lo, hi)
        else:
            from dataclasses import replace

            new_row = replace(f.row(name), theta=v)
            pos = f.replace_row(new_row)
            if self._backend is not None:
                idx, val, lo, hi = row_coefficients(new_row)
                self._backend.update_row(pos, idx, val, lo, hi)
        self._limit_changes[name] = v

    def _limit_info(self, name: str) -> tuple:
        """(block, row in block, position, meta, side, other end's name, its row in the block) of
        an operating-limit row, kept while the formulation's rows stay the same; InputError for
        a row that is not one."""
        f = self.formulation
        names = f.row_names
        cache = self.__dict__.setdefault("_limits", {})
        hit = cache.get(name)
        if hit is not None and hit[0] is names:
            return hit[1]
        where = f"limits.{name}"
        if name.startswith("charge."):
            raise InputError([InputProblem("<python>", where, "material bounds change with set_bounds({material: "
                                           "(min, max)})")])
        pos = f.index.get(name)
        if pos is None:
            raise InputError([InputProblem("<python>", where, "no such row; the rows are Result.constraints' "
                                           "names of kind 'limit'")])
        k, i = f.locate(name)
        r = f.blocks[k].meta[i] if k >= 0 else f.single[i]
        spec, side = _limit_of(name)
        if r.kind != "limit" or (spec is None and r.group not in ("shares", "mixes", "emissions")):
            raise InputError([InputProblem("<python>", where, f"is a {r.kind} row, not an operating limit; "
                                           "change the scenario (or the hook) and build again")])
        other = {"min": "max", "max": "min"}.get(side)
        o_name = name[: -len(side)] + other if other else None
        if o_name is not None and o_name not in f.index:
            o_name = None
        o_i = None
        if o_name is not None:
            ok, o_i = f.locate(o_name)
            if ok != k:
                o_i = None
        info = (k, i, pos, r, side, o_name, o_i)
        if len(cache) > 1000:
            cache.clear()
        cache[name] = (names, info)
        return info

    def set_analysis(self, material: str, analysis: Mapping[str, float]) -> None:
        """Change a material's analysis in place: ``{column: wt % of the dry material}``, with the
        columns of a material table (``TFe``, ``FeO``, ``SiO2``, ``MnO``, ``P``, ...; see
        ``burden materials --columns``).  The columns given replace those of the material's
        reported analysis, and the whole analysis is checked as on loading a table (forms that
        disagree, TFe against its iron forms, totals); 0 removes a column.

        Only the material's column changes: every quantity is linear in the analysis, so its
        column of every row is formed anew and passed with ``changeCoeff``.

        Raises
        ------
        InputError
            Not a charged material, an unknown column, or an analysis the checks refuse.
        """
        analysis = _entries(analysis, "analysis")
        problems = [] if material in self._scn.materials else self._unknown((material,), "analysis")
        changes = {}
        for col, v in analysis.items():
            x = _number(v)
            if col not in _TABLE_COLUMNS:
                problems.append(InputProblem("<python>", f"analysis.{material}.{col}",
                                             "not a material-table analysis column (see burden materials --columns)"))
            elif x is None:
                problems.append(InputProblem("<python>", f"analysis.{material}.{col}", f"{v!r} is not a number (wt %)"))
            changes[col] = x
        if problems:
            raise InputError(problems)
        ch = self._mat_changes.get(material, {})
        m0 = self._scn.materials[material]
        total = ch.get("total_pct", m0.total_pct)
        reported = ch.get("reported", m0.reported)
        raw = {**reported, **changes}
        if 0 in changes.values():
            raw = {c: x for c, x in raw.items() if x != 0}
        mode = self._mode("an analysis change")
        try:
            # one-to-one columns (SiO2, CaO, MgO, ...): each is its species; only they and the
            # total change, and the total is checked as on loading a table; otherwise the
            # whole analysis is normalised and checked again
            new_total = None if mode == "hooks" else direct_total(total, reported, changes, name=material)
            direct = new_total is not None
            if not direct:
                norm = normalise_analysis(raw, name=material)
                new_an, new_total = norm.species, norm.total_pct
            else:
                new_an = {**ch.get("analysis", m0.analysis), **changes}
        except AnalysisError as e:
            msg = str(e)
            msg = msg[len(material) + 2:] if msg.startswith(material + ": ") else msg
            raise InputError([InputProblem("<python>", f"analysis.{material}.{e.field}", msg)]) from None
        self._thaw()
        self._change_material(material, analysis=new_an, reported=raw, total_pct=new_total)
        if mode == "hooks":
            # the Pyomo quantities q[...] carry the old analysis: hooks run again on a new model
            return self._renew_pyomo()
        w = self._w.get(material)
        if w is not None and direct:
            w = w.copy()
            for col, v in changes.items():
                w[_SPECIES_INDEX[col]] = v / 100.0
        else:
            w = burden_c.species_vector(new_an)
        self._w[material] = w
        self._set_column(self._mat_index()[material], w)

    def _set_column(self, j: int, w: np.ndarray) -> None:
        """Material ``j`` has analysis ``w`` (kg/kg per species): its column of every row block
        anew, in place (the caller has thawed shared arrays)."""
        f = self.formulation
        qt = self.quantities
        qt.set_material(j, w)
        be = self._backend
        jg = self.x_block.start + j
        pos = 0
        for b in f.blocks:
            if b.recipe is not None and b.cols.size > j and b.cols[j] == jg:
                n_col, d_col, new = b.analysis_column(qt, j, w)
                if be is not None:
                    d = (b.body_column(j) != new).nonzero()[0]
                    if d.size:
                        be.change_coeffs((d + pos if pos else d).tolist(), jg, new[d].tolist())
                b.set_column(j, n_col, d_col, new)
            pos += len(b)
        f.rows_changed()

    def update(self, scenario) -> None:
        """Bring the problem to another scenario of the same structure (same materials,
        rows and blocks): the formulation is made anew and only what changed is passed
        to the live solver.

        Raises
        ------
        burden.backends.base.RebuildRequired
            The new scenario adds or removes materials, rows or blocks.
        """
        from ..backends.base import RebuildRequired
        from ..scenario import Scenario

        if not isinstance(scenario, Scenario):
            raise InputError([InputProblem("<python>", "update", f"give a Scenario (burden.load_scenario(path)), "
                                           f"not {type(scenario).__name__}")])
        new = _formulate(scenario)
        f_old = self.formulation
        hook_names = {r.name for r in f_old.single if r.kind == "hook"}
        if new[0].row_names != [n for n in f_old.row_names if n not in hook_names] or \
                new[0].space.layout() != {k: v for k, v in f_old.space.layout().items() if k != "hook"}:
            raise RebuildRequired("the new scenario changes the materials, rows or blocks; build it anew")
        mode = self._mode("update")
        be = self._backend
        if be is not None:
            _ = be.comp  # the matrix the live solver holds, formed from the present formulation
        self.scenario = scenario
        if mode == "hooks":
            return self._renew_pyomo()
        self.formulation, self.quantities = new
        self._shared = False
        if be is not None:
            be.sync(self.formulation.compile())

    # -- helpers ------------------------------------------------------------------
    def _unknown(self, names, what) -> list:
        mats = self._scn.materials
        return [InputProblem("<python>", f"{what}.{k}", f"not a charged material (charged: {', '.join(mats)})")
                for k in names if k not in mats]

    def _renew_pyomo(self) -> None:
        """Form the model again from the (changed) scenario and run the hooks on it."""
        self.formulation, self.quantities = _formulate(self.scenario)
        self._shared = False
        self._w = {}
        self._pyomo = self._hook_signature = self._backend = None
        m = self.model
        for h in self.hooks:
            h(m, self.scenario)

    def snapshot(self) -> "Problem":
        """A copy that later changes of this problem do not touch (what a Result holds).

        Cheap: formulations change copy-on-write, so the copy shares blocks, rows,
        arrays and the scenario; it has no live solver."""
        p = Problem.__new__(Problem)
        p.__dict__.update(self.__dict__)
        p.formulation = self.formulation.shallow_copy()
        self._shared = p._shared = True  # whichever changes next copies the arrays first
        p._backend = None
        p._pyomo = None
        p._hook_signature = None
        return p

    def __getstate__(self):
        d = dict(self.__dict__)
        d["_backend"] = None
        d["_pyomo"] = None
        d["_hook_signature"] = None
        d["hooks"] = ()  # hook callables are often local functions; their rows stay in the formulation
        return d


def _entries(d, what: str) -> dict:
    """A mapping's entries as a dict (a pandas Series maps its index to its values)."""
    if type(d) is dict:   # read only here: no copy
        return d
    if hasattr(d, "items"):
        return dict(d.items())
    raise InputError([InputProblem("<python>", what, f"give a mapping (dict) of name -> value, not {type(d).__name__}")])


def _number(v, allow_inf: bool = False):
    """v as a float, or None if it is not a (finite) number; bools are not numbers."""
    if isinstance(v, bool) or v is None:
        return None
    try:
        x = float(v)
    except (TypeError, ValueError):
        return None
    if math.isnan(x) or (math.isinf(x) and not allow_inf):
        return None
    return x


def _limit_of(name: str):
    """(LimitSpec or None, side) of a limit row name such as ``slag.B2.max``."""
    stem, _, side = name.rpartition(".")
    if side not in ("min", "max"):
        stem, side = name, ""
    return LIMITS_BY_KEY.get(stem), side


def _limit_problem(r, v, side: str, o_name, o_theta) -> str:
    """Why θ = v is not a valid value for limit row r ('' if it is); ``o_theta`` is the other
    end of its window (row ``o_name``), if any."""
    if v is None:
        return "not a finite number"
    if r.unit in ("wt %", "%") and not 0 <= v <= 100:
        return f"{r.quantity} is a percentage; give 0-100"
    if r.unit == "kg/tHM" and v < 0:
        return f"{r.quantity} is a rate; give a number >= 0"
    if r.unit == "-" and v <= 0:
        return f"{r.quantity} is a ratio of positive masses; give a number > 0"
    if o_theta is not None and ((side == "min" and v > o_theta) or (side == "max" and v < o_theta)):
        other = "max" if side == "min" else "min"
        return f"the window would be empty ({side} {v:g} beyond {other} {o_theta:g}); change {o_name} first"
    return ""


@functools.lru_cache(maxsize=4096)
def _setting_of(name: str) -> tuple[tuple, str, str, tuple, str]:
    """Where the value of limit row ``name`` lives in the scenario settings: (path of the holder
    — ``("slag",)``, ``("shares", "x")``, ``("mixes", "m")``, ``("emissions",)`` —, field, style,
    the holder's other fields its rules read, side).  Style ``window`` (a Window field),
    ``value`` (a number: a one-sided limit), ``pct_ends`` (a share's ``min_pct``/``max_pct``)."""
    stem, _, side = name.rpartition(".")
    if side not in ("min", "max"):
        stem, side = name, ""      # a fixed value: both ends
    section, _, rest = stem.partition(".")
    if stem == emissions_c.CAP_ROW.rpartition(".")[0]:
        return ("emissions",), "cap_kg_per_thm", "value", (), side
    if section == "shares":
        return ("shares", rest), "", "pct_ends", ("materials", "of", "basis"), side
    if section == "mixes":
        mname, _, prop = rest.rpartition(".")
        return ("mixes", mname), prop, "window", ("materials",), side
    spec = LIMITS_BY_KEY[stem]
    return (spec.path[0],), spec.path[1], "value" if spec.sense == "<=" else "window", (), side


def _holder(cfg, path: tuple):
    """The settings object at ``path`` (a section, or an entry of a mapping section)."""
    sec = getattr(cfg, path[0])
    return sec[path[1]] if len(path) > 1 else sec


def _check_in_scenario(cfg, name: str, value: float, side: str, o_theta) -> None:
    """Validate a limit value by the scenario file's own rules (the holder's pydantic model,
    one field and the fields its rules read), with the window's other end ``o_theta`` as the
    formulation holds it now; InputError naming the field as a file would."""
    path, field_name, style, context, _ = _setting_of(name)
    holder = _holder(cfg, path)
    ctx = {c: getattr(holder, c) for c in context} if context else None
    key = (type(cfg), name, value, o_theta, repr(ctx) if ctx else None)
    if key in _CHECKED:
        return
    ends = {side: value} if side else {"min": value, "max": value}
    if o_theta is not None:
        ends["max" if side == "min" else "min"] = o_theta
    data = dict(ctx or {})
    if style == "pct_ends":
        data.update({f"{k}_pct": v for k, v in ends.items()})
    else:
        data[field_name] = value if style == "value" else ends
    try:
        _checker(type(holder)).model_validate(data, context=ENDS_CHECKED)
    except ValidationError as e:
        raise InputError(_translate(e, "<python>", path)) from None
    if len(_CHECKED) >= 4096:
        _CHECKED.clear()
    _CHECKED[key] = True


#: limit values the scenario file's rules have passed, by (settings class, row, value, other
#: end, the holder's fields the rules read): the check is a pure function of them, so a
#: sweep that comes back to a value (a grid, two values in turn) checks it once
_CHECKED: dict = {}


_CHECKERS: dict = {}


def _checker(model):
    """``model`` without re-validating the defaults of the fields not given (the settings class
    validates its defaults so that a dumped scenario loads again; a check of one field need
    not repeat that for the twenty others): the same field and model validators otherwise."""
    hit = _CHECKERS.get(model)
    if hit is None:
        from pydantic import ConfigDict

        hit = _CHECKERS[model] = type(model.__name__, (model,), {"model_config": ConfigDict(validate_default=False),
                                                                 "__module__": model.__module__})
    return hit


def _apply_changes(scn, mat_changes: dict, limit_changes: dict):
    """The scenario with material field changes and limit values applied — to the resolved
    materials and to the settings (``charge:`` entries, an appended material table for changed
    analyses), so that ``Scenario.from_dict(scenario.config.model_dump())`` gives it again."""
    from ..scenario import Scenario

    mats = scn.materials
    cfg = scn.config
    if mat_changes:
        mats = dict(mats)
        charge = dict(cfg.charge)
        table = {}
        for name, ch in mat_changes.items():
            m = mats[name]
            mats[name] = m.with_changes(**ch)
            entry = charge[name].model_dump(exclude_none=True)
            if "price_per_t" in ch:
                entry["price_per_t"] = ch["price_per_t"]
            if "min_kg_per_thm" in ch or "max_kg_per_thm" in ch:
                for k in ("fixed_kg_per_thm", "min_t_per_day", "max_t_per_day", "min_kg_per_thm", "max_kg_per_thm",
                          "wet_t_per_charge"):
                    entry.pop(k, None)
                lo, hi = ch.get("min_kg_per_thm"), ch.get("max_kg_per_thm")
                if lo is not None and lo == hi:
                    entry["fixed_kg_per_thm"] = lo
                else:
                    entry.update({k: v for k, v in (("min_kg_per_thm", lo), ("max_kg_per_thm", hi)) if v})
            charge[name] = type(charge[name])(**entry)
            if "analysis" in ch:
                table[name] = mats[name]
        cfg = cfg.model_copy(update={"charge": charge,
                                     "materials": list(cfg.materials) + ([table] if table else [])})
    for name, value in limit_changes.items():
        path, field_name, style, _, side = _setting_of(name)
        ends = {side: value} if side else {"min": value, "max": value}
        holder = _holder(cfg, path)
        if style == "pct_ends":
            upd = {f"{k}_pct": v for k, v in ends.items()}
        elif style == "value":
            upd = {field_name: value}
        else:
            upd = {field_name: getattr(holder, field_name).model_copy(update=ends)}
        holder = holder.model_copy(update=upd)
        if len(path) > 1:
            holder = {**getattr(cfg, path[0]), path[1]: holder}
        cfg = cfg.model_copy(update={path[0]: holder})
    return Scenario(cfg, mats, scn.lost_burden, scn.source, scn.variant, scn.warnings)


def _formulate(scenario):
    f = Formulation()
    x, q = burden_c.declare(f, scenario)
    fuels_c.declare(f, scenario, q, x, list(x.labels))
    process_c.declare(f, scenario)
    emissions_c.declare(f, scenario, q, x)
    return f, q


def build(scenario, model: str = "lp", hooks: Iterable[Hook] = ()) -> Problem:
    """Build the burden problem of a scenario.

    Parameters
    ----------
    scenario : Scenario
    model : {"lp"}
        The formulation.  (The nonlinear model builds on the same rows when the
        scenario has a ``process:`` section.)
    hooks : iterable of callables
        Plant-specific extra constraints: each is called as ``hook(model, scenario)``
        after the model is built, where ``model`` is the Pyomo ``ConcreteModel`` with
        ``model.x[material]`` (dry kg/tHM), ``model.q[quantity]`` (the named quantities
        of :attr:`Problem.coefficients`, e.g. ``model.q["slag.MgO"]``) and
        ``model.rows``.  Add Pyomo ``Var`` (continuous, binary, integer) and
        ``Constraint`` components to it; they are solved (integrality honoured),
        reported and explained like the built-in rows.

    Returns
    -------
    Problem

    Raises
    ------
    InputError
        Unknown model name.
    """
    if model != "lp":
        raise InputError([InputProblem(scenario.source, "model", f"unknown model {model!r}; available: 'lp'")])
    f, q = _formulate(scenario)
    prob = Problem(scenario, f, q, tuple(hooks))
    if prob.hooks:
        m = prob.model
        for h in prob.hooks:
            h(m, scenario)
    return prob
