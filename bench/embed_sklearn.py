"""scikit-learn reference for bench/embed-topics.ts (never used at run time).

TF-IDF (sublinear tf; word uni- and bigrams, or for --lang zh character uni- and bigrams) over
instruction + input + output -> TruncatedSVD(64, random_state=0) -> Normalizer -> KMeans(k = the
number of distinct labels, n_init=10, random_state=0), and the adjusted Rand index of its clusters
against the labels. Prints one JSON object on stdout.

    /usr/bin/python3 bench/embed_sklearn.py --data topics.jsonl --labels topics.jsonl.labels \
        [--lang en|zh] [--assignments winnow.assign]

--data is JSONL or a JSON array of {instruction, input, output}; --labels and --assignments hold
one integer per line in record order. An assignment of -1 (a record Winnow gave no cluster) counts
as one more cluster of its own. `seconds` is the pipeline from the texts to the labels (reading the
file not included); `stages` splits it.
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
    ap.add_argument("--assignments")
    ap.add_argument("--lang", choices=["en", "zh"], default="en")
    ap.add_argument("--dim", type=int, default=64)
    a = ap.parse_args()

    texts = [text_of(r) for r in read_records(a.data)]
    labels = read_ints(a.labels)
    if len(texts) != len(labels):
        raise SystemExit(f"{a.data} has {len(texts)} records but {a.labels} has {len(labels)} labels")
    k = len(np.unique(labels))

    stages = {}
    t0 = t = time.perf_counter()
    if a.lang == "zh":
        vec = TfidfVectorizer(sublinear_tf=True, analyzer="char", ngram_range=(1, 2))
    else:
        vec = TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2))
    X = vec.fit_transform(texts)
    stages["tfidf"], t = time.perf_counter() - t, time.perf_counter()
    Z = TruncatedSVD(a.dim, random_state=0).fit_transform(X)
    Z = Normalizer(copy=False).fit_transform(Z)
    stages["svd"], t = time.perf_counter() - t, time.perf_counter()
    pred = KMeans(n_clusters=k, n_init=10, random_state=0).fit_predict(Z)
    stages["kmeans"] = time.perf_counter() - t
    seconds = time.perf_counter() - t0

    out = {
        "sklearn": sklearn.__version__,
        "records": len(texts),
        "k": k,
        "features": int(X.shape[1]),
        "ari": float(adjusted_rand_score(labels, pred)),
        "seconds": seconds,
        "stages": stages,
    }
    if a.assignments:
        assigned = read_ints(a.assignments)
        if len(assigned) != len(labels):
            raise SystemExit(f"{a.assignments} has {len(assigned)} lines, {a.labels} {len(labels)}")
        out["winnowAri"] = float(adjusted_rand_score(labels, assigned))
        out["winnowUnassigned"] = int((assigned < 0).sum())
    print(json.dumps(out))


if __name__ == "__main__":
    main()
