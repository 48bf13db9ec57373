import { Hono } from 'hono';
import {
  CONSOLE_CSP,
  CONSOLE_CSS,
  CONSOLE_HTML,
  CONSOLE_JS,
  CONSOLE_PATHS,
  VIEW_JS,
  VIEWER_CSP,
  VIEWER_HTML,
} from '../../src/console/index.ts';
import type { AppEnv } from './openapi.ts';

/**
 * The web console (src/console): static files, served without a token (they hold no data; the page
 * asks for the token and sends it to /v1). Not part of the API document. Revalidated on each load,
 * so a deploy is seen at once.
 */
export const webConsole = new Hono<AppEnv>();

const COMMON = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
};

const file = (body: string, type: string, csp?: string) => () =>
  new Response(body, {
    headers: { 'content-type': type, ...COMMON, ...(csp ? { 'content-security-policy': csp } : {}) },
  });

webConsole.get(CONSOLE_PATHS.page, file(CONSOLE_HTML, 'text/html; charset=utf-8', CONSOLE_CSP));
webConsole.get(CONSOLE_PATHS.script, file(CONSOLE_JS, 'text/javascript; charset=utf-8'));
webConsole.get(CONSOLE_PATHS.style, file(CONSOLE_CSS, 'text/css; charset=utf-8'));
webConsole.get(CONSOLE_PATHS.viewer, file(VIEWER_HTML, 'text/html; charset=utf-8', VIEWER_CSP));
webConsole.get(CONSOLE_PATHS.viewerScript, file(VIEW_JS, 'text/javascript; charset=utf-8'));
