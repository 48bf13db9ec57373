"""scikit-learn reference for bench/cluster.ts (never used at run time).

Reads the matrices bench/cluster.ts wrote (.npy) and fits scikit-learn's KMeans and diagonal
GaussianMixture on the same data, from the same initial parameters and from scikit-learn's own
initialization. Prints one JSON object on stdout.

    /usr/bin/python3 bench/cluster_sklearn.py --dir bench/out/cluster --k 64 --iters 20 --seed 1

Own-init fits run for --seeds random states (seed, seed + 1, ...): one seed's local optimum
differs from another's by a few percent on clustered data, so compare the spreads.

Timing: seconds of fit() / iterations run, and the marginal cost of an iteration (with --repeats R,
the fastest of R fits of each length, which a shared machine disturbs least),
(T(max_iter=iters) - T(max_iter=1)) / (iterations - 1), which leaves out validation,
initialization and the final E-step. The timed mixture fits use tol=0 so they run every
iteration; the compared fits use the default tol (1e-3), as ours.
"""

import argparse
import json
import os
import time
import warnings

import numpy as np
import sklearn
from sklearn.cluster import KMeans
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture

warnings.filterwarnings("ignore", category=ConvergenceWarning)


def timed(make, X):
    model = make()
    t = time.perf_counter()
    model.fit(X)
    return model, time.perf_counter() - t


def per_iter(make, X, iters, n_iter_of, repeats=1):
    """fit() time / iterations and marginal seconds per iteration (the fastest of `repeats` fits each)."""
    full, t_full = min((timed(lambda: make(iters), X) for _ in range(repeats)), key=lambda r: r[1])
    one, t_one = min((timed(lambda: make(1), X) for _ in range(repeats)), key=lambda r: r[1])
    n_full, n_one = n_iter_of(full), n_iter_of(one)
    marginal = (t_full - t_one) / (n_full - n_one) if n_full > n_one else None
    return {"seconds": t_full, "iterations": n_full, "secondsPerIter": t_full / n_full, "marginalPerIter": marginal}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--k", type=int, required=True)
    ap.add_argument("--iters", type=int, default=20)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--seeds", type=int, default=1, help="own-init fits with random_state seed, seed + 1, ...")
    ap.add_argument("--var-floor", type=float, default=1e-6)
    ap.add_argument("--no-timing", action="store_true")
    ap.add_argument("--repeats", type=int, default=1, help="timed fits of each length; the fastest counts")
    a = ap.parse_args()
    load = lambda name: np.load(os.path.join(a.dir, name))
    X = load("x.npy")
    centroids = load("init_centroids.npy")
    weights, means, precisions = load("gmm_weights.npy"), load("gmm_means.npy"), load("gmm_precisions.npy")
    k, iters, seed, reg = a.k, a.iters, a.seed, a.var_floor

    def kmeans_same(max_iter, tol=0.0):
        return KMeans(n_clusters=k, init=centroids.astype(X.dtype), n_init=1, max_iter=max_iter, tol=tol)

    def gmm_same(max_iter, tol=1e-3):
        return GaussianMixture(
            k, covariance_type="diag", max_iter=max_iter, tol=tol, reg_covar=reg, init_params="kmeans",
            weights_init=weights, means_init=means, precisions_init=precisions, random_state=seed,
        )

    out = {"sklearn": sklearn.__version__, "numpy": np.__version__, "n": X.shape[0], "dim": X.shape[1], "k": k}
    km, _ = timed(lambda: kmeans_same(iters), X)
    out["kmeansSameInit"] = {"inertia": float(km.inertia_), "iterations": int(km.n_iter_)}
    gm, _ = timed(lambda: gmm_same(iters), X)
    out["gmmSameInit"] = {
        "meanLogLikelihood": float(gm.score(X)), "iterations": int(gm.n_iter_), "converged": bool(gm.converged_),
        "bic": float(gm.bic(X)),
    }
    out["kmeansOwnInit"], out["gmmOwnInit"] = [], []
    for s in range(seed, seed + a.seeds):
        km_own, _ = timed(lambda: KMeans(n_clusters=k, n_init=1, max_iter=iters, random_state=s), X)
        out["kmeansOwnInit"].append({"seed": s, "inertia": float(km_own.inertia_), "iterations": int(km_own.n_iter_)})
        gm_own, _ = timed(
            lambda: GaussianMixture(k, covariance_type="diag", max_iter=iters, reg_covar=reg, init_params="kmeans",
                                    random_state=s), X)
        out["gmmOwnInit"].append(
            {"seed": s, "meanLogLikelihood": float(gm_own.score(X)), "iterations": int(gm_own.n_iter_)})
    out["inertia"] = out["kmeansSameInit"]["inertia"]
    out["meanLogLikelihood"] = out["gmmSameInit"]["meanLogLikelihood"]
    if not a.no_timing:
        out["kmeansTiming"] = per_iter(lambda m: kmeans_same(m), X, iters, lambda f: f.n_iter_, a.repeats)
        out["gmmTiming"] = per_iter(lambda m: gmm_same(m, tol=0.0), X, iters, lambda f: f.n_iter_, a.repeats)
        out["kmeansSecondsPerIter"] = out["kmeansTiming"]["secondsPerIter"]
        out["gmmSecondsPerIter"] = out["gmmTiming"]["secondsPerIter"]
    print(json.dumps(out))


if __name__ == "__main__":
    main()
