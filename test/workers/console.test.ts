import { describe, expect, it } from 'vitest';
import { CONSOLE_CSP, CONSOLE_PATHS, VIEWER_CSP } from '../../src/console/index.ts';
import { api, json } from './helpers.ts';

describe('the web console', () => {
  it('serves its page at / without a token, under a policy that allows only its own files', async () => {
    const res = await api('/', { token: null });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toBe(CONSOLE_CSP);
    expect(CONSOLE_CSP).toContain("script-src 'self';");
    expect(CONSOLE_CSP).not.toContain('unsafe');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await res.text();
    expect(html).toMatch(/^<!doctype html>/);
    // Its script and style are files of its own (no inline code the policy would refuse), nothing remote.
    expect(html).toContain(`<script src="${CONSOLE_PATHS.script}" defer></script>`);
    expect(html).toContain(`<link rel="stylesheet" href="${CONSOLE_PATHS.style}">`);
    expect(html).not.toMatch(/<script>|<style|https?:\/\//);
  });

  it('serves its script, style and report viewer without a token, each with its type', async () => {
    const types = {
      [CONSOLE_PATHS.script]: 'text/javascript; charset=utf-8',
      [CONSOLE_PATHS.style]: 'text/css; charset=utf-8',
      [CONSOLE_PATHS.viewer]: 'text/html; charset=utf-8',
      [CONSOLE_PATHS.viewerScript]: 'text/javascript; charset=utf-8',
    };
    for (const [path, type] of Object.entries(types)) {
      const res = await api(path, { token: null });
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type'), path).toBe(type);
      expect((await res.text()).length, path).toBeGreaterThan(100);
    }
    expect((await api(CONSOLE_PATHS.viewer, { token: null })).headers.get('content-security-policy')).toBe(
      VIEWER_CSP,
    );
    // The console's script holds no request to anywhere but its own origin.
    expect(await (await api(CONSOLE_PATHS.script, { token: null })).text()).not.toMatch(/https?:\/\//);
  });

  it('leaves the API behind the token, and other paths a JSON 404', async () => {
    for (const path of ['/v1/jobs', '/v1/datasets', '/v1/schedules', '/v1/runs', '/v1/pairs']) {
      const res = await api(path, { token: null });
      expect(res.status, path).toBe(401);
      expect((await json(res)).error.code).toBe('unauthorized');
      expect((await api(path, { token: 'wrong' })).status, path).toBe(401);
    }
    const missing = await api('/console/nothing', { token: null });
    expect(missing.status).toBe(404);
    expect((await json(missing)).error.code).toBe('not_found');
  });
});
