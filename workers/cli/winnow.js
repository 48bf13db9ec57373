#!/usr/bin/env node
// Launcher: the CLI needs Node >= 22.12 (wrangler, type stripping). npm scripts and npx put the
// project's node@22 first on PATH; when started by an older node, re-run with that one. From a clone
// it runs the TypeScript sources; installed from npm (inside node_modules, where Node does not strip
// types) it runs the bundle `npm pack` built (dist/winnow.mjs).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const installed = here.split(sep).includes('node_modules');
const main = installed ? join(here, '..', '..', 'dist', 'winnow.mjs') : join(here, 'main.ts');
const [major, minor] = process.versions.node.split('.').map(Number);
if (major > 22 || (major === 22 && minor >= 12)) {
  await import(main);
} else {
  let node = '';
  try {
    node = join(dirname(createRequire(import.meta.url).resolve('node/package.json')), 'bin', 'node');
  } catch {}
  if (!node || !existsSync(node)) {
    console.error(
      `winnow needs Node >= 22.12 (this is ${process.version}); run \`npm ci\` to install it locally`,
    );
    process.exit(1);
  }
  const child = spawn(node, [main, ...process.argv.slice(2)], { stdio: 'inherit' });
  // A signal sent to this launcher alone (a supervisor's SIGTERM) reaches the CLI, which stops its stack.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal === 'SIGINT' ? 130 : 143)));
}
