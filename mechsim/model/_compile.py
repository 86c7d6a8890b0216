"""Compile a :class:`~mechsim.network.Network` into pure JAX functions."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import jax.numpy as jnp
import numpy as np
import sympy as sp

import mechsim._config  # noqa: F401  (float64)
from mechsim.errors import NetworkError, UnitError
from mechsim.model._codegen import jax_function
from mechsim.model._dae import dae_form, fast_subsystem_rows
from mechsim.network import Network, symbolic
from mechsim.units import internal_factor

__all__ = ["CompiledModel", "compile_network", "symbolic_rhs_jacobian"]


@dataclass(frozen=True, eq=False)
class CompiledModel:
    """A network compiled to pure JAX functions (all in internal units: umol, L, h).

    Every function takes ``(t, y, p)`` with ``y`` the state vector (species amounts in
    umol, then rate-rule variables) and ``p`` the parameter vector in internal units
    (order of :attr:`param_names`; build it with :meth:`param_vector`). They are pure,
    so they work under ``jax.jit``, ``jax.vmap`` and ``jax.jacfwd``.

    Attributes
    ----------
    rhs:
        ``dy/dt`` (umol/h), shape ``(n,)``.
    jac:
        Analytic Jacobian ``d rhs / d y`` (1/h), dense ``(n, n)``, built from symbolic
        derivatives of only the structurally nonzero entries.
    jac_values:
        The same Jacobian as the vector of its structural nonzeros, in the row-major
        order of ``np.nonzero(sparsity)`` (1/h), shape ``(nnz,)``: what the sparse
        Rosenbrock solve consumes, with no dense matrix formed.
    sparsity:
        numpy bool ``(n, n)``: structural nonzeros of :attr:`jac` (diagonal included;
        with a mass matrix, its nonzeros too).
    mass_matrix:
        ``None`` for an ODE; for a DAE (``Network.algebraic`` / ``fast_reactions``) the
        constant float64 ``(n, n)`` matrix M of ``M dy/dt = rhs`` (:mod:`._dae`), which
        every solver call must pass on (``integrate(..., mass_matrix=...)``).
    fast_rhs:
        ``None``, or with fast reactions their ODE alone, ``y' = N_f v_f`` (umol/h),
        whose steady state is the rapid equilibrium (:func:`._dae.fast_subsystem_rows`).
    """

    network: Network
    state_keys: tuple[str, ...]
    param_names: tuple[str, ...]
    observable_names: tuple[str, ...]
    assignment_names: tuple[str, ...]
    rhs: Callable
    jac: Callable
    jac_values: Callable
    sparsity: np.ndarray
    stoich: np.ndarray
    fluxes: Callable
    observables: Callable
    assignments: Callable
    event_triggers: Callable
    event_priorities: Callable
    species_volumes: Callable
    _y0: Callable
    _event_apply: tuple[Callable, ...]
    _param_factors: np.ndarray
    _observable_factors: np.ndarray
    _species_factors: np.ndarray
    _species_is_conc: np.ndarray
    mass_matrix: np.ndarray | None = None
    fast_rhs: Callable | None = None

    @property
    def n_states(self) -> int:
        """Number of ODE states."""
        return len(self.state_keys)

    def param_vector(self, values: Mapping[str, float] | None = None) -> jnp.ndarray:
        """Parameter vector in internal units.

        ``values`` overrides nominal values, given in each parameter's declared unit.
        Unknown names raise :class:`~mechsim.errors.NetworkError`.
        """
        nominal = {p.name: p.value for p in self.network.parameters}
        if values:
            for name in values:
                if name not in nominal:
                    self.network.parameter(name)  # raises with suggestions
            nominal.update(values)
        declared = jnp.asarray([nominal[n] for n in self.param_names], dtype=jnp.float64)
        return declared * self._param_factors

    def to_internal(self, declared: jnp.ndarray) -> jnp.ndarray:
        """Convert a parameter vector from declared units to internal units (jit-safe)."""
        return declared * self._param_factors

    def to_declared(self, internal: jnp.ndarray) -> jnp.ndarray:
        """Convert a parameter vector from internal units to declared units (jit-safe)."""
        return internal / self._param_factors

    def y0(self, p: jnp.ndarray, t0: float = 0.0) -> jnp.ndarray:
        """Initial state (umol) for parameters ``p``, initial assignments applied."""
        return self._y0(t0, p)

    def apply_event(self, k: int, t, y, p) -> tuple[jnp.ndarray, jnp.ndarray]:
        """Apply event ``k``'s assignments (evaluated at the pre-event state)."""
        return self._event_apply[k](t, y, p)

    def species_in_units(self, t, y, p) -> jnp.ndarray:
        """Species values in each species' declared unit (concentration or amount)."""
        n_sp = len(self.network.species)
        amounts = y[:n_sp]
        vols = self.species_volumes(t, y, p)
        return jnp.where(self._species_is_conc, amounts / vols, amounts) / self._species_factors

    def observables_in_units(self, t, y, p) -> jnp.ndarray:
        """Observables converted to their declared units."""
        return self.observables(t, y, p) / self._observable_factors

    def conservation_laws(self) -> list[dict[str, float]]:
        """Stoichiometric conservation laws (left null space of the species rows).

        Each law is ``{state_key: coefficient}`` such that ``sum(coef * amount)`` is
        constant for any rate laws (in a closed network without rate rules acting on
        species). Computed exactly with rational arithmetic.
        """
        return conservation_laws(self.network)


def compile_network(network: Network) -> CompiledModel:
    """Compile ``network`` (cached on the network object: compiling twice is free)."""
    cached = network.__dict__.get("_compiled_cache")
    if cached is not None:
        return cached
    sym = symbolic(network)
    ys, ps = sym.state_symbols, sym.param_symbols
    n = len(ys)
    dydt, entries, sparsity = symbolic_rhs_jacobian(network)
    fluxes = list(sym.fluxes)
    N = sym.stoich
    rhs = jax_function(dydt, ys, ps)
    nz_rows, nz_cols = np.nonzero(sparsity)
    fast_rows = fast_subsystem_rows(network, fluxes, N, n)
    jac_values = jax_function(
        [entries.get((int(i), int(k)), sp.Integer(0)) for i, k in zip(nz_rows, nz_cols, strict=True)],
        ys, ps,
    )  # fmt: skip

    def jac(t, y, p):
        vals = jac_values(t, y, p)
        return jnp.zeros((n, n), dtype=vals.dtype).at[nz_rows, nz_cols].set(vals)

    model = CompiledModel(
        network=network,
        state_keys=network.state_keys,
        param_names=tuple(p.name for p in network.parameters),
        observable_names=tuple(sym.observables),
        assignment_names=tuple(sym.assignments),
        rhs=rhs,
        jac=jac,
        jac_values=jac_values,
        sparsity=sparsity,
        stoich=N,
        fluxes=jax_function(fluxes, ys, ps),
        observables=jax_function(list(sym.observables.values()), ys, ps),
        assignments=jax_function(list(sym.assignments.values()), ys, ps),
        event_triggers=jax_function(list(sym.event_triggers), ys, ps),
        event_priorities=jax_function(
            [e if e is not None else sp.Integer(0) for e in sym.event_priorities], ys, ps
        ),
        species_volumes=jax_function(list(sym.species_volume), ys, ps),
        _y0=_initial_state(network, sym),
        _event_apply=tuple(_event_fn(network, sym, k) for k in range(len(network.events))),
        _param_factors=_factors([p.unit for p in network.parameters], network.check_units),
        _observable_factors=_factors([o.unit for o in network.observables], network.check_units),
        _species_factors=_factors([s.unit for s in network.species], network.check_units),
        _species_is_conc=np.array([_conc_unit(s.unit) for s in network.species], dtype=bool),
        mass_matrix=network.__dict__.get("_dae_mass_matrix"),
        fast_rhs=None if fast_rows is None else jax_function(fast_rows, ys, ps),
    )
    object.__setattr__(network, "_compiled_cache", model)
    return model


def symbolic_rhs_jacobian(
    network: Network,
) -> tuple[list[sp.Expr], dict[tuple[int, int], sp.Expr], np.ndarray]:
    """``(dydt, jacobian entries {(i, k): expr}, sparsity)`` of ``network`` (sympy, cached).

    ``dydt[i]`` is the right-hand side of state i (species: stoichiometry x fluxes, then
    rate rules; for a DAE network the rows of F in M y' = F, :mod:`._dae`, whose M is
    cached on the network for :func:`compile_network`); the Jacobian holds the symbolic derivatives of only the structurally
    nonzero entries, combined flux by flux; ``sparsity`` is their boolean (n, n) pattern
    with the diagonal. Shared by the JAX functions and the native C kernel
    (:mod:`mechsim.native._model_c`).
    """
    cached = network.__dict__.get("_symbolic_rhs_jacobian")
    if cached is not None:
        return cached
    sym = symbolic(network)
    ys = sym.state_symbols
    n_sp = len(network.species)
    n = len(ys)
    N = sym.stoich
    fluxes = list(sym.fluxes)
    dydt: list[sp.Expr] = []
    for i in range(n):
        if i < n_sp:
            terms = [sp.nsimplify(N[i, j]) * fluxes[j] for j in np.nonzero(N[i])[0]]
            dydt.append(sp.Add(*terms) if terms else sp.Integer(0))
        else:
            dydt.append(sym.rate_rules[i - n_sp])
    # Jacobian: derivatives of each flux w.r.t. the states it depends on, combined.
    state_index = {s: i for i, s in enumerate(ys)}
    entries: dict[tuple[int, int], sp.Expr] = {}
    for j, v in enumerate(fluxes):
        dep = [state_index[s] for s in v.free_symbols if s in state_index]
        rows = np.nonzero(N[:n_sp, j])[0]
        for k in dep:
            dv = _tidy_derivative(sp.diff(v, ys[k]))
            if dv == 0:
                continue
            for i in rows:
                entries[(i, k)] = entries.get((i, k), sp.Integer(0)) + sp.nsimplify(N[i, j]) * dv
    for r, expr in enumerate(sym.rate_rules):
        i = n_sp + r
        for s in expr.free_symbols:
            if s in state_index:
                d = _tidy_derivative(sp.diff(expr, s))
                if d != 0:
                    entries[(i, state_index[s])] = d
    form = dae_form(network, fluxes, N, dydt)
    if form is not None:
        dydt, mass = form
        entries = {}
        for i, expr in enumerate(dydt):
            for s in expr.free_symbols:
                if s in state_index:
                    d = _tidy_derivative(sp.diff(expr, s))
                    if d != 0:
                        entries[(i, state_index[s])] = d
        object.__setattr__(network, "_dae_mass_matrix", mass)
    keys = sorted(entries)
    sparsity = np.eye(n, dtype=bool)
    for i, k in keys:
        sparsity[i, k] = True
    if form is not None:
        sparsity |= form[1] != 0
    out = (dydt, entries, sparsity)
    object.__setattr__(network, "_symbolic_rhs_jacobian", out)
    return out


#: Piecewise-constant functions: their derivative is zero almost everywhere.
_STEP_FUNCTIONS = (sp.floor, sp.ceiling, sp.sign, sp.Heaviside)


def _tidy_derivative(d: sp.Expr) -> sp.Expr:
    """Make a symbolic derivative printable and finite.

    * Derivatives of step functions (floor, ceiling, sign, Heaviside) are zero almost
      everywhere; sympy leaves them as ``Derivative`` or ``DiracDelta`` terms.
    * Merge powers of a base: d(x**n)/dx = n*x**n/x (NaN at x = 0) -> n*x**(n-1).
    """
    if d.has(sp.Derivative):
        d = d.replace(
            lambda e: isinstance(e, sp.Derivative) and isinstance(e.expr, _STEP_FUNCTIONS),
            lambda e: sp.S.Zero,
        )
        d = d.replace(lambda e: isinstance(e, sp.Subs), lambda e: e.doit())
    if d.has(sp.DiracDelta):
        d = d.replace(lambda e: isinstance(e, sp.DiracDelta), lambda e: sp.S.Zero)
    if any(not p.exp.is_number for p in d.atoms(sp.Pow)):
        return sp.powsimp(sp.expand_power_base(d, force=True), force=True, combine="exp")
    return d


def _factors(units: list[str], checked: bool) -> np.ndarray:
    if not checked:
        return np.ones(len(units))
    return np.array([internal_factor(u) for u in units], dtype=np.float64)


def _initial_state(network: Network, sym) -> Callable:
    """``y0(t0, p)``: species initial values (x volume for concentrations), then IAs."""
    ys, ps = sym.state_symbols, sym.param_symbols
    base: list[sp.Expr] = []
    for i, s in enumerate(network.species):
        f = internal_factor(s.unit) if network.check_units else 1.0
        if s.is_concentration or (not network.check_units and _conc_unit(s.unit)):
            base.append(sp.Float(s.initial * f) * sym.species_volume[i])
        else:
            base.append(sp.Float(s.initial * f))
    for r in network.rate_rules:
        f = internal_factor(r.unit) if network.check_units else 1.0
        base.append(sp.Float(r.initial * f))
    base_fn = jax_function(base, ys, ps)
    ia_index = list(sym.initial_assignments)
    ia_fn = jax_function([sym.initial_assignments[i] for i in ia_index], ys, ps)
    idx = np.array(ia_index, dtype=np.int32)

    def y0(t0, p):
        dummy = jnp.zeros(len(ys), dtype=jnp.float64)
        y = base_fn(t0, dummy, p)
        if len(idx):
            y = y.at[idx].set(ia_fn(t0, y, p))
        return y

    return y0


def _conc_unit(unit: str) -> bool:
    from mechsim.units import same_dimension

    try:
        return same_dimension(unit, "umol/L")
    except UnitError:  # an unparseable unit in an unchecked (imported) model
        return False


def _event_fn(network: Network, sym, k: int) -> Callable:
    ys, ps = sym.state_symbols, sym.param_symbols
    items = sym.event_assignments[k]
    fn = jax_function([e for _, _, e in items], ys, ps)
    state_idx = np.array([i for kind, i, _ in items if kind == "state"], dtype=np.int32)
    param_pos = {p.name: j for j, p in enumerate(network.parameters)}
    param_idx = np.array([param_pos[i] for kind, i, _ in items if kind == "param"], dtype=np.int32)
    is_state = np.array([kind == "state" for kind, _, _ in items], dtype=bool)

    def apply(t, y, p):
        vals = fn(t, y, p)
        if len(state_idx):
            y = y.at[state_idx].set(vals[np.nonzero(is_state)[0]])
        if len(param_idx):
            p = p.at[param_idx].set(vals[np.nonzero(~is_state)[0]])
        return y, p

    return apply


def conservation_laws(network: Network) -> list[dict[str, float]]:
    """Left null space of the species stoichiometry, as ``{state_key: coefficient}`` dicts."""
    sym = symbolic(network)
    n_sp = len(network.species)
    N = sp.Matrix(sym.stoich[:n_sp].round(12)).applyfunc(sp.nsimplify)
    if N.shape[1] == 0:
        vecs = [sp.Matrix([1 if i == j else 0 for i in range(n_sp)]) for j in range(n_sp)]
    else:
        vecs = N.T.nullspace()
    laws = []
    for v in vecs:
        denom = sp.ilcm(*[sp.fraction(x)[1] for x in v]) if len(v) else 1
        v = v * denom
        law = {network.species[i].key: float(v[i]) for i in range(n_sp) if v[i] != 0}
        if law:
            laws.append(law)
    if not laws and n_sp and N.shape[1] and N.rank() == n_sp:
        return []
    return laws


def check_finite_parameters(model: CompiledModel, p) -> None:
    """Raise :class:`NetworkError` naming the first non-finite parameter (host-side check)."""
    arr = np.asarray(p)
    bad = np.nonzero(~np.isfinite(arr))[0]
    if bad.size:
        name = model.param_names[int(bad[0])]
        raise NetworkError(f"parameter {name!r} is {arr[bad[0]]}; parameters must be finite")
