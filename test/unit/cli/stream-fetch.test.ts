import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileStream, streamingFetch } from '../../../workers/cli/stream-fetch.ts';

let server: Server;
let url: string;
const dir = mkdtempSync(join(tmpdir(), 'stream-fetch-'));
const file = join(dir, 'data.bin');
const data = Buffer.alloc(5 * 1024 * 1024 + 123, 0);
for (let i = 0; i < data.length; i++) data[i] = (i * 7919) % 251;

beforeAll(async () => {
  writeFileSync(file, data);
  server = createServer(async (req, res) => {
    const hash = createHash('sha256');
    let bytes = 0;
    for await (const chunk of req) {
      hash.update(chunk as Buffer);
      bytes += (chunk as Buffer).length;
    }
    res.writeHead(200, { 'content-type': 'application/json', 'x-method': req.method ?? '' });
    res.end(JSON.stringify({ bytes, sha256: hash.digest('hex'), type: req.headers['content-type'] }));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('streamingFetch', () => {
  it('sends a file stream whole, with the method and headers given, and returns the answer', async () => {
    const res = await streamingFetch(`${url}/up`, {
      method: 'PUT',
      body: fileStream(file),
      headers: { 'content-type': 'application/octet-stream' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-method')).toBe('PUT');
    expect(await res.json()).toEqual({
      bytes: data.length,
      sha256: createHash('sha256').update(data).digest('hex'),
      type: 'application/octet-stream',
    });
  });

  it('sends other requests through fetch', async () => {
    const res = await streamingFetch(`${url}/small`, { method: 'POST', body: 'abc' });
    expect(await res.json()).toMatchObject({ bytes: 3 });
  });

  it('fails clearly when nothing listens', async () => {
    const closed = createServer();
    await new Promise<void>((ok) => closed.listen(0, '127.0.0.1', ok));
    const port = (closed.address() as { port: number }).port;
    await new Promise((ok) => closed.close(ok));
    const to = `http://127.0.0.1:${port}/up`;
    await expect(streamingFetch(to, { method: 'PUT', body: fileStream(file) })).rejects.toThrow(
      /ECONNREFUSED/,
    );
  });
});
