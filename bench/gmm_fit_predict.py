"""scikit-learn reference for bench/cluster-stage.ts (never used at run time).

Times GaussianMixture(covariance_type="diag").fit(X) followed by predict(X) on the embeddings a job
exported (embeddings.npy), with the recipe's settings. Prints one JSON object on stdout.

    /usr/bin/python3 bench/gmm_fit_predict.py --npy bench/out/cluster-stage/embeddings.npy --k 8
"""

import argparse
import json
import time
import warnings

import numpy as np
import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture

warnings.filterwarnings("ignore", category=ConvergenceWarning)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--npy", required=True)
    ap.add_argument("--k", type=int, required=True)
    ap.add_argument("--tol", type=float, default=1e-4)
    ap.add_argument("--max-iter", type=int, default=50)
    ap.add_argument("--reg", type=float, default=1e-6)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeats", type=int, default=5)
    a = ap.parse_args()
    X = np.load(a.npy)
    seconds, model, labels = [], None, None
    for _ in range(a.repeats):
        t = time.perf_counter()
        model = GaussianMixture(
            a.k, covariance_type="diag", tol=a.tol, max_iter=a.max_iter, reg_covar=a.reg, random_state=a.seed
        ).fit(X)
        labels = model.predict(X)
        seconds.append(time.perf_counter() - t)
    out = {
        "sklearn": sklearn.__version__,
        "n": int(X.shape[0]),
        "dim": int(X.shape[1]),
        "seconds": seconds,
        "median": float(np.median(seconds)),
        "iterations": int(model.n_iter_),
        "meanLogLikelihood": float(model.score(X)),
        "labels": [int(v) for v in labels],
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
