/**
 * The per-category AP table mmdet's CocoMetric logs with `classwise=True` (taken there from detectron2), and the
 * `<category>_precision` values it records.
 *
 * Each cell averages the category's precision over IoU thresholds and recall points at the largest maxDets:
 * mAP over all thresholds, mAP_50 and mAP_75 at threshold indices 0 and 5, mAP_s/m/l over area ranges 1–3.
 * A category without ground truth shows `nan`. Values are rounded as numpy rounds (see `numpyRound`).
 */
import type { CocoAccumulation } from './coco-accumulate.js';
import type { CocoEvalParams } from './coco-params.js';
import { summarizeSlice } from './coco-summarize.js';
import { numpyRound, pythonFloatString } from './python-numerics.js';

/**
 * The table's rows and the recorded values, category by category.
 *
 * @example
 * const { table, precisions } = classwiseTable(acc, params, catIds, names);
 * logger.info('\n' + table);
 */
export interface ClasswiseResult {
  /** The ASCII table, as terminaltables' `AsciiTable` draws it. */
  table: string;
  /** `<name>_precision` → rounded mAP of that category (NaN without ground truth). */
  precisions: Record<string, number>;
}

/**
 * One table row: the category's name and its index k in the accumulation (its position among the sorted
 * category ids).
 *
 * @example
 * const row: ClasswiseRow = { name: 'person', index: 0 };
 */
export interface ClasswiseRow {
  name: string;
  index: number;
}

/**
 * Builds the table, one row per entry of `categories`, in that order.
 *
 * @example
 * classwiseTable(evaluator.eval!, evaluator.params, [{ name: 'person', index: 0 }, { name: 'car', index: 2 }]);
 */
export function classwiseTable(acc: CocoAccumulation, params: CocoEvalParams, categories: readonly ClasswiseRow[]): ClasswiseResult {
  const maxDets = params.maxDets[params.maxDets.length - 1]!;
  const precisions: Record<string, number> = {};
  const rows = categories.map(({ name, index: k }) => {
    const ap = (iouIndex?: number, areaIndex = 0): number => {
      const areaRng = params.areaRngLbl[areaIndex];
      if (areaRng === undefined || (iouIndex !== undefined && iouIndex >= params.iouThrs.length)) return Number.NaN;
      const iouThr = iouIndex === undefined ? undefined : params.iouThrs[iouIndex];
      const mean = summarizeSlice(acc, params, { ap: true, iouThr, areaRng, maxDets, catIndices: [k] });
      return mean === -1 ? Number.NaN : numpyRound(mean, 3);
    };
    const cells = [ap(), ap(0), ap(5), ap(undefined, 1), ap(undefined, 2), ap(undefined, 3)];
    precisions[`${name}_precision`] = cells[0]!;
    return [name, ...cells.map(pythonFloatString)];
  });
  return { table: asciiTable([['category', 'mAP', 'mAP_50', 'mAP_75', 'mAP_s', 'mAP_m', 'mAP_l'], ...rows]), precisions };
}

/**
 * A table with a border, a line under the first (heading) row, cells left-aligned with one space of padding.
 *
 * @example
 * asciiTable([['a', 'b'], ['1', '22']]);
 * // +---+----+
 * // | a | b  |
 * // +---+----+
 * // | 1 | 22 |
 * // +---+----+
 */
export function asciiTable(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => (row[c] ?? '').length)));
  const rule = `+${widths.map((w) => '-'.repeat(w + 2)).join('+')}+`;
  const line = (row: readonly string[]) => `| ${widths.map((w, c) => (row[c] ?? '').padEnd(w)).join(' | ')} |`;
  const [heading, ...body] = rows;
  return [rule, line(heading!), rule, ...body.map(line), rule].join('\n');
}
