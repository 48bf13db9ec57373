#!/usr/bin/env node
// Check the documentation's relative links: every target file exists, and every #anchor matches a
// heading of its target (GitHub's slugs). Reads README.md, docs/*.md and bench/*.md.
// Usage: node .ci/check-links.mjs   (exit 1 when a link is broken; no dependencies)
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const mdIn = (dir) =>
  existsSync(join(root, dir))
    ? readdirSync(join(root, dir))
        .filter((f) => f.endsWith('.md'))
        .map((f) => join(root, dir, f))
    : [];
const files = [join(root, 'README.md'), ...mdIn('docs'), ...mdIn('bench')];

/** The text with fenced code blocks and inline code blanked out, line numbers kept. */
function prose(text) {
  let fenced = false;
  return text
    .split('\n')
    .map((line) => {
      if (/^\s*(```|~~~)/.test(line)) {
        fenced = !fenced;
        return '';
      }
      return fenced ? '' : line.replace(/`[^`]*`/g, (m) => ' '.repeat(m.length));
    })
    .join('\n');
}

/** GitHub's heading slug: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading) {
  const text = heading
    .replace(/`([^`]*)`/g, '$1')
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<[^>]+>/g, '');
  return text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

const anchorCache = new Map();
/** Every anchor a Markdown file defines: heading slugs (with -1, -2 … for repeats) and HTML ids. */
function anchors(file) {
  if (anchorCache.has(file)) return anchorCache.get(file);
  const found = new Set();
  const seen = new Map();
  let fenced = false;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    if (fenced) continue;
    const h = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (h) {
      const base = slug(h[1]);
      const n = seen.get(base) ?? 0;
      seen.set(base, n + 1);
      found.add(n === 0 ? base : `${base}-${n}`);
    }
    for (const m of line.matchAll(/<a\s+(?:name|id)="([^"]+)"/g)) found.add(m[1]);
  }
  anchorCache.set(file, found);
  return found;
}

const broken = [];
let checked = 0;
for (const file of files) {
  const text = prose(readFileSync(file, 'utf8'));
  for (const m of text.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
    const target = m[1];
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // http:, https:, mailto:
    checked++;
    const line = text.slice(0, m.index).split('\n').length;
    const where = `${relative(root, file)}:${line}`;
    const [path, anchor] = target.split('#');
    const dest = path ? resolve(dirname(file), decodeURIComponent(path)) : file;
    if (!existsSync(dest)) {
      broken.push(`${where}: ${target}: no file ${relative(root, dest)}`);
      continue;
    }
    if (anchor === undefined) continue;
    if (statSync(dest).isDirectory() || !dest.endsWith('.md')) {
      broken.push(`${where}: ${target}: an anchor into a file that is not Markdown`);
      continue;
    }
    if (!anchors(dest).has(decodeURIComponent(anchor)))
      broken.push(`${where}: ${target}: no heading #${anchor} in ${relative(root, dest)}`);
  }
}

for (const b of broken) console.log(b);
console.log(`links: ${checked} relative links in ${files.length} files, ${broken.length} broken`);
process.exit(broken.length ? 1 : 0);
