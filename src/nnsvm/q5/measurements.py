"""Q5 measurements for the report: the kernel identities, as q5 measured them on random points."""

from __future__ import annotations

from nnsvm.measurement import Measurement, around, measure
from nnsvm.q5.params import Q5Params

SUM_TOL = 1e-10  # float64 rounding of sums over a few hundred kernel values


def measurements(result: dict, p: Q5Params, fig: str) -> dict[str, Measurement]:
    ks = result["kernels"]
    worst_cs = max(r["cs_max_ratio"] for r in ks.values())
    exact = {n: r for n, r in ks.items() if "mu_norm_abs_err" in r}
    worst_mu = max(r["mu_norm_abs_err"] for r in exact.values())
    rff, rbf = result["rbf_rff"], ks["rbf"]
    min_eig = min(r["min_eig_rel"] for r in ks.values())
    return {
        "q5.cs_worst_ratio": around(
            worst_cs,
            p.tol,
            "g",
            f"float64 rounding, {p.tol:g}",
            text=f"largest K(x,y)^2 / (K(x,x) K(y,y)) = {worst_cs:.15f} over {result['pairs']} pairs x {len(ks)} "
            "kernels",
            note="; ".join(f"{n}: {r['cs_max_ratio']:.12f}" for n, r in ks.items()),
        ),
        "q5.gram_min_eig_rel": around(
            min_eig,
            p.tol,
            "e",
            f"float64 rounding, {p.tol:g}",
            text=f"smallest eigenvalue / largest over the Gram matrices: {min_eig:.1e}",
            note=f"every Gram matrix symmetric (largest asymmetry {max(r['asymmetry'] for r in ks.values()):.1e}) "
            "and equal to scikit-learn's pairwise_kernels to "
            f"{max(r['sklearn_max_abs_err'] for r in ks.values()):.1e}",
        ),
        "q5.mu_norm_err": around(
            worst_mu,
            SUM_TOL,
            "e",
            f"float64 rounding of the sums, {SUM_TOL:g}",
            text=f"largest |kernel formula - norm of the mapped mean| {worst_mu:.1e} (explicit maps)",
            note="; ".join(
                f"{n}: kernel {r['mu_norm_kernel']:.10f} vs features {r['mu_norm_features']:.10f} (dim "
                f"{r['feature_dim']})"
                for n, r in exact.items()
            )
            + f"; RBF by random Fourier features, D = {rff['features'][0]}..{rff['features'][-1]}: error "
            f"{rff['mean_abs_err'][0]:.1e} -> {rff['mean_abs_err'][-1]:.1e}, log-log slope "
            f"{rff['loglog_slope']:.2f} (Monte Carlo rate -0.5)",
            figures=(fig,),
        ),
        "q5.input_mean_vs_mu": around(
            abs(rbf["input_mean_norm"] - rbf["mu_norm_kernel"]),
            SUM_TOL,
            "g",
            f"float64 rounding of the sums, {SUM_TOL:g}",
            text=f"RBF: ||mean of x_i|| = {rbf['input_mean_norm']:.4f} vs ||mu_phi|| = {rbf['mu_norm_kernel']:.4f}",
            note="the input mean has the norm of mu_phi only for the linear kernel (linear: "
            f"{ks['linear']['input_mean_norm']:.6f} vs {ks['linear']['mu_norm_kernel']:.6f})",
        ),
        "q5.rff_slope": measure(
            rff["loglog_slope"],
            text=f"log-log slope {rff['loglog_slope']:.2f} of the RFF error against D",
            figures=(fig,),
        ),
    }
