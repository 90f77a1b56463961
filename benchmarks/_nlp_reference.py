"""References for the nonlinear model's derivatives and solution (benchmarks and tests only).

* :func:`write_big_nonlinear_case` — the generated material table of ``bench_lp.py`` (fixed
  seed) charged with the nonlinear sections of ``scenarios/nonlinear.yaml`` (coke and PCI as
  decisions, ``process``, ``blast``, ``raft_c``, ``sulphide_capacity``, ``viscosity``).
* :func:`complex_step_jacobian` — the process rows' Jacobian by the complex step,
  dg/dz_j = Im g(z + i·h·e_j)/h (Squire & Trapp, SIAM Review 40 (1998) 110; Martins, Sturdza
  & Alonso, ACM TOMS 29 (2003) 245): no subtractive cancellation, so exact to rounding for
  any h (here 1e-30).  The model is numpy code that coerces its inputs to float; for the
  reference only, :func:`complex_safe` swaps, inside the model's modules, the float
  coercions for ones that keep a complex dtype (nothing else changes: the same code runs).
* :func:`ipopt_solve` — the same nonlinear problem solved by Ipopt (interior point; Wächter &
  Biegler, Math. Prog. 106 (2006) 25) through casadi (pip wheel ``casadi``, Ipopt inside,
  nothing downloaded): the objective and the linear rows as casadi expressions (exact AD),
  the process rows as a casadi Callback returning g and the complex-step Jacobian through
  the aggregate directions (exact to rounding), limited-memory Hessian.
"""

from __future__ import annotations

import contextlib
import importlib
import pkgutil
import sys
import time
import types
from pathlib import Path

import numpy as np
import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
NL = ROOT / "scenarios" / "nonlinear.yaml"
NL_SECTIONS = ("process", "blast", "raft_c", "sulphide_capacity", "viscosity")


def write_big_nonlinear_case(folder: Path, n_materials: int, seed: int = 20240609) -> Path:
    """Scenario path: ``bench_lp.write_big_case`` (``n_materials`` generated ferrous and flux
    materials, fixed seed) with coke, PCI and the nonlinear sections of nonlinear.yaml (the
    fixed L_S of the LP case gives way to the optical-basicity L_S)."""
    if str(HERE) not in sys.path:
        sys.path.insert(0, str(HERE))
    from bench_lp import write_big_case

    folder.mkdir(parents=True, exist_ok=True)
    d = yaml.safe_load(write_big_case(folder, n_materials, seed).read_text(encoding="utf-8"))
    nl = yaml.safe_load(NL.read_text(encoding="utf-8"))
    d["charge"]["coke"] = nl["charge"]["coke"]
    d["charge"]["pci"] = nl["charge"]["pci"]
    d["slag"].pop("sulphur_partition_LS", None)
    for k in NL_SECTIONS:
        d[k] = nl[k]
    out = folder / f"big_nonlinear_{n_materials}.yaml"
    out.write_text(yaml.safe_dump(d, sort_keys=False), encoding="utf-8")
    return out


# -- complex step ----------------------------------------------------------------------------
class _ComplexNumpy(types.ModuleType):
    """numpy, with ``asarray(x, dtype=float)`` keeping a complex x complex."""

    def __getattr__(self, k):
        return getattr(np, k)

    @staticmethod
    def asarray(x, dtype=None, **kw):
        if dtype is float and np.iscomplexobj(x):
            return np.asarray(x, dtype=complex, **kw)
        return np.asarray(x, dtype=dtype, **kw)


def _a_complex(x):
    x = np.asarray(x)
    return x if np.iscomplexobj(x) else np.asarray(x, dtype=float)


@contextlib.contextmanager
def complex_safe():
    """Within the block, the model's modules (burden.chemistry.*, burden.process, burden.nlp)
    keep complex inputs complex.  Restores them on exit."""
    import burden.chemistry as chem
    import burden.nlp as nlp_mod
    import burden.process as proc_mod

    mods = [importlib.import_module("burden.chemistry." + m.name) for m in pkgutil.iter_modules(chem.__path__)]
    mods += [proc_mod, nlp_mod]
    saved = []
    shim = _ComplexNumpy("numpy_complex_safe")
    for mod in mods:
        if getattr(mod, "_a", None) is not None:
            saved.append((mod, "_a", mod._a))
            mod._a = _a_complex
        if getattr(mod, "np", None) is np:
            saved.append((mod, "np", np))
            mod.np = shim
    try:
        yield
    finally:
        for mod, k, v in reversed(saved):
            setattr(mod, k, v)


def complex_step_jacobian(nlp, z: np.ndarray, directions: np.ndarray | None = None, h: float = 1e-30):
    """(g (k,), J (k, nz)) of the process rows at z by the complex step.

    ``directions`` None: every column (nz complex points, the dense exact reference).
    Otherwise ``(n, r)`` orthonormal material directions U (the aggregate basis of
    :class:`burden.nlp_derivatives.AggregateJacobian`): J[:, :n] = (J U) Uᵀ, exact to rounding
    when U spans the aggregate map; the blast columns by the complex step too.
    """
    import warnings

    z = np.asarray(z, dtype=float)
    n, nz = nlp.n_mat, nlp.nz
    with complex_safe(), warnings.catch_warnings():
        warnings.simplefilter("error", np.exceptions.ComplexWarning)  # a dropped imaginary part is an error
        if directions is None:
            Z = z.astype(complex) + 1j * h * np.eye(nz)
            return nlp.g(z), (nlp.g(Z).imag / h).T
        U = directions
        cols = np.array(sorted(set(nlp.col.values())), dtype=int)
        Z = np.repeat(z.astype(complex)[None, :], U.shape[1] + len(cols), axis=0)
        Z[: U.shape[1], :n] += 1j * h * U.T
        Z[U.shape[1] + np.arange(len(cols)), cols] += 1j * h
        G = nlp.g(Z)
    D = G.imag / h
    J = np.zeros((D.shape[1], nz))
    J[:, :n] = D[: U.shape[1]].T @ U.T
    J[:, cols] = D[U.shape[1]:].T
    return nlp.g(z), J


# -- Ipopt through casadi --------------------------------------------------------------------
def ipopt_solve(nlp, z0: np.ndarray, *, tol: float = 1e-9, max_iter: int = 3000) -> dict:
    """Solve the NLP of ``nlp`` with Ipopt (casadi), from z0.  Returns a dict: status (Ipopt's
    return status), objective, z, seconds (nlpsol construction + solve), iterations,
    max_violation (nlp.violation of the clipped result).  Raises ImportError without casadi."""
    import casadi as ca

    from burden.nlp_derivatives import AggregateJacobian

    t0 = time.perf_counter()
    nz = nlp.nz
    agg = AggregateJacobian(nlp)
    U = agg.U if agg.method == "aggregates" else np.eye(nlp.n_mat)
    k = len(nlp.rows)
    cache = {}

    def gj(zz):
        key = zz.tobytes()
        if key not in cache:
            cache.clear()
            g0, J = complex_step_jacobian(nlp, zz, U)
            cache[key] = (g0 / nlp.rscale, J / nlp.rscale[:, None])
        return cache[key]

    class Jac(ca.Callback):
        def __init__(self):
            ca.Callback.__init__(self)
            self.construct("process_rows_jac", {})

        def get_n_in(self): return 2
        def get_n_out(self): return 1
        def get_sparsity_in(self, i): return ca.Sparsity.dense(nz, 1) if i == 0 else ca.Sparsity(k, 1)
        def get_sparsity_out(self, i): return ca.Sparsity.dense(k, nz)

        def eval(self, arg):
            return [gj(np.asarray(arg[0]).ravel())[1]]

    class Rows(ca.Callback):
        def __init__(self):
            ca.Callback.__init__(self)
            self.construct("process_rows", {"enable_fd": False})

        def get_n_in(self): return 1
        def get_n_out(self): return 1
        def get_sparsity_in(self, i): return ca.Sparsity.dense(nz, 1)
        def get_sparsity_out(self, i): return ca.Sparsity.dense(k, 1)

        def eval(self, arg):
            return [gj(np.asarray(arg[0]).ravel())[0]]

        def has_jacobian(self): return True

        def get_jacobian(self, name, inames, onames, opts):
            return jac

    jac = Jac()  # a local of this function: alive as long as the solver runs
    rows = Rows()
    x = ca.MX.sym("z", nz)
    c = nlp.col
    f = ca.dot(ca.DM(nlp.cost), x) + nlp.obj_const
    if nlp.o2_price:
        f = f + nlp.o2_price * x[c["blast_dry_nm3"]] * x[c["oxygen_enrichment_pct"]] / (nlp.o2_purity - 21.0)
    A = ca.DM(nlp.A.tocsc() if hasattr(nlp.A, "tocsc") else np.asarray(nlp.A))
    g = ca.vertcat(ca.mtimes(A, x), rows(x))
    comp = nlp.comp
    lbg = np.concatenate([comp.row_lower, nlp.rlo / nlp.rscale])
    ubg = np.concatenate([comp.row_upper, nlp.rhi / nlp.rscale])
    opts = {"ipopt.print_level": 0, "print_time": False, "ipopt.tol": tol, "ipopt.max_iter": max_iter,
            "ipopt.constr_viol_tol": 1e-9, "ipopt.hessian_approximation": "limited-memory", "ipopt.sb": "yes"}
    solver = ca.nlpsol("ipopt_reference", "ipopt", {"x": x, "f": f, "g": g}, opts)
    big = 1e20
    res = solver(x0=np.clip(z0, nlp.lower, nlp.upper), lbx=np.where(np.isfinite(nlp.lower), nlp.lower, -big),
                 ubx=np.where(np.isfinite(nlp.upper), nlp.upper, big),
                 lbg=np.where(np.isfinite(lbg), lbg, -big), ubg=np.where(np.isfinite(ubg), ubg, big))
    st = solver.stats()
    z = np.clip(np.asarray(res["x"]).ravel(), nlp.lower, nlp.upper)
    return {"status": st["return_status"], "objective": nlp.objective(z), "z": z,
            "seconds": time.perf_counter() - t0, "iterations": int(st.get("iter_count", -1)),
            "max_violation": nlp.violation(z)}
