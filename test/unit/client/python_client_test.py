"""Pure helpers of winnow_client.py (run by python-client.test.ts: python3 -B <this file> <module dir>)."""

import ast
import gzip
import io
import os
import sys
import unittest

MODULE_DIR = sys.argv.pop(1)
sys.path.insert(0, MODULE_DIR)

import winnow_client as wc  # noqa: E402


class ErrorFromResponse(unittest.TestCase):
    def test_api_error_body(self):
        body = b'{"error":{"code":"validation_failed","message":"recipe is invalid: a; b","details":[{"code":"too_small","path":"recipe.select.budget","message":"a"},{"code":"custom","path":"","message":"b"}]}}'
        e = wc.error_from_response(400, "Bad Request", body, "POST http://w/v1/jobs")
        self.assertIsInstance(e, wc.BadRequest)
        self.assertEqual((e.status, e.code, e.message, e.url), (400, "validation_failed", "recipe is invalid: a; b", "POST http://w/v1/jobs"))
        self.assertEqual([i["path"] for i in e.issues], ["recipe.select.budget", ""])
        self.assertEqual(str(e), "400 validation_failed: recipe is invalid: a; b\n  recipe.select.budget: a\n  (body): b")

    def test_status_classes(self):
        body = b'{"error":{"code":"x","message":"m"}}'
        for status, cls in [(401, wc.Unauthorized), (404, wc.NotFound), (409, wc.Conflict), (413, wc.PayloadTooLarge),
                            (422, wc.Unprocessable), (500, wc.ServerError), (502, wc.ServerError), (418, wc.WinnowError)]:
            e = wc.error_from_response(status, "", body)
            self.assertIs(type(e), cls, status)
            self.assertEqual(str(e), f"{status} x: m")
            self.assertEqual(e.issues, [])

    def test_not_json(self):
        e = wc.error_from_response(502, "Bad Gateway", b"<html>" + b"x" * 1000)
        self.assertIsInstance(e, wc.ServerError)
        self.assertEqual(e.code, "http_error")
        self.assertEqual(e.message, "502 Bad Gateway: <html>" + "x" * 294)


class Helpers(unittest.TestCase):
    def test_segment(self):
        self.assertEqual(wc.segment("a b/c"), "a%20b%2Fc")
        self.assertEqual(wc.segment("data/train-00000-of-00001.parquet", "file"), "data%2Ftrain-00000-of-00001.parquet")
        with self.assertRaisesRegex(ValueError, r"job id '\.\.' cannot be a path segment"):
            wc.segment("..", "job id")

    def test_progress_line(self):
        stage = lambda name, done, total, rin, s: {"name": name, "shardsDone": done, "shardsTotal": total, "recordsIn": rin, "seconds": s}
        status = {"id": "j1", "state": "running", "stage": "score",
                  "stages": [stage("ingest", 4, 4, 900, 1.25), stage("score", 1, 4, 200, 0.5), stage("select", 0, 0, 0, 0)]}
        self.assertEqual(wc.progress_line(status), "j1: running, score (stage 2 of 3: 1/4 tasks, 200 records in), 1.8 s")
        status["stage"] = "select"
        self.assertEqual(wc.progress_line(status), "j1: running, select (stage 3 of 3), 1.8 s")
        self.assertEqual(wc.progress_line({**status, "state": "done"}), "j1: done")

    def test_job_failed(self):
        e = wc.JobFailed({"id": "j1", "state": "failed", "error": "score shard 2: boom"})
        self.assertEqual((e.code, e.message), ("job_failed", "job j1 failed: score shard 2: boom"))
        self.assertEqual(wc.JobFailed({"id": "j2", "state": "cancelled", "error": None}).message, "job j2 cancelled: cancelled")

    def test_remaining(self):
        b = io.BytesIO(b"0123456789")
        b.read(3)
        self.assertEqual(wc._remaining(b), 7)
        with open(__file__, "rb") as f:
            f.read(10)
            self.assertEqual(wc._remaining(f), os.path.getsize(__file__) - 10)
        # A stream whose size is not its file's (gzip decompressing a file): sent chunked.
        with open(__file__, "rb") as f:
            self.assertIsNone(wc._remaining(gzip.GzipFile(fileobj=f)))

    def test_constructor(self):
        env = {k: os.environ.pop(k) for k in ("WINNOW_URL", "WINNOW_TOKEN") if k in os.environ}
        try:
            with self.assertRaisesRegex(ValueError, "WINNOW_URL"):
                wc.Winnow()
            os.environ["WINNOW_URL"] = "http://w/"
            os.environ["WINNOW_TOKEN"] = "t" * 16
            w = wc.Winnow()
            self.assertEqual((w.url, w.token), ("http://w", "t" * 16))
        finally:
            os.environ.pop("WINNOW_URL", None)
            os.environ.pop("WINNOW_TOKEN", None)
            os.environ.update(env)

    def test_feedback_refuses_non_finite_losses(self):
        w = wc.Winnow("http://127.0.0.1:9", "t" * 16)  # nothing listens: the check comes first
        with self.assertRaisesRegex(ValueError, r"^losses\[1\] is nan \(id 'b'\): send finite losses$"):
            w.feedback("r00000000", 0, ["a", "b"], [0.5, float("nan")])

    def test_python_39_grammar(self):
        with open(wc.__file__) as f:
            ast.parse(f.read(), feature_version=(3, 9))


if __name__ == "__main__":
    unittest.main()
