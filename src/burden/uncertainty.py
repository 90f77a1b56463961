"""Uncertain analyses: Monte Carlo of a fixed burden and chance-constrained burdens.

A lot's analysis scatters about the value in the material table.  With the deviations
δ (kg/kg per material and species) normal with covariance Σ (independent unless
estimated from lot history with ``correlated: true``), every row of the formulation
stays *linear in δ for a fixed burden*: the burden component forms its rows from the
analyses through the species map, ``N = Rn·L·Wᵀ + In`` (:class:`~burden.core.components.burden.Recipe`,
:class:`~burden.core.components.burden.SpeciesMap`), so at material rates x

    num_i(δ) = num_i(0) + Σ_k δ_k · x_j(k) · (Rn·L·d_k)_i          (1)

and likewise den_i with Rd; ``d_k`` is the species change per unit of deviation k (a
unit vector, or with ``closure: proportional`` the unit vector less the material's other
constituents scaled so that its analysis total stays at its nominal value — still linear
in δ).  Nothing of the balances is restated here: the derivatives are the recipe's own
matrices times the species map's L.

* **Monte Carlo** (:func:`monte_carlo`): samples δ = C·ζ (ζ standard normal from
  ``numpy.random.Generator(PCG64(seed))``, C the Cholesky factor of Σ), evaluates (1)
  for every sample in one matrix product, and counts how often each limit row
  ``num − θ·den ⋚ 0`` is violated (``violation_probability``, per limit and jointly).
* **Chance constraints** (:func:`chance_constrained`): with normal δ,
  ``P(bodyᵢ(x, δ) ≥ 0) ≥ 1−ε  ⇔  bodyᵢ(x, 0) − z₁₋ε·‖Cᵀ gᵢ(x)‖₂ ≥ 0`` with
  gᵢ(x)_k = x_j(k)·(Rn − θRd)·L·d_k, a second-order cone linear in x
  (Charnes & Cooper 1959; Nemirovski & Shapiro 2006; OPERATIONS §6), solved by Clarabel
  through cvxpy; or the budget form of Bertsimas & Sim (2004): deviations within
  ±z₁₋ε·σ_k, at most Γ of them at once, an LP solved by HiGHS (scipy's ``linprog``).
  Only operating limits (row kind ``limit``, one-sided or range) are made robust;
  balances (hot-metal mass, slag S ≥ 0) and fuel rules stay nominal: they define the
  tonne of hot metal, they are not limits the burden can hold with a margin.

The fixed burden is read per nominal tonne of hot metal (a deviation of the iron content
changes the hot metal a fixed burden makes; the rows are evaluated as the formulation
states them).

References
----------
.. [1] A. Charnes, W. W. Cooper, "Chance-constrained programming", Management Science 6
   (1959) 73-79.
.. [2] A. Nemirovski, A. Shapiro, "Convex approximations of chance constrained programs",
   SIAM J. Optim. 17 (2006) 969-996.
.. [3] D. Bertsimas, M. Sim, "The price of robustness", Operations Research 52 (2004) 35-53.
.. [4] shared/domain/OPERATIONS.md §6 (stakes on a burden LP).
"""

from __future__ import annotations

import csv
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np

from .chemistry.analysis import CANONICAL, DIRECT_SPECIES
from .chemistry.elements import element_fraction
from .errors import InputError, InputProblem, clip, did_you_mean, echo, number_problem

_SPECIES_INDEX = {s: i for i, s in enumerate(CANONICAL)}

#: Analysis components a standard deviation may be given for, and (species, kg species per kg
#: component) they scatter: an oxide column of an element scatters the element
#: (σ_Mn = σ_MnO · M_Mn/M_MnO), TFe is total iron.
COMPONENTS: dict[str, tuple[str, float]] = {
    **{s: (s, 1.0) for s in DIRECT_SPECIES},
    "TFe": ("Fe", 1.0), "Fe": ("Fe", 1.0),
    **{el: (el, 1.0) for el in ("Mn", "P", "S", "Ti", "V", "Zn")},
    "MnO": ("Mn", element_fraction("MnO", "Mn")), "P2O5": ("P", element_fraction("P2O5", "P")),
    "TiO2": ("Ti", element_fraction("TiO2", "Ti")), "V2O5": ("V", element_fraction("V2O5", "V")),
    "ZnO": ("Zn", element_fraction("ZnO", "Zn")),
}
#: Species whose deviation the ``closure: proportional`` rule can offset (each counts once in
#: the analysis total).
CLOSURE_SPECIES = frozenset(DIRECT_SPECIES)
#: Fewest lots from which a standard deviation is estimated.
MIN_LOTS = 3
#: Relative tolerance of a violation (a sample exactly at a limit holds it).
VIOLATION_TOL = 1e-9


# ------------------------------------------------------------------------------------------
# the noise: which analysis values scatter, and how

@dataclass(frozen=True)
class Noise:
    """Deviations of analysis values: K (material, species) pairs, normal, mean 0.

    Attributes
    ----------
    pairs : tuple of (material, species), length K
    components : tuple of str, length K
        The component as given (``TFe``, ``MnO`` ...).
    sigma_pct : array (K,)
        Standard deviation of each species, wt % points of the dry material.
    cov : array (K, K)
        Covariance of the deviations, (kg/kg)².
    origin : tuple of str, length K
        ``analyses``, ``analyses_table`` or ``history``.
    independent : bool
    closure : {"none", "proportional"}
    """

    pairs: tuple
    components: tuple
    sigma_pct: np.ndarray
    cov: np.ndarray
    origin: tuple
    independent: bool = True
    closure: str = "none"

    @property
    def k(self) -> int:
        return len(self.pairs)

    @property
    def sigma(self) -> np.ndarray:
        """Standard deviations, kg/kg, shape (K,)."""
        return self.sigma_pct / 100.0

    @property
    def chol(self) -> np.ndarray:
        """C with C·Cᵀ = Σ, shape (K, K) (diagonal for independent deviations; a semidefinite
        sample covariance is factored through its eigen-decomposition)."""
        if self.independent:
            return np.diag(self.sigma)
        w, V = np.linalg.eigh(self.cov)
        return V * np.sqrt(np.clip(w, 0.0, None))

    def table(self) -> list[dict]:
        """One record per scattering value: material, component, species, sigma_pct, source."""
        return [{"material": m, "component": c, "species": s, "sigma_pct": float(sg), "source": o}
                for (m, s), c, sg, o in zip(self.pairs, self.components, self.sigma_pct, self.origin)]


def _component(comp: str, where: str, source: str) -> tuple[tuple[str, float] | None, InputProblem | None]:
    hit = COMPONENTS.get(comp)
    if hit is None:
        hint = ("; give TFe (the iron forms do not enter the balances separately)"
                if comp in ("FeO", "Fe2O3", "Fe_met") else "")
        return None, InputProblem(source, where, f"unknown analysis component {echo(comp)}{hint} "
                                  f"(known: {', '.join(COMPONENTS)})")
    return hit, None


def _read_csv(path: str, source: str, field: str) -> tuple[list[str], list[dict]]:
    p = Path(path)
    if not p.is_file():
        raise InputError([InputProblem(source, field, f"file {str(path)!r} not found (relative paths are "
                                       "relative to the scenario file)")])
    try:
        text = p.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        raise InputError([InputProblem(str(p), "", f"cannot read the file: {clip(e, 300)}")]) from None
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    reader = csv.DictReader(lines, skipinitialspace=True)
    rows = list(reader)
    return [h.strip() for h in (reader.fieldnames or [])], rows


def _float_cell(v, where: str, src: str, name: str) -> tuple[float | None, InputProblem | None]:
    try:
        x = float(str(v).strip())
    except (TypeError, ValueError):
        return None, InputProblem(src, where, f"{echo(v)} is not a number ({name})")
    why = number_problem(x, name)
    if why:
        return None, InputProblem(src, where, why)
    return x, None


def _table_sigmas(path: str, materials, source: str) -> tuple[dict, list[InputProblem]]:
    """``analyses_table``: CSV with columns material, component, sigma_pct."""
    heads, rows = _read_csv(path, source, "uncertainty.analyses_table")
    need = ["material", "component", "sigma_pct"]
    if [h for h in need if h not in heads]:
        return {}, [InputProblem(path, "header", f"columns {', '.join(heads) or '(none)'}; give columns "
                                 "material, component, sigma_pct (standard deviation in wt % points)")]
    out, problems = {}, []
    for i, r in enumerate(rows, start=2):
        m, c = (r.get("material") or "").strip(), (r.get("component") or "").strip()
        where = f"row {i} ({clip(m, 40)}), column sigma_pct"
        x, p = _float_cell(r.get("sigma_pct"), where, path, "sigma_pct")
        if p is None and not 0 <= x <= 20:
            p = InputProblem(path, where, f"{x:g} is not a standard deviation of an analysis in wt % points (0-20)")
        if p is not None:
            problems.append(p)
            continue
        out.setdefault(m, {})[c] = (x, f"row {i}")
    return out, problems


def _history(path: str, materials, source: str, correlated: bool):
    """``history``: lot analyses (column material, one column per component, wt %) → per material the
    components, sample standard deviations (ddof 1) and, if correlated, the sample covariance."""
    heads, rows = _read_csv(path, source, "uncertainty.history")
    if "material" not in heads:
        return {}, [InputProblem(path, "header", "give a column material and one column per analysis component "
                                 "(wt %), one row per lot")]
    skip = {"material", "lot", "date", "time", "id", "sample"}
    comps = [h for h in heads if h not in skip]
    problems = []
    for c in comps:
        _, p = _component(c, f"column {clip(c, 40)}", path)
        if p is not None:
            problems.append(p)
    lots: dict[str, list[list[float]]] = {}
    for i, r in enumerate(rows, start=2):
        m = (r.get("material") or "").strip()
        vals = []
        for c in comps:
            cell = r.get(c)
            if cell is None or str(cell).strip() == "":
                problems.append(InputProblem(path, f"row {i} ({clip(m, 40)}), column {clip(c, 40)}",
                                             "empty cell; every lot needs every component (or drop the column)"))
                continue
            x, p = _float_cell(cell, f"row {i} ({clip(m, 40)}), column {clip(c, 40)}", path, c + "_pct")
            if p is not None:
                problems.append(p)
            vals.append(x)
        lots.setdefault(m, []).append(vals)
    if problems:
        return {}, problems
    out = {}
    for m, L in lots.items():
        if len(L) < MIN_LOTS:
            problems.append(InputProblem(path, f"material {clip(m, 40)}", f"{len(L)} lot(s); a standard deviation "
                                         f"needs at least {MIN_LOTS} lots"))
            continue
        X = np.array(L, dtype=float)
        cov = np.atleast_2d(np.cov(X, rowvar=False, ddof=1))
        # a component whose lots all read the same has no scatter: np.cov leaves ~1e-30 of
        # rounding there (a sigma of ~1e-15 that would be reported as scatter)
        same = np.ptp(X, axis=0) == 0
        cov[same, :] = 0.0
        cov[:, same] = 0.0
        out[m] = (comps, np.sqrt(np.diag(cov)), cov if correlated else None, len(L))
    return out, problems


def resolve_noise(unc, materials: Mapping, source: str = "<python>") -> Noise:
    """The :class:`Noise` of a scenario's ``uncertainty:`` section.

    Parameters
    ----------
    unc : burden.scenario.Uncertainty
    materials : mapping name -> Material (the charged materials)

    Raises
    ------
    InputError
        Every problem at once: a material that is not charged, an unknown component, an
        unreadable or malformed file, too few lots, a closure the material cannot take.
    """
    problems: list[InputProblem] = []
    given: dict[tuple[str, str], tuple[float, str, str]] = {}  # (material, species) -> (σ %, component, origin)
    cov_blocks = []

    def add(m, comp, sigma, origin, where, src):
        if m not in materials:
            hint = did_you_mean(m, materials)
            problems.append(InputProblem(src, where, f"{echo(m)} is not a charged material; {hint}(charged: "
                                         f"{', '.join(materials)})"))
            return
        hit, p = _component(comp, where, src)
        if p is not None:
            problems.append(p)
            return
        sp, f = hit
        given[(m, sp)] = (sigma * f, comp, origin)

    if unc.history:
        try:
            hist, ps = _history(unc.history, materials, source, unc.correlated)
        except InputError as e:
            hist, ps = {}, list(e.problems)
        problems += ps
        for m, (comps, sd, cov, n) in hist.items():
            for c, s in zip(comps, sd):
                add(m, c, float(s), "history", f"material {clip(m, 40)}", unc.history)
            if cov is not None and m in materials:
                cov_blocks.append((m, comps, cov))
    if unc.analyses_table:
        try:
            tab, ps = _table_sigmas(unc.analyses_table, materials, source)
        except InputError as e:
            tab, ps = {}, list(e.problems)
        problems += ps
        for m, comps in tab.items():
            for c, (s, row) in comps.items():
                add(m, c, s, "analyses_table", row, unc.analyses_table)
    for m, comps in unc.analyses.items():
        for c, s in comps.items():
            add(m, c, float(s), "analyses", f"uncertainty.analyses.{clip(m, 40)}.{clip(c, 40)}", source)
    if unc.closure == "proportional":
        for (m, sp), (_, comp, origin) in given.items():
            if sp not in CLOSURE_SPECIES:
                problems.append(InputProblem(source, "uncertainty.closure",
                                             f"{m}.{comp}: closure: proportional offsets oxides counted once in the "
                                             f"total ({', '.join(sorted(CLOSURE_SPECIES))}); use closure: none"))
    if not problems and not any(v[0] > 0 for v in given.values()):
        problems.append(InputProblem(source, "uncertainty", "every standard deviation given is 0: nothing scatters; "
                                     "give at least one > 0 (or remove the section)"))
    if problems:
        raise InputError(problems)
    pairs = [k for k in given if given[k][0] > 0]
    pairs.sort(key=lambda k: (list(materials).index(k[0]), _SPECIES_INDEX[k[1]]))
    sig = np.array([given[k][0] for k in pairs], dtype=float)
    cov = np.diag((sig / 100.0) ** 2)
    independent = True
    pos = {k: i for i, k in enumerate(pairs)}
    for m, comps, C in cov_blocks:
        idx = []
        for a, c in enumerate(comps):
            sp, f = COMPONENTS[c]
            if (m, sp) in pos and given[(m, sp)][2] == "history":
                idx.append((a, pos[(m, sp)], f))
        for a, i, fa in idx:
            for b, j, fb in idx:
                if i != j:
                    cov[i, j] = C[a, b] * fa * fb / 1e4
                    independent = False
    return Noise(tuple(pairs), tuple(given[k][1] for k in pairs), sig, cov, tuple(given[k][2] for k in pairs),
                 independent, unc.closure)


def noise_problems(unc, materials: Mapping, source: str) -> list[InputProblem]:
    """The problems :func:`resolve_noise` would raise (for checking a scenario on load)."""
    try:
        resolve_noise(unc, materials, source)
    except InputError as e:
        return list(e.problems)
    return []


# ------------------------------------------------------------------------------------------
# the rows as linear functions of the deviations

@dataclass
class RowModel:
    """The analysis-sensitive limit rows of a formulation, linear in the deviations.

    For row r over its block's columns (global ``cols``), at z:
    ``num_r = N[r]·z[cols] + cn[r] + Σ_k δ_k·z[jcol[k]]·dN[r, k]`` and likewise ``den_r``.

    Attributes
    ----------
    names, kind, sense, quantity, unit : lists, length m
    theta, theta_max : arrays (m,)
    N, D : list of arrays (n_block,); cn, cd : arrays (m,); cols : list of arrays
    dN, dD : arrays (m, K), per kg of the pair's material
    jcol : array (K,), global column of each pair's material
    """

    names: list
    kind: list
    sense: list
    quantity: list
    unit: list
    theta: np.ndarray
    theta_max: np.ndarray
    cols: list
    N: list
    D: list
    cn: np.ndarray
    cd: np.ndarray
    dN: np.ndarray
    dD: np.ndarray
    jcol: np.ndarray
    pos: list  # position of each row in the compiled matrix

    def nominal(self, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(num, den) at z without deviations, shape (m,)."""
        num = np.array([n @ z[c] for n, c in zip(self.N, self.cols)]) + self.cn
        den = np.array([d @ z[c] for d, c in zip(self.D, self.cols)]) + self.cd
        return num, den

    def gradients(self, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(Gn, Gd): d num / d δ and d den / d δ at z, shape (m, K)."""
        xk = z[self.jcol]
        return self.dN * xk, self.dD * xk

    @property
    def stems(self) -> list[str]:
        """The limit of each row (``slag.B2`` for ``slag.B2.min`` and ``slag.B2.max``)."""
        return [n.rpartition(".")[0] if n.rsplit(".", 1)[-1] in ("min", "max") else n for n in self.names]


def _directions(problem, noise: Noise) -> np.ndarray:
    """d_k: species change (kg/kg) per unit deviation k, shape (K, n_species)."""
    K = noise.k
    Dm = np.zeros((K, len(CANONICAL)))
    for k, (m, sp) in enumerate(noise.pairs):
        Dm[k, _SPECIES_INDEX[sp]] = 1.0
    if noise.closure == "proportional":
        from .core.components.burden import species_vector

        mats = problem.scenario.materials
        by_mat: dict[str, list[int]] = {}
        for k, (m, sp) in enumerate(noise.pairs):
            by_mat.setdefault(m, []).append(k)
        for m, ks in by_mat.items():
            w = species_vector(mats[m].analysis)
            rest = w.copy()
            for k in ks:
                rest[_SPECIES_INDEX[noise.pairs[k][1]]] = 0.0
            # the rest of the total (kg/kg) outside the scattering oxides; the elements and forms of
            # it scale together, so Fe stays consistent with FeO and Fe2O3
            r0 = mats[m].total_pct / 100.0 - sum(w[_SPECIES_INDEX[noise.pairs[k][1]]] for k in ks)
            for k in ks:
                Dm[k] -= rest / r0
    return Dm


def row_model(problem, noise: Noise, kinds: Sequence[str] = ("limit",)) -> RowModel:
    """The rows of ``problem`` (of the given kinds, not equalities) whose numerator or denominator
    depends on a scattering analysis value, as a :class:`RowModel`.

    Derived from each row block's recipe (``Rn``, ``Rd`` over the quantities, and the quantities
    over a group of materials ``Gn``, ``Gd``) and the species map ``L`` of the problem's quantity
    table: ``dN = Rn·L·d_k`` (+ ``g_j·L_q·d_k``) per kg of the pair's material j.
    Rows without a recipe (plant hook rows) do not depend on the analyses.
    """
    f = problem.formulation
    qt = problem.quantities
    L = qt.smap.L
    Dm = _directions(problem, noise)
    x = problem.x_block
    mats = list(x.labels)
    jpos = np.array([mats.index(m) for m, _ in noise.pairs], dtype=np.int64)
    out = {k: [] for k in ("names", "kind", "sense", "quantity", "unit", "theta", "theta_max", "cols", "N", "D",
                           "cn", "cd", "dN", "dD", "pos")}
    offset = 0
    for b in f.blocks:
        rc = b.recipe
        if rc is not None and noise.k and b.cols.size == len(mats) and np.array_equal(b.cols, x.cols):
            dN = (rc.Rn @ L) @ Dm.T  # (m_b, K)
            dD = (rc.Rd @ L) @ Dm.T
            # quantities over a group of materials (mixes, Fe-basis shares): weight g of the pair's material
            for dM, G in ((dN, rc.Gn), (dD, rc.Gd)):
                for i, q, wg in G:
                    dM[i] += wg[jpos] * (L[q] @ Dm.T)
            for i, meta in enumerate(b.meta):
                if meta.kind not in kinds or meta.sense == "==":
                    continue
                if not (np.any(dN[i] != 0) or np.any(dD[i] != 0)):
                    continue
                out["names"].append(meta.name)
                out["kind"].append(meta.kind)
                out["sense"].append(meta.sense)
                out["quantity"].append(meta.quantity)
                out["unit"].append(meta.unit)
                out["theta"].append(float(b.theta[i]))
                out["theta_max"].append(float(meta.theta_max))
                out["cols"].append(b.cols)
                out["N"].append(b.N[i])
                out["D"].append(b.D[i])
                out["cn"].append(float(b.cn[i]))
                out["cd"].append(float(b.cd[i]))
                out["dN"].append(dN[i])
                out["dD"].append(dD[i])
                out["pos"].append(offset + i)
        offset += len(b)
    K = noise.k
    return RowModel(out["names"], out["kind"], out["sense"], out["quantity"], out["unit"],
                    np.array(out["theta"], dtype=float), np.array(out["theta_max"], dtype=float), out["cols"],
                    out["N"], out["D"], np.array(out["cn"], dtype=float), np.array(out["cd"], dtype=float),
                    np.array(out["dN"], dtype=float).reshape(len(out["names"]), K),
                    np.array(out["dD"], dtype=float).reshape(len(out["names"]), K),
                    x.cols[jpos], out["pos"])


# ------------------------------------------------------------------------------------------
# Monte Carlo of a fixed burden

def sample_deviations(noise: Noise, samples: int, seed: int) -> np.ndarray:
    """δ, shape (samples, K), kg/kg: ζ·Cᵀ with ζ standard normal from PCG64(seed)."""
    rng = np.random.Generator(np.random.PCG64(seed))
    zeta = rng.standard_normal((samples, noise.k))
    return zeta @ noise.chol.T


def _violated(sense: str, num, den, theta: float, theta_max: float):
    """Boolean array: the row ``num − θ·den (sense) 0`` fails (beyond a relative tolerance)."""
    if sense == "range":
        tol = VIOLATION_TOL * (np.abs(num) + max(abs(theta), abs(theta_max)))
        return (num < theta - tol) | (num > theta_max + tol)
    body = num - theta * den
    tol = VIOLATION_TOL * (np.abs(num) + np.abs(theta * den))
    return body < -tol if sense == ">=" else body > tol


@dataclass
class MonteCarlo:
    """Monte Carlo of a fixed burden.

    Attributes
    ----------
    rows : RowModel
    values : array (samples, m)
        Each limited quantity num/den per sample (in the row's unit; a ``range`` row: num).
    violated : bool array (samples, m)
    nominal : array (m,)
        The quantities without deviations.
    sigma_value : array (m,)
        Standard deviation of each quantity, first order: ‖Cᵀ(Gn − v·Gd)‖/den.
    samples, seed : int
    seconds : float
    """

    rows: RowModel
    values: np.ndarray
    violated: np.ndarray
    nominal: np.ndarray
    sigma_value: np.ndarray
    samples: int
    seed: int
    seconds: float = 0.0

    @property
    def violation_probability(self) -> dict[str, float]:
        """Row name -> share of samples violating it, and ``joint`` (any of them)."""
        p = self.violated.mean(axis=0) if self.samples else np.zeros(len(self.rows.names))
        out = {n: float(v) for n, v in zip(self.rows.names, p)}
        out["joint"] = float(self.violated.any(axis=1).mean()) if self.rows.names else 0.0
        return out

    def standard_error(self, p: float) -> float:
        """Binomial standard error of a violation probability estimated from the samples."""
        return math.sqrt(max(p * (1 - p), 0.0) / self.samples)


def monte_carlo(problem, z: np.ndarray, noise: Noise, samples: int = 4000, seed: int = 1,
                rows: RowModel | None = None) -> MonteCarlo:
    """Monte Carlo of the burden ``z`` (the full column vector; materials in block ``x``, dry kg/tHM).

    Every sample's numerators and denominators come from (1) in one matrix product
    (samples × K by K × m); 10,000 samples of a base-case burden take milliseconds.

    Returns
    -------
    MonteCarlo
    """
    t0 = time.perf_counter()
    rm = rows if rows is not None else row_model(problem, noise)
    z = np.asarray(z, dtype=float)
    num0, den0 = rm.nominal(z)
    Gn, Gd = rm.gradients(z)
    delta = sample_deviations(noise, samples, seed)
    num = num0 + delta @ Gn.T
    den = den0 + delta @ Gd.T
    rng_ = [s == "range" for s in rm.sense]
    with np.errstate(divide="ignore", invalid="ignore"):
        values = np.where(rng_, num, num / den)
        nominal = np.where(rng_, num0, num0 / den0)
        # first order: d(num/den) = (d num − v·d den)/den, σ = ‖Cᵀ·gradient‖
        gv = np.where(np.array(rng_, dtype=bool)[:, None], Gn, Gn - nominal[:, None] * Gd)
        sig = np.linalg.norm(gv @ noise.chol, axis=1) / np.where(rng_, 1.0, np.abs(den0))
    viol = np.empty(num.shape, dtype=bool)
    for i, s in enumerate(rm.sense):
        viol[:, i] = _violated(s, num[:, i], den[:, i], rm.theta[i], rm.theta_max[i])
    return MonteCarlo(rm, values, viol, nominal, sig, samples, seed, time.perf_counter() - t0)


def fixed_burden(problem, rates: Mapping[str, float], *, samples: int | None = None, seed: int | None = None,
                 noise: Noise | None = None) -> MonteCarlo:
    """Monte Carlo of a burden given by its material rates, e.g. the burden charged today.

    Only the limits that depend on a scattering analysis value are counted (also in ``joint``);
    the others do not scatter: check them on the nominal rows.

    Parameters
    ----------
    problem : Problem (or Scenario, built first)
    rates : mapping material -> dry kg/tHM
        Every charged material (0 for one not charged).
    samples, seed : int, optional
        Default: the scenario's ``uncertainty:`` section.
    noise : Noise, optional
        Default: :func:`resolve_noise` of the scenario's ``uncertainty:`` section.

    Raises
    ------
    InputError
        A material missing or unknown, a rate that is not a finite number >= 0, or no
        ``uncertainty:`` section and no ``noise``.

    >>> mc = fixed_burden(burden.build(scn), {"sinter": 1300, ...})   # doctest: +SKIP
    >>> mc.violation_probability["slag.B2.max"]                      # doctest: +SKIP
    """
    from .core.problem import Problem, build

    if not isinstance(problem, Problem):
        problem = build(problem)
    scn = problem.scenario
    unc = scn.config.uncertainty
    if noise is None:
        if unc is None:
            raise InputError([InputProblem(scn.source, "uncertainty", "the scenario has no uncertainty: section; "
                                           "add one or pass noise=")])
        noise = resolve_noise(unc, scn.materials, scn.source)
    samples = samples if samples is not None else (unc.samples if unc is not None else 4000)
    seed = seed if seed is not None else (unc.seed if unc is not None else 1)
    x = problem.x_block
    labels = list(x.labels)
    problems = [InputProblem("<python>", f"rates.{k}", f"not a charged material (charged: {', '.join(labels)})")
                for k in rates if k not in labels]
    problems += [InputProblem("<python>", f"rates.{k}", "missing; give every charged material (0 if not charged)")
                 for k in labels if k not in rates]
    z = np.zeros(problem.formulation.space.n)
    for k in labels:
        if k in rates:
            v = rates[k]
            ok = isinstance(v, (int, float, np.floating, np.integer)) and not isinstance(v, bool) \
                and math.isfinite(float(v)) and float(v) >= 0
            if not ok:
                problems.append(InputProblem("<python>", f"rates.{k}", f"{echo(v)} is not a rate; give a finite "
                                             "number >= 0 (dry kg/tHM)"))
            else:
                z[x.col(k)] = float(v)
    if problems:
        raise InputError(problems)
    return monte_carlo(problem, z, noise, samples, seed)


# ------------------------------------------------------------------------------------------
# chance-constrained burden

@dataclass
class ChanceResult:
    """A burden whose limits hold at a confidence despite the scatter.

    Attributes
    ----------
    status : str
        ``optimal``, ``infeasible`` or the solver's word.
    method : {"soc", "bertsimas_sim"}
    confidence : float
    z : array or None
        The columns (materials in block x), dry kg/tHM.
    objective : float
        Currency/tHM (nan if not optimal).
    nominal_objective : float
    message : str
    monte_carlo : MonteCarlo or None
        The robust burden checked by Monte Carlo (same samples as the nominal one).
    seconds : float
    """

    status: str
    method: str
    confidence: float
    z: np.ndarray | None
    objective: float
    nominal_objective: float
    message: str = ""
    monte_carlo: MonteCarlo | None = None
    seconds: float = 0.0
    budget: dict = field(default_factory=dict)
    allocation: str = "per_row"
    row_confidence: float = math.nan

    @property
    def cost_of_robustness_per_thm(self) -> float:
        return self.objective - self.nominal_objective

    @property
    def cost_of_robustness_pct(self) -> float:
        return 100.0 * self.cost_of_robustness_per_thm / self.nominal_objective if self.nominal_objective else math.nan


def z_value(confidence: float) -> float:
    """z₁₋ε: the standard normal quantile of the confidence (``statistics.NormalDist.inv_cdf``,
    Wichura's algorithm AS241, about 1e-16 relative)."""
    from statistics import NormalDist

    return float(NormalDist().inv_cdf(confidence))


def _linear_parts(comp, skip: set):
    """Sparse A and bounds of the compiled rows except ``skip`` (row positions)."""
    import scipy.sparse as sp

    m, n = comp.shape
    A = sp.csr_matrix((comp.value, comp.index, comp.start), shape=(m, n))
    keep = np.array([i for i in range(m) if i not in skip], dtype=np.int64)
    return A, keep


def _sides(rm: RowModel, comp, i: int):
    """(sign, bound) pairs of chance row i: +1 for a lower bound (body >= lo), -1 for an upper."""
    p = rm.pos[i]
    lo, hi = comp.row_lower[p], comp.row_upper[p]
    out = []
    if np.isfinite(lo):
        out.append((+1, lo))
    if np.isfinite(hi):
        out.append((-1, hi))
    return out


def _body_gradient(rm: RowModel, i: int) -> np.ndarray:
    """d body / d δ per kg of each pair's material, shape (K,): dN − θ·dD (range rows: dN)."""
    return rm.dN[i] if rm.sense[i] == "range" else rm.dN[i] - rm.theta[i] * rm.dD[i]


def chance_constrained(problem, noise: Noise, confidence: float, method: str = "soc",
                       budget: float | None = None, nominal_objective: float = math.nan,
                       allocation: str = "per_row") -> ChanceResult:
    """The cheapest burden whose every analysis-sensitive limit holds with probability ``confidence``.

    Parameters
    ----------
    problem : Problem
        An LP problem (no ``process:`` section).
    noise : Noise
    confidence : float
        1 − ε per row, 0.5 <= confidence < 1.
    method : {"soc", "bertsimas_sim"}
        ``soc``: ``body(x) ∓ z₁₋ε‖Cᵀg(x)‖ ⋛ bound`` (exact for normal deviations), cvxpy +
        Clarabel.  ``bertsimas_sim``: each deviation within ±z₁₋ε·σ_k, at most Γ per row at once
        (Γ = ``budget``, default √K_row, capped at K_row), an LP in HiGHS.
    budget : float, optional
    nominal_objective : float
        Cost of the nominal optimum (currency/tHM), for the cost of robustness.
    allocation : {"per_row", "joint"}
        ``joint``: the risk ε = 1 − confidence is split evenly over the n robust row sides
        (each held at 1 − ε/n), so that all hold together with probability >= confidence
        (Boole's inequality; conservative when the rows are correlated).

    Returns
    -------
    ChanceResult
    """
    t0 = time.perf_counter()
    rm = row_model(problem, noise)
    comp = problem.formulation.compile()
    n_sides = sum(len(_sides(rm, comp, i)) for i in range(len(rm.names)))
    row_conf = 1.0 - (1.0 - confidence) / max(n_sides, 1) if allocation == "joint" else confidence
    z_a = z_value(row_conf)
    if method == "soc":
        status, z, obj, msg = _solve_soc(rm, comp, noise, z_a)
        bud = {}
    elif method == "bertsimas_sim":
        status, z, obj, msg, bud = _solve_bs(rm, comp, noise, z_a, budget)
    else:
        raise InputError([InputProblem("<python>", "uncertainty.method", f"unknown method {method!r}; "
                                       "soc or bertsimas_sim")])
    return ChanceResult(status, method, confidence, z, obj, nominal_objective, msg, None,
                        time.perf_counter() - t0, bud, allocation, row_conf)


def _solve_soc(rm: RowModel, comp, noise: Noise, z_a: float):
    import cvxpy as cp
    import scipy.sparse as sp

    m, n = comp.shape
    A, keep = _linear_parts(comp, set(rm.pos))
    z = cp.Variable(n)
    cons = []
    Ak = A[keep]
    lo, hi = comp.row_lower[keep], comp.row_upper[keep]
    eq = np.isfinite(lo) & np.isfinite(hi) & (lo == hi)
    lo_m, hi_m = np.isfinite(lo) & ~eq, np.isfinite(hi) & ~eq
    if eq.any():
        cons.append(Ak[eq] @ z == lo[eq])
    if lo_m.any():
        cons.append(Ak[lo_m] @ z >= lo[lo_m])
    if hi_m.any():
        cons.append(Ak[hi_m] @ z <= hi[hi_m])
    cl, cu = comp.col_lower, comp.col_upper
    if np.isfinite(cl).any():
        cons.append(z[np.isfinite(cl)] >= cl[np.isfinite(cl)])
    if np.isfinite(cu).any():
        cons.append(z[np.isfinite(cu)] <= cu[np.isfinite(cu)])
    C = noise.chol
    K = noise.k
    for i, p in enumerate(rm.pos):
        g = _body_gradient(rm, i)
        # std(body) = ‖Cᵀ (g ∘ z[jcol])‖: M z with M = Cᵀ·diag(g)·E, E selecting the pairs' columns
        E = sp.csr_matrix((g, (np.arange(K), rm.jcol)), shape=(K, n))
        M = sp.csr_matrix(C.T) @ E
        a = A[p]
        for sign, bound in _sides(rm, comp, i):
            if sign > 0:
                cons.append(a @ z - z_a * cp.norm(M @ z, 2) >= bound)
            else:
                cons.append(a @ z + z_a * cp.norm(M @ z, 2) <= bound)
    obj = cp.Minimize(comp.cost @ z + comp.offset)
    prob = cp.Problem(obj, cons)
    try:
        prob.solve(solver=cp.CLARABEL)
    except cp.error.SolverError as e:
        return "error", None, math.nan, f"Clarabel failed: {clip(e, 300)}"
    st = prob.status
    if st in (cp.OPTIMAL, cp.OPTIMAL_INACCURATE):
        zv = np.asarray(z.value, dtype=float)
        zv = np.clip(zv, cl, cu)  # interior-point round-off at a bound (1e-9), not a change of burden
        return "optimal", zv, float(comp.cost @ zv + comp.offset), "" if st == cp.OPTIMAL else "inaccurate"
    if st in (cp.INFEASIBLE, cp.INFEASIBLE_INACCURATE):
        return "infeasible", None, math.nan, "no burden holds every limit at this confidence"
    return str(st), None, math.nan, f"solver status {st}"


def _solve_bs(rm: RowModel, comp, noise: Noise, z_a: float, budget: float | None):
    """Bertsimas-Sim robust counterpart (their eq. (4)): for a lower side,
    ``a·z − Γ·p − Σ_k q_k ≥ lo``, ``p + q_k ≥ â_k·|g_k|·z_j(k)``, p, q ≥ 0 (z ≥ 0), with
    â_k = z₁₋ε·σ_k; an upper side mirrored.

    The protection is the D-norm β(v, Γ) of v_k = â_k·g_k·z_j(k).  With Γ = √K it is never below
    the SOC's ‖v‖₂ = z₁₋ε·σ_body (the dual set {‖u‖∞ ≤ 1, ‖u‖₁ ≤ Γ} holds the unit ℓ2 ball, since
    ‖u‖₁ ≤ √K·‖u‖₂; Bertsimas, Pachamanova & Sim, Oper. Res. Lett. 32 (2004) 510-516), so the
    default budget keeps each row at least at the confidence for independent normal deviations;
    with K = 1 and Γ = 1 the two forms coincide."""
    import scipy.sparse as sp
    from scipy.optimize import linprog

    if not noise.independent:
        raise InputError([InputProblem("<python>", "uncertainty.method", "bertsimas_sim takes independent "
                                       "deviations; use method soc with correlated deviations")])
    m, n = comp.shape
    A, keep = _linear_parts(comp, set(rm.pos))
    if np.any(comp.col_lower[np.unique(rm.jcol)] < 0):
        raise InputError([InputProblem("<python>", "uncertainty.method", "bertsimas_sim needs non-negative rates "
                                       "of the materials whose analyses scatter")])
    hat = z_a * noise.sigma
    sides = []  # (row i, sign, bound, active pair indices, Γ)
    budgets = {}
    for i in range(len(rm.names)):
        g = _body_gradient(rm, i)
        act = np.nonzero(g != 0)[0]
        gam = min(budget if budget is not None else math.sqrt(act.size), float(act.size))
        budgets[rm.names[i]] = gam
        for sign, bound in _sides(rm, comp, i):
            sides.append((i, sign, bound, act, gam))
    n_p = len(sides)
    n_q = sum(s[3].size for s in sides)
    N = n + n_p + n_q
    ub_rows, ub_rhs, eq_rows, eq_rhs = [], [], [], []
    Ak = A[keep].tocsr()
    lo, hi = comp.row_lower[keep], comp.row_upper[keep]
    pad = sp.csr_matrix((Ak.shape[0], n_p + n_q))
    Ak = sp.hstack([Ak, pad]).tocsr()
    eq = np.isfinite(lo) & np.isfinite(hi) & (lo == hi)
    if eq.any():
        eq_rows.append(Ak[eq])
        eq_rhs.append(lo[eq])
    mlo, mhi = np.isfinite(lo) & ~eq, np.isfinite(hi) & ~eq
    if mlo.any():
        ub_rows.append(-Ak[mlo])
        ub_rhs.append(-lo[mlo])
    if mhi.any():
        ub_rows.append(Ak[mhi])
        ub_rhs.append(hi[mhi])
    qoff = n + n_p
    for s_i, (i, sign, bound, act, gam) in enumerate(sides):
        a = sp.hstack([A[rm.pos[i]], sp.csr_matrix((1, n_p + n_q))]).tolil()
        pcol = n + s_i
        a[0, pcol] = gam
        for t in range(act.size):
            a[0, qoff + t] = 1.0
        # lower side: −a·z + Γp + Σq ≤ −lo ; upper side: a·z + Γp + Σq ≤ hi
        if sign > 0:
            a[0, :n] = -A[rm.pos[i]].toarray()
            ub_rows.append(a.tocsr())
            ub_rhs.append(np.array([-bound]))
        else:
            ub_rows.append(a.tocsr())
            ub_rhs.append(np.array([bound]))
        g = _body_gradient(rm, i)
        for t, k in enumerate(act):
            r = sp.lil_matrix((1, N))
            r[0, pcol] = -1.0
            r[0, qoff + t] = -1.0
            r[0, rm.jcol[k]] = hat[k] * abs(g[k])
            ub_rows.append(r.tocsr())
            ub_rhs.append(np.array([0.0]))
        qoff += act.size
    c = np.concatenate([comp.cost, np.zeros(n_p + n_q)])
    bounds = list(zip(np.where(np.isfinite(comp.col_lower), comp.col_lower, None),
                      np.where(np.isfinite(comp.col_upper), comp.col_upper, None))) + [(0, None)] * (n_p + n_q)
    res = linprog(c, A_ub=sp.vstack(ub_rows).tocsr() if ub_rows else None,
                  b_ub=np.concatenate(ub_rhs) if ub_rhs else None,
                  A_eq=sp.vstack(eq_rows).tocsr() if eq_rows else None,
                  b_eq=np.concatenate(eq_rhs) if eq_rhs else None, bounds=bounds, method="highs")
    if res.status == 0:
        zv = np.asarray(res.x[:n], dtype=float)
        return "optimal", zv, float(comp.cost @ zv + comp.offset), "", budgets
    if res.status == 2:
        return "infeasible", None, math.nan, "no burden holds every limit against this budget of deviations", budgets
    return "error", None, math.nan, clip(res.message, 300), budgets


# ------------------------------------------------------------------------------------------
# the analysis of a result

@dataclass
class UncertaintyAnalysis:
    """What ``uncertainty:`` asks of a solved scenario: Monte Carlo of the nominal optimum and,
    with ``confidence``, the chance-constrained burden (see :func:`analyse`)."""

    noise: Noise
    nominal: MonteCarlo
    chance: ChanceResult | None
    confidence: float | None
    materials: list
    currency: str
    windows: list = field(default_factory=list)
    x_cols: tuple = (0, 0)  # (start, stop) of the material block among the columns

    def narrow_windows(self) -> list[dict]:
        """Windows narrower than the analysis noise at the confidence: a window [min, max] of a
        quantity with standard deviation σ at the nominal burden holds both ends with probability
        ``confidence`` each only if max − min ≥ 2·z₁₋ε·σ (the minimum width it can hold)."""
        return [w for w in self.windows if w["narrower_than_noise"]]

    def to_dict(self) -> dict:
        """Plain-Python dict (result.json's ``uncertainty``)."""
        mc = self.nominal
        vp = mc.violation_probability
        limits = []
        for i, n in enumerate(mc.rows.names):
            limits.append({"name": n, "quantity": mc.rows.quantity[i], "unit": mc.rows.unit[i],
                           "sense": mc.rows.sense[i], "limit": _num(mc.rows.theta[i]),
                           "nominal_value": _num(mc.nominal[i]),
                           "mean": _num(float(np.nanmean(mc.values[:, i]))) if mc.samples else None,
                           "std": _num(float(np.nanstd(mc.values[:, i], ddof=1))) if mc.samples > 1 else None,
                           "sigma_first_order": _num(mc.sigma_value[i]),
                           "violation_probability": vp[n],
                           "standard_error": _num(mc.standard_error(vp[n]))})
        d = {"samples": mc.samples, "seed": mc.seed, "analyses": self.noise.table(),
             "independent": self.noise.independent, "closure": self.noise.closure,
             "violation_probability": vp, "limits": limits}
        if self.confidence is not None:
            d["confidence"] = self.confidence
            d["windows"] = self.windows
            d["narrow_windows"] = [w["limit"] for w in self.narrow_windows()]
        if self.chance is not None:
            ch = self.chance
            c = {"method": ch.method, "confidence": ch.confidence, "allocation": ch.allocation,
                 "row_confidence": _num(ch.row_confidence), "status": ch.status, "message": ch.message,
                 "objective_per_thm": _num(ch.objective), "nominal_objective_per_thm": _num(ch.nominal_objective),
                 "cost_of_robustness_per_thm": _num(ch.cost_of_robustness_per_thm),
                 "cost_of_robustness_pct": _num(ch.cost_of_robustness_pct)}
            if ch.budget:
                c["budget"] = {k: _num(v) for k, v in ch.budget.items()}
            if ch.z is not None:
                c["burden_kg_per_thm"] = {k: _num(v) for k, v in zip(self.materials, ch.z[self.x_cols[0]:self.x_cols[1]])}
            if ch.monte_carlo is not None:
                c["violation_probability"] = ch.monte_carlo.violation_probability
            d["chance_constrained"] = c
        return d



def _num(v):
    v = float(v)
    return v if math.isfinite(v) else None


def _windows(mc: MonteCarlo, confidence: float) -> list[dict]:
    """Per limit with analysis-sensitive rows: its window, σ of the quantity at the burden and the
    minimum width (two-sided) or margin (one-sided) it needs at ``confidence``."""
    z_a = z_value(confidence)
    rm = mc.rows
    out: dict[str, dict] = {}
    for i, stem in enumerate(rm.stems):
        w = out.setdefault(stem, {"limit": stem, "quantity": rm.quantity[i], "unit": rm.unit[i], "min": None,
                                  "max": None, "sigma": _num(mc.sigma_value[i]), "nominal_value": _num(mc.nominal[i])})
        s = rm.sense[i]
        if s == "range":
            w["min"], w["max"] = _num(rm.theta[i]), _num(rm.theta_max[i])
        elif s == ">=":
            w["min"] = _num(rm.theta[i])
        else:
            w["max"] = _num(rm.theta[i])
    res = []
    for w in out.values():
        sig = w["sigma"] or 0.0
        two = w["min"] is not None and w["max"] is not None
        w["margin_needed"] = _num(z_a * sig)
        w["min_width_at_confidence"] = _num(2 * z_a * sig) if two else None
        w["width"] = _num(w["max"] - w["min"]) if two else None
        w["narrower_than_noise"] = bool(two and w["width"] < 2 * z_a * sig)
        res.append(w)
    return res


def analyse(result, *, chance: bool = True) -> UncertaintyAnalysis | None:
    """Monte Carlo of the result's burden and, with ``confidence`` (and ``chance``), the
    chance-constrained burden checked by Monte Carlo with the same samples.

    Returns None when the scenario has no ``uncertainty:`` section or the result is not optimal.

    Raises
    ------
    InputError
        The ``uncertainty:`` section names a file or value that cannot be used (normally caught
        on loading the scenario).
    """
    scn = result.scenario
    unc = scn.config.uncertainty
    if unc is None or not result.ok:
        return None
    problem = result.problem
    noise = resolve_noise(unc, scn.materials, scn.source)
    rm = row_model(problem, noise)
    z = np.asarray(result.output.primal, dtype=float)
    mc = monte_carlo(problem, z, noise, unc.samples, unc.seed, rows=rm)
    ch = None
    windows = _windows(mc, unc.confidence) if unc.confidence is not None else []
    if unc.confidence is not None and chance:
        if scn.config.process is not None:
            ch = ChanceResult("not available", unc.method, unc.confidence, None, math.nan, result.objective,
                              "the chance-constrained burden is formed for the linear model (no process: section)")
        else:
            ch = chance_constrained(problem, noise, unc.confidence, unc.method, unc.budget, result.objective,
                                    unc.allocation)
            if ch.z is not None:
                ch.monte_carlo = monte_carlo(problem, ch.z, noise, unc.samples, unc.seed, rows=rm)
            elif ch.status == "infeasible":
                narrow = [w["limit"] for w in windows if w["narrower_than_noise"]]
                if narrow:
                    ch.message += ("; narrower than the analysis noise: " + ", ".join(
                        f"{w['limit']} (width {w['width']:.4g}, needs {w['min_width_at_confidence']:.4g}"
                        f"{'' if w['unit'] == '-' else ' ' + w['unit']} at the nominal burden)"
                        for w in windows if w["narrower_than_noise"]))
    x = problem.x_block
    return UncertaintyAnalysis(noise, mc, ch, unc.confidence, list(x.labels), scn.config.currency, windows,
                               (x.start, x.stop))


def summary_lines(ua: UncertaintyAnalysis | None, currency: str = "") -> list[str]:
    """The lines a result's summary shows for its ``uncertainty:`` section."""
    if ua is None:
        return []
    mc = ua.nominal
    vp = mc.violation_probability
    sig = ", ".join(f"{r['material']}.{r['component']} {r['sigma_pct']:g}" for r in ua.noise.table())
    lines = ["", f"Uncertain analyses (σ, wt % points: {sig}; {mc.samples:,} samples, seed {mc.seed}):",
             "  P(violation) at this burden:"]
    for n in mc.rows.names:
        lines.append(f"    {n:<34} {vp[n]:>7.1%}")
    lines.append(f"    {'jointly (any limit)':<34} {vp['joint']:>7.1%}")
    for w in ua.narrow_windows():
        u = "" if w["unit"] == "-" else " " + w["unit"]
        lines.append(f"  {w['limit']}: the window (width {w['width']:.4g}{u}) is narrower than the analysis noise: "
                     f"it needs {w['min_width_at_confidence']:.4g}{u} at {ua.confidence:.0%} (σ {w['sigma']:.3g}{u} "
                     "at this burden)")
    ch = ua.chance
    if ch is not None:
        head = f"  Chance-constrained burden ({ch.method}, {ch.confidence:.0%} {ch.allocation.replace('_', ' ')}): "
        if ch.status != "optimal":
            lines.append(head + f"{ch.status}; {ch.message}")
        else:
            lines.append(head + f"{ch.objective:,.2f} {currency}/tHM, cost of robustness "
                         f"{ch.cost_of_robustness_per_thm:+,.2f} {currency}/tHM ({ch.cost_of_robustness_pct:+.2f} %)")
            xs = ch.z[ua.x_cols[0]:ua.x_cols[1]]
            lines.append("    burden, dry kg/tHM: " + "  ".join(f"{k} {v:.1f}" for k, v in zip(ua.materials, xs)
                                                              if v > 0.05))
            if ch.monte_carlo is not None:
                cp_ = ch.monte_carlo.violation_probability
                worst = max(mc.rows.names, key=lambda n: cp_[n]) if mc.rows.names else None
                if worst is not None:
                    lines.append(f"    checked by Monte Carlo: worst limit {worst} {cp_[worst]:.1%}, jointly "
                                 f"{cp_['joint']:.1%}")
    return lines
