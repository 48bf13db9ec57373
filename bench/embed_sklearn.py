"""scikit-learn reference for bench/embed-topics.ts (never used at run time).

TF-IDF (sublinear tf; word uni- and bigrams, or for --lang zh character uni- and bigrams) over
instruction + input + output -> TruncatedSVD(64, random_state=s) -> Normalizer -> KMeans(k = the
number of distinct labels, n_init=10, random_state=s) for each seed s of --seeds (default 0), and
the adjusted Rand index of its clusters against the labels. The TF-IDF matrix is computed once and
shared by every seed. Prints one JSON object on stdout.

    /usr/bin/python3 bench/embed_sklearn.py --data topics.jsonl --labels topics.jsonl.labels \
        [--lang en|zh] [--seeds 0,1,2,3,4] [--assignments winnow.seed0.assign ...]

--data is JSONL or a JSON array of {instruction, input, output}; --labels and each --assignments
file hold one integer per line in record order. An assignment of -1 (a record Winnow gave no
cluster) counts as one more cluster of its own. `runs` has one entry per seed: its ARI, `seconds`
(the pipeline from the texts to the labels, reading the file not included: the shared TF-IDF plus
this seed's SVD and k-means) and `stages` splitting it. `winnowAri` has the ARI of each
--assignments file, in order.
"""

import argparse
import json
import time

import numpy as np
import sklearn
from sklearn.cluster import KMeans
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import adjusted_rand_score
from sklearn.preprocessing import Normalizer


def read_records(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if text.lstrip().startswith("["):
        return json.loads(text)
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def read_ints(path):
    with open(path, encoding="utf-8") as f:
        return np.array([int(line) for line in f if line.strip()], dtype=np.int64)


def text_of(r):
    return "\n".join(str(r.get(k) or "") for k in ("instruction", "input", "output"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--labels", required=True)
    ap.add_argument("--assignments", nargs="*", default=[])
    ap.add_argument("--seeds", default="0", help="comma-separated random_state values")
    ap.add_argument("--lang", choices=["en", "zh"], default="en")
    ap.add_argument("--dim", type=int, default=64)
    a = ap.parse_args()

    texts = [text_of(r) for r in read_records(a.data)]
    labels = read_ints(a.labels)
    if len(texts) != len(labels):
        raise SystemExit(f"{a.data} has {len(texts)} records but {a.labels} has {len(labels)} labels")
    k = len(np.unique(labels))

    seeds = [int(s) for s in a.seeds.split(",") if s.strip()]

    t = time.perf_counter()
    if a.lang == "zh":
        vec = TfidfVectorizer(sublinear_tf=True, analyzer="char", ngram_range=(1, 2))
    else:
        vec = TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2))
    X = vec.fit_transform(texts)
    tfidf = time.perf_counter() - t

    runs = []
    for seed in seeds:
        stages = {"tfidf": tfidf}
        t = time.perf_counter()
        Z = TruncatedSVD(a.dim, random_state=seed).fit_transform(X)
        Z = Normalizer(copy=False).fit_transform(Z)
        stages["svd"], t = time.perf_counter() - t, time.perf_counter()
        pred = KMeans(n_clusters=k, n_init=10, random_state=seed).fit_predict(Z)
        stages["kmeans"] = time.perf_counter() - t
        runs.append(
            {
                "seed": seed,
                "ari": float(adjusted_rand_score(labels, pred)),
                "seconds": sum(stages.values()),
                "stages": stages,
            }
        )

    out = {
        "sklearn": sklearn.__version__,
        "records": len(texts),
        "k": k,
        "features": int(X.shape[1]),
        "runs": runs,
    }
    if a.assignments:
        out["winnowAri"] = []
        out["winnowUnassigned"] = []
        for path in a.assignments:
            assigned = read_ints(path)
            if len(assigned) != len(labels):
                raise SystemExit(f"{path} has {len(assigned)} lines, {a.labels} {len(labels)}")
            out["winnowAri"].append(float(adjusted_rand_score(labels, assigned)))
            out["winnowUnassigned"].append(int((assigned < 0).sum()))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
