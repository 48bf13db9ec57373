"""Winnow's Python client: one module, standard library only (Python >= 3.9).

Upload datasets, run selection jobs, download their outputs, drive sampler runs from a training
loop and build preference pairs, over Winnow's HTTP API (docs/api.md). Errors the API returns are
raised as `WinnowError` subclasses carrying its code, message and details (docs/python.md).

    from winnow_client import Winnow

    w = Winnow()                          # WINNOW_URL and WINNOW_TOKEN from the environment
    w.upload_dataset("mydata", "data.jsonl.gz")
    job = w.create_job("mydata", {"select": {"budget": "10%"}})
    w.wait(job)
    w.download(job, "out/")

Get this file with `winnow python-client [dir]`; it is `src/client/python/winnow_client.py` in the
repository and in the npm package.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import http.client
import io
import threading
import json
import math
import os
import shutil
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Callable, Dict, Iterator, List, Optional, Union

__all__ = [
    "Winnow",
    "Batch",
    "WinnowError",
    "BadRequest",
    "Unauthorized",
    "NotFound",
    "Conflict",
    "PayloadTooLarge",
    "Unprocessable",
    "ServerError",
    "NetworkError",
    "JobFailed",
]

Json = Dict[str, Any]
#: An upload body: a file path, bytes, or a binary file object (read as it is sent).
Source = Union[str, "os.PathLike[str]", bytes, IO[bytes]]

CHUNK = 1 << 20


class WinnowError(Exception):
    """An error the API returned (`{"error": {"code", "message", "details"?}}`), or one on the way to it.

    `status` is the HTTP status (None when no answer came), `code` the API's error code
    (`not_found`, `validation_failed`, …), `details` its details (for `validation_failed`, every
    issue as `{code, path, message}`), `url` the request's method and URL.
    """

    def __init__(
        self,
        code: str,
        message: str,
        status: Optional[int] = None,
        details: Any = None,
        url: str = "",
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.details = details
        self.url = url

    @property
    def issues(self) -> List[Json]:
        """A validation error's issues, `{code, path, message}` each (empty for other errors)."""
        return [d for d in self.details if isinstance(d, dict)] if isinstance(self.details, list) else []

    def __str__(self) -> str:
        head = f"{self.status} {self.code}" if self.status is not None else self.code
        lines = [f"{head}: {self.message}"]
        if len(self.issues) > 1:
            lines += [f"  {i.get('path') or '(body)'}: {i.get('message')}" for i in self.issues]
        return "\n".join(lines)


class BadRequest(WinnowError):
    """400: a bad request or an invalid recipe (`validation_failed` lists every issue in `details`)."""


class Unauthorized(WinnowError):
    """401: a missing or wrong token."""


class NotFound(WinnowError):
    """404: an unknown dataset, job, sampler run, pair set, round, output file or route."""


class Conflict(WinnowError):
    """409: for example the outputs of a job still running, or a sampler run loading or exhausted."""


class PayloadTooLarge(WinnowError):
    """413: an upload over MAX_UPLOAD_BYTES (decompressed), or a JSON body over 1 MiB."""


class Unprocessable(WinnowError):
    """422: malformed input (a body that starts like gzip but is not), an empty dataset, too many shards."""


class ServerError(WinnowError):
    """5xx: `output_missing`, `internal`, or a proxy's error page."""


class NetworkError(WinnowError):
    """No answer: the URL could not be reached, or the connection broke (`code` is `network`)."""


class JobFailed(WinnowError):
    """`wait` saw the job end `failed` or `cancelled`; `job` is its last status."""

    def __init__(self, job: Json, url: str = "") -> None:
        error = job.get("error") or job["state"]
        super().__init__(f"job_{job['state']}", f"job {job['id']} {job['state']}: {error}", url=url)
        self.job = job


_BY_STATUS = {
    400: BadRequest,
    401: Unauthorized,
    404: NotFound,
    409: Conflict,
    413: PayloadTooLarge,
    422: Unprocessable,
}


def error_from_response(status: int, reason: str, body: bytes, url: str = "") -> WinnowError:
    """The typed error for an HTTP error answer: the API's `{"error": {...}}`, or the raw text."""
    text = body.decode("utf-8", "replace")
    code, message, details = "http_error", f"{status} {reason}: {text[:300]}", None
    try:
        err = json.loads(text)["error"]
        code, message, details = str(err["code"]), str(err["message"]), err.get("details")
    except (ValueError, KeyError, TypeError):
        pass
    cls = _BY_STATUS.get(status, ServerError if status >= 500 else WinnowError)
    return cls(code, message, status, details, url)


def segment(value: str, what: str = "name") -> str:
    """A name or id as one URL path segment (`.` and `..` cannot be sent as one)."""
    if value in (".", ".."):
        raise ValueError(f"{what} {value!r} cannot be a path segment")
    return urllib.parse.quote(str(value), safe="")


def progress_line(status: Json) -> str:
    """One line for a job's status: state, stage, stages done and its shards, e.g.
    `j…: running, score (stage 3 of 7: 5/12 shards, 4000 records in), 8.1 s`."""
    stages = status.get("stages", [])
    names = [s["name"] for s in stages]
    head = f"{status['id']}: {status['state']}"
    if status["state"] != "running":
        return head
    at = names.index(status["stage"]) if status["stage"] in names else -1
    if at < 0:
        return f"{head}, {status['stage']}"
    s = stages[at]
    shards = f": {s['shardsDone']}/{s['shardsTotal']} tasks" if s["shardsTotal"] else ""
    records = f", {s['recordsIn']} records in" if s["recordsIn"] else ""
    seconds = sum(x["seconds"] for x in stages)
    return f"{head}, {s['name']} (stage {at + 1} of {len(stages)}{shards}{records}), {seconds:.1f} s"


def _print_progress() -> Callable[[Json], None]:
    """The default `wait` progress: one line on stderr, redrawn in place on a terminal."""
    last = [""]
    tty = sys.stderr.isatty()

    def show(status: Json) -> None:
        line = progress_line(status)
        if line == last[0]:
            return
        if tty:
            end = "\n" if status["state"] != "running" else ""
            sys.stderr.write(f"\r\x1b[2K{line}{end}")
        else:
            sys.stderr.write(line + "\n")
        sys.stderr.flush()
        last[0] = line

    return show


def _upload_bar() -> Callable[[Json], None]:
    """The default `upload_file` progress: a bar on stderr, redrawn in place on a terminal (a line per
    part elsewhere)."""
    tty = sys.stderr.isatty()

    def show(p: Json) -> None:
        size = p["size"] or 1
        f = p["bytesDone"] / size
        n = round(f * 28)
        line = (
            f"upload  [{'#' * n}{'.' * (28 - n)}] {100 * f:.0f}%  {p['bytesDone'] / 1e6:.1f}/{p['size'] / 1e6:.1f} MB"
            f"  {p['partsDone']}/{p['parts']} parts"
        )
        if p["reused"] and p["partsDone"] == p["reused"]:
            sys.stderr.write(f"resuming upload {p['session']}: {p['reused']} of {p['parts']} parts already stored\n")
        if tty:
            sys.stderr.write(f"\r\x1b[2K{line}" + ("\n" if p["partsDone"] == p["parts"] else ""))
        elif p["partsDone"] > p["reused"]:
            sys.stderr.write(line + "\n")
        sys.stderr.flush()

    return show


@dataclass
class Batch:
    """A sampler batch: `ids` in order, each example's training `weight` (from the job's
    weights.jsonl, mean 1 over the selection) and mixture `component`, and with `records=True` the
    records as they were given."""

    step: int
    ids: List[str]
    weights: List[float]
    components: List[int]
    records: Optional[List[Any]] = field(default=None, repr=False)

    def __len__(self) -> int:
        return len(self.ids)


class Winnow:
    """A client of one Winnow instance: `Winnow(url, token)`, or from `WINNOW_URL` and `WINNOW_TOKEN`.

    Every call raises a `WinnowError` subclass when the API answers with an error, and
    `NetworkError` (naming the URL) when it cannot be reached. `timeout` is per socket operation.
    """

    def __init__(self, url: Optional[str] = None, token: Optional[str] = None, timeout: float = 300) -> None:
        url = url or os.environ.get("WINNOW_URL")
        token = token or os.environ.get("WINNOW_TOKEN")
        if not url:
            raise ValueError("no Winnow URL: pass url= or set WINNOW_URL")
        if not token:
            raise ValueError("no Winnow token: pass token= or set WINNOW_TOKEN")
        self.url = url.rstrip("/")
        self.token = token
        self.timeout = timeout

    def __repr__(self) -> str:
        return f"Winnow({self.url!r})"

    # -- transport ------------------------------------------------------------------------------

    def open(
        self,
        method: str,
        path: str,
        body: Optional[Union[bytes, IO[bytes]]] = None,
        headers: Optional[Dict[str, str]] = None,
    ) -> Any:
        """Send a request; the open response (read it, or stream it) or a typed error."""
        url = f"{self.url}{path}"
        req = urllib.request.Request(url, data=body, method=method)
        req.add_header("Authorization", f"Bearer {self.token}")
        for k, v in (headers or {}).items():
            req.add_header(k, v)
        try:
            return urllib.request.urlopen(req, timeout=self.timeout)
        except urllib.error.HTTPError as e:
            with e:
                raise error_from_response(e.code, str(e.reason), e.read(), f"{method} {url}") from None
        except (urllib.error.URLError, OSError) as e:
            reason = getattr(e, "reason", e)
            raise NetworkError("network", f"{method} {url} failed: {reason}", url=f"{method} {url}") from e

    def request(self, method: str, path: str, body: Optional[Any] = None) -> Any:
        """Any route with a JSON body (or none); its JSON answer. `path` starts with `/v1/`."""
        data = None if body is None else json.dumps(body).encode()
        headers = {} if body is None else {"Content-Type": "application/json"}
        with self.open(method, path, data, headers) as res:
            return json.loads(res.read() or b"null")

    def _put_file(self, method: str, path: str, source: Source, content_type: str) -> Json:
        """Send a file as the body, streamed: a path is opened and read as it is sent."""
        if isinstance(source, (bytes, bytearray)):
            return self._send(method, path, bytes(source), len(source), content_type)
        if isinstance(source, (str, os.PathLike)):
            with open(source, "rb") as f:
                return self._send(method, path, f, os.fstat(f.fileno()).st_size, content_type)
        return self._send(method, path, source, _remaining(source), content_type)

    def _send(self, method: str, path: str, body: Any, size: Optional[int], content_type: str) -> Json:
        """Send a body as it is read (chunked when its size is unknown), in 1 MiB writes.

        The API may refuse a body before reading all of it (over MAX_UPLOAD_BYTES) and close the
        connection: its answer is read after the broken pipe, so the error raised is the API's.
        """
        url = f"{self.url}{path}"
        where = f"{method} {url}"
        parts = urllib.parse.urlsplit(url)
        cls = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        conn = cls(parts.netloc, timeout=self.timeout, blocksize=CHUNK)
        headers = {"Authorization": f"Bearer {self.token}", "Content-Type": content_type}
        if size is not None:
            headers["Content-Length"] = str(size)
        cut = False
        try:
            try:
                conn.request(method, f"{parts.path}?{parts.query}" if parts.query else parts.path, body, headers)
            except (BrokenPipeError, ConnectionResetError):
                cut = True  # refused part-way: the answer says why
            res = conn.getresponse()
            data = res.read()
        except (OSError, http.client.HTTPException) as e:
            why = (
                " (the connection closed before the whole body was sent, as when the API refuses an upload"
                " over its MAX_UPLOAD_BYTES, decompressed)"
                if cut
                else ""
            )
            raise NetworkError("network", f"{where} failed: {e}{why}", url=where) from e
        finally:
            conn.close()
        if res.status >= 400:
            raise error_from_response(res.status, res.reason, data, where)
        return json.loads(data)

    def health(self) -> Json:
        """`{"ok": true, "service": "winnow"}` when the instance answers (no token needed)."""
        return self.request("GET", "/v1/health")

    # -- datasets -------------------------------------------------------------------------------

    def upload_dataset(self, name: str, source: Source, progress: Union[bool, Callable[[Json], None]] = False) -> Json:
        """Store a file (JSON array, JSONL or Parquet; gzip as it is) as dataset `name`, replacing it.

        A path is uploaded in parts through an upload session (`upload_file`): resumable, and never
        read whole. Bytes or a file object are sent with one streamed PUT. Returns the dataset: name,
        objects, bytes, origin, createdAt.
        """
        if isinstance(source, (str, os.PathLike)):
            return self.upload_file(name, source, progress=progress)
        return self._put_file("PUT", f"/v1/datasets/{segment(name)}", source, "application/octet-stream")

    def append_part(
        self, name: str, part: str, source: Source, progress: Union[bool, Callable[[Json], None]] = False
    ) -> Json:
        """Add a file to dataset `name` as part `part` (putting the same part again replaces it).

        A path goes up in parts through an upload session, as with `upload_dataset`."""
        if isinstance(source, (str, os.PathLike)):
            return self.upload_file(name, source, part=part, progress=progress)
        path = f"/v1/datasets/{segment(name)}/parts/{segment(part, 'part')}"
        return self._put_file("PUT", path, source, "application/octet-stream")

    def upload_file(
        self,
        name: str,
        path: Union[str, "os.PathLike[str]"],
        part: Optional[str] = None,
        part_bytes: Optional[int] = None,
        parallel: int = 4,
        attempts: int = 4,
        progress: Union[bool, Callable[[Json], None]] = True,
    ) -> Json:
        """Upload a file in parts through an upload session (docs/api.md#upload-sessions); the dataset.

        The file's SHA-256 is sent with the session: after an interruption, the same call finds the
        open session of the same file and sends only the parts it lacks. `parallel` parts go at once
        (threads), each read from disk when it is sent and retried `attempts` times on a network error
        or a 5xx. `part` appends the file as that part of an existing dataset. `progress`: True draws
        a bar on stderr, a callable is given `{"session", "parts", "partsDone", "size", "bytesDone",
        "reused"}` after each part, False says nothing. An empty file is sent with one PUT.
        """
        size = os.path.getsize(path)
        base = f"/v1/datasets/{segment(name)}"
        if size == 0:
            if part is None:
                return self._put_file("PUT", base, b"", "application/octet-stream")
            return self._put_file("PUT", f"{base}/parts/{segment(part, 'part')}", b"", "application/octet-stream")
        digest = hashlib.sha256()
        with open(path, "rb") as f:
            for chunk in iter(lambda: f.read(CHUNK), b""):
                digest.update(chunk)
        body: Json = {"size": size, "sha256": digest.hexdigest()}
        if part is not None:
            body["part"] = part
        if part_bytes is not None:
            body["partBytes"] = part_bytes
        session = self.request("POST", f"{base}/uploads", body)
        sid, every = session["id"], session["partBytes"]
        todo = list(session["missing"])
        state = {
            "session": sid,
            "parts": session["parts"],
            "partsDone": session["parts"] - len(todo),
            "size": size,
            "bytesDone": session["receivedBytes"],
            "reused": session["parts"] - len(todo),
        }
        show = _upload_bar() if progress is True else (progress or (lambda s: None))
        lock = threading.Lock()
        show(dict(state))

        def send(n: int) -> None:
            offset = (n - 1) * every
            length = min(every, size - offset)
            with open(path, "rb") as f:
                f.seek(offset)
                data = f.read(length)
            if len(data) != length:
                raise ValueError(f"reading part {n} of {path} gave {len(data)} bytes, not {length}: did it change?")
            for attempt in range(1, attempts + 1):
                try:
                    self._send("PUT", f"{base}/uploads/{sid}/parts/{n}", data, length, "application/octet-stream")
                    break
                except (NetworkError, ServerError):
                    if attempt == attempts:
                        raise
                    time.sleep(0.25 * 2**attempt)
            with lock:
                state["partsDone"] += 1
                state["bytesDone"] += length
                show(dict(state))

        pool = concurrent.futures.ThreadPoolExecutor(max_workers=max(1, min(parallel, len(todo) or 1)))
        try:
            for fut in [pool.submit(send, n) for n in todo]:
                fut.result()
        finally:
            # A part that failed (or an interrupt) stops the upload: parts not started are not sent; the
            # same call later resumes from what is stored.
            pool.shutdown(wait=True, cancel_futures=True)
        done = self.request("POST", f"{base}/uploads/{sid}/complete")
        return done["dataset"]

    def uploads(self, name: str) -> List[Json]:
        """The dataset's upload sessions, newest first: state, parts received and missing."""
        return self.request("GET", f"/v1/datasets/{segment(name)}/uploads")["sessions"]

    def abort_upload(self, name: str, session: str) -> Json:
        """Abort an upload session: its stored parts are dropped, nothing is kept."""
        return self.request("DELETE", f"/v1/datasets/{segment(name)}/uploads/{segment(session, 'session')}")

    def register_dataset(self, name: str, keys: List[str]) -> Json:
        """Adopt objects already in the bucket, in input order, as dataset `name`."""
        return self.request("POST", f"/v1/datasets/{segment(name)}/register", {"keys": keys})

    def datasets(self) -> List[Json]:
        """Every dataset."""
        return self.request("GET", "/v1/datasets")["datasets"]

    def dataset(self, name: str) -> Json:
        """One dataset as a job would read it now (`NotFound` when there is none)."""
        return self.request("GET", f"/v1/datasets/{segment(name)}")

    def delete_dataset(self, name: str) -> Json:
        """Delete a dataset and what Winnow keeps for it (not its jobs); `Conflict` while jobs read it."""
        return self.request("DELETE", f"/v1/datasets/{segment(name)}")

    # -- jobs -----------------------------------------------------------------------------------

    def create_job(self, dataset: str, recipe: Optional[Json] = None, previous: Optional[str] = None) -> str:
        """Start a job on `dataset` with `recipe` (docs/recipe.md; None: the defaults); its id.

        An invalid recipe is a `BadRequest` whose `issues` locate each problem (`recipe.select.budget`).
        """
        body: Json = {"dataset": dataset}
        if recipe is not None:
            body["recipe"] = recipe
        if previous is not None:
            body["previous"] = previous
        return self.request("POST", "/v1/jobs", body)["id"]

    def jobs(
        self,
        dataset: Optional[str] = None,
        state: Optional[str] = None,
        limit: Optional[int] = None,
        before: Optional[str] = None,
    ) -> Json:
        """Jobs, newest first: `{"jobs": [...], "next"}` (pass `next` as `before` for the next page)."""
        query = {"dataset": dataset, "state": state, "limit": limit, "before": before}
        q = urllib.parse.urlencode({k: v for k, v in query.items() if v is not None})
        return self.request("GET", f"/v1/jobs{'?' + q if q else ''}")

    def job(self, job_id: str) -> Json:
        """A job's status: state (running, done, failed, cancelled), stage, error, per-stage progress."""
        return self.request("GET", f"/v1/jobs/{segment(job_id, 'job id')}")

    def cancel_job(self, job_id: str) -> Json:
        """Cancel a job; its status after."""
        return self.request("POST", f"/v1/jobs/{segment(job_id, 'job id')}/cancel")

    def delete_job(self, job_id: str) -> Json:
        """Delete an ended job, outputs and all; `Conflict` while it runs."""
        return self.request("DELETE", f"/v1/jobs/{segment(job_id, 'job id')}")

    def wait(
        self,
        job_id: str,
        progress: Union[bool, Callable[[Json], None], None] = True,
        interval: float = 1.0,
        timeout: Optional[float] = None,
    ) -> Json:
        """Wait for a job to end; its final status.

        `progress`: True prints a one-line progress to stderr, a callable gets every status polled,
        False or None is silent. Raises `JobFailed` when the job fails or is cancelled, and
        `TimeoutError` after `timeout` seconds.
        """
        show = _print_progress() if progress is True else (progress or None)
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            status = self.job(job_id)
            if show:
                show(status)
            if status["state"] == "done":
                return status
            if status["state"] != "running":
                raise JobFailed(status, f"GET {self.url}/v1/jobs/{job_id}")
            if deadline is not None and time.monotonic() > deadline:
                raise TimeoutError(f"job {job_id} still running after {timeout} s: {progress_line(status)}")
            time.sleep(interval)

    def outputs(self, job_id: str) -> List[Json]:
        """A finished job's output files as the API lists them: name, bytes, parts, contentType."""
        return self.request("GET", f"/v1/jobs/{segment(job_id, 'job id')}/outputs")["files"]

    def open_output(self, job_id: str, name: str) -> Any:
        """One output file as an open binary stream (a `with` block closes it)."""
        return self.open("GET", f"/v1/jobs/{segment(job_id, 'job id')}/outputs/{segment(name, 'file')}")

    def report(self, job_id: str) -> Json:
        """A finished job's report.json."""
        with self.open_output(job_id, "report.json") as res:
            return json.loads(res.read())

    def download(
        self,
        job_id: str,
        folder: Union[str, "os.PathLike[str]"] = ".",
        names: Optional[List[str]] = None,
    ) -> List[Path]:
        """Stream a finished job's outputs into `folder` (default: every file `outputs` lists); their paths.

        A name with folders (`data/train-00000-of-00001.parquet`) is written below `folder` too.
        Each file is written to `<name>.part` and renamed once complete.
        """
        wanted = names if names is not None else [f["name"] for f in self.outputs(job_id)]
        return [self._save(self.open_output(job_id, n), Path(folder), n) for n in wanted]

    def _save(self, res: Any, folder: Path, name: str) -> Path:
        root = folder.resolve()
        target = (root / name).resolve()
        if root not in target.parents:
            res.close()
            raise ValueError(f"output name {name!r} leads outside {root}")
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".part")
        with res, open(partial, "wb") as f:
            shutil.copyfileobj(res, f, CHUNK)
            expected = res.headers.get("x-winnow-bytes")
            written = f.tell()
        if expected is not None and int(expected) != written:
            raise NetworkError(
                "incomplete_download", f"{res.url}: {written} of {expected} bytes arrived", url=res.url
            )
        os.replace(partial, target)
        return target

    # -- sampler runs ---------------------------------------------------------------------------

    def create_run(
        self,
        job: str,
        batch_size: int,
        seed: int = 0,
        policy: Optional[Json] = None,
        epochs: Optional[float] = None,
    ) -> Json:
        """Start a sampler run over a finished job's selection (docs/sampler.md); its status.

        `policy`: `{"id": "uniform"}` (default), `balanced`, `loss` or `gmm` with their parameters.
        Without `epochs` the run never ends.
        """
        body: Json = {"job": job, "batchSize": batch_size, "seed": seed}
        if policy is not None:
            body["policy"] = policy
        if epochs is not None:
            body["epochs"] = epochs
        return self.request("POST", "/v1/runs", body)

    def run(self, run_id: str) -> Json:
        """A sampler run's state, step, per-component weights and losses, counts, meanWeightServed."""
        return self.request("GET", f"/v1/runs/{segment(run_id, 'run id')}")

    def next_batch(self, run_id: str, step: Optional[int] = None, records: bool = False) -> Batch:
        """The run's next batch, or with `step` one already served (answered again, identically).

        `Conflict` while the run loads or once it is exhausted (`batches` handles both).
        """
        body: Json = {"records": records}
        if step is not None:
            body["step"] = step
        b = self.request("POST", f"/v1/runs/{segment(run_id, 'run id')}/next", body)
        return Batch(b["step"], b["ids"], b["weights"], b["components"], b.get("records"))

    def feedback(
        self,
        run_id: str,
        step: int,
        ids: List[str],
        losses: List[float],
        embeddings: Optional[List[List[float]]] = None,
    ) -> Json:
        """Per-example losses of a served batch, in `ids` order: `{step, accepted, duplicate}`.

        Sending the same feedback again is a no-op (`duplicate`); different losses for a step are a
        `Conflict`. A NaN or infinite loss is a `ValueError` naming it, before any request.
        `embeddings` (one vector per id, the trainer's own) refresh the `mixture` policy's
        typicality and spreads (docs/sampler.md).
        """
        values = [float(x) for x in losses]
        bad = next((i for i, x in enumerate(values) if not math.isfinite(x)), None)
        if bad is not None:
            raise ValueError(f"losses[{bad}] is {values[bad]} (id {list(ids)[bad]!r}): send finite losses")
        body: Dict[str, Any] = {"step": step, "ids": list(ids), "losses": values}
        if embeddings is not None:
            body["embeddings"] = [[float(x) for x in e] for e in embeddings]
        return self.request("POST", f"/v1/runs/{segment(run_id, 'run id')}/feedback", body)

    def batches(self, run_id: str, records: bool = False, poll: float = 1.0) -> Iterator[Batch]:
        """Batch after batch until the run is exhausted (forever without `epochs`).

        Waits while the run loads; send each batch's `feedback` before asking for the next.
        """
        while True:
            try:
                yield self.next_batch(run_id, records=records)
            except Conflict:
                state = self.run(run_id)
                if state["state"] == "exhausted":
                    return
                if state["state"] != "loading":
                    raise
                time.sleep(poll)

    # -- pair sets ------------------------------------------------------------------------------

    def put_pair_set(self, name: str, recipe: Json) -> Json:
        """Create or change a pair set (a recipe with `pairs`, docs/pairs.md); its rounds are kept."""
        return self.request("PUT", f"/v1/pairs/{segment(name, 'pair set')}", {"recipe": recipe})

    def pair_set(self, name: str) -> Json:
        """A pair set: its recipe and every round with its state, job and pair counts."""
        return self.request("GET", f"/v1/pairs/{segment(name, 'pair set')}")

    def add_round(self, name: str, source: Source, scope: str = "round") -> Json:
        """Append a round of rollouts or responses (JSONL, streamed); its job starts at once.

        `scope="all"` pairs every round's rollouts so far. Returns the round; `wait(round["job"])`.
        """
        path = f"/v1/pairs/{segment(name, 'pair set')}/rounds?scope={urllib.parse.quote(scope)}"
        return self._put_file("POST", path, source, "application/x-ndjson")

    def round(self, name: str, round: int) -> Json:
        """One round: state, job, pairs, groups used and skipped."""
        return self.request("GET", f"/v1/pairs/{segment(name, 'pair set')}/rounds/{int(round)}")

    def download_pairs(
        self, name: str, path: Union[str, "os.PathLike[str]"], round: Optional[int] = None
    ) -> Path:
        """A finished round's pairs.jsonl, or (no round) every finished round's, streamed to `path`."""
        at = "" if round is None else f"/rounds/{int(round)}"
        res = self.open("GET", f"/v1/pairs/{segment(name, 'pair set')}{at}/pairs.jsonl")
        target = Path(path)
        return self._save(res, target.parent, target.name)


def _remaining(f: IO[bytes]) -> Optional[int]:
    """Bytes left in a plain file or a BytesIO; None for other streams (then the body is sent chunked)."""
    if isinstance(f, (io.BufferedReader, io.FileIO)):
        return os.fstat(f.fileno()).st_size - f.tell()
    if isinstance(f, io.BytesIO):
        return f.getbuffer().nbytes - f.tell()
    return None
