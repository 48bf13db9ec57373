"""scikit-learn's side of bench/classifier-auc.ts: TF-IDF (sublinear, word 1-2-grams) -> LogisticRegression,
5-fold stratified cross-validated AUC (TF-IDF fitted inside each fold). Reads JSONL {text, y}; prints JSON."""
import json
import sys
import time

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline

rows = [json.loads(line) for line in open(sys.argv[1], encoding="utf-8")]
texts = [r["text"] for r in rows]
y = np.array([r["y"] for r in rows])
t0 = time.perf_counter()
pipe = make_pipeline(TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2)), LogisticRegression(max_iter=1000))
aucs = cross_val_score(pipe, texts, y, cv=StratifiedKFold(5, shuffle=True, random_state=0), scoring="roc_auc")
print(json.dumps({"auc": float(aucs.mean()), "aucStd": float(aucs.std(ddof=1)), "seconds": time.perf_counter() - t0}))
