/**
 * Summary keys for best metrics: MMEngine's `define_metric_cfg`, computed on our side.
 *
 * `@wandb/sdk` 0.5.1 has no summary or define-metric API: a run's summary is simply the last value of every
 * logged key (reference/wandb.md §9.5). So for `{'coco/bbox_mAP': 'max'}` each history row that holds
 * `coco/bbox_mAP` also gets `coco/bbox_mAP.max`, the best value so far; the summary then ends with the best.
 * The name is the column W&B's UI shows for Python's `define_metric(..., summary='max')` (nested summaries
 * are displayed as `metric.max`).
 *
 * Kinds: `max`, `min`, `mean` (running mean), `best` (max or min by `goal`, else inferred from the name as
 * `save_best` does: `mAP` greater, `loss` less), `last` (adds nothing: the summary already ends with the last
 * value). Several kinds: `'max,min'`. Names may use `*` as a wildcard (`'coco/*'`).
 *
 * @example
 * vis_backends: [{ type: 'WandbVisBackend', define_metric_cfg: { 'coco/bbox_mAP': 'max', loss: 'min' } }]
 * // or MMEngine's list form: define_metric_cfg: [{ name: 'coco/bbox_mAP', summary: 'best', goal: 'maximize' }]
 */
import { inferRule, type MetricRule } from '@detlab/engine';
import { z } from 'zod';

// 'none' is W&B's "no summary"; like 'last' it adds nothing here.
const KINDS = '(max|min|mean|best|last|none)';
const SUMMARY = new RegExp(`^\\s*${KINDS}(\\s*,\\s*${KINDS})*\\s*$`);
const summarySchema = z.string().superRefine((value, ctx) => {
  if (!SUMMARY.test(value)) ctx.addIssue({ code: 'custom', message: `expected max, min, mean, best or last (comma-separated), got '${value}'` });
});

/** Schema of `define_metric_cfg`: a `{name: summary}` map, MMEngine's list of define-metric calls, or null. */
export const defineMetricCfgSchema = z
  .union([
    z.record(z.string(), summarySchema),
    z.array(
      z.looseObject({
        name: z.string(),
        summary: summarySchema.optional(),
        goal: z.enum(['maximize', 'minimize']).optional(),
      }),
    ),
  ])
  .nullable();

/** `define_metric_cfg` as configs write it. */
export type DefineMetricCfg = z.input<typeof defineMetricCfgSchema>;

/** One summary to keep: for keys matching `pattern`, the `kind` of their values so far. */
interface SummarySpec {
  name: string;
  pattern: RegExp;
  kind: 'max' | 'min' | 'mean';
  /** `best` is stored under its own name, though computed as max or min. */
  label: string;
}

/** Running summaries of the logged metrics; see the file comment. */
export class SummaryMetrics {
  private readonly specs: SummarySpec[];
  private readonly state = new Map<string, { value: number; count: number }>();

  /** Reads `cfg` (checked by `defineMetricCfgSchema`); `best` with no goal throws a `ConfigError` at `path` when the name does not tell. */
  constructor(cfg: DefineMetricCfg | undefined, path = 'define_metric_cfg') {
    const entries = Array.isArray(cfg) ? cfg.map((c) => [c.name, c.summary ?? '', c.goal] as const) : Object.entries(cfg ?? {}).map(([n, s]) => [n, s, undefined] as const);
    this.specs = entries.flatMap(([name, summary, goal]) => parseSpecs(name, summary, goal, `${path}.${name}`));
  }

  /** Whether any summary is configured. */
  get empty(): boolean {
    return this.specs.length === 0;
  }

  /** Adds `<key>.<kind>` to `row` for each of its keys that has a summary, updating the running values. */
  annotate(row: Record<string, unknown>): void {
    for (const [key, value] of Object.entries(row)) {
      if (typeof value !== 'number' || !Number.isFinite(value)) continue;
      for (const spec of this.specs) {
        if (!spec.pattern.test(key)) continue;
        const name = summaryKey(key, spec.label);
        const next = update(this.state.get(name), spec.kind, value);
        this.state.set(name, next);
        row[name] = next.value;
      }
    }
  }
}

/** The key a summary is logged under; built here only, so the format cannot drift. */
export function summaryKey(metric: string, label: string): string {
  return `${metric}.${label}`;
}

function parseSpecs(name: string, summary: string, goal: 'maximize' | 'minimize' | undefined, path: string): SummarySpec[] {
  const pattern = new RegExp(`^${name.split('*').map(escapeRegExp).join('.*')}$`);
  return summary
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '' && s !== 'last' && s !== 'none')
    .map((kind): SummarySpec => {
      if (kind !== 'best') return { name, pattern, kind: kind as SummarySpec['kind'], label: kind };
      const rule: MetricRule = goal ? (goal === 'maximize' ? 'greater' : 'less') : inferRule(name, undefined, {}, path);
      return { name, pattern, kind: rule === 'greater' ? 'max' : 'min', label: 'best' };
    });
}

function update(previous: { value: number; count: number } | undefined, kind: SummarySpec['kind'], value: number) {
  if (!previous) return { value, count: 1 };
  const count = previous.count + 1;
  if (kind === 'max') return { value: Math.max(previous.value, value), count };
  if (kind === 'min') return { value: Math.min(previous.value, value), count };
  return { value: previous.value + (value - previous.value) / count, count };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
