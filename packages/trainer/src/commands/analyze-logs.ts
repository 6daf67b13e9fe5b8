/**
 * `analyze-logs`: plots of losses, learning rate and val metrics of one run, or several overlaid (teacher,
 * student, KD), as PNG and SVG; mmdet's `tools/analysis_tools/analyze_logs.py plot_curve`.
 *
 * @example
 * nx run trainer:analyze-logs --run=work_dirs/atss_r18_mnistdet/<run> --keys loss,coco/bbox_mAP_50 --compare work_dirs/atss_kd/<run>
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { DetlabError } from '@detlab/core';
import type { CliOptions } from '../args.js';
import { plotScalars, svgToPng } from '../plots/line-plots.js';
import { defaultKeys, readScalarLog, type ScalarLog } from '../plots/scalar-log.js';
import { userPath } from '../workspace.js';
import type { CommandIO } from './io.js';

/** What `analyzeLogs` wrote. */
export interface AnalyzeLogsResult {
  png: string;
  svg: string;
  keys: string[];
  runs: string[];
}

/** Reads `--run` and every `--compare` run, plots `--keys` (default: losses, lr, metrics), writes `--out` (.png and .svg). */
export async function analyzeLogs(options: CliOptions, io: CommandIO): Promise<AnalyzeLogsResult> {
  if (!options.run) {
    throw new DetlabError('analyze-logs needs a run to plot', { hint: 'Pass --run=DIR, a run folder of a training run (work_dirs/<config>/<timestamp>).' });
  }
  const logs = await Promise.all([options.run, ...options.compare].map((dir) => readScalarLog(userPath(dir))));
  const keys = options.keys.length > 0 ? options.keys : [...new Set(logs.flatMap((log) => defaultKeys(log.points)))];
  checkKeys(keys, logs);
  const png = options.out ? userPath(options.out) : join(dirname(logs[0]!.file), 'analyze_logs.png');
  const svgFile = png.replace(/\.png$/i, '') + '.svg';
  const svg = await plotScalars(logs, keys);
  await mkdir(dirname(png), { recursive: true });
  await writeFile(svgFile, svg);
  await writeFile(png, await svgToPng(svg));
  io.logger.info(`[analyze-logs] ${keys.join(', ')} of ${logs.map((l) => l.run).join(', ')}`);
  io.stdout(`${png}\n${svgFile}\n`);
  return { png, svg: svgFile, keys, runs: logs.map((l) => l.run) };
}

/** Every key must be logged by at least one run; otherwise say which keys there are. */
function checkKeys(keys: readonly string[], logs: readonly ScalarLog[]): void {
  if (keys.length === 0) {
    throw new DetlabError(`analyze-logs: nothing to plot in ${logs.map((l) => l.file).join(', ')}`, { hint: 'The log holds no loss, lr or metric values yet; pass --keys to choose others.' });
  }
  const logged = new Set(logs.flatMap((log) => log.points.map((p) => p.key)));
  const missing = keys.filter((key) => !logged.has(key));
  if (missing.length > 0) {
    throw new DetlabError(`--keys: ${missing.join(', ')} not logged by ${logs.map((l) => l.file).join(', ')}`, { hint: `Logged keys: ${[...logged].join(', ')}.` });
  }
}
