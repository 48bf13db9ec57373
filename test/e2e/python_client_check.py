"""Drives winnow_client.py against a running Winnow, as a training script would (test/e2e/python-client.test.ts).

usage: python3 python_client_check.py <module dir> <dataset.jsonl.gz> <part.jsonl> <work dir> <name>
with WINNOW_URL and WINNOW_TOKEN set. Checks what it can itself (assert), and prints one JSON object
of facts on stdout for the test to compare with the API as the TypeScript client sees it.
"""

import json
import os
import sys

module_dir, dataset_file, part_file, work, name = sys.argv[1:6]
sys.path.insert(0, module_dir)

from winnow_client import (  # noqa: E402
    BadRequest,
    Batch,
    NetworkError,
    NotFound,
    Unauthorized,
    Winnow,
    WinnowError,
)

w = Winnow()  # WINNOW_URL and WINNOW_TOKEN from the environment
facts = {"health": w.health()}

# Datasets: a gzip file uploaded as it is, streamed from disk, and one more part.
uploaded = w.upload_dataset(name, dataset_file)
appended = w.append_part(name, "extra", part_file)
assert len(appended["objects"]) == 2, appended
assert name in [d["name"] for d in w.datasets()]
facts["dataset"] = w.dataset(name)
facts["uploaded"] = uploaded

# A job with clustering (so the sampler has components) and the default weights (from quality).
recipe = {
    "scorers": [{"id": "length"}, {"id": "lexical"}],
    "cluster": {"algorithm": "kmeans", "k": 3, "dim": 32, "seed": 2, "maxIter": 5},
    "select": {"budget": "50%"},
}
job = w.create_job(name, recipe)
polled = []
final = w.wait(job, progress=polled.append, interval=0.25, timeout=60)
assert final["state"] == "done" and polled[-1] == final, final
w.wait(job)  # the default progress: one line on stderr
facts["job"] = job
facts["polled"] = len(polled)

# Outputs: whatever the API lists, streamed to disk.
out = os.path.join(work, "out")
listed = w.outputs(job)
paths = w.download(job, out)
assert [os.path.relpath(p, out) for p in paths] == [f["name"] for f in listed]
for f, p in zip(listed, paths):
    assert os.path.getsize(p) == f["bytes"], (f, p)
assert not [n for n in os.listdir(out) if n.endswith(".part")]
facts["outputs"] = listed
facts["out"] = out
report = w.report(job)
facts["selected"] = report["counts"]["selected"]

# A sampler run over the selection: every batch with its weights, every loss sent back.
weights = {}
with open(os.path.join(out, "weights.jsonl")) as f:
    for line in f:
        row = json.loads(line)
        weights[row["id"]] = row["weight"]


def loss_of(batch):
    """Stand-in for a training step: each example's loss, scaled by its weight."""
    return [len(json.dumps(r)) / 1000 * wt for r, wt in zip(batch.records, batch.weights)]


run = w.create_run(job, batch_size=16, seed=3, policy={"id": "loss"}, epochs=1)
served, acks, first = [], [], None
for batch in w.batches(run["id"], records=True):
    assert isinstance(batch, Batch) and len(batch) == len(batch.weights) == len(batch.records)
    assert batch.weights == [weights[i] for i in batch.ids], batch
    first = first or batch
    acks.append(w.feedback(run["id"], batch.step, batch.ids, loss_of(batch)))
    served.append({"step": batch.step, "ids": batch.ids, "weights": batch.weights})
assert all(a["accepted"] for a in acks), acks
again = w.next_batch(run["id"], step=0, records=True)
assert again == first, (again, first)
assert w.feedback(run["id"], 0, first.ids, loss_of(first))["duplicate"]
facts["run"] = w.run(run["id"])
facts["served"] = served

# Typed errors.
errors = {}
try:
    w.job("j00000000zzzz")
except NotFound as e:
    errors["notFound"] = {"status": e.status, "code": e.code, "message": e.message}
try:
    Winnow(w.url, "not-the-token").datasets()
except Unauthorized as e:
    errors["unauthorized"] = {"status": e.status, "code": e.code, "message": e.message}
try:
    w.create_job(name, {"select": {"budget": -5, "strategy": {"id": "nope"}}})
except BadRequest as e:
    errors["badRecipe"] = {"status": e.status, "code": e.code, "message": e.message, "issues": e.issues, "text": str(e)}
try:
    Winnow("http://127.0.0.1:9", "any-token-at-all").datasets()
except NetworkError as e:
    errors["network"] = {"status": e.status, "code": e.code, "message": e.message}
try:
    w.download(job, out, ["no-such-file.jsonl"])
except WinnowError as e:
    errors["noFile"] = {"status": e.status, "code": e.code, "cls": type(e).__name__}
facts["errors"] = errors

# A pair set: one round of scored responses, paired best against worst.
pair_set = f"{name}-pairs"
w.put_pair_set(pair_set, {"pairs": {"strategy": {"id": "best-worst"}}})
rows = [
    {"prompt": f"question {p}", "responses": [{"text": f"answer {p}.{r}", "score": r} for r in range(3)]}
    for p in range(12)
]
rounds = os.path.join(work, "round.jsonl")
with open(rounds, "w") as f:
    f.write("".join(json.dumps(r) + "\n" for r in rows))
rnd = w.add_round(pair_set, rounds)
w.wait(rnd["job"], progress=False, interval=0.25, timeout=60)
facts["round"] = w.round(pair_set, rnd["round"])
facts["pairSet"] = w.pair_set(pair_set)
facts["pairsFile"] = str(w.download_pairs(pair_set, os.path.join(work, "pairs.jsonl"), round=rnd["round"]))

# A file in parts: interrupted after its first part (the progress callback raises), then resumed.
big = os.path.join(work, "big.jsonl")
with open(big, "w") as f:
    i = 0
    while f.tell() < 11 * 2**20:
        f.write(json.dumps({"instruction": f"task {i}", "output": f"{i * 7919:x}" * 40}) + "\n")
        i += 1
seen = []


class Interrupted(Exception):
    pass


def stop_after_one(p):
    seen.append(p)
    if p["partsDone"] >= 1:
        raise Interrupted()


try:
    w.upload_file(name + "-big", big, part_bytes=5 * 2**20, parallel=1, progress=stop_after_one)
    raise AssertionError("the first upload should have been interrupted")
except Interrupted:
    pass
[open_session] = [s for s in w.uploads(name + "-big") if s["state"] == "open"]
resumed = []
big_info = w.upload_file(name + "-big", big, parallel=2, progress=resumed.append)
facts["resume"] = {
    "stored": len(open_session["received"]),
    "parts": open_session["parts"],
    "reused": resumed[0]["reused"],
    "progress": [p["partsDone"] for p in resumed],
    "bytes": big_info["bytes"],
    "size": os.path.getsize(big),
    "sessions": [(s["id"] == open_session["id"], s["state"]) for s in w.uploads(name + "-big")],
}
w.delete_dataset(name + "-big")

w.delete_dataset(name)
try:
    w.dataset(name)
except NotFound:
    facts["deleted"] = True

json.dump(facts, sys.stdout)
