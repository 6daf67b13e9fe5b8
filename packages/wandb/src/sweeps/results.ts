/**
 * The end of a sweep: a table of its trials (parameters, best metric, state) as Markdown and CSV, and a PNG
 * with one panel per parameter plotting each trial's best metric against the parameter's value (log axis for
 * log distributions; categorical values spread evenly). The plot is an SVG built here and rasterised by sharp.
 *
 * @example
 * const { table } = await writeSweepResults(store, meta.sweep); // also results.md, results.csv, metric_vs_params.png
 */
import sharp from 'sharp';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { valueKey, type ParamSpec } from './distributions.js';
import type { SweepConfig } from './sweep-config.js';
import { writeAtomic, type SweepStore } from './sweep-store.js';
import { bestValue, type TrialRecord } from './trial.js';

/** File names in the sweep folder. */
export const RESULT_FILES = { table: 'results.md', csv: 'results.csv', plot: 'metric_vs_params.png' } as const;

/** Writes the table and the plot into the sweep folder; returns the table text and the file paths. */
export async function writeSweepResults(store: SweepStore, sweep: SweepConfig): Promise<{ table: string; files: string[] }> {
  const trials = await store.readTrials();
  const table = resultsTable(sweep, trials);
  const files = [join(store.dir, RESULT_FILES.table), join(store.dir, RESULT_FILES.csv), join(store.dir, RESULT_FILES.plot)];
  await writeAtomic(files[0], table);
  await writeAtomic(files[1], resultsCsv(sweep, trials));
  const png = await sharp(Buffer.from(resultsSvg(sweep, trials))).png().toBuffer();
  await writeFile(files[2], png);
  return { table, files };
}

/** The Markdown table: one row per trial, best trial first, trials without a metric last. */
export function resultsTable(sweep: SweepConfig, trials: readonly TrialRecord[]): string {
  const names = Object.keys(sweep.parameters);
  const metric = sweep.metric?.name ?? 'metric';
  const header = ['trial', ...names, `best ${metric}`, 'logged', 'state'];
  const rows = rankTrials(sweep, trials).map((t) => [t.name, ...names.map((n) => formatValue(t.params[n])), formatValue(best(sweep, t)), String(t.history.length), t.state]);
  const lines = [header, header.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`);
  return `${lines.join('\n')}\n`;
}

/** The same rows as CSV. */
export function resultsCsv(sweep: SweepConfig, trials: readonly TrialRecord[]): string {
  const names = Object.keys(sweep.parameters);
  const quote = (s: string) => (/[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);
  const header = ['trial', ...names, `best ${sweep.metric?.name ?? 'metric'}`, 'logged', 'state'];
  const rows = rankTrials(sweep, trials).map((t) => [t.name, ...names.map((n) => valueText(t.params[n])), valueText(best(sweep, t) ?? ''), String(t.history.length), t.state]);
  return `${[header, ...rows].map((r) => r.map(quote).join(',')).join('\n')}\n`;
}

/** The plot as SVG text; see the file comment. */
export function resultsSvg(sweep: SweepConfig, trials: readonly TrialRecord[]): string {
  const params = Object.entries(sweep.parameters).filter(([, spec]) => spec.distribution !== 'constant');
  const panelW = 360;
  const panelH = 280;
  const margin = { left: 64, right: 16, top: 36, bottom: 48 };
  const width = Math.max(1, params.length) * panelW;
  const height = panelH + 28;
  const points = trials.map((t) => ({ t, y: best(sweep, t) }));
  const ys = points.map((p) => p.y).filter((y): y is number => y !== undefined);
  const [yMin, yMax] = padRange(ys.length ? Math.min(...ys) : 0, ys.length ? Math.max(...ys) : 1);
  const metric = sweep.metric?.name ?? 'metric';
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans, Arial, sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="8" y="${height - 8}" font-size="11" fill="#555">${esc(`${trials.length} trials · best ${metric} per trial · ● finished  ▲ stopped by hyperband  ✕ failed (at the bottom)`)}</text>`,
  ];
  params.forEach(([name, spec], i) => {
    const x0 = i * panelW + margin.left;
    const y0 = margin.top;
    const w = panelW - margin.left - margin.right;
    const h = panelH - margin.top - margin.bottom;
    const axis = xAxis(spec, trials.map((t) => t.params[name]));
    const sy = (v: number) => y0 + h - ((v - yMin) / (yMax - yMin)) * h;
    parts.push(`<text x="${x0 + w / 2}" y="20" font-size="13" text-anchor="middle" font-weight="bold">${esc(name)}</text>`);
    parts.push(`<rect x="${x0}" y="${y0}" width="${w}" height="${h}" fill="none" stroke="#999"/>`);
    for (const tick of [yMin, (yMin + yMax) / 2, yMax]) {
      parts.push(`<text x="${x0 - 6}" y="${sy(tick) + 4}" font-size="10" text-anchor="end">${esc(formatNumber(tick))}</text>`);
    }
    for (const tick of axis.ticks) {
      parts.push(`<text x="${x0 + axis.pos(tick.value) * w}" y="${y0 + h + 16}" font-size="10" text-anchor="middle">${esc(tick.label)}</text>`);
    }
    if (i === 0) parts.push(`<text transform="translate(14 ${y0 + h / 2}) rotate(-90)" font-size="11" text-anchor="middle">${esc(metric)}</text>`);
    for (const { t, y } of points) {
      const px = x0 + axis.pos(t.params[name]) * w;
      if (!Number.isFinite(px)) continue;
      if (y === undefined) {
        parts.push(`<text x="${px}" y="${y0 + h - 2}" font-size="12" text-anchor="middle" fill="#c0392b">✕</text>`);
      } else if (t.state === 'stopped') {
        const py = sy(y);
        parts.push(`<path d="M${px} ${py - 5} L${px + 5} ${py + 4} L${px - 5} ${py + 4} Z" fill="#e67e22" opacity="0.85"/>`);
      } else {
        parts.push(`<circle cx="${px}" cy="${sy(y)}" r="4.5" fill="#2c7fb8" opacity="0.85"/>`);
      }
    }
  });
  parts.push('</svg>');
  return parts.join('\n');
}

/** Maps parameter values to [0, 1] along a panel's x axis, with a few labelled ticks. */
function xAxis(spec: ParamSpec, values: readonly unknown[]): { pos(v: unknown): number; ticks: Array<{ value: unknown; label: string }> } {
  const categorical = spec.distribution === 'categorical' || spec.distribution === 'categorical_w_probabilities';
  if (categorical || values.some((v) => typeof v !== 'number')) {
    const cats = categorical ? spec.values! : [...new Map(values.map((v) => [valueKey(v), v])).values()];
    const pos = (v: unknown) => (cats.findIndex((c) => valueKey(c) === valueKey(v)) + 0.5) / cats.length;
    return { pos, ticks: cats.map((c) => ({ value: c, label: valueText(c).slice(0, 12) })) };
  }
  const nums = values as number[];
  const log = spec.distribution.includes('log');
  let lo = spec.min ?? Math.min(...nums);
  let hi = spec.max ?? Math.max(...nums);
  if (spec.distribution.includes('normal')) [lo, hi] = [Math.min(...nums), Math.max(...nums)];
  [lo, hi] = lo === hi ? [lo - 1, hi + 1] : [lo, hi];
  const f = (v: number) => (log ? Math.log(v) : v);
  const pos = (v: unknown) => 0.04 + 0.92 * ((f(Number(v)) - f(lo)) / (f(hi) - f(lo)));
  const mid = log ? Math.sqrt(lo * hi) : (lo + hi) / 2;
  return { pos, ticks: [lo, mid, hi].map((v) => ({ value: v, label: formatNumber(v) })) };
}

function rankTrials(sweep: SweepConfig, trials: readonly TrialRecord[]): TrialRecord[] {
  const sign = sweep.metric?.goal === 'maximize' ? -1 : 1;
  return [...trials].sort((a, b) => {
    const [x, y] = [best(sweep, a), best(sweep, b)];
    if (x === undefined || y === undefined) return x === undefined ? (y === undefined ? a.index - b.index : 1) : -1;
    return sign * (x - y) || a.index - b.index;
  });
}

function best(sweep: SweepConfig, t: TrialRecord): number | undefined {
  return bestValue(t, sweep.metric?.goal ?? 'minimize');
}

function padRange(lo: number, hi: number): [number, number] {
  if (lo === hi) return [lo - 0.5, hi + 0.5];
  const pad = (hi - lo) * 0.08;
  return [lo - pad, hi + pad];
}

function formatNumber(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e4 || a < 1e-3 ? v.toExponential(2) : Number(v.toPrecision(4)).toString();
}

function formatValue(v: unknown): string {
  return typeof v === 'number' ? formatNumber(v) : v === undefined ? '–' : valueText(v);
}

function valueText(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : JSON.stringify(v);
}

function esc(s: string): string {
  return s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
}
