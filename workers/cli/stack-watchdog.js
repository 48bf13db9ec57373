// The local stack's watchdog (plain JavaScript: an installed package runs it from node_modules, where
// Node strips no types). `node stack-watchdog.js <script> <args…>` runs `node <script> <args…>`
// (wrangler dev) and leads the process group it shares with wrangler, esbuild and workerd; the CLI
// spawns it detached. Its stdin is a pipe from the command that started the stack: when the pipe
// closes, that command is gone (an exit, a crash, `kill -9`), and the watchdog stops the whole group.
// Node cannot ask Linux for PR_SET_PDEATHSIG; the end of a pipe is the portable way to notice.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';

const [script, ...args] = process.argv.slice(2);
if (!script) {
  process.stderr.write('usage: node stack-watchdog.js <script> <args…>\n');
  process.exit(2);
}
const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'inherit', 'inherit'] });

const signalGroup = (signal) => {
  try {
    process.kill(-process.pid, signal);
  } catch {}
};
// A signal to the group (the CLI stopping the stack) reaches wrangler as well: the watchdog waits for
// wrangler to exit and exits with its code, rather than dying first.
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(signal, () => {});

let orphaned = false;
const parentGone = () => {
  if (orphaned) return;
  orphaned = true;
  signalGroup('SIGTERM');
  setTimeout(() => signalGroup('SIGKILL'), 5000);
};
process.stdin.on('end', parentGone);
process.stdin.on('close', parentGone);
process.stdin.on('error', parentGone);
process.stdin.resume();

child.on('exit', (code, signal) => {
  // With nobody left to sweep the group, take what wrangler left behind (workerd) down with this.
  if (orphaned) signalGroup('SIGKILL');
  process.exit(code ?? 128 + (constants.signals[signal] ?? 0));
});
