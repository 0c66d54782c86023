"""Q5: the answer's kernel identities, judged against what q5 measured."""

from __future__ import annotations

from nnsvm.claims import Claim
from nnsvm.q5.params import Q5Params


def claims(result: dict, p: Q5Params, fig: str) -> list[Claim]:
    ks = result["kernels"]
    worst_cs = max(r["cs_max_ratio"] for r in ks.values())
    exact = {n: r for n, r in ks.items() if "mu_norm_abs_err" in r}
    worst_mu = max(r["mu_norm_abs_err"] for r in exact.values())
    rff = result["rbf_rff"]
    shrinking = rff["mean_abs_err"][-1] < rff["mean_abs_err"][0] and rff["loglog_slope"] < 0
    psd_ok = all(
        r["asymmetry"] == 0 and r["min_eig_rel"] >= -1e-12 and r["sklearn_max_abs_err"] <= 1e-10 for r in ks.values()
    )
    m = {f"q5.{n}.{k}": v for n, r in ks.items() for k, v in r.items() if isinstance(v, float)}
    rbf = ks["rbf"]
    return [
        Claim(
            "Q5",
            "For a valid kernel K(x, y)^2 <= K(x, x) K(y, y) (Cauchy-Schwarz in feature space)",
            "ratio <= 1",
            f"largest ratio {worst_cs:.15f} over {result['pairs']} pairs x {len(ks)} kernels",
            "confirmed" if worst_cs <= 1 + p.tol and psd_ok else "differs",
            "; ".join(f"{n}: {r['cs_max_ratio']:.12f}" for n, r in ks.items())
            + (
                f"; every Gram matrix symmetric, PSD (smallest eigenvalue / largest >= -1e-12) and equal to sklearn's "
                f"pairwise_kernels to {max(r['sklearn_max_abs_err'] for r in ks.values()):.1e}"
                if psd_ok
                else "; a kernel matrix failed the symmetry, PSD or scikit-learn check"
            ),
            (),
            m | {"q5.cs_worst_ratio": worst_cs},
        ),
        Claim(
            "Q5",
            "||mu_phi|| = (1/Q) sqrt(sum_m sum_n K(x_m, x_n))",
            "kernel formula = norm of the mapped mean",
            f"largest |difference| {worst_mu:.1e} (explicit maps); RBF vs RFF error "
            f"{rff['mean_abs_err'][0]:.1e} -> {rff['mean_abs_err'][-1]:.1e}",
            "confirmed" if worst_mu <= 1e-10 and shrinking else "differs",
            "; ".join(
                f"{n}: kernel {r['mu_norm_kernel']:.10f} vs features {r['mu_norm_features']:.10f} (dim "
                f"{r['feature_dim']})"
                for n, r in exact.items()
            )
            + f"; RBF by random Fourier features, D = {rff['features'][0]}..{rff['features'][-1]}: log-log slope "
            f"{rff['loglog_slope']:.2f} (Monte Carlo rate -0.5)",
            (fig,),
            {
                "q5.mu_worst_abs_err": worst_mu,
                "q5.rff_slope": rff["loglog_slope"],
                "q5.rff_last_err": rff["mean_abs_err"][-1],
            },
        ),
        Claim(
            "Q5",
            "In the derivation mu_phi = (1/Q) sum_i x_i (the mean of the inputs)",
            "mu_phi = mean of x_i",
            f"RBF: ||mean x|| = {rbf['input_mean_norm']:.4f} vs ||mu_phi|| = {rbf['mu_norm_kernel']:.4f}",
            "corrected" if abs(rbf["input_mean_norm"] - rbf["mu_norm_kernel"]) > 1e-6 else "confirmed",
            "a notation slip: mu_phi = (1/Q) sum_i phi(x_i); the input mean has the same norm only for the linear "
            "kernel "
            f"(linear: {ks['linear']['input_mean_norm']:.6f} = {ks['linear']['mu_norm_kernel']:.6f}); the final "
            "formula stands",
            (),
            {"q5.input_mean_norm": rbf["input_mean_norm"]},
        ),
    ]
