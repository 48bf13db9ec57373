import { describe, expect, it } from 'vitest';
import { app } from '../../workers/http/app.ts';
import { api, json, upload } from './helpers.ts';

type Operation = {
  security?: unknown[];
  parameters?: { name: string; in: string }[];
  requestBody?: { required?: boolean; content: Record<string, { schema: Record<string, unknown> }> };
  responses: Record<string, { content?: Record<string, { schema: Record<string, unknown> }> }>;
};
type Doc = { paths: Record<string, Record<string, Operation>> };

const served = async () => json<Doc>(await api('/v1/openapi.json'));

/**
 * `METHOD /path/{param}` for every API route the app answers (not middleware: `app.use` is `ALL`; not
 * the web console's static files outside /v1).
 */
function routed(): string[] {
  const keys = app.routes
    .filter((r) => r.method !== 'ALL' && r.path.startsWith('/v1/'))
    .map((r) => `${r.method} ${r.path.replaceAll(/:(\w+)/g, '{$1}')}`);
  return [...new Set(keys)].sort();
}

function documented(doc: Doc): string[] {
  return Object.entries(doc.paths)
    .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`))
    .sort();
}

const operations = (doc: Doc) =>
  Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({ path, method, op })),
  );

describe('the OpenAPI document comes from the routes', () => {
  it('documents every route the app answers, and only those', async () => {
    const doc = await served();
    const routes = routed();
    expect(routes.length).toBeGreaterThan(20);
    expect(routes).toContain('GET /v1/jobs/{id}/outputs/{file}');
    const docs = documented(doc);
    const undocumented = routes.filter((r) => !docs.includes(r));
    const unrouted = docs.filter((d) => !routes.includes(d));
    expect({ undocumented, unrouted }).toEqual({ undocumented: [], unrouted: [] });
  });

  it('declares every path parameter, and the 401 on every route but /v1/health', async () => {
    const doc = await served();
    for (const { path, method, op } of operations(doc)) {
      const names = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      const declared = (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name);
      expect(declared, `${method} ${path}`).toEqual(names);
      if (path === '/v1/health') {
        expect(op.security).toEqual([]);
        expect(op.responses['401']).toBeUndefined();
      } else {
        expect(op.security, `${method} ${path}`).toBeUndefined();
        expect(op.responses['401'], `${method} ${path}`).toBeDefined();
      }
      for (const [status, res] of Object.entries(op.responses)) {
        if (status.startsWith('4'))
          expect(res.content?.['application/json'].schema, `${method} ${path} ${status}`).toEqual({
            $ref: '#/components/schemas/ErrorBody',
          });
      }
    }
    expect(Object.keys((doc as { components?: { schemas?: object } }).components?.schemas ?? {})).toContain(
      'ErrorBody',
    );
  });

  it('documents raw uploads as binary, JSON bodies and query parameters from their zod schemas', async () => {
    const { paths } = await served();
    expect(paths['/v1/datasets/{name}'].put.requestBody?.content).toEqual({
      'application/octet-stream': { schema: { type: 'string', format: 'binary' } },
    });
    const rounds = paths['/v1/pairs/{set}/rounds'].post;
    expect(Object.keys(rounds.requestBody?.content ?? {})).toEqual(['application/x-ndjson']);
    expect(rounds.parameters).toContainEqual(
      expect.objectContaining({ name: 'scope', in: 'query', required: false }),
    );
    const name = paths['/v1/datasets/{name}'].get.parameters?.[0] as unknown as {
      schema: { pattern: string };
    };
    expect(name.schema.pattern).toBe('^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$');
    // A body that may be empty (it reads as {}) is optional; one with required fields is not.
    expect(paths['/v1/jobs'].post.requestBody?.required).toBe(true);
    expect(paths['/v1/datasets/{name}/schedule/tick'].post.requestBody?.required).toBe(false);
    const register =
      paths['/v1/datasets/{name}/register'].post.requestBody?.content['application/json'].schema;
    expect(register).toMatchObject({
      properties: { keys: { type: 'array', minItems: 1 } },
      required: ['keys'],
    });
  });
});

describe('requests are validated from the route definitions', () => {
  it('answers a bad path parameter with every issue, paths as the API writes them', async () => {
    const res = await api('/v1/datasets/tiny/parts/..x', { method: 'PUT', body: 'x' });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchInlineSnapshot(`
      {
        "error": {
          "code": "validation_failed",
          "details": [
            {
              "code": "invalid_format",
              "message": "part names are 1-128 of A-Z a-z 0-9 . _ - and start with a letter or digit",
              "path": "part",
            },
          ],
          "message": "request path is invalid: part: part names are 1-128 of A-Z a-z 0-9 . _ - and start with a letter or digit",
        },
      }
    `);
  });

  it('answers a bad query parameter with a 400 naming it', async () => {
    const res = await api('/v1/pairs/set/rounds?scope=nope', { method: 'POST', body: 'x' });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchInlineSnapshot(`
      {
        "error": {
          "code": "validation_failed",
          "details": [
            {
              "code": "invalid_value",
              "message": "Invalid option: expected one of "round"|"all"",
              "path": "scope",
            },
          ],
          "message": "query string is invalid: scope: Invalid option: expected one of "round"|"all"",
        },
      }
    `);
  });

  it('reads a JSON body whatever its content type, lists every issue, and keeps invalid_json', async () => {
    await upload('tiny', '{"instruction":"a","output":"b"}\n');
    const post = (body: string, type: string) =>
      api('/v1/datasets/tiny/register', { method: 'POST', body, headers: { 'content-type': type } });
    // As `curl -d` sends it: form-encoded by its header, JSON by its bytes.
    const bad = await post('{"keys":["ok", ""],"bogus":1}', 'application/x-www-form-urlencoded');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchInlineSnapshot(`
      {
        "error": {
          "code": "validation_failed",
          "details": [
            {
              "code": "too_small",
              "message": "Too small: expected string to have >=1 characters",
              "path": "keys[1]",
            },
            {
              "code": "unrecognized_keys",
              "message": "Unrecognized key: "bogus"",
              "path": "",
            },
          ],
          "message": "request body is invalid: keys[1]: Too small: expected string to have >=1 characters; Unrecognized key: "bogus"",
        },
      }
    `);
    const notJson = await post('{oops', 'application/json');
    expect(notJson.status).toBe(400);
    expect((await json(notJson)).error.code).toBe('invalid_json');
  });
});
