/**
 * `model-summary`: parameters and MACs per module of a config's model for one input size, counted in one real
 * forward pass (see @detlab/tensor `countComplexity` for the conventions); mmdet's `get_flops.py`. For a
 * distillation model (one with a `teacher`), the student and the teacher get a table each.
 *
 * @example
 * nx run trainer:model-summary --config=atss_r18_mnistdet --input-size 128 --depth 2
 */
import { writeFile } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, MODELS, normalizeConfig } from '@detlab/core';
import { Module, countComplexity, formatCount, initBackend, type BackendChoice, type ComplexityReport, type DetBatch } from '@detlab/tensor';
import type { CliOptions } from '../args.js';
import { loadRunConfig } from '../load-run-config.js';
import { userPath } from '../workspace.js';
import type { CommandIO } from './io.js';

/** One model's summary. */
export interface ModelSummaryPart {
  /** 'model', or 'student' / 'teacher' for distillation. */
  role: string;
  report: ComplexityReport;
}

/** Loads `--config`, builds its model, counts each part at `--input-size` and prints the tables. */
export async function modelSummary(options: CliOptions, io: CommandIO): Promise<ModelSummaryPart[]> {
  const cfgOptions = [...options.cfgOptions];
  if (options.backend) cfgOptions.push(`env_cfg.backend=${options.backend}`);
  const config = await loadRunConfig({ config: options.config, cfgOptions, logger: io.logger });
  const cfg = config.data;
  const [height, width] = options.inputSize ? parseInputSize(options.inputSize) : defaultInputSize(cfg);
  const depth = options.depth === undefined ? 2 : parseDepth(options.depth);
  await initBackend(((cfg.env_cfg as { backend?: BackendChoice } | undefined)?.backend ?? 'auto') as BackendChoice, io.logger);
  const model = MODELS.build<Module>(normalizeConfig(cfg).config.model, { path: 'model' });
  const result: ModelSummaryPart[] = [];
  try {
    model.eval();
    for (const [role, part, exclude] of summaryParts(model)) {
      const report = await countComplexity(part, () => runOnce(part, height, width));
      if (exclude) dropSubtree(report, exclude);
      result.push({ role, report });
      io.stdout(formatSummary(role, report, { height, width, depth }));
    }
  } finally {
    model.dispose();
  }
  if (options.out) {
    await writeFile(userPath(options.out), `${JSON.stringify({ input_size: [height, width], parts: result }, null, 2)}\n`);
  }
  return result;
}

/**
 * The models to summarise: a distillation model's student (`architecture`, MMRazor's name, or `student`) and
 * `teacher`; a student that holds its teacher as a child is summarised without it. Anything else: the model.
 */
export function summaryParts(model: Module): Array<[role: string, part: Module, exclude?: string]> {
  const { teacher, architecture, student } = model as unknown as Record<string, unknown>;
  if (!(teacher instanceof Module)) return [['model', model]];
  const studentPart = architecture instanceof Module ? architecture : student instanceof Module ? student : model;
  const childName = studentPart === model ? model.namedChildren().find(([, child]) => child === teacher)?.[0] : undefined;
  return [
    ['student', studentPart, childName],
    ['teacher', teacher],
  ];
}

/** One forward pass of a detector (`forwardTensor` on a blank image), or of a plain module on [1, H, W, 3]. */
async function runOnce(part: Module, height: number, width: number): Promise<void> {
  const detector = part as Module & { forwardTensor?: (batch: DetBatch) => tf.TensorContainer; forward?: (x: tf.Tensor4D) => tf.TensorContainer };
  if (typeof detector.forwardTensor === 'function') {
    const batch: DetBatch = {
      inputs: [{ data: new Uint8Array(height * width * 3), shape: [height, width, 3] }],
      data_samples: [{ metainfo: { ori_shape: [height, width], img_shape: [height, width], scale_factor: [1, 1] } }],
    };
    tf.dispose(detector.forwardTensor(batch));
    return;
  }
  if (typeof detector.forward !== 'function') {
    throw new ConfigError(`model-summary: ${part.constructor.name} has neither forwardTensor(batch) nor forward(x)`, { configPath: 'model' });
  }
  tf.tidy(() => detector.forward!(tf.zeros([1, height, width, 3])));
}

/** Removes `name` and its descendants from a report and from its ancestors' totals. */
function dropSubtree(report: ComplexityReport, name: string): void {
  const row = report.modules.find((m) => m.name === name);
  if (!row) return;
  report.modules = report.modules.filter((m) => m.name !== name && !m.name.startsWith(`${name}.`));
  for (const ancestor of report.modules.filter((m) => m.name === '' || name.startsWith(`${m.name}.`))) {
    ancestor.params -= row.params;
    ancestor.macs -= row.macs;
    ancestor.elementwise -= row.elementwise;
  }
  report.total = { params: report.modules[0]!.params, macs: report.modules[0]!.macs, elementwise: report.modules[0]!.elementwise };
}

/** The table `model-summary` prints for one part. */
export function formatSummary(role: string, report: ComplexityReport, { height, width, depth }: { height: number; width: number; depth: number }): string {
  const { total } = report;
  const rows = report.modules.filter((m) => m.depth <= depth);
  const names = rows.map((m) => `${'  '.repeat(m.depth)}${m.name || role}`);
  const nameWidth = Math.max(6, ...names.map((n) => n.length));
  const typeWidth = Math.max(4, ...rows.map((m) => m.type.length));
  const line = (cells: string[]) => `${cells[0]!.padEnd(nameWidth)}  ${cells[1]!.padEnd(typeWidth)}  ${cells.slice(2).map((c) => c.padStart(10)).join('  ')}`;
  const pct = (v: number, all: number) => (all > 0 ? `${((100 * v) / all).toFixed(1)}%` : '-');
  const out = [
    `${role}: input 1×${height}×${width}×3 (NHWC)`,
    line(['module', 'type', 'params', 'MACs', 'MACs %', 'elementwise']),
    ...rows.map((m, i) => line([names[i]!, m.type, formatCount(m.params), formatCount(m.macs), pct(m.macs, total.macs), formatCount(m.elementwise)])),
    `total: ${formatCount(total.params)} parameters, ${(total.macs / 1e9).toFixed(3)} GMACs (convolutions, fvcore's convention), ` +
      `${(total.elementwise / 1e9).toFixed(3)} G elementwise ops (bias, norm, activation, pooling; mmcv adds them as FLOPs)`,
  ];
  if (report.uncounted.length > 0) out.push(`not counted (no rule for their layer type): ${report.uncounted.join(', ')}`);
  return `${out.join('\n')}\n\n`;
}

/** `H`, `H,W` or `HxW` → [H, W]. */
export function parseInputSize(text: string): [number, number] {
  const parts = text.split(/[,x×]/i).map((p) => Number(p.trim()));
  if ((parts.length !== 1 && parts.length !== 2) || !parts.every((p) => Number.isInteger(p) && p > 0)) {
    throw new ConfigError(`--input-size: expected H or H,W in pixels (e.g. 224 or 800,1333), got '${text}'`);
  }
  return [parts[0]!, parts[1] ?? parts[0]!];
}

function parseDepth(text: string): number {
  const depth = Number(text);
  if (!Number.isInteger(depth) || depth < 0) throw new ConfigError(`--depth: expected a whole number ≥ 0, got '${text}'`);
  return depth;
}

/** [H, W] of the test pipeline's `Resize` `scale` (mmdet writes it [w, h]), else 224×224. */
function defaultInputSize(cfg: Record<string, unknown>): [number, number] {
  const pipeline = ((cfg.test_dataloader as { dataset?: { pipeline?: unknown } } | undefined)?.dataset?.pipeline ?? []) as Array<Record<string, unknown>>;
  const scale = Array.isArray(pipeline) ? pipeline.find((t) => t?.type === 'Resize')?.scale : undefined;
  if (Array.isArray(scale) && scale.length === 2) return [Number(scale[1]), Number(scale[0])];
  if (typeof scale === 'number') return [scale, scale];
  return [224, 224];
}
