import type { InvalidLine } from '../../schemas/output.ts';
import type { ReportExample } from '../../schemas/report-data.ts';
import { esc, num, slug } from './escape.ts';

/** Examples shown per page of a paged list. */
export const PAGE_SIZE = 5;

function turns(e: ReportExample): string {
  return e.turns
    .map(
      (t) => `<div class="turn"><span class="role">${esc(t.role)}</span><pre>${esc(t.content)}</pre></div>`,
    )
    .join('');
}

function scores(e: ReportExample): string {
  const cells = Object.entries(e.scores)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `<span class="score"><b>${esc(k)}</b> ${esc(num(v))}</span>`);
  cells.unshift(`<span class="score"><b>rank</b> ${esc(num(e.rank))}</span>`);
  return `<div class="scores">${cells.join(' ')}</div>`;
}

/** One record: where it came from, its outcome, scores, note and flags, then its turns. */
export function exampleHtml(e: ReportExample, originals: Record<string, ReportExample> = {}): string {
  const where = `#${e.source.index}${e.source.line !== undefined ? `, line ${e.source.line}` : ''}${e.source.part !== undefined ? `, part ${e.source.part}` : ''}`;
  const meta = [
    `<span class="id">${esc(e.id)}</span>`,
    `<span>input ${esc(where)}</span>`,
    e.reason ? `<span class="reason">${esc(e.reason)}</span>` : '<span class="kept">selected</span>',
    e.cluster !== undefined ? `<span>cluster ${esc(e.cluster)}</span>` : '',
    e.similarity !== undefined ? `<span>similarity ${esc(num(e.similarity))}</span>` : '',
  ].join(' ');
  const note = e.note ? `<div class="note">note: ${esc(e.note)}</div>` : '';
  const flags = e.flags?.length ? `<div class="flags">flags: ${e.flags.map(esc).join(', ')}</div>` : '';
  const cut = e.cut ? '<div class="cut">(text cut for this page; the output files hold it whole)</div>' : '';
  const of = e.duplicateOf ?? e.similarTo;
  let orig = '';
  if (of) {
    const o = originals[of];
    const what = e.duplicateOf ? 'duplicate of' : 'too similar to';
    orig = o
      ? `<details class="original"><summary>${esc(what)} <span class="id">${esc(of)}</span> (show the original)</summary><div class="example original-record" data-id="${esc(of)}">${exampleHtml(o)}</div></details>`
      : `<div class="original missing">${esc(what)} <span class="id">${esc(of)}</span> (not found)</div>`;
  }
  return `<div class="record"><div class="meta">${meta}</div>${scores(e)}${note}${flags}<div class="turns">${turns(e)}</div>${cut}</div>${orig}`;
}

/** A paged list: every item rendered, `PAGE_SIZE` to a page, the inline script showing one page at a time. */
export function paged(id: string, items: readonly string[]): string {
  if (items.length === 0) return '<p class="empty">no examples</p>';
  const pages: string[] = [];
  for (let p = 0; p * PAGE_SIZE < items.length; p++) {
    const body = items
      .slice(p * PAGE_SIZE, (p + 1) * PAGE_SIZE)
      .map((html) => `<li class="example">${html}</li>`)
      .join('');
    pages.push(`<ol class="page" data-page="${p}"${p > 0 ? ' hidden' : ''}>${body}</ol>`);
  }
  const nav =
    pages.length > 1
      ? `<div class="pager"><button type="button" data-go="-1" disabled>previous</button> <span class="at">page 1 of ${pages.length}</span> <button type="button" data-go="1">next</button></div>`
      : '';
  return `<div class="paged" id="${esc(slug(id))}" data-pages="${pages.length}">${nav}${pages.join('')}</div>`;
}

export function examplesList(
  id: string,
  list: readonly ReportExample[],
  originals: Record<string, ReportExample>,
) {
  return paged(
    id,
    list.map((e) => exampleHtml(e, originals)),
  );
}

/** Invalid lines: where, the error, and the raw text. */
export function invalidList(lines: readonly InvalidLine[]): string {
  return paged(
    'invalid-lines',
    lines.map((l) => {
      const where = [
        l.source.part !== undefined ? `part ${l.source.part}` : '',
        l.source.index !== undefined ? `#${l.source.index}` : '',
        l.source.line !== undefined ? `line ${l.source.line}` : '',
        l.offset !== undefined ? `byte ${l.offset}` : '',
      ]
        .filter(Boolean)
        .join(', ');
      return `<div class="record"><div class="meta"><span>${esc(where)}</span> <span class="reason">${esc(l.error.code)}</span>${l.error.path ? ` <span>at ${esc(l.error.path)}</span>` : ''}</div><div class="note">${esc(l.error.message)}</div><pre>${esc(l.raw)}</pre></div>`;
    }),
  );
}
