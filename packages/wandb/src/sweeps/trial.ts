/**
 * A sweep trial's record (one JSON file per trial in the sweep folder; see `sweep-store.ts`) and the rules that
 * connect sweep names to detlab: parameter names to config paths, metric names to logged keys.
 *
 * - **Parameters → config paths**: a bare `lr` or `weight_decay` is the optimizer's
 *   (`optim_wrapper.optimizer.lr`); any other name is a dotted config path (`model.bbox_head.loss_cls.gamma`).
 * - **Metric names → keys**: the exact key first; `val/x` also matches detlab's `coco/x` (CocoMetric's prefix),
 *   then any single key ending in `/x`.
 * - **States** follow W&B's run states (reference/wandb.md §3), plus `stopped` (hyperband ended it; its
 *   metric values are real, so bayes uses them as a finished run's) and `interrupted` (Ctrl-C or a signal;
 *   the next agent resumes it from its checkpoint).
 */
import type { ParamValue } from './distributions.js';

/** Where a trial is in its life. */
export type TrialState = 'running' | 'finished' | 'stopped' | 'failed' | 'crashed' | 'interrupted';

/** States after which a trial never runs again. */
export const TERMINAL_STATES: readonly TrialState[] = ['finished', 'stopped', 'failed', 'crashed'];

/** One logged value of the sweep metric. */
export interface MetricPoint {
  /** The train iteration when it was logged (orders and de-duplicates points of a resumed trial). */
  iter: number;
  epoch: number;
  value: number;
  /** When it was logged (ISO time). */
  at: string;
}

/** Which agent runs a trial. */
export interface TrialOwner {
  agent: string;
  pid: number;
  host: string;
}

/** One trial, as stored in `trials/<name>.json`. */
export interface TrialRecord {
  /** `trial-001`, ...: also the trial's work dir root under `runs/`. */
  name: string;
  index: number;
  state: TrialState;
  /** The parameter values, by sweep name. */
  params: Record<string, ParamValue>;
  /** The values of the sweep metric, in the order they were logged (hyperband's iterations). */
  history: MetricPoint[];
  owner: TrialOwner;
  /** How many times an agent started it (more than 1 after a resume). */
  attempts: number;
  created_at: string;
  updated_at: string;
  /** The run folders of its attempts (`<timestamp>_<id>`), newest last. */
  run_dirs: string[];
  /** What the search method said about it (bayes: predicted value, expected improvement...). */
  search_info?: Record<string, unknown>;
  /** Hyperband's decision line, when it stopped the trial. */
  stop_reason?: string;
  error?: string;
}

/** The config path a sweep parameter sets; see the file comment. */
export function configPathOf(param: string): string {
  return OPTIMIZER_PARAMS.has(param) ? `optim_wrapper.optimizer.${param}` : param;
}

/** Bare names that mean the optimizer's value. */
const OPTIMIZER_PARAMS = new Set(['lr', 'weight_decay']);

/** `--cfg-options` words that apply `params` (`optim_wrapper.optimizer.lr=0.001`); objects become one word per leaf. */
export function paramsToCfgOptions(params: Record<string, ParamValue>): string[] {
  const words: string[] = [];
  const add = (path: string, value: ParamValue): void => {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) add(`${path}.${k}`, v);
    } else {
      words.push(`${path}=${formatCfgValue(value)}`);
    }
  };
  for (const [name, value] of Object.entries(params)) add(configPathOf(name), value);
  return words;
}

/** A value as `--cfg-options` reads it back: numbers in full precision, lists as `[a,b]`, null as `None`. */
export function formatCfgValue(value: ParamValue): string {
  if (value === null || value === undefined) return 'None';
  if (Array.isArray(value)) return `[${value.map(formatCfgValue).join(',')}]`;
  return String(value);
}

/** The key of `metrics` that the sweep metric `name` means (see the file comment), or undefined. */
export function resolveMetricKey(name: string, keys: Iterable<string>): string | undefined {
  const all = [...keys];
  if (all.includes(name)) return name;
  const leaf = name.includes('/') ? name.slice(name.indexOf('/') + 1) : name;
  if (name.startsWith('val/') && all.includes(`coco/${leaf}`)) return `coco/${leaf}`;
  const endings = all.filter((k) => k.endsWith(`/${leaf}`) || k === leaf);
  return endings.length === 1 ? endings[0] : undefined;
}

/** The trial's metric values, finite only (W&B drops NaN, ±∞ and non-numbers, §3). */
export function metricValues(trial: Pick<TrialRecord, 'history'>): number[] {
  return trial.history.map((p) => p.value).filter((v) => typeof v === 'number' && Number.isFinite(v));
}

/** The best value of the trial's metric for `goal`, or undefined when it logged none. */
export function bestValue(trial: Pick<TrialRecord, 'history'>, goal: 'minimize' | 'maximize'): number | undefined {
  const values = metricValues(trial);
  if (values.length === 0) return undefined;
  return goal === 'maximize' ? Math.max(...values) : Math.min(...values);
}

/** The name of the trial with 1-based `index`: `trial-001`. */
export function trialName(index: number): string {
  return `trial-${String(index).padStart(3, '0')}`;
}
