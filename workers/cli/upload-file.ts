import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import type { DatasetInfo } from '../../schemas/api.ts';
import type { UploadProgress, WinnowClient } from '../../src/client/index.ts';

/** Files hashed in this process, by path, size and mtime: `run` names the dataset and resumes by the same hash. */
const hashes = new Map<string, string>();

/** The file's SHA-256 (hex), streamed: inputs may be large. */
export async function sha256File(file: string): Promise<string> {
  const st = statSync(file);
  const id = `${file}\0${st.size}\0${st.mtimeMs}`;
  const known = hashes.get(id);
  if (known) return known;
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  const hex = h.digest('hex');
  hashes.set(id, hex);
  return hex;
}

export interface UploadFileCliOptions {
  /** Append as this part of the dataset, instead of replacing it. */
  part?: string;
  /** Bytes per part (`--part-size`); default the server's. */
  partBytes?: number;
  /** Parts at once (`--parallel`, default 4). */
  parallel?: number;
  quiet?: boolean;
  /** Where the bar and the summary go (default stderr). */
  stream?: NodeJS.WriteStream;
}

const mb = (n: number) => (n / 1e6).toFixed(1);
const WIDTH = 28;

/**
 * Upload a file as dataset `name` (or its part) through an upload session, `parallel` parts at a time,
 * with a progress bar (a line per part on a pipe). The same file again, after an interruption, resumes
 * the session: only the parts it lacks are sent, and the summary line says how many were reused.
 */
export async function uploadFileCli(
  client: WinnowClient,
  file: string,
  name: string,
  { part, partBytes, parallel = 4, quiet = false, stream: out = process.stderr }: UploadFileCliOptions = {},
): Promise<DatasetInfo> {
  const size = statSync(file).size;
  const sha256 = await sha256File(file);
  const fh = await open(file);
  const tty = Boolean(out.isTTY) && !quiet;
  let drawn = false;
  let last = -1;
  const show = (p: UploadProgress) => {
    if (quiet) return;
    if (p.partsDone === 0 || p.partsDone === p.reused) {
      if (p.reused > 0 && last < 0)
        out.write(
          `resuming upload ${p.session}: ${p.reused} of ${p.parts} parts already stored (${mb(p.bytesDone)} of ${mb(p.size)} MB)\n`,
        );
      last = p.partsDone;
      if (!tty) return;
    }
    if (tty) {
      const f = p.size > 0 ? p.bytesDone / p.size : 1;
      const n = Math.round(f * WIDTH);
      const line = `upload  [${'#'.repeat(n)}${'.'.repeat(WIDTH - n)}] ${(100 * f).toFixed(0)}%  ${mb(p.bytesDone)}/${mb(p.size)} MB  ${p.partsDone}/${p.parts} parts`;
      out.write(`\r\x1b[2K${line}`);
      drawn = true;
    } else if (p.partsDone > last) {
      out.write(`upload: ${p.partsDone}/${p.parts} parts stored (${mb(p.bytesDone)} of ${mb(p.size)} MB)\n`);
    }
    last = p.partsDone;
  };
  try {
    const r = await client.uploadFile(
      name,
      {
        size,
        sha256,
        async read(offset, length) {
          const buf = new Uint8Array(length);
          let at = 0;
          while (at < length) {
            const { bytesRead } = await fh.read(buf, at, length - at, offset + at);
            if (bytesRead === 0) break;
            at += bytesRead;
          }
          return buf.subarray(0, at);
        },
      },
      { part, partBytes, parallel, onProgress: show },
    );
    if (drawn) out.write('\n');
    drawn = false;
    if (!quiet && r.session.parts > 0)
      out.write(
        `uploaded ${file} in ${r.session.parts} part${r.session.parts === 1 ? '' : 's'}: ${r.sent} sent, ${r.reused} already stored (session ${r.session.id})\n`,
      );
    return r.dataset;
  } finally {
    // Cut short: the bar's line ends, so that the error starts on its own.
    if (drawn) out.write('\n');
    await fh.close();
  }
}

/** `--part-size`: bytes (`16777216`) or MiB (`16MiB`, `16m`). */
export function parsePartSize(text: string): number {
  const m = /^(\d+)\s*(mib|mb|m)?$/i.exec(text.trim());
  if (!m) throw new Error(`--part-size takes bytes (8388608) or MiB (8MiB), got "${text}"`);
  return Number(m[1]) * (m[2] ? 1024 * 1024 : 1);
}
