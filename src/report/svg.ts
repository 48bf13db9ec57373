import { esc, num } from './escape.ts';

/** A vertical line on a histogram: a filter's bound or the budget cut, at a value on the x axis. */
export interface Marker {
  at: number;
  label: string;
  kind: 'filter' | 'cut';
}

const W = 560;
const H = 180;
const PAD = { left: 44, right: 12, top: 18, bottom: 28 };

/**
 * Stacked bars over equal-width bins of [min, max]: the selected part at the bottom, the rest above,
 * with markers. Inline SVG: no script, no external request.
 */
export function histogramSvg(opts: {
  title: string;
  min: number;
  max: number;
  lower: readonly number[];
  upper: readonly number[];
  labels: [lower: string, upper: string];
  markers?: readonly Marker[];
}): string {
  const { min, max, lower, upper } = opts;
  const n = Math.max(lower.length, upper.length, 1);
  const totals = Array.from({ length: n }, (_, i) => (lower[i] ?? 0) + (upper[i] ?? 0));
  const top = Math.max(1, ...totals);
  const iw = W - PAD.left - PAD.right;
  const ih = H - PAD.top - PAD.bottom;
  const bw = iw / n;
  const y = (v: number) => PAD.top + ih - (v / top) * ih;
  const bars: string[] = [];
  for (let i = 0; i < n; i++) {
    const lo = lower[i] ?? 0;
    const hi = upper[i] ?? 0;
    const x = PAD.left + i * bw;
    const from = min + ((max - min) * i) / n;
    const to = min + ((max - min) * (i + 1)) / n;
    const tip = `${num(from)} – ${num(to)}: ${num(lo)} ${opts.labels[0]}, ${num(hi)} ${opts.labels[1]}`;
    if (lo > 0)
      bars.push(
        `<rect class="b-lo" x="${x.toFixed(1)}" y="${y(lo).toFixed(1)}" width="${Math.max(bw - 1, 1).toFixed(1)}" height="${(PAD.top + ih - y(lo)).toFixed(1)}"><title>${esc(tip)}</title></rect>`,
      );
    if (hi > 0)
      bars.push(
        `<rect class="b-hi" x="${x.toFixed(1)}" y="${y(lo + hi).toFixed(1)}" width="${Math.max(bw - 1, 1).toFixed(1)}" height="${(y(lo) - y(lo + hi)).toFixed(1)}"><title>${esc(tip)}</title></rect>`,
      );
  }
  const xAt = (v: number) => PAD.left + (max > min ? ((v - min) / (max - min)) * iw : 0);
  const marks = (opts.markers ?? [])
    .filter((m) => Number.isFinite(m.at) && m.at >= min && m.at <= max)
    .map((m, i) => {
      const x = xAt(m.at).toFixed(1);
      return `<g class="m-${m.kind}"><line x1="${x}" x2="${x}" y1="${PAD.top - 4}" y2="${PAD.top + ih}"/><text x="${x}" y="${PAD.top - 6 + (i % 2) * -0}" text-anchor="middle">${esc(m.label)}</text></g>`;
    });
  const axis = [
    `<line class="axis" x1="${PAD.left}" x2="${W - PAD.right}" y1="${PAD.top + ih}" y2="${PAD.top + ih}"/>`,
    `<text class="tick" x="${PAD.left}" y="${H - 8}" text-anchor="start">${esc(num(min))}</text>`,
    `<text class="tick" x="${W - PAD.right}" y="${H - 8}" text-anchor="end">${esc(num(max))}</text>`,
    `<text class="tick" x="${PAD.left - 6}" y="${PAD.top + 4}" text-anchor="end">${esc(num(top))}</text>`,
    `<text class="tick" x="${PAD.left - 6}" y="${PAD.top + ih}" text-anchor="end">0</text>`,
  ];
  return `<svg class="chart hist" role="img" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" aria-label="${esc(opts.title)}"><title>${esc(opts.title)}</title>${axis.join('')}${bars.join('')}${marks.join('')}</svg>`;
}

/** A categorical colour for cluster `c`. */
export function clusterColour(c: number): string {
  return `hsl(${(c * 137.508) % 360} 65% 45%)`;
}

/** A scatter plot of `[x, y, cluster]` points, coloured by cluster. */
export function scatterSvg(title: string, points: readonly (readonly [number, number, number])[]): string {
  const size = 420;
  const pad = 16;
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  const [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  const sx = (v: number) =>
    pad + (x1 > x0 ? ((v - x0) / (x1 - x0)) * (size - 2 * pad) : (size - 2 * pad) / 2);
  const sy = (v: number) =>
    size - pad - (y1 > y0 ? ((v - y0) / (y1 - y0)) * (size - 2 * pad) : (size - 2 * pad) / 2);
  const dots = points
    .map(
      ([x, y, c]) =>
        `<circle cx="${sx(x).toFixed(1)}" cy="${sy(y).toFixed(1)}" r="2.5" fill="${clusterColour(c)}"><title>cluster ${c}</title></circle>`,
    )
    .join('');
  return `<svg class="chart map" role="img" viewBox="0 0 ${size} ${size}" width="${size}" height="${size}" aria-label="${esc(title)}"><title>${esc(title)}</title><rect class="frame" x="0.5" y="0.5" width="${size - 1}" height="${size - 1}"/>${dots}</svg>`;
}
